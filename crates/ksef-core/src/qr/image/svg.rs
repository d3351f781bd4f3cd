//! SVG output: one path of horizontal module runs, the label as glyph outlines.
//!
//! The module path is in module units (`translate(..) scale(module_px)`), made of one
//! rectangle per horizontal run of dark modules: `m dx dy h len v1 h -len z`.

use std::fmt::Write as _;

use super::font::LabelFont;
use super::{Layout, QUIET_ZONE_MODULES};

pub(super) fn render(font: &LabelFont, layout: &Layout) -> String {
    let size = layout.matrix.size;
    let mut s = String::with_capacity(512 + size * size * 3);
    s.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width=""#);
    push_int(&mut s, i64::from(layout.width));
    s.push_str(r#"" height=""#);
    push_int(&mut s, i64::from(layout.height));
    s.push_str(r#"" viewBox="0 0 "#);
    push_int(&mut s, i64::from(layout.width));
    s.push(' ');
    push_int(&mut s, i64::from(layout.height));
    s.push_str(r##""><rect width="100%" height="100%" fill="#fff"/>"##);

    let quiet = QUIET_ZONE_MODULES * layout.module_px;
    s.push_str(r##"<path shape-rendering="crispEdges" fill="#000" transform="translate("##);
    push_int(&mut s, i64::from(layout.code_left + quiet));
    s.push(' ');
    push_int(&mut s, i64::from(quiet));
    s.push_str(") scale(");
    push_int(&mut s, i64::from(layout.module_px));
    s.push_str(r#")" d=""#);
    // Current point (after `z` it is back at the start of the rectangle).
    let (mut cx, mut cy) = (0i64, 0i64);
    for y in 0..size {
        let row = layout.matrix.row(y);
        let mut x = 0;
        while x < size {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < size && row[x] {
                x += 1;
            }
            let len = (x - start) as i64;
            let (sx, sy) = (start as i64, y as i64);
            s.push('m');
            push_int(&mut s, sx - cx);
            s.push(' ');
            push_int(&mut s, sy - cy);
            s.push('h');
            push_int(&mut s, len);
            s.push_str("v1h-");
            push_int(&mut s, len);
            s.push('z');
            (cx, cy) = (sx, sy);
        }
    }
    s.push_str(r#""/>"#);

    if let Some(label) = &layout.label {
        let _ = write!(
            s,
            r##"<g fill="#000" transform="translate({:.3} {}) scale({:.6} {:.6})">"##,
            label.left, label.baseline, label.scale, -label.scale
        );
        for placed in &label.run.glyphs {
            let outline = font.outline(placed.glyph);
            if outline.is_empty() {
                continue;
            }
            s.push_str("<path ");
            if placed.pen_units != 0 {
                s.push_str(r#"transform="translate("#);
                push_int(&mut s, i64::from(placed.pen_units));
                s.push_str(r#")" "#);
            }
            s.push_str(r#"d=""#);
            s.push_str(&outline);
            s.push_str(r#""/>"#);
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>\n");
    s
}

/// Appends a decimal integer (faster than `write!` for the many small numbers of a path).
fn push_int(s: &mut String, v: i64) {
    if v < 0 {
        s.push('-');
    }
    let mut n = v.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        s.push(char::from(d));
    }
}
