//! The embedded label font and its glyph caches.
//!
//! The font is a subset of DejaVu Sans 2.37 (Basic Latin, Latin-1 Supplement, Latin
//! Extended-A and a little typographic punctuation), see `assets/README.md`. Outlines come
//! from `ttf-parser`; anti-aliased coverage for PNG comes from `ab_glyph`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, RwLock};

use ab_glyph::Font as _;

use crate::{Error, Result};

/// The font file, embedded in the library.
pub(crate) static FONT_BYTES: &[u8] = include_bytes!("../../../assets/DejaVuSans-subset.ttf");

/// Label em size in modules. DejaVu Sans has a cap height of 1493/2048 em, so the capitals
/// of the label are about 2.2 modules high.
pub(crate) const EM_MODULES: u32 = 3;

/// At most this many characters in a label.
pub(crate) const MAX_LABEL_CHARS: usize = 64;

/// A glyph rasterised at one size: coverage bytes (0 = none, 255 = full), placed relative to
/// the pen position on the baseline (y grows downwards).
#[derive(Debug)]
pub(crate) struct RasterGlyph {
    pub(crate) left: i32,
    pub(crate) top: i32,
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) coverage: Vec<u8>,
}

/// One positioned glyph of a label, in font units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlacedGlyph {
    pub(crate) glyph: u16,
    /// Pen position from the start of the label, font units.
    pub(crate) pen_units: u32,
}

/// A validated label laid out along one line, in font units.
#[derive(Debug)]
pub(crate) struct LabelRun {
    pub(crate) glyphs: Vec<PlacedGlyph>,
    /// Sum of the advances, font units.
    pub(crate) advance_units: u32,
}

/// The parsed font plus caches of rasterised glyphs (per size) and SVG outlines.
pub(crate) struct LabelFont {
    face: ttf_parser::Face<'static>,
    raster: ab_glyph::FontRef<'static>,
    units_per_em: u16,
    ascender: i16,
    descender: i16,
    /// ab_glyph's `PxScale` is the pixel height of ascender − descender; this converts em px.
    px_scale_per_em: f32,
    rasters: RwLock<HashMap<(u16, u32), Arc<RasterGlyph>>>,
    outlines: RwLock<HashMap<u16, Arc<str>>>,
}

impl std::fmt::Debug for LabelFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rasters = self.rasters.read().map(|m| m.len()).unwrap_or(0);
        let outlines = self.outlines.read().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("LabelFont")
            .field("font", &"DejaVu Sans (subset)")
            .field("cached_rasters", &rasters)
            .field("cached_outlines", &outlines)
            .finish()
    }
}

impl LabelFont {
    /// Parses the embedded font. It is part of the build, so a failure is a defect of the
    /// build, which the test suite catches.
    pub(crate) fn embedded() -> Self {
        #[allow(clippy::expect_used)]
        let face = ttf_parser::Face::parse(FONT_BYTES, 0).expect("the embedded font parses");
        #[allow(clippy::expect_used)]
        let raster =
            ab_glyph::FontRef::try_from_slice(FONT_BYTES).expect("the embedded font parses");
        let units_per_em = face.units_per_em();
        let ascender = face.ascender();
        let descender = face.descender();
        let px_scale_per_em = raster.height_unscaled() / f32::from(units_per_em);
        Self {
            face,
            raster,
            units_per_em,
            ascender,
            descender,
            px_scale_per_em,
            rasters: RwLock::new(HashMap::new()),
            outlines: RwLock::new(HashMap::new()),
        }
    }

    pub(crate) fn units_per_em(&self) -> u16 {
        self.units_per_em
    }

    pub(crate) fn ascender(&self) -> i16 {
        self.ascender
    }

    pub(crate) fn descender(&self) -> i16 {
        self.descender
    }

    /// Whether the font has a glyph for `c`.
    pub(crate) fn has_glyph(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }

