//! The module matrix of a QR symbol: an ISO/IEC 18004 encoder for error correction level M.
//!
//! The text is encoded as one byte-mode segment (its UTF-8 bytes) in the smallest of the
//! versions 1 to 40 that holds it. Then, as the standard describes:
//!
//! 1. the data codewords (mode indicator, character count, data, terminator, pad codewords);
//! 2. Reed–Solomon error correction codewords per block over GF(256) (polynomial 0x11D),
//!    with precomputed log/antilog tables and, per generator polynomial, a table of the
//!    generator multiplied by every byte, so one data codeword costs one row of XORs;
//! 3. the blocks interleaved into the final codeword sequence;
//! 4. the function patterns (finder, separators, timing, alignment, dark module, version
//!    information with its BCH(18,6) code) and the order in which data modules are filled,
//!    both computed once per version and cached;
//! 5. data placement, the eight masks evaluated with the four penalty rules (§7.8.3,
//!    N1 = 3, N2 = 3, N3 = 40, N4 = 10) on the complete symbol including its format
//!    information (BCH(15,5), XOR 0x5412), and the best (lowest penalty, first on ties)
//!    applied.
//!
//! Rows are bit-packed (`N` 64-bit words per row, bit `x % 64` of word `x / 64` is column
//! `x`), and the encoder also keeps the transposed symbol, so every penalty rule works on 64
//! modules per operation along "lanes": rule N1 and N3 down the columns of the rows array
//! give the vertical penalties, the same code on the transposed array the horizontal ones.
//! For a version 15 symbol (a 400-character KOD II link) the whole encoding takes a few tens
//! of microseconds.

use std::sync::OnceLock;

use crate::{Error, Result};

/// Byte-mode capacity of version 40 at level M.
const MAX_BYTES_M: usize = 2331;

/// Error correction codewords per block at level M, versions 1 to 40 (ISO/IEC 18004 table 9).
const ECC_PER_BLOCK_M: [u8; 40] = [
    10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
];

/// Number of error correction blocks at level M, versions 1 to 40 (ISO/IEC 18004 table 9).
const BLOCKS_M: [u8; 40] = [
    1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25,
    26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
];

/// Format information error correction level bits of level M.
const ECL_M_BITS: u32 = 0b00;

/// The modules of a QR symbol without quiet zone, bit-packed rows, `1` = dark.
#[derive(Debug)]
pub(crate) struct Matrix {
    pub(crate) size: usize,
    /// Words per row.
    words: usize,
    bits: Vec<u64>,
}

impl Matrix {
    /// Encodes `text` (its UTF-8 bytes, byte mode) at error correction level M in the
    /// smallest version.
    pub(crate) fn encode(text: &str) -> Result<Self> {
        Self::encode_with(text.as_bytes(), None)
    }

    /// Encodes `data` with the mask chosen by the penalty rules or, for tests, a given one.
    pub(crate) fn encode_with(data: &[u8], mask: Option<usize>) -> Result<Self> {
        if data.is_empty() {
            return Err(Error::QrImage {
                reason: "the text to encode is empty".into(),
            });
        }
        let Some(version) = smallest_version(data.len()) else {
            return Err(Error::QrImage {
                reason: format!(
                    "the text is {} bytes, too long for a QR code with error correction level M \
                     (at most {MAX_BYTES_M} bytes of binary data)",
                    data.len()
                ),
            });
        };
        let codewords = codewords(data, version);
        let template = Template::get(version);
        Ok(match template.words {
            1 => place_and_mask::<1>(template, &codewords, mask),
            2 => place_and_mask::<2>(template, &codewords, mask),
            _ => place_and_mask::<3>(template, &codewords, mask),
        })
    }

    /// The version (1 to 40).
    #[cfg(test)]
    pub(crate) fn version(&self) -> usize {
        (self.size - 17) / 4
    }

    /// Whether module (`x`, `y`) is dark.
    #[cfg(test)]
    pub(crate) fn dark(&self, x: usize, y: usize) -> bool {
        self.bits[y * self.words + x / 64] >> (x % 64) & 1 == 1
    }

    /// Row `y` as bit-packed words (bit `x % 64` of word `x / 64` is column `x`; bits at and
    /// past `size` are 0).
    #[inline]
    pub(crate) fn row_words(&self, y: usize) -> &[u64] {
        &self.bits[y * self.words..(y + 1) * self.words]
    }

    /// The runs of dark modules in row `y`, as `(start, length)`.
    pub(crate) fn dark_runs(&self, y: usize) -> DarkRuns<'_> {
        DarkRuns {
            words: self.row_words(y),
            x: 0,
            size: self.size,
        }
    }
}

