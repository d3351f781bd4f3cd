//! QR images: every image decodes back to its text; layout, label and error checks.

use ksef_core::Error;
use ksef_core::qr::image::{ImageFormat, MAX_LABEL_CHARS, QrImage};

const KOD1: &str = "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE";
const KOD2: &str = "https://qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/mSkm_XmM9fq7PgAJwiL32L9ujhyguOEV48cDB0ncemD2r9TMGa3lr0iRoFk588agCi8QPsOuscUY1rZ7ff76STbGquO-gZtQys5_fHdf2HUfDqPqVTnUS6HknBu0zLkyf9ygoW7WbH06Ty_8BgQTlOmJFzNWSt9WZa7tAGuAE9JOooNps-KG2PYkkIP4q4jPMp3FKypAygHVnXtS0RDGgOxhhM7LWtFP7D-dWINbh5yXD8Lr-JVbeOpyQjHa6WmMYavCDQJ3X_Z-iS01LZu2s1B3xuOykl1h0sLObCdADrbxOONsXrvQa61Xt_rxyprVraj2Uf9pANQgR4-12HEcMw";
const KSEF_NUMBER: &str = "5265877635-20250729-01004014E040-00";
const POLISH: &str = "Zażółć gęślą jaźń";

/// The longest realistic KOD II link: `PeppolId` context, RSA-4096 signature (683 chars).
fn longest_kod2() -> String {
    let signature: String = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_"
        .chars()
        .cycle()
        .take(683)
        .collect();
    format!(
        "https://qr-demo.ksef.mf.gov.pl/certificate/PeppolId/PPL123456/5265877635/\
         01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/{signature}"
    )
}

struct Gray {
    width: usize,
    height: usize,
    luma: Vec<u8>,
}

impl Gray {
    fn at(&self, x: usize, y: usize) -> u8 {
        self.luma[y * self.width + x]
    }
}

fn decode_png(bytes: &[u8]) -> Gray {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "expanded to 8 bits");
    buf.truncate(info.buffer_size());
    Gray {
        width: info.width as usize,
        height: info.height as usize,
        luma: buf,
    }
}

/// Decodes the one QR code in the image; returns (version, text).
fn read_qr(img: &Gray) -> (usize, String) {
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(img.width, img.height, |x, y| img.at(x, y));
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code");
    let (meta, text) = grids[0].decode().expect("QR decodes");
    assert_eq!(meta.ecc_level, 0, "error correction level M (rqrr's 0)");
    (meta.version.0, text)
}

fn modules(version: usize) -> usize {
    17 + 4 * version
}

/// Rasterises the SVG: the module path (`translate(x y) scale(m)` and `m dx dy h len v1 h -len
/// z` rectangles) exactly; the label group is not drawn. Returns the image and whether a label
/// group with glyph paths is present.
fn rasterise_svg(svg: &str) -> (Gray, bool) {
    let attr = |from: &str, name: &str| -> String {
        let start = from.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        let end = start + from[start..].find('"').expect("closing quote");
        from[start..end].to_string()
    };
    let width: usize = attr(svg, "width").parse().expect("width");
    let height: usize = attr(svg, "height").parse().expect("height");
    assert_eq!(attr(svg, "viewBox"), format!("0 0 {width} {height}"));
    let path_at = svg
        .find("<path shape-rendering=\"crispEdges\"")
        .expect("module path");
    let path = &svg[path_at..];
    let transform = attr(path, "transform");
    let nums: Vec<usize> = transform
        .replace("translate(", "")
        .replace(") scale(", " ")
        .replace(')', "")
        .split(' ')
        .map(|n| n.parse().expect("integer transform"))
        .collect();
    let (ox, oy, m) = (nums[0], nums[1], nums[2]);
    let d = attr(path, "d");
    let mut luma = vec![255u8; width * height];
    let (mut cx, mut cy) = (0i64, 0i64);
    let mut rest = d.as_str();
    while !rest.is_empty() {
        let body = rest.strip_prefix('m').expect("rectangle starts with m");
        let (head, tail) = body.split_once('h').expect("h");
        let (dx, dy) = head.split_once(' ').expect("dx dy");
        let (len, tail) = tail.split_once("v1h-").expect("v1h-");
        let (len2, tail) = tail.split_once('z').expect("z");
        assert_eq!(len, len2);
        cx += dx.parse::<i64>().expect("dx");
        cy += dy.parse::<i64>().expect("dy");
        let len: usize = len.parse().expect("len");
        for y in 0..m {
            for x in 0..len * m {
                let px = ox + cx as usize * m + x;
                let py = oy + cy as usize * m + y;
                luma[py * width + px] = 0;
            }
        }
        rest = tail;
    }
    let has_label =
        svg.contains("<g fill=\"#000\" transform=\"translate(") && svg.contains("<path d=\"M");
    (
        Gray {
            width,
            height,
            luma,
        },
        has_label,
    )
}

