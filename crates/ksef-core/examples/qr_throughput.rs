//! Renders a fixed number of QR images for CPU-time measurements, e.g.
//! `perf stat -e task-clock cargo run --release --example qr_throughput -- svg 20000`
//! (the same 400-character KOD II-like link, label `CERTYFIKAT` and 5 px per module as the
//! `qr_image` bench). A third argument writes one such image to that file.

use std::hint::black_box;
use std::time::Instant;

use ksef_core::qr::image::{ImageFormat, QrImage};

fn kod2_link() -> String {
    let mut link = String::from(
        "https://qr-test.ksef.mf.gov.pl/certificate/Nip/1111111111/1111111111/\
         01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/",
    );
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut state: u32 = 0x1234_5678;
    while link.len() < 400 {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        link.push(char::from(alphabet[(state >> 26) as usize]));
    }
    link
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let format: ImageFormat = args.next().as_deref().unwrap_or("png").parse()?;
    let count: usize = args.next().as_deref().unwrap_or("10000").parse()?;
    let images = QrImage::new();
    let link = kod2_link();
    // Warm the caches (glyphs, templates, generator tables).
    images.render(&link, Some("CERTYFIKAT"), format, 5)?;
    let start = Instant::now();
    let mut bytes = 0;
    for _ in 0..count {
        bytes += images
            .render(black_box(&link), Some("CERTYFIKAT"), format, 5)?
            .len();
    }
    let elapsed = start.elapsed().as_secs_f64();
    if let Some(path) = args.next() {
        std::fs::write(path, images.render(&link, Some("CERTYFIKAT"), format, 5)?)?;
    }
    println!(
        "{count} {format} images, {bytes} bytes, {:.1} µs each (wall clock), {:.0} images/s",
        elapsed * 1e6 / count as f64,
        count as f64 / elapsed
    );
    Ok(())
}
