//! Throughput of QR image rendering: a 400-character KOD II-like link, label `CERTYFIKAT`,
//! 5 px per module, PNG and SVG. Also a KOD I link with a KSeF number label.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ksef_core::qr::image::QrImage;
use std::hint::black_box;

/// A KOD II-like link of exactly 400 characters.
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

fn bench(c: &mut Criterion) {
    let images = QrImage::new();
    let link = kod2_link();
    assert_eq!(link.len(), 400);
    let kod1 = "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/\
                UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE";

    let mut group = c.benchmark_group("qr_image");
    group.throughput(Throughput::Elements(1));
    group.bench_function("png_kod2_400_certyfikat_5px", |b| {
        b.iter(|| images.png(black_box(&link), Some("CERTYFIKAT"), 5))
    });
    group.bench_function("svg_kod2_400_certyfikat_5px", |b| {
        b.iter(|| images.svg(black_box(&link), Some("CERTYFIKAT"), 5))
    });
    group.bench_function("png_kod1_ksef_number_5px", |b| {
        b.iter(|| {
            images.png(
                black_box(kod1),
                Some("5265877635-20250729-01004014E040-00"),
                5,
            )
        })
    });
    group.bench_function("png_kod2_400_no_label_5px", |b| {
        b.iter(|| images.png(black_box(&link), None, 5))
    });
    group.bench_function("qrcode_crate_own_best_mask_for_comparison", |b| {
        b.iter(|| {
            qrcode::QrCode::with_error_correction_level(
                black_box(link.as_bytes()),
                qrcode::EcLevel::M,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