fn assert_well_formed_xml(svg: &str) {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut depth = 0i32;
    let mut root = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) => {
                if root.is_none() {
                    root = Some(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                }
                depth += 1;
            }
            quick_xml::events::Event::End(_) => depth -= 1,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "balanced elements");
    assert_eq!(root.as_deref(), Some("svg"));
}

fn qr_error(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::QrImage { reason }) => reason,
        other => panic!("expected Error::QrImage, got {other:?}"),
    }
}

#[test]
fn renderer_is_send_sync_and_shared() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<QrImage>();
    assert!(std::ptr::eq(QrImage::shared(), QrImage::shared()));
}

#[test]
fn png_without_label_decodes_and_modules_are_exact() {
    let images = QrImage::new();
    for module_px in [1, 2, 3, 5, 8] {
        let img = decode_png(&images.png(KOD1, None, module_px).expect("png"));
        let (version, text) = read_qr(&img);
        assert_eq!(text, KOD1);
        let n = modules(version);
        let m = module_px as usize;
        assert_eq!(img.width, (n + 8) * m, "width at {module_px} px/module");
        assert_eq!(img.height, img.width, "square without a label");
        // Every module is an m x m block of one colour, black or white.
        for my in 0..n + 8 {
            for mx in 0..n + 8 {
                let first = img.at(mx * m, my * m);
                assert!(first == 0 || first == 255);
                for y in 0..m {
                    for x in 0..m {
                        assert_eq!(img.at(mx * m + x, my * m + y), first);
                    }
                }
                let in_quiet_zone = mx < 4 || my < 4 || mx >= n + 4 || my >= n + 4;
                if in_quiet_zone {
                    assert_eq!(first, 255, "quiet zone module ({mx}, {my}) is white");
                }
            }
        }
        // The top-left finder pattern starts with a dark module right after the quiet zone.
        assert_eq!(img.at(4 * m, 4 * m), 0);
    }
}

#[test]
fn png_with_labels_decodes_and_draws_the_label_below() {
    let images = QrImage::new();
    for (text, label) in [
        (KOD1, "OFFLINE"),
        (KOD1, KSEF_NUMBER),
        (KOD2, "CERTYFIKAT"),
        (KOD1, POLISH),
    ] {
        let png = images.png(text, Some(label), 5).expect("png");
        let img = decode_png(&png);
        let (version, decoded) = read_qr(&img);
        assert_eq!(decoded, text);
        let code_px = (modules(version) + 8) * 5;
        assert!(img.width >= code_px);
        assert!(img.height > code_px, "label band below the code");
        // Quiet zone: above and left of the code, and the 4 modules below it, all white.
        let left = (img.width - code_px) / 2;
        for y in 0..code_px {
            for x in 0..img.width {
                let inside =
                    x >= left + 20 && x < left + code_px - 20 && y >= 20 && y < code_px - 20;
                if !inside {
                    assert_eq!(
                        img.at(x, y),
                        255,
                        "quiet zone pixel ({x}, {y}) for {label:?}"
                    );
                }
            }
        }
        let ink = (code_px..img.height)
            .flat_map(|y| (0..img.width).map(move |x| (x, y)))
            .filter(|&(x, y)| img.at(x, y) < 128)
            .count();
        assert!(
            ink > 15 * label.chars().count(),
            "label ink for {label:?}: {ink}"
        );
        // Anti-aliased: some grey pixels.
        assert!(img.luma.iter().any(|&l| l > 0 && l < 255));
    }
}

