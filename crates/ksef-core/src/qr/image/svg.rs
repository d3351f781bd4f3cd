//! SVG output: one path of horizontal module runs, the label as glyph outlines.
//!
//! The module path is in module units (`translate(..) scale(module_px)`), made of one
//! rectangle per horizontal run of dark modules: `m dx dy h len v1 h -len z`.

use std::fmt::Write as _;

use super::font::LabelFont;
use super::{Layout, QUIET_ZONE_MODULES};

pub(super) fn render(font: &LabelFont, layout: &Layout) -> String {
    let size = layout.matrix.size;
    // Built as bytes (ASCII only, the glyph outlines included) and checked once at the end:
    // pushing `char`s one at a time costs more than the whole encoding.
    let mut s: Vec<u8> = Vec::with_capacity(1024 + size * size * 4);
    s.extend_from_slice(br#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width=""#);
    push_int(&mut s, i64::from(layout.width));
    s.extend_from_slice(br#"" height=""#);
    push_int(&mut s, i64::from(layout.height));
    s.extend_from_slice(br#"" viewBox="0 0 "#);
    push_int(&mut s, i64::from(layout.width));
    s.push(b' ');
    push_int(&mut s, i64::from(layout.height));
    s.extend_from_slice(br##""><rect width="100%" height="100%" fill="#fff"/>"##);

    let quiet = QUIET_ZONE_MODULES * layout.module_px;
    s.extend_from_slice(
        br##"<path shape-rendering="crispEdges" fill="#000" transform="translate("##,
    );
    push_int(&mut s, i64::from(layout.code_left + quiet));
    s.push(b' ');
    push_int(&mut s, i64::from(quiet));
    s.extend_from_slice(b") scale(");
    push_int(&mut s, i64::from(layout.module_px));
    s.extend_from_slice(br#")" d=""#);
    // Current point (after `z` it is back at the start of the rectangle).
    let (mut cx, mut cy) = (0i64, 0i64);
    for y in 0..size {
        for (start, len) in layout.matrix.dark_runs(y) {
            let len = len as i64;
            let (sx, sy) = (start as i64, y as i64);
            s.push(b'm');
            push_int(&mut s, sx - cx);
            s.push(b' ');
            push_int(&mut s, sy - cy);
            s.push(b'h');
            push_int(&mut s, len);
            s.extend_from_slice(b"v1h-");
            push_int(&mut s, len);
            s.push(b'z');
            (cx, cy) = (sx, sy);
        }
    }
    s.extend_from_slice(br#""/>"#);

    if let Some(label) = &layout.label {
        let mut group = String::with_capacity(96);
        let _ = write!(
            group,
            r##"<g fill="#000" transform="translate({:.3} {}) scale({:.6} {:.6})">"##,
            label.left, label.baseline, label.scale, -label.scale
        );
        s.extend_from_slice(group.as_bytes());
        for placed in &label.run.glyphs {
            let outline = font.outline(placed.glyph);
            if outline.is_empty() {
                continue;
            }
            s.extend_from_slice(b"<path ");
            if placed.pen_units != 0 {
                s.extend_from_slice(br#"transform="translate("#);
                push_int(&mut s, i64::from(placed.pen_units));
                s.extend_from_slice(br#")" "#);
            }
            s.extend_from_slice(br#"d=""#);
            s.extend_from_slice(outline.as_bytes());
            s.extend_from_slice(br#""/>"#);
        }
        s.extend_from_slice(b"</g>");
    }
    s.extend_from_slice(b"</svg>\n");
    // Only ASCII and the UTF-8 of `str`s was written, so this never replaces anything.
    String::from_utf8(s).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Appends a decimal integer (faster than `write!` for the many small numbers of a path).
fn push_int(s: &mut Vec<u8>, v: i64) {
    if v < 0 {
        s.push(b'-');
    }
    let n = v.unsigned_abs();
    if n < 10 {
        s.push(b'0' + n as u8);
        return;
    }
    if n < 100 {
        s.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
        return;
    }
    let mut n = n;
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
    s.extend_from_slice(&digits[i..]);
}