/// Iterator over the runs of dark modules of one row.
#[derive(Debug)]
pub(crate) struct DarkRuns<'a> {
    words: &'a [u64],
    x: usize,
    size: usize,
}

impl DarkRuns<'_> {
    /// Index of the first module at or after `x` whose colour is `dark`, or `size`.
    fn next_of(&self, mut x: usize, dark: bool) -> usize {
        while x < self.size {
            let word = self.words[x / 64];
            let word = if dark { word } else { !word };
            let rest = word >> (x % 64);
            if rest != 0 {
                return (x + rest.trailing_zeros() as usize).min(self.size);
            }
            x = (x / 64 + 1) * 64;
        }
        self.size
    }
}

impl Iterator for DarkRuns<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let start = self.next_of(self.x, true);
        if start >= self.size {
            self.x = self.size;
            return None;
        }
        let end = self.next_of(start, false);
        self.x = end;
        Some((start, end - start))
    }
}

/// Side of a version's symbol in modules.
const fn side(version: usize) -> usize {
    17 + 4 * version
}

/// Bits of the character count indicator of byte mode.
const fn count_bits(version: usize) -> usize {
    if version <= 9 { 8 } else { 16 }
}

/// Modules available for codewords and remainder bits (all but the function patterns and
/// the format and version information).
const fn raw_data_modules(version: usize) -> usize {
    let mut n = (16 * version + 128) * version + 64;
    if version >= 2 {
        let align = version / 7 + 2;
        n -= (25 * align - 10) * align - 55;
        if version >= 7 {
            n -= 36;
        }
    }
    n
}

/// Total codewords of a version.
const fn total_codewords(version: usize) -> usize {
    raw_data_modules(version) / 8
}

/// Data codewords of a version at level M.
const fn data_codewords(version: usize) -> usize {
    total_codewords(version)
        - ECC_PER_BLOCK_M[version - 1] as usize * BLOCKS_M[version - 1] as usize
}

/// The smallest version whose level M holds `len` bytes in one byte-mode segment.
fn smallest_version(len: usize) -> Option<usize> {
    (1..=40).find(|&v| 4 + count_bits(v) + 8 * len <= 8 * data_codewords(v))
}

/// Appends bits MSB first.
struct BitWriter {
    bytes: Vec<u8>,
    bits: usize,
}

impl BitWriter {
    fn push(&mut self, value: u32, count: usize) {
        for i in (0..count).rev() {
            if self.bits.is_multiple_of(8) {
                self.bytes.push(0);
            }
            let bit = (value >> i) as u8 & 1;
            if let Some(last) = self.bytes.last_mut() {
                *last |= bit << (7 - self.bits % 8);
            }
            self.bits += 1;
        }
    }
}

/// The final codeword sequence of `data` in `version` (data and error correction codewords,
/// interleaved).
fn codewords(data: &[u8], version: usize) -> Vec<u8> {
    let capacity = data_codewords(version);
    let mut w = BitWriter {
        bytes: Vec::with_capacity(total_codewords(version)),
        bits: 0,
    };
    w.push(0b0100, 4);
    w.push(data.len() as u32, count_bits(version));
    if w.bits.is_multiple_of(8) {
        w.bytes.extend_from_slice(data);
        w.bits += 8 * data.len();
    } else {
        // The count has 8 or 16 bits, so the data starts 4 bits into a byte.
        for &b in data {
            if let Some(last) = w.bytes.last_mut() {
                *last |= b >> 4;
            }
            w.bytes.push(b << 4);
            w.bits += 8;
        }
    }
    // Terminator (up to 4 zero bits), then zeros to the byte boundary.
    let terminator = (8 * capacity - w.bits).min(4);
    w.push(0, terminator);
    w.push(0, (8 - w.bits % 8) % 8);
    let mut data_cw = w.bytes;
    let mut pad = 0xEC;
    while data_cw.len() < capacity {
        data_cw.push(pad);
        pad ^= 0xEC ^ 0x11;
    }

    let blocks = usize::from(BLOCKS_M[version - 1]);
    let ecc = usize::from(ECC_PER_BLOCK_M[version - 1]);
    let total = total_codewords(version);
    let short_blocks = blocks - total % blocks;
    let short_len = total / blocks - ecc;
    let generator = Generator::get(ecc);
    let mut ecc_cw = vec![0u8; blocks * ecc];
    let mut starts = Vec::with_capacity(blocks + 1);
    let mut start = 0;
    for b in 0..blocks {
        starts.push(start);
        let len = short_len + usize::from(b >= short_blocks);
        generator.remainder(
            &data_cw[start..start + len],
            &mut ecc_cw[b * ecc..(b + 1) * ecc],
        );
        start += len;
    }
    starts.push(start);

    let mut out = Vec::with_capacity(total);
    for i in 0..=short_len {
        for b in 0..blocks {
            let (s, e) = (starts[b], starts[b + 1]);
            if s + i < e {
                out.push(data_cw[s + i]);
            }
        }
    }
    for i in 0..ecc {
        for b in 0..blocks {
            out.push(ecc_cw[b * ecc + i]);
        }
    }
    out
}