#[test]
fn label_is_centred_and_short_labels_keep_the_code_width() {
    let images = QrImage::new();
    let img = decode_png(&images.png(KOD2, Some("CERTYFIKAT"), 5).expect("png"));
    let (version, _) = read_qr(&img);
    assert_eq!(img.width, (modules(version) + 8) * 5);
    let code_px = img.width;
    let columns: Vec<usize> = (0..img.width)
        .filter(|&x| (code_px..img.height).any(|y| img.at(x, y) < 128))
        .collect();
    let (first, last) = (columns[0], columns[columns.len() - 1]);
    let left_gap = first as i64;
    let right_gap = (img.width - 1 - last) as i64;
    assert!(
        (left_gap - right_gap).abs() <= 3,
        "centred: {left_gap} vs {right_gap}"
    );
    // Capitals are about 2.2 modules (11 px) high.
    let rows: Vec<usize> = (code_px..img.height)
        .filter(|&y| (0..img.width).any(|x| img.at(x, y) < 128))
        .collect();
    let ink_height = rows[rows.len() - 1] - rows[0] + 1;
    assert!(
        (10..=13).contains(&ink_height),
        "cap height {ink_height} px"
    );
}

#[test]
fn wide_label_widens_the_image_instead_of_clipping() {
    let images = QrImage::new();
    let label = "W".repeat(MAX_LABEL_CHARS);
    let img = decode_png(&images.png("https://x.pl/", Some(&label), 4).expect("png"));
    let (version, text) = read_qr(&img);
    assert_eq!(text, "https://x.pl/");
    let code_px = (modules(version) + 8) * 4;
    assert!(
        img.width > 3 * code_px,
        "widened: {} vs {code_px}",
        img.width
    );
    // Margins left and right of the label stay white (nothing clipped at the edges).
    for y in code_px..img.height {
        assert_eq!(img.at(0, y), 255);
        assert_eq!(img.at(img.width - 1, y), 255);
    }
    let svg = images.svg("https://x.pl/", Some(&label), 4).expect("svg");
    assert_well_formed_xml(&svg);
    let (raster, has_label) = rasterise_svg(&svg);
    assert!(has_label);
    assert_eq!((raster.width, raster.height), (img.width, img.height));
    assert_eq!(read_qr(&raster).1, "https://x.pl/");
}

#[test]
fn svg_decodes_is_well_formed_and_matches_the_png_layout() {
    let images = QrImage::new();
    for (text, label, module_px) in [
        (KOD1, None, 5),
        (KOD1, Some("OFFLINE"), 5),
        (KOD1, Some(KSEF_NUMBER), 3),
        (KOD2, Some("CERTYFIKAT"), 5),
        (KOD2, Some(POLISH), 2),
    ] {
        let svg = images.svg(text, label, module_px).expect("svg");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(!svg.contains("<text"), "no system font dependency");
        assert!(svg.contains("shape-rendering=\"crispEdges\""));
        assert_well_formed_xml(&svg);
        let (raster, has_label) = rasterise_svg(&svg);
        assert_eq!(has_label, label.is_some());
        let (version, decoded) = read_qr(&raster);
        assert_eq!(decoded, text);
        let png = decode_png(&images.png(text, label, module_px).expect("png"));
        assert_eq!((raster.width, raster.height), (png.width, png.height));
        // Same modules as the PNG.
        let code_px = (modules(version) + 8) * module_px as usize;
        for y in 0..code_px {
            for x in 0..raster.width {
                assert_eq!(raster.at(x, y), png.at(x, y), "pixel ({x}, {y})");
            }
        }
        // render() gives the same bytes.
        let rendered = images
            .render(text, label, ImageFormat::Svg, module_px)
            .expect("render");
        assert_eq!(rendered, svg.as_bytes());
    }
}

#[test]
fn polish_label_has_every_glyph_in_both_formats() {
    let images = QrImage::new();
    for c in POLISH.chars().chain("ĄĆĘŁŃÓŚŹŻ0123456789-".chars()) {
        assert!(images.can_draw(c), "{c:?} has a glyph");
    }
    // All of Latin-1 (printable) and Latin Extended-A.
    for c in (0x20u32..=0x7E)
        .chain(0xA0..=0x17F)
        .filter_map(char::from_u32)
    {
        assert!(images.can_draw(c), "U+{:04X} has a glyph", u32::from(c));
    }
    let svg = images.svg(KOD1, Some(POLISH), 5).expect("svg");
    // One glyph path per non-space character.
    let glyphs = POLISH.chars().filter(|c| *c != ' ').count();
    let label = &svg[svg.find("<g fill").expect("label group")..];
    assert_eq!(label.matches("<path").count(), glyphs);
}

