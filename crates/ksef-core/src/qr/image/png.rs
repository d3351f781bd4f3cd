//! PNG output: grayscale, 1-bit without a label, anti-aliased label otherwise.

use super::font::LabelFont;
use super::{Layout, QUIET_ZONE_MODULES};
use crate::{Error, Result};

/// Bits per pixel when there is an (anti-aliased) label.
const LABEL_DEPTH: u8 = 2;

pub(super) fn render(font: &LabelFont, layout: &Layout) -> Result<Vec<u8>> {
    let depth = if layout.label.is_some() {
        LABEL_DEPTH
    } else {
        1
    };
    let width = layout.width as usize;
    let height = layout.height as usize;
    let stride = (width * usize::from(depth)).div_ceil(8);
    let mut raw = Vec::with_capacity(stride * height);

    // The code, one module row at a time: build the pixel row once, repeat it module_px times.
    let m = layout.module_px as usize;
    let quiet = QUIET_ZONE_MODULES as usize;
    let size = layout.matrix.size;
    let mut luma = vec![255u8; width];
    let mut packed = Vec::with_capacity(stride);
    pack(&luma, depth, &mut packed);
    for _ in 0..quiet * m {
        raw.extend_from_slice(&packed);
    }
    let first_module_x = layout.code_left as usize + quiet * m;
    for y in 0..size {
        luma.fill(255);
        for (x, len) in layout.matrix.dark_runs(y) {
            let start = first_module_x + x * m;
            luma[start..start + len * m].fill(0);
        }
        packed.clear();
        pack(&luma, depth, &mut packed);
        for _ in 0..m {
            raw.extend_from_slice(&packed);
        }
    }
    luma.fill(255);
    packed.clear();
    pack(&luma, depth, &mut packed);
    for _ in 0..quiet * m {
        raw.extend_from_slice(&packed);
    }

    // The label band.
    if let Some(label) = &layout.label {
        let top = layout.code_px as usize;
        let band_height = height - top;
        let mut ink = vec![0u8; width * band_height];
        let baseline = (label.baseline - layout.code_px) as i64;
        for placed in &label.run.glyphs {
            let glyph = font.raster(placed.glyph, label.em_px);
            let pen = (label.left + placed.pen_units as f32 * label.scale).round() as i64;
            let gx = pen + i64::from(glyph.left);
            let gy = baseline + i64::from(glyph.top);
            for row in 0..glyph.height {
                let y = gy + row as i64;
                if y < 0 || y >= band_height as i64 {
                    continue;
                }
                let src = &glyph.coverage[row * glyph.width..(row + 1) * glyph.width];
                let dst_row = &mut ink[y as usize * width..(y as usize + 1) * width];
                for (col, &c) in src.iter().enumerate() {
                    let x = gx + col as i64;
                    if c != 0 && x >= 0 && x < width as i64 {
                        let d = &mut dst_row[x as usize];
                        *d = d.saturating_add(c);
                    }
                }
            }
        }
        for row in ink.chunks_exact(width) {
            for (l, &i) in luma.iter_mut().zip(row) {
                *l = 255 - i;
            }
            packed.clear();
            pack(&luma, depth, &mut packed);
            raw.extend_from_slice(&packed);
        }
    }

    encode(&raw, layout.width, layout.height, depth)
}

/// Packs 8-bit luma into `depth`-bit grayscale samples, MSB first, as PNG wants.
/// Luma rounded to the nearest of 4 gray levels.
static LEVEL2: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = ((i as u16 * 3 + 127) / 255) as u8;
        i += 1;
    }
    t
};

fn pack(luma: &[u8], depth: u8, out: &mut Vec<u8>) {
    out.reserve((luma.len() * usize::from(depth)).div_ceil(8));
    match depth {
        8 => out.extend_from_slice(luma),
        1 => {
            for chunk in luma.chunks(8) {
                let mut byte = 0u8;
                for (i, &l) in chunk.iter().enumerate() {
                    byte |= u8::from(l >= 128) << (7 - i);
                }
                out.push(byte);
            }
        }
        2 => {
            // Four pixels a byte, each luma rounded to one of the 4 gray levels.
            let (whole, rest) = luma.as_chunks::<4>();
            out.extend(whole.iter().map(|c| {
                (LEVEL2[usize::from(c[0])] << 6)
                    | (LEVEL2[usize::from(c[1])] << 4)
                    | (LEVEL2[usize::from(c[2])] << 2)
                    | LEVEL2[usize::from(c[3])]
            }));
            if !rest.is_empty() {
                let mut byte = 0u8;
                for (i, &l) in rest.iter().enumerate() {
                    byte |= LEVEL2[usize::from(l)] << (6 - 2 * i);
                }
                out.push(byte);
            }
        }
        d => {
            let per_byte = 8 / usize::from(d);
            let max = (1u16 << d) - 1;
            for chunk in luma.chunks(per_byte) {
                let mut byte = 0u8;
                for (i, &l) in chunk.iter().enumerate() {
                    let v = ((u16::from(l) * max + 127) / 255) as u8;
                    byte |= v << (8 - usize::from(d) * (i + 1));
                }
                out.push(byte);
            }
        }
    }
}

fn encode(raw: &[u8], width: u32, height: u32, depth: u8) -> Result<Vec<u8>> {
    let failed = |e: ::png::EncodingError| Error::QrImage {
        reason: format!("PNG encoding failed: {e}"),
    };
    let mut out = Vec::with_capacity(raw.len() / 8 + 256);
    let mut encoder = ::png::Encoder::new(&mut out, width, height);
    encoder.set_color(::png::ColorType::Grayscale);
    encoder.set_depth(match depth {
        1 => ::png::BitDepth::One,
        2 => ::png::BitDepth::Two,
        4 => ::png::BitDepth::Four,
        _ => ::png::BitDepth::Eight,
    });
    encoder.set_deflate_compression(::png::DeflateCompression::FdeflateUltraFast);
    encoder.set_filter(::png::Filter::Up);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(raw).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}
