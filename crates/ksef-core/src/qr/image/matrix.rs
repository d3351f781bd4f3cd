//! The module matrix of a QR symbol, encoded by the `qrcode` crate.
//!
//! `qrcode` does the ISO/IEC 18004 work: mode segmentation and version choice, Reed–Solomon
//! codewords, function patterns, data placement, masking and format/version information.
//! Only the choice of the mask pattern is done here: `qrcode`'s own evaluation
//! (`Canvas::apply_best_mask`) takes about 6 ms for a version 15 symbol, this one a few tens of
//! microseconds. It scores the eight masks with the four penalty rules of ISO/IEC 18004 §7.8.3
//! and hands the winner to `Canvas::apply_mask`, which also draws the format information. Any
//! mask gives a valid symbol; the penalty only makes it easier to read.
//!
//! Cost for a version 15 symbol (a 400-character KOD II link): `qrcode`'s segmentation,
//! Reed–Solomon and data placement together take roughly 100 µs; the mask choice here is
//! the larger part of the rest. Both are the limit on images per second, not the drawing or
//! the PNG/SVG encoding. Reaching much more than ~2,000 images/s would need an own encoder
//! with bit-packed rows.

use qrcode::canvas::{Canvas, MaskPattern, Module};
use qrcode::types::QrError;
use qrcode::{Color, EcLevel};

use crate::{Error, Result};

/// Byte-mode capacity of version 40 at level M.
const MAX_BYTES_M: usize = 2331;

const PATTERNS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The modules of a QR symbol without quiet zone, row by row, `true` = dark.
#[derive(Debug)]
pub(crate) struct Matrix {
    pub(crate) size: usize,
    pub(crate) dark: Vec<bool>,
}

impl Matrix {
    /// Encodes `text` (its UTF-8 bytes) at error correction level M in the smallest version.
    pub(crate) fn encode(text: &str) -> Result<Self> {
        if text.is_empty() {
            return Err(Error::QrImage {
                reason: "the text to encode is empty".into(),
            });
        }
        let failed = |e: QrError| Error::QrImage {
            reason: match e {
                QrError::DataTooLong => format!(
                    "the text is {} bytes, too long for a QR code with error correction level M \
                     (at most {MAX_BYTES_M} bytes of binary data)",
                    text.len()
                ),
                other => format!("QR encoding failed: {other}"),
            },
        };
        let bits = qrcode::bits::encode_auto(text.as_bytes(), EcLevel::M).map_err(failed)?;
        let version = bits.version();
        let data = bits.into_bytes();
        let (data_codewords, ec_codewords) =
            qrcode::ec::construct_codewords(&data, version, EcLevel::M).map_err(failed)?;
        let mut canvas = Canvas::new(version, EcLevel::M);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data_codewords, &ec_codewords);

        let size = version.width() as usize;
        let mut base = vec![0u8; size * size];
        let mut maskable = vec![0u8; size * size];
        for y in 0..size {
            for x in 0..size {
                let module = canvas.get(x as i16, y as i16);
                let i = y * size + x;
                base[i] = u8::from(module.is_dark());
                maskable[i] = u8::from(matches!(module, Module::Unmasked(_)));
            }
        }
        let mut grid = vec![0u8; size * size];
        let mut transposed = vec![0u8; size * size];
        let mut state = LaneState::default();
        let mut best = (u32::MAX, 0usize);
        for k in 0..PATTERNS.len() {
            apply_mask(k, size, &base, &maskable, &mut grid);
            for y in 0..size {
                for x in 0..size {
                    transposed[x * size + y] = grid[y * size + x];
                }
            }
            let score = penalty(&grid, &transposed, size, &mut state);
            if score < best.0 {
                best = (score, k);
            }
        }
        canvas.apply_mask(PATTERNS[best.1]);
        let dark = canvas
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        Ok(Self { size, dark })
    }

    /// Row `y`, `true` = dark.
    pub(crate) fn row(&self, y: usize) -> &[bool] {
        &self.dark[y * self.size..(y + 1) * self.size]
    }
}