/// GF(256) antilog (α^i, i in 0..510, doubled to avoid a reduction) and log tables.
struct Gf {
    exp: [u8; 512],
    log: [u8; 256],
}

static GF: Gf = {
    let mut exp = [0u8; 512];
    let mut log = [0u8; 256];
    let mut x: u32 = 1;
    let mut i = 0;
    while i < 255 {
        exp[i] = x as u8;
        exp[i + 255] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11D;
        }
        i += 1;
    }
    Gf { exp, log }
};

fn gf_mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        GF.exp[usize::from(GF.log[usize::from(a)]) + usize::from(GF.log[usize::from(b)])]
    }
}

/// Longest generator polynomial used (degree 30), rounded up for fixed-size rows.
const RS_WIDTH: usize = 32;

/// A Reed–Solomon generator polynomial of degree `n` with its multiples: row `f` of `table`
/// is `f · g(x)` without the leading term, highest degree first, padded with zeros to
/// [`RS_WIDTH`] bytes.
struct Generator {
    n: usize,
    table: Vec<[u8; RS_WIDTH]>,
}

impl Generator {
    /// The generator of degree `n` (the degrees used at level M), built on first use.
    fn get(n: usize) -> &'static Generator {
        static CACHE: [OnceLock<Generator>; RS_WIDTH] = [const { OnceLock::new() }; RS_WIDTH];
        CACHE[n].get_or_init(|| {
            // g(x) = (x - α^0)(x - α^1)…(x - α^(n-1)), coefficients highest degree first.
            let mut g = vec![0u8; n + 1];
            g[0] = 1;
            for i in 0..n {
                let root = GF.exp[i];
                for j in (1..=i + 1).rev() {
                    g[j] ^= gf_mul(g[j - 1], root);
                }
            }
            let table = (0..=255u8)
                .map(|f| {
                    let mut row = [0u8; RS_WIDTH];
                    for (r, &c) in row.iter_mut().zip(&g[1..]) {
                        *r = gf_mul(f, c);
                    }
                    row
                })
                .collect();
            Generator { n, table }
        })
    }

    /// The remainder of `data(x) · x^n` divided by the generator: the error correction
    /// codewords of a block.
    fn remainder(&self, data: &[u8], out: &mut [u8]) {
        // Fixed-size shift-and-XOR, which the compiler turns into a few vector operations.
        let mut r = [0u8; RS_WIDTH];
        for &d in data {
            let row = &self.table[usize::from(d ^ r[0])];
            let mut next = [0u8; RS_WIDTH];
            for j in 0..RS_WIDTH - 1 {
                next[j] = r[j + 1] ^ row[j];
            }
            next[RS_WIDTH - 1] = row[RS_WIDTH - 1];
            r = next;
        }
        out.copy_from_slice(&r[..self.n]);
    }
}

/// Everything about a version's symbol that does not depend on the data: the function
/// patterns with the version information (format information modules light), which modules
/// are function modules, and the data module order.
struct Template {
    size: usize,
    words: usize,
    /// Function patterns, rows.
    base: Vec<u64>,
    /// Function patterns, transposed.
    base_t: Vec<u64>,
    /// Data modules (the maskable ones), rows; the set is symmetric only by accident, so the
    /// transposed one is kept too.
    data: Vec<u64>,
    data_t: Vec<u64>,
    /// Data modules in placement order, as `y << 8 | x`.
    order: Vec<u16>,
}

