//! QR images (PNG and SVG) with a label under the code.
//!
//! KSeF prints KOD I with the KSeF number or `OFFLINE` under it and KOD II with `CERTYFIKAT`
//! under it. [`QrImage`] renders such images: the symbol is encoded by the `qrcode` crate
//! (ISO/IEC 18004, error correction level M) and drawn here.
//!
//! # Layout
//!
//! ```text
//! +-----------------------------+  -
//! |        quiet zone 4         |  |
//! |   +---------------------+   |  |
//! | 4 |  n x n modules,     | 4 |  (n + 8) * module_px
//! |   |  module_px each     |   |  |
//! |   +---------------------+   |  |
//! |        quiet zone 4         |  |
//! +-----------------------------+  -
//! |          LABEL              |  ascender + descender of the font, + 1 module
//! +-----------------------------+
//! ```
//!
//! Black on white. The label font is DejaVu Sans at 3 modules per em (capitals about 2.2
//! modules high), centred. A label wider than the code (with 2 modules of margin on both
//! sides) widens the image; the code is then centred horizontally and its quiet zone only
//! grows. Without a label the image is the square code with its quiet zone.
//!
//! ```
//! use ksef_core::qr::image::{ImageFormat, QrImage};
//! let images = QrImage::shared();
//! let png = images.png("https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE", Some("OFFLINE"), 5)?;
//! assert!(png.starts_with(b"\x89PNG"));
//! let svg = images.render("https://example.com", None, "svg".parse::<ImageFormat>()?, 5)?;
//! assert!(svg.starts_with(b"<svg"));
//! # Ok::<(), ksef_core::Error>(())
//! ```

mod font;
mod matrix;
mod png;
mod svg;

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use crate::{Error, Result};

use font::{EM_MODULES, LabelFont, LabelRun};
use matrix::Matrix;

/// Quiet zone around the symbol, in modules (ISO/IEC 18004 requires 4).
pub const QUIET_ZONE_MODULES: u32 = 4;

/// Largest accepted number of pixels per module.
pub const MAX_MODULE_PX: u32 = 64;

/// Longest accepted label, in characters.
pub const MAX_LABEL_CHARS: usize = font::MAX_LABEL_CHARS;

/// Margin left and right of a label that is wider than the code, in modules.
const LABEL_SIDE_MARGIN_MODULES: u32 = 2;

/// Space under the label's descender line, in modules.
const LABEL_BOTTOM_MARGIN_MODULES: u32 = 1;

/// The file format of a QR image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// PNG, grayscale (1-bit without a label, 8-bit with an anti-aliased label).
    Png,
    /// SVG, self-contained (the label is drawn as glyph outlines).
    Svg,
}

impl ImageFormat {
    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Svg => "svg",
        }
    }

    /// The media type, e.g. `image/png`.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Svg => "image/svg+xml",
        }
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for ImageFormat {
    type Err = Error;

    /// Parses `png` or `svg` (any case).
    fn from_str(s: &str) -> Result<Self> {
        if s.eq_ignore_ascii_case("png") {
            Ok(Self::Png)
        } else if s.eq_ignore_ascii_case("svg") {
            Ok(Self::Svg)
        } else {
            Err(Error::QrImage {
                reason: format!("unknown image format {s:?}; expected \"png\" or \"svg\""),
            })
        }
    }
}

/// Renders QR codes with an optional label as PNG or SVG.
///
/// Holds the parsed label font and caches of rendered glyphs, so build it once and share it
/// (it is `Send + Sync`); [`QrImage::shared`] gives a process-wide instance.
pub struct QrImage {
    font: LabelFont,
}

impl fmt::Debug for QrImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QrImage").field("font", &self.font).finish()
    }
}

impl Default for QrImage {
    fn default() -> Self {
        Self::new()
    }
}

impl QrImage {
    /// A renderer with the embedded font (DejaVu Sans, Latin-1 and Latin Extended-A).
    pub fn new() -> Self {
        Self {
            font: LabelFont::embedded(),
        }
    }