#[test]
fn longest_kod2_link_encodes_in_both_formats() {
    let images = QrImage::new();
    let link = longest_kod2();
    assert!(link.len() > 500, "{}", link.len());
    let img = decode_png(&images.png(&link, Some("CERTYFIKAT"), 5).expect("png"));
    assert_eq!(read_qr(&img).1, link);
    let (raster, _) = rasterise_svg(&images.svg(&link, Some("CERTYFIKAT"), 5).expect("svg"));
    assert_eq!(read_qr(&raster).1, link);
}

#[test]
fn png_uses_small_grayscale_formats() {
    let images = QrImage::new();
    let read_depth = |bytes: &[u8]| {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let reader = decoder.read_info().expect("header");
        (reader.info().color_type, reader.info().bit_depth)
    };
    let plain = images.png(KOD2, None, 5).expect("png");
    assert_eq!(
        read_depth(&plain),
        (png::ColorType::Grayscale, png::BitDepth::One)
    );
    let labelled = images.png(KOD2, Some("CERTYFIKAT"), 5).expect("png");
    assert_eq!(read_depth(&labelled).0, png::ColorType::Grayscale);
    assert!(plain.len() < 12_000, "plain PNG {} bytes", plain.len());
    assert!(
        labelled.len() < 20_000,
        "labelled PNG {} bytes",
        labelled.len()
    );
}

#[test]
fn bad_module_sizes_are_refused() {
    let images = QrImage::new();
    for module_px in [0, 65, u32::MAX] {
        let reason = qr_error(images.png(KOD1, None, module_px));
        assert!(reason.contains("1 to 64"), "{reason}");
        assert!(reason.contains(&module_px.to_string()), "{reason}");
        qr_error(images.svg(KOD1, Some("OFFLINE"), module_px));
    }
    assert!(images.png(KOD1, None, 64).is_ok());
}

#[test]
fn bad_labels_are_refused_with_the_reason() {
    let images = QrImage::new();
    let too_long = "A".repeat(MAX_LABEL_CHARS + 1);
    for (label, expected) in [
        ("", "empty"),
        ("   ", "empty"),
        (too_long.as_str(), "65 characters"),
        ("OFF\nLINE", "U+000A"),
        ("a\tb", "U+0009"),
        ("\u{7f}", "U+007F"),
        ("KSeF 中", "U+4E2D"),
        ("😀", "not in the embedded font"),
    ] {
        let reason = qr_error(images.png(KOD1, Some(label), 5));
        assert!(reason.contains(expected), "{label:?}: {reason}");
        let reason = qr_error(images.svg(KOD1, Some(label), 5));
        assert!(reason.contains(expected), "{label:?}: {reason}");
    }
    assert!(
        images
            .png(KOD1, Some(&"A".repeat(MAX_LABEL_CHARS)), 5)
            .is_ok()
    );
}

#[test]
fn bad_texts_are_refused() {
    let images = QrImage::new();
    assert!(qr_error(images.png("", None, 5)).contains("empty"));
    let huge = "x".repeat(3000);
    let reason = qr_error(images.svg(&huge, None, 5));
    assert!(reason.contains("too long"), "{reason}");
}

#[test]
fn image_format_parses() {
    assert_eq!("png".parse::<ImageFormat>().expect("png"), ImageFormat::Png);
    assert_eq!("SVG".parse::<ImageFormat>().expect("svg"), ImageFormat::Svg);
    assert!(qr_error("gif".parse::<ImageFormat>()).contains("\"gif\""));
    assert_eq!(ImageFormat::Png.to_string(), "png");
    assert_eq!(ImageFormat::Svg.media_type(), "image/svg+xml");
    let images = QrImage::new();
    assert_eq!(
        images
            .render(KOD1, Some("OFFLINE"), ImageFormat::Png, 5)
            .expect("render"),
        images.png(KOD1, Some("OFFLINE"), 5).expect("png")
    );
}

#[test]
fn renders_concurrently() {
    let images = QrImage::shared();
    std::thread::scope(|s| {
        for i in 0..4 {
            s.spawn(move || {
                let text = format!("{KOD1}?n={i}");
                let img = decode_png(&images.png(&text, Some(POLISH), 3).expect("png"));
                assert_eq!(read_qr(&img).1, text);
            });
        }
    });
}