/// `grid = base XOR (maskable AND mask condition k)` (ISO/IEC 18004 table 10), column `x`,
/// row `y`.
fn apply_mask(k: usize, size: usize, base: &[u8], maskable: &[u8], grid: &mut [u8]) {
    fn fill(
        size: usize,
        base: &[u8],
        maskable: &[u8],
        grid: &mut [u8],
        condition: impl Fn(usize, usize) -> bool,
    ) {
        for y in 0..size {
            let row = y * size..(y + 1) * size;
            for (x, ((g, &b), &m)) in grid[row.clone()]
                .iter_mut()
                .zip(&base[row.clone()])
                .zip(&maskable[row])
                .enumerate()
            {
                *g = b ^ (m & u8::from(condition(x, y)));
            }
        }
    }
    match k {
        0 => fill(size, base, maskable, grid, |x, y| (x + y) % 2 == 0),
        1 => fill(size, base, maskable, grid, |_, y| y % 2 == 0),
        2 => fill(size, base, maskable, grid, |x, _| x % 3 == 0),
        3 => fill(size, base, maskable, grid, |x, y| (x + y) % 3 == 0),
        4 => fill(size, base, maskable, grid, |x, y| (y / 2 + x / 3) % 2 == 0),
        5 => fill(size, base, maskable, grid, |x, y| {
            (x * y) % 2 + (x * y) % 3 == 0
        }),
        6 => fill(size, base, maskable, grid, |x, y| {
            ((x * y) % 2 + (x * y) % 3) % 2 == 0
        }),
        _ => fill(size, base, maskable, grid, |x, y| {
            ((x + y) % 2 + (x * y) % 3) % 2 == 0
        }),
    }
}

/// Total penalty of a masked symbol (ISO/IEC 18004 §7.8.3: N1 = 3, N2 = 3, N3 = 40, N4 = 10).
/// `transposed` is the same symbol with rows and columns swapped. Written without
/// data-dependent branches: on QR data they are mispredicted half the time.
fn penalty(grid: &[u8], transposed: &[u8], size: usize, state: &mut LaneState) -> u32 {
    let mut score = 0u32;
    // N1 and N3 along columns, then along rows (the columns of the transposed symbol).
    score += columns_penalty(grid, size, state);
    score += columns_penalty(transposed, size, state);
    // N2: 2x2 blocks of one colour.
    for pair in grid.windows(2 * size).step_by(size) {
        let (top, bottom) = pair.split_at(size);
        for x in 0..size - 1 {
            let c = top[x];
            let differ = (top[x + 1] ^ c) | (bottom[x] ^ c) | (bottom[x + 1] ^ c);
            score += 3 * u32::from(differ == 0);
        }
    }
    // N4: proportion of dark modules, 10 points per full 5 % away from 50 %.
    let dark: usize = grid.iter().map(|&d| usize::from(d)).sum();
    let total = size * size;
    let deviation = (dark * 20).abs_diff(total * 10) / total;
    score + 10 * deviation as u32
}

/// N1 (runs of five or more: 3 + run − 5) and N3 (1:1:3:1:1 finder-like pattern with four
/// light modules on one side; the quiet zone counts as light) along every column of `grid`.
/// The columns are independent lanes, so the inner loop vectorises.
fn columns_penalty(grid: &[u8], size: usize, state: &mut LaneState) -> u32 {
    const FINDER_THEN_LIGHT: u32 = 0b101_1101_0000;
    const LIGHT_THEN_FINDER: u32 = 0b000_0101_1101;
    const WINDOW: u32 = 0x7FF;
    state.reset(size);
    let mut score = 0u32;
    for row in grid.chunks_exact(size) {
        for (((&m, run), previous), window) in row
            .iter()
            .zip(state.run.iter_mut())
            .zip(state.previous.iter_mut())
            .zip(state.window.iter_mut())
        {
            let m = u32::from(m);
            *run = *run * u32::from(m == *previous) + 1;
            *previous = m;
            *window = ((*window << 1) | m) & WINDOW;
            score += 3 * u32::from(*run == 5)
                + u32::from(*run > 5)
                + 40 * (u32::from(*window == FINDER_THEN_LIGHT)
                    + u32::from(*window == LIGHT_THEN_FINDER));
        }
    }
    // The light quiet zone after the last row.
    for window in &mut state.window {
        for _ in 0..4 {
            *window = (*window << 1) & WINDOW;
            score += 40 * u32::from(*window == FINDER_THEN_LIGHT);
        }
    }
    score
}

/// Per-column state of [`columns_penalty`].
#[derive(Debug, Default)]
struct LaneState {
    run: Vec<u32>,
    previous: Vec<u32>,
    window: Vec<u32>,
}

impl LaneState {
    fn reset(&mut self, size: usize) {
        self.run.clear();
        self.run.resize(size, 0);
        self.previous.clear();
        self.previous.resize(size, 2);
        self.window.clear();
        self.window.resize(size, 0);
    }
}