    /// A process-wide renderer, built on first use.
    pub fn shared() -> &'static QrImage {
        static SHARED: OnceLock<QrImage> = OnceLock::new();
        SHARED.get_or_init(QrImage::new)
    }

    /// Whether the embedded font can draw `c` in a label.
    pub fn can_draw(&self, c: char) -> bool {
        !c.is_control() && self.font.has_glyph(c)
    }

    /// A PNG image of `text` as a QR code (level M), with `label` centred below it.
    ///
    /// `module_px` is the size of one module in pixels, 1 to [`MAX_MODULE_PX`].
    pub fn png(&self, text: &str, label: Option<&str>, module_px: u32) -> Result<Vec<u8>> {
        let layout = self.prepare(text, label, module_px)?;
        png::render(&self.font, &layout)
    }

    /// An SVG image of `text` as a QR code (level M), with `label` centred below it.
    ///
    /// `module_px` is the size of one module in pixels, 1 to [`MAX_MODULE_PX`]; the SVG's
    /// `width`, `height` and `viewBox` are in those pixels.
    pub fn svg(&self, text: &str, label: Option<&str>, module_px: u32) -> Result<String> {
        let layout = self.prepare(text, label, module_px)?;
        Ok(svg::render(&self.font, &layout))
    }

    /// The image in `format`, as bytes (SVG as UTF-8).
    pub fn render(
        &self,
        text: &str,
        label: Option<&str>,
        format: ImageFormat,
        module_px: u32,
    ) -> Result<Vec<u8>> {
        match format {
            ImageFormat::Png => self.png(text, label, module_px),
            ImageFormat::Svg => self.svg(text, label, module_px).map(String::into_bytes),
        }
    }

    fn prepare(&self, text: &str, label: Option<&str>, module_px: u32) -> Result<Layout> {
        if !(1..=MAX_MODULE_PX).contains(&module_px) {
            return Err(Error::QrImage {
                reason: format!(
                    "module size must be 1 to {MAX_MODULE_PX} pixels per module, got {module_px}"
                ),
            });
        }
        let run = label.map(|l| self.font.layout(l)).transpose()?;
        let matrix = Matrix::encode(text)?;
        Ok(Layout::new(&self.font, matrix, module_px, run))
    }
}

/// Where everything goes, in pixels.
#[derive(Debug)]
pub(crate) struct Layout {
    pub(crate) matrix: Matrix,
    pub(crate) module_px: u32,
    /// Side of the code including its quiet zone.
    pub(crate) code_px: u32,
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// x of the left edge of the quiet zone.
    pub(crate) code_left: u32,
    pub(crate) label: Option<LabelLayout>,
}

/// Where the label goes.
#[derive(Debug)]
pub(crate) struct LabelLayout {
    pub(crate) run: LabelRun,
    pub(crate) em_px: u32,
    /// Pixels per font unit.
    pub(crate) scale: f32,
    /// x of the pen at the start of the label.
    pub(crate) left: f32,
    /// y of the baseline.
    pub(crate) baseline: u32,
}

impl Layout {
    fn new(font: &LabelFont, matrix: Matrix, module_px: u32, run: Option<LabelRun>) -> Self {
        let code_px = (matrix.size as u32 + 2 * QUIET_ZONE_MODULES) * module_px;
        let Some(run) = run else {
            return Self {
                matrix,
                module_px,
                code_px,
                width: code_px,
                height: code_px,
                code_left: 0,
                label: None,
            };
        };
        let em_px = EM_MODULES * module_px;
        let scale = em_px as f32 / f32::from(font.units_per_em());
        let text_px = run.advance_units as f32 * scale;
        let needed = text_px.ceil() as u32 + 2 * LABEL_SIDE_MARGIN_MODULES * module_px;
        let width = code_px.max(needed);
        let ascent = (f32::from(font.ascender()) * scale).ceil() as u32;
        let descent = (-f32::from(font.descender()) * scale).ceil() as u32;
        let baseline = code_px + ascent;
        let height = baseline + descent + LABEL_BOTTOM_MARGIN_MODULES * module_px;
        Self {
            matrix,
            module_px,
            code_px,
            width,
            height,
            code_left: (width - code_px) / 2,
            label: Some(LabelLayout {
                run,
                em_px,
                scale,
                left: (width as f32 - text_px) / 2.0,
                baseline,
            }),
        }
    }
}