impl Template {
    fn get(version: usize) -> &'static Template {
        static CACHE: [OnceLock<Template>; 40] = [const { OnceLock::new() }; 40];
        CACHE[version - 1].get_or_init(|| Template::build(version))
    }

    fn build(version: usize) -> Template {
        let size = side(version);
        // 0 light, 1 dark; `function` marks function modules (format information included).
        let mut dark = vec![false; size * size];
        let mut function = vec![false; size * size];
        let mut set = |x: usize, y: usize, d: bool| {
            dark[y * size + x] = d;
            function[y * size + x] = true;
        };
        // Timing patterns (finders and alignments below overwrite their ends).
        for i in 0..size {
            set(6, i, i % 2 == 0);
            set(i, 6, i % 2 == 0);
        }
        // Finder patterns with separators.
        for (cx, cy) in [(3i32, 3i32), (size as i32 - 4, 3), (3, size as i32 - 4)] {
            for dy in -4i32..=4 {
                for dx in -4i32..=4 {
                    let (x, y) = (cx + dx, cy + dy);
                    if x < 0 || y < 0 || x >= size as i32 || y >= size as i32 {
                        continue;
                    }
                    let d = dx.abs().max(dy.abs());
                    set(x as usize, y as usize, d != 2 && d != 4);
                }
            }
        }
        // Alignment patterns, except where they would overlap the finders.
        let centres = alignment_centres(version);
        let near = |c: usize| c < 9;
        let far = |c: usize| c + 9 > size;
        for &cy in &centres {
            for &cx in &centres {
                if (near(cx) && (near(cy) || far(cy))) || (far(cx) && near(cy)) {
                    continue;
                }
                for dy in -2i32..=2 {
                    for dx in -2i32..=2 {
                        let d = dx.abs().max(dy.abs());
                        set((cx as i32 + dx) as usize, (cy as i32 + dy) as usize, d != 1);
                    }
                }
            }
        }
        // Format information areas (light here, drawn per mask) and the dark module.
        for i in (0..9).filter(|&i| i != 6) {
            set(8, i, false);
            set(i, 8, false);
        }
        for i in 0..8 {
            set(size - 1 - i, 8, false);
            set(8, size - 1 - i, false);
        }
        set(8, size - 8, true);
        // Version information.
        if version >= 7 {
            let bits = version_bits(version);
            for i in 0..18 {
                let d = (bits >> i) & 1 == 1;
                let (a, b) = (size - 11 + i % 3, i / 3);
                set(a, b, d);
                set(b, a, d);
            }
        }

        // Data module order: two-module columns from the right, alternately upwards and
        // downwards, skipping the vertical timing pattern.
        let mut order = Vec::with_capacity(raw_data_modules(version));
        let mut right = size - 1;
        loop {
            let upward = ((right + 1) & 2) == 0;
            for v in 0..size {
                let y = if upward { size - 1 - v } else { v };
                for x in [right, right - 1] {
                    if !function[y * size + x] {
                        order.push(((y as u16) << 8) | x as u16);
                    }
                }
            }
            if right < 3 {
                break;
            }
            right -= 2;
            if right == 6 {
                right = 5;
            }
        }

        let words = size.div_ceil(64);
        let pack = |cells: &[bool], transpose: bool| {
            let mut out = vec![0u64; size * words];
            for y in 0..size {
                for x in 0..size {
                    let v = if transpose {
                        cells[x * size + y]
                    } else {
                        cells[y * size + x]
                    };
                    out[y * words + x / 64] |= u64::from(v) << (x % 64);
                }
            }
            out
        };
        let data_cells: Vec<bool> = function.iter().map(|&f| !f).collect();
        Template {
            size,
            words,
            base: pack(&dark, false),
            base_t: pack(&dark, true),
            data: pack(&data_cells, false),
            data_t: pack(&data_cells, true),
            order,
        }
    }
}