    /// Validates `label` and lays it out on one line.
    pub(crate) fn layout(&self, label: &str) -> Result<LabelRun> {
        let bad = |reason: String| Error::QrImage {
            reason: format!("label {label:?}: {reason}"),
        };
        if label.trim().is_empty() {
            return Err(bad("the label is empty; pass None for no label".into()));
        }
        let count = label.chars().count();
        if count > MAX_LABEL_CHARS {
            return Err(bad(format!(
                "the label has {count} characters, at most {MAX_LABEL_CHARS} are allowed"
            )));
        }
        let mut glyphs = Vec::with_capacity(count);
        let mut pen: u32 = 0;
        for (position, c) in label.chars().enumerate() {
            if c.is_control() {
                return Err(bad(format!(
                    "control character U+{:04X} at position {} is not allowed",
                    u32::from(c),
                    position + 1
                )));
            }
            let Some(id) = self.face.glyph_index(c) else {
                return Err(bad(format!(
                    "character {c:?} (U+{:04X}) at position {} is not in the embedded font \
                     (DejaVu Sans: Latin-1 and Latin Extended-A)",
                    u32::from(c),
                    position + 1
                )));
            };
            glyphs.push(PlacedGlyph {
                glyph: id.0,
                pen_units: pen,
            });
            pen += u32::from(self.face.glyph_hor_advance(id).unwrap_or(0));
        }
        Ok(LabelRun {
            glyphs,
            advance_units: pen,
        })
    }

    /// The glyph rasterised at `em_px` pixels per em (cached).
    pub(crate) fn raster(&self, glyph: u16, em_px: u32) -> Arc<RasterGlyph> {
        let key = (glyph, em_px);
        if let Ok(map) = self.rasters.read()
            && let Some(hit) = map.get(&key)
        {
            return Arc::clone(hit);
        }
        let made = Arc::new(self.rasterise(glyph, em_px));
        if let Ok(mut map) = self.rasters.write() {
            map.entry(key).or_insert_with(|| Arc::clone(&made));
        }
        made
    }

    fn rasterise(&self, glyph: u16, em_px: u32) -> RasterGlyph {
        let scale = ab_glyph::PxScale::from(em_px as f32 * self.px_scale_per_em);
        let positioned =
            ab_glyph::GlyphId(glyph).with_scale_and_position(scale, ab_glyph::point(0.0, 0.0));
        let Some(outlined) = self.raster.outline_glyph(positioned) else {
            return RasterGlyph {
                left: 0,
                top: 0,
                width: 0,
                height: 0,
                coverage: Vec::new(),
            };
        };
        let bounds = outlined.px_bounds();
        let width = bounds.width().max(0.0) as usize;
        let height = bounds.height().max(0.0) as usize;
        let mut coverage = vec![0u8; width * height];
        outlined.draw(|x, y, c| {
            let (x, y) = (x as usize, y as usize);
            if x < width && y < height {
                coverage[y * width + x] = (c.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
            }
        });
        RasterGlyph {
            left: bounds.min.x as i32,
            top: bounds.min.y as i32,
            width,
            height,
            coverage,
        }
    }

    /// SVG path data of the glyph outline in font units, y up (cached). Empty for blank glyphs.
    pub(crate) fn outline(&self, glyph: u16) -> Arc<str> {
        if let Ok(map) = self.outlines.read()
            && let Some(hit) = map.get(&glyph)
        {
            return Arc::clone(hit);
        }
        let mut builder = SvgPathBuilder(String::new());
        // A glyph without an outline (space) draws nothing.
        let _ = self
            .face
            .outline_glyph(ttf_parser::GlyphId(glyph), &mut builder);
        let made: Arc<str> = Arc::from(builder.0);
        if let Ok(mut map) = self.outlines.write() {
            map.entry(glyph).or_insert_with(|| Arc::clone(&made));
        }
        made
    }
}

/// Writes ttf-parser outline commands as SVG path data (absolute, font units).
struct SvgPathBuilder(String);

impl SvgPathBuilder {
    fn num(&mut self, v: f32) {
        // TrueType coordinates are integers; keep one decimal for anything else.
        if v.fract() == 0.0 {
            let _ = write!(self.0, "{}", v as i32);
        } else {
            let _ = write!(self.0, "{:.1}", v);
        }
    }

    fn pair(&mut self, x: f32, y: f32) {
        self.num(x);
        self.0.push(' ');
        self.num(y);
    }
}

impl ttf_parser::OutlineBuilder for SvgPathBuilder {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.push('M');
        self.pair(x, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        self.0.push('L');
        self.pair(x, y);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.0.push('Q');
        self.pair(x1, y1);
        self.0.push(' ');
        self.pair(x, y);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.0.push('C');
        self.pair(x1, y1);
        self.0.push(' ');
        self.pair(x2, y2);
        self.0.push(' ');
        self.pair(x, y);
    }

    fn close(&mut self) {
        self.0.push('Z');
    }
}
