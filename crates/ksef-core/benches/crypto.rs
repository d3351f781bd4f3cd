//! Hashing, encryption and KOD II signing, to compare with `openssl speed` on the same machine:
//! `openssl speed -evp aes-256-cbc`, `-evp sha256`, `rsa2048`, `ecdsap256`.

use std::hint::black_box;

use chrono::{Duration, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ksef_core::Nip;
use ksef_core::crypto::{CertificateRole, PrivateKey, Sha256Hash, SymmetricKey, self_signed};
use ksef_core::ids::ContextIdentifier;
use ksef_core::qr::{EcdsaFormat, OfflineSigner};

fn invoice_10k() -> Vec<u8> {
    (0..10 * 1024)
        .map(|i| b"<FaWiersz>0123456789</FaWiersz>"[i % 31])
        .collect()
}

fn hash_and_encrypt(c: &mut Criterion) {
    let data = invoice_10k();
    let key = SymmetricKey::generate().expect("key");
    let mut g = c.benchmark_group("invoice-10KB");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("sha256", |b| b.iter(|| Sha256Hash::of(black_box(&data))));
    g.bench_function("aes-256-cbc", |b| {
        b.iter(|| key.encrypt(black_box(&data)).expect("encrypt"))
    });
    g.bench_function("sha256+aes-256-cbc+sha256", |b| {
        b.iter(|| {
            let plain_hash = Sha256Hash::of(black_box(&data));
            let enc = key.encrypt(&data).expect("encrypt");
            (plain_hash, Sha256Hash::of(&enc))
        })
    });
    g.finish();
}

fn kod2_signing(c: &mut Criterion) {
    let now = Utc::now();
    let ctx = ContextIdentifier::parse("Nip", "5265877635").expect("context");
    let nip = Nip::parse_unchecked("5265877635").expect("nip");
    let hash = Sha256Hash::of(b"invoice");
    let mut g = c.benchmark_group("kod2-sign");
    for (name, key, format) in [
        (
            "rsa2048-pss",
            PrivateKey::generate_rsa(2048).expect("rsa"),
            EcdsaFormat::P1363,
        ),
        (
            "ecdsa-p256-p1363",
            PrivateKey::generate_ec_p256().expect("ec"),
            EcdsaFormat::P1363,
        ),
        (
            "ecdsa-p256-der",
            PrivateKey::generate_ec_p256().expect("ec"),
            EcdsaFormat::Der,
        ),
    ] {
        let cert = self_signed(
            &key,
            &[("CN", "bench")],
            CertificateRole::Offline,
            now - Duration::days(1),
            now + Duration::days(1),
        )
        .expect("cert");
        let signer = OfflineSigner::new(cert, key, now)
            .expect("signer")
            .with_ecdsa_format(format);
        g.bench_function(name, |b| {
            b.iter(|| {
                signer
                    .certificate_link(
                        "https://qr-test.ksef.mf.gov.pl",
                        &ctx,
                        &nip,
                        black_box(&hash),
                    )
                    .expect("sign")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, hash_and_encrypt, kod2_signing);
criterion_main!(benches);