/// Centre coordinates of the alignment patterns of a version (ISO/IEC 18004 annex E): from 6
/// to `size - 7`, evenly spaced by an even step.
fn alignment_centres(version: usize) -> Vec<usize> {
    if version == 1 {
        return Vec::new();
    }
    let count = version / 7 + 2;
    let last = side(version) - 7;
    let step = if version == 32 {
        26
    } else {
        (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
    };
    let mut centres = vec![6];
    for i in (0..count - 1).rev() {
        centres.push(last - i * step);
    }
    centres
}

/// Remainder of `value · x^shift` modulo `generator` over GF(2).
const fn bch_remainder(value: u32, shift: u32, generator: u32, degree: u32) -> u32 {
    let mut r = value << shift;
    let mut bit = degree + shift;
    while bit >= degree {
        if r & (1 << bit) != 0 {
            r ^= generator << (bit - degree);
        }
        if bit == 0 {
            break;
        }
        bit -= 1;
    }
    r
}

/// The 18-bit version information (BCH(18,6), generator 0x1F25).
fn version_bits(version: usize) -> u32 {
    let v = version as u32;
    (v << 12) | bch_remainder(v, 12, 0x1F25, 12)
}

/// The 15-bit format information of level M with `mask` (BCH(15,5), generator 0x537, XOR
/// 0x5412).
fn format_bits(mask: usize) -> u32 {
    let info = (ECL_M_BITS << 3) | mask as u32;
    ((info << 10) | bch_remainder(info, 10, 0x537, 10)) ^ 0x5412
}

/// The modules of the format information: bit `i` (LSB first) goes to both positions of
/// entry `i`, as `(x, y)`.
fn format_positions(size: usize) -> [[(usize, usize); 2]; 15] {
    let mut p = [[(0, 0); 2]; 15];
    for (i, e) in p.iter_mut().enumerate() {
        let first = match i {
            0..=5 => (8, i),
            6 => (8, 7),
            7 => (8, 8),
            8 => (7, 8),
            _ => (14 - i, 8),
        };
        let second = if i < 8 {
            (size - 1 - i, 8)
        } else {
            (8, size - 15 + i)
        };
        *e = [first, second];
    }
    p
}

/// Mask condition `k` at column `x`, row `y` (ISO/IEC 18004 table 10).
const fn mask_condition(k: usize, x: usize, y: usize) -> bool {
    match k {
        0 => (x + y).is_multiple_of(2),
        1 => y.is_multiple_of(2),
        2 => x.is_multiple_of(3),
        3 => (x + y).is_multiple_of(3),
        4 => (y / 2 + x / 3).is_multiple_of(2),
        5 => (x * y) % 2 + (x * y) % 3 == 0,
        6 => ((x * y) % 2 + (x * y) % 3).is_multiple_of(2),
        _ => ((x + y) % 2 + (x * y) % 3).is_multiple_of(2),
    }
}

/// Rows of every mask pattern, 177 modules wide, for `y % 12` (12 is a multiple of every
/// pattern's period in y); `[0]` for the symbol, `[1]` for the transposed symbol.
static MASK_ROWS: [[[[u64; 3]; 12]; 8]; 2] = {
    let mut t = [[[[0u64; 3]; 12]; 8]; 2];
    let mut k = 0;
    while k < 8 {
        let mut y = 0;
        while y < 12 {
            let mut x = 0;
            while x < 177 {
                if mask_condition(k, x, y) {
                    t[0][k][y][x / 64] |= 1 << (x % 64);
                }
                // In the transposed symbol, row y is column y of the symbol.
                if mask_condition(k, y, x) {
                    t[1][k][y][x / 64] |= 1 << (x % 64);
                }
                x += 1;
            }
            y += 1;
        }
        k += 1;
    }
    t
};

/// Places `codewords`, scores the eight masks and builds the matrix with the best.
fn place_and_mask<const N: usize>(t: &Template, codewords: &[u8], mask: Option<usize>) -> Matrix {
    let size = t.size;
    let as_rows = |v: &[u64]| -> Vec<[u64; N]> {
        v.chunks_exact(N)
            .map(|c| {
                let mut w = [0u64; N];
                w.copy_from_slice(c);
                w
            })
            .collect()
    };
    // Unmasked symbol: function patterns plus data, rows and transposed.
    let mut rows = as_rows(&t.base);
    let mut cols = as_rows(&t.base_t);
    // Data bits into the rows, branch-free (the bits are random: a branch would be
    // mispredicted half the time).
    for (positions, &cw) in t.order.chunks(8).zip(codewords) {
        for (i, &pos) in positions.iter().enumerate() {
            let bit = u64::from((cw >> (7 - i)) & 1);
            let (x, y) = (usize::from(pos & 0xFF), usize::from(pos >> 8));
            rows[y][x / 64] |= bit << (x % 64);
        }
    }
    // The transposed symbol gets the same data bits: about half of the data modules are dark,
    // so walking the set bits is cheaper than writing every bit twice.
    for (y, (row, base)) in rows.iter().zip(t.base.chunks_exact(N)).enumerate() {
        for (j, (&r, &b)) in row.iter().zip(base).enumerate() {
            let mut bits = r & !b;
            while bits != 0 {
                let x = j * 64 + bits.trailing_zeros() as usize;
                cols[x][y / 64] |= 1 << (y % 64);
                bits &= bits - 1;
            }
        }
    }
    let data_rows = as_rows(&t.data);
    let data_cols = as_rows(&t.data_t);
    let positions = format_positions(size);
    let mut valid = [0u64; N];
    for x in 0..size {
        valid[x / 64] |= 1 << (x % 64);
    }

    // The masked symbol and its transpose, each with PAD light rows (the quiet zone) above and
    // below, so the penalty rules need no bounds checks.
    let mut padded = vec![[0u64; N]; size + 2 * PAD];
    let mut padded_t = vec![[0u64; N]; size + 2 * PAD];
    let build = |k: usize, padded: &mut [[u64; N]], padded_t: &mut [[u64; N]]| {
        let masked = &mut padded[PAD..PAD + size];
        let masked_t = &mut padded_t[PAD..PAD + size];
        apply_mask(&rows, &data_rows, &MASK_ROWS[0][k], masked);
        apply_mask(&cols, &data_cols, &MASK_ROWS[1][k], masked_t);
        let format = format_bits(k);
        for (i, pair) in positions.iter().enumerate() {
            if (format >> i) & 1 == 1 {
                for &(x, y) in pair {
                    masked[y][x / 64] |= 1 << (x % 64);
                    masked_t[x][y / 64] |= 1 << (y % 64);
                }
            }
        }
    };
    let best = match mask {
        Some(k) => k,
        None => {
            let mut best = (u32::MAX, 0);
            for k in 0..8 {
                build(k, &mut padded, &mut padded_t);
                let score = penalty(&padded, &padded_t, &valid);
                if score < best.0 {
                    best = (score, k);
                }
            }
            best.1
        }
    };
    build(best, &mut padded, &mut padded_t);
    Matrix {
        size,
        words: N,
        bits: padded[PAD..PAD + size].iter().flatten().copied().collect(),
    }
}

/// `out = base XOR (data AND pattern)`.
fn apply_mask<const N: usize>(
    base: &[[u64; N]],
    data: &[[u64; N]],
    pattern: &[[u64; 3]; 12],
    out: &mut [[u64; N]],
) {
    for (y, ((o, b), d)) in out.iter_mut().zip(base).zip(data).enumerate() {
        let p = &pattern[y % 12];
        for i in 0..N {
            o[i] = b[i] ^ (d[i] & p[i]);
        }
    }
}

/// Light rows above and below the symbol in the arrays the penalty rules read.
const PAD: usize = 4;

/// Total penalty of a masked symbol (ISO/IEC 18004 §7.8.3). `rows` and `cols` are the
/// symbol and its transpose with [`PAD`] light rows above and below; bits past the symbol's
/// side are 0; `valid` has the first `size` bits set.
fn penalty<const N: usize>(rows: &[[u64; N]], cols: &[[u64; N]], valid: &[u64; N]) -> u32 {
    let size = rows.len() - 2 * PAD;
    // N1 and N3 down the columns (lanes of `rows`), then along the rows (lanes of `cols`).
    let mut score = lanes_penalty(rows, valid) + lanes_penalty(cols, valid);
    let symbol = &rows[PAD..PAD + size];
    // N2: 2x2 blocks of one colour, 3 points each.
    let mut blocks = 0;
    for pair in symbol.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let mut same = [0u64; N];
        for i in 0..N {
            same[i] = !(a[i] ^ b[i]) & valid[i];
        }
        // Columns x and x + 1 both uniform and of the same colour (past the last column
        // `same_next` is 0).
        let a_next = shr1(a);
        let same_next = shr1(&same);
        for i in 0..N {
            blocks += (same[i] & same_next[i] & !(a[i] ^ a_next[i])).count_ones();
        }
    }
    score += 3 * blocks;
    // N4: proportion of dark modules, 10 points per full 5 % away from 50 %.
    let dark: u32 = symbol
        .iter()
        .map(|r| r.iter().map(|w| w.count_ones()).sum::<u32>())
        .sum();
    let total = (size * size) as u32;
    let deviation = (dark * 20).abs_diff(total * 10) / total;
    score + 10 * deviation
}

/// Shift towards lower columns by one: bit `x` of the result is bit `x + 1` of `a`.
#[inline]
fn shr1<const N: usize>(a: &[u64; N]) -> [u64; N] {
    let mut r = [0u64; N];
    for i in 0..N {
        r[i] = a[i] >> 1;
        if i + 1 < N {
            r[i] |= a[i + 1] << 63;
        }
    }
    r
}

/// N1 (runs of five or more modules of one colour: 3 + run − 5 points) and N3 (1:1:3:1:1
/// finder-like pattern with four light modules before or after it, 40 points each; the
/// quiet zone counts as light) along the lanes of `rows`, i.e. down every column. `rows` has
/// [`PAD`] light rows above and below the symbol.
#[allow(clippy::needless_range_loop)] // several arrays indexed by the same word
fn lanes_penalty<const N: usize>(rows: &[[u64; N]], valid: &[u64; N]) -> u32 {
    let size = rows.len() - 2 * PAD;
    let mut runs = 0u32;
    // N1: a run of length L scores L - 2 = (L - 4 windows of five) + 2 for its start.
    let mut prev_dark = [0u64; N];
    let mut prev_light = [0u64; N];
    for w in rows[PAD..PAD + size].windows(5) {
        for i in 0..N {
            let all_dark = w[0][i] & w[1][i] & w[2][i] & w[3][i] & w[4][i];
            let all_light = !(w[0][i] | w[1][i] | w[2][i] | w[3][i] | w[4][i]) & valid[i];
            // Dark and light windows are disjoint, so one population count serves both
            // (the baseline x86-64 target has no POPCNT instruction).
            runs += (all_dark | all_light).count_ones()
                + 2 * ((all_dark & !prev_dark[i]) | (all_light & !prev_light[i])).count_ones();
            prev_dark[i] = all_dark;
            prev_light[i] = all_light;
        }
    }
    // N3: dark, light, dark, dark, dark, light, dark at rows 4..=10 of the window, light at
    // rows 0..=3 (before) or 11..=14 (after).
    let mut patterns = 0u32;
    for w in rows.windows(15) {
        for i in 0..N {
            let p = w[4][i] & !w[5][i] & w[6][i] & w[7][i] & w[8][i] & !w[9][i] & w[10][i];
            let before = !(w[0][i] | w[1][i] | w[2][i] | w[3][i]);
            let after = !(w[11][i] | w[12][i] | w[13][i] | w[14][i]);
            patterns += (p & before).count_ones() + (p & after).count_ones();
        }
    }
    runs + 40 * patterns
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straightforward penalty of a symbol given as `dark[y][x]`, module by module, as the
    /// standard describes it.
    fn reference_penalty(m: &[Vec<bool>]) -> u32 {
        let n = m.len();
        let get = |x: isize, y: isize| -> bool {
            x >= 0 && y >= 0 && (x as usize) < n && (y as usize) < n && m[y as usize][x as usize]
        };
        let mut score = 0;
        for horizontal in [true, false] {
            for a in 0..n as isize {
                let cell = |b: isize| if horizontal { get(b, a) } else { get(a, b) };
                // N1
                let mut run = 0;
                let mut prev = None;
                for b in 0..n as isize {
                    let c = cell(b);
                    if Some(c) == prev {
                        run += 1;
                    } else {
                        if run >= 5 {
                            score += run - 2;
                        }
                        run = 1;
                        prev = Some(c);
                    }
                }
                if run >= 5 {
                    score += run - 2;
                }
                // N3
                for b in 0..n as isize {
                    let finder = [true, false, true, true, true, false, true]
                        .iter()
                        .enumerate()
                        .all(|(i, &d)| cell(b + i as isize) == d);
                    if finder {
                        if (1..=4).all(|i| !cell(b - i)) {
                            score += 40;
                        }
                        if (7..=10).all(|i| !cell(b + i)) {
                            score += 40;
                        }
                    }
                }
            }
        }
        // N2
        for y in 0..n - 1 {
            for x in 0..n - 1 {
                let c = m[y][x];
                if m[y][x + 1] == c && m[y + 1][x] == c && m[y + 1][x + 1] == c {
                    score += 3;
                }
            }
        }
        // N4
        let dark = m.iter().flatten().filter(|&&d| d).count();
        let total = n * n;
        let k = (dark * 20).abs_diff(total * 10) / total;
        score as u32 + 10 * k as u32
    }

    fn pack<const N: usize>(m: &[Vec<bool>], transpose: bool) -> Vec<[u64; N]> {
        let n = m.len();
        let pad = std::iter::repeat_n([0u64; N], PAD);
        pad.clone()
            .chain((0..n).map(|y| {
                let mut w = [0u64; N];
                for x in 0..n {
                    let d = if transpose { m[x][y] } else { m[y][x] };
                    w[x / 64] |= u64::from(d) << (x % 64);
                }
                w
            }))
            .chain(pad)
            .collect()
    }

    fn packed_penalty<const N: usize>(m: &[Vec<bool>]) -> u32 {
        let mut valid = [0u64; N];
        for x in 0..m.len() {
            valid[x / 64] |= 1 << (x % 64);
        }
        penalty(&pack::<N>(m, false), &pack::<N>(m, true), &valid)
    }

    #[test]
    fn packed_penalty_equals_the_module_by_module_one() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for size in [21, 25, 61, 63, 64, 65, 77, 127, 128, 129, 177] {
            for density in [2u64, 4, 8, 16] {
                // Biased noise gives long runs and finder-like patterns.
                let mut m = vec![vec![false; size]; size];
                for row in &mut m {
                    for cell in row.iter_mut() {
                        *cell = next() % density == 0 || (density == 2 && next() % 3 == 0);
                    }
                }
                if size == 21 {
                    // A finder-like pattern at the very edges.
                    for (i, d) in [true, false, true, true, true, false, true]
                        .iter()
                        .enumerate()
                    {
                        m[0][i] = *d;
                        m[size - 7 + i][size - 1] = *d;
                    }
                }
                let expected = reference_penalty(&m);
                let got = match size.div_ceil(64) {
                    1 => packed_penalty::<1>(&m),
                    2 => packed_penalty::<2>(&m),
                    _ => packed_penalty::<3>(&m),
                };
                assert_eq!(got, expected, "size {size}, density 1/{density}");
            }
        }
    }

    #[test]
    fn tables_match_the_standard_capacities() {
        // Byte-mode capacities at level M (ISO/IEC 18004 table 7), a few versions.
        for (version, bytes) in [(1, 14), (2, 26), (7, 122), (10, 213), (15, 412), (40, 2331)] {
            assert_eq!(smallest_version(bytes), Some(version), "{bytes} bytes");
            assert_eq!(
                smallest_version(bytes + 1),
                (version < 40).then_some(version + 1)
            );
        }
        assert_eq!(MAX_BYTES_M, 2331);
        assert_eq!(version_bits(7), 0x07C94);
        assert_eq!(format_bits(0), 0x5412);
        // Level M, mask 5 (ISO/IEC 18004 annex C example).
        assert_eq!(format_bits(5), 0b100_0000_1100_1110);
    }

    /// The `qrcode` crate's symbol for `data` in byte mode, in `version`, with `mask`.
    fn qrcode_symbol(data: &[u8], version: usize, mask: usize) -> Vec<bool> {
        use qrcode::canvas::{Canvas, MaskPattern};
        use qrcode::{Color, EcLevel, Version};
        let v = Version::Normal(version as i16);
        let mut bits = qrcode::bits::Bits::new(v);
        bits.push_byte_data(data).expect("fits");
        bits.push_terminator(EcLevel::M).expect("terminator");
        let (d, e) =
            qrcode::ec::construct_codewords(&bits.into_bytes(), v, EcLevel::M).expect("codewords");
        let mut canvas = Canvas::new(v, EcLevel::M);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&d, &e);
        let pattern = [
            MaskPattern::Checkerboard,
            MaskPattern::HorizontalLines,
            MaskPattern::VerticalLines,
            MaskPattern::DiagonalLines,
            MaskPattern::LargeCheckerboard,
            MaskPattern::Fields,
            MaskPattern::Diamonds,
            MaskPattern::Meadow,
        ][mask];
        canvas.apply_mask(pattern);
        canvas
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect()
    }

    fn modules(m: &Matrix) -> Vec<bool> {
        (0..m.size)
            .flat_map(|y| (0..m.size).map(move |x| (x, y)))
            .map(|(x, y)| m.dark(x, y))
            .collect()
    }

    #[test]
    fn symbols_equal_the_qrcode_crate_for_every_version_and_mask() {
        let mut state = 12345u32;
        // One text per version, at its full capacity, and a few shorter ones.
        let mut lengths: Vec<usize> = (1..=40)
            .map(|v| (data_codewords(v) * 8 - 4 - count_bits(v)) / 8)
            .collect();
        lengths.extend([1, 2, 17, 100, 150, 400, 683, 1000]);
        for (n, len) in lengths.into_iter().enumerate() {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (state >> 24) as u8
                })
                .collect();
            let chosen = Matrix::encode_with(&data, None).expect("encodes");
            let version = chosen.version();
            assert_eq!(smallest_version(len), Some(version));
            let masks: Vec<usize> = if n % 5 == 0 {
                (0..8).collect()
            } else {
                vec![n % 8]
            };
            for mask in masks {
                let ours = modules(&Matrix::encode_with(&data, Some(mask)).expect("encodes"));
                let theirs = qrcode_symbol(&data, version, mask);
                let size = side(version);
                let differ: Vec<(usize, usize)> = (0..size * size)
                    .filter(|&i| ours[i] != theirs[i])
                    .map(|i| (i % size, i / size))
                    .collect();
                assert!(
                    differ.is_empty(),
                    "{len} bytes, version {version}, mask {mask}: modules (x, y) {differ:?} differ"
                );
            }
        }
    }

    #[test]
    fn dark_runs_cover_exactly_the_dark_modules() {
        for text in ["a", "https://x.pl/", &"Z".repeat(300), &"q".repeat(2000)] {
            let m = Matrix::encode(text).expect("encodes");
            for y in 0..m.size {
                let mut row = vec![false; m.size];
                let mut last_end = None;
                for (start, len) in m.dark_runs(y) {
                    assert!(len > 0);
                    assert!(last_end.is_none_or(|e| start > e), "runs are maximal");
                    row[start..start + len].fill(true);
                    last_end = Some(start + len);
                }
                let expected: Vec<bool> = (0..m.size).map(|x| m.dark(x, y)).collect();
                assert_eq!(row, expected);
            }
        }
    }
}
