//! Throughput per CPU-second of this thread, for comparison with `openssl speed` (which also
//! divides by CPU time) on a machine shared with other work, where wall-clock benchmarks
//! (criterion) are disturbed by the load. Linux only (reads `/proc/thread-self/stat`).
//!
//! `cargo run --release -p ksef-core --example cpu_speed`

use std::hint::black_box;
use std::time::Instant;

use chrono::{Duration, Utc};
use ksef_core::Nip;
use ksef_core::crypto::{CertificateRole, PrivateKey, Sha256Hash, SymmetricKey, self_signed};
use ksef_core::ids::ContextIdentifier;
use ksef_core::invoice::{CheckOptions, InvoiceChecker, SampleInvoice};
use ksef_core::qr::image::QrImage;
use ksef_core::qr::{EcdsaFormat, OfflineSigner};

/// CPU time (user + system) of this thread, in seconds.
fn thread_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is the 14th field overall.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    (f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)) as f64 / 100.0
}

fn measure(name: &str, bytes: usize, mut op: impl FnMut()) {
    // Batches of about 50 ms, so that reading the CPU clock costs nothing measurable.
    let t = Instant::now();
    op();
    let one = t.elapsed().as_secs_f64().max(1e-7);
    let batch = ((0.05 / one) as u64).clamp(1, 1_000_000);
    let (wall, cpu0) = (Instant::now(), thread_cpu());
    let mut n = 0u64;
    while thread_cpu() - cpu0 < 3.0 && wall.elapsed().as_secs() < 30 {
        for _ in 0..batch {
            op();
        }
        n += batch;
    }
    let cpu = thread_cpu() - cpu0;
    let per_s = n as f64 / cpu;
    if bytes > 0 {
        println!(
            "{name:<44} {per_s:>10.0} /s   {:>8.1} MB/s (per CPU-second)",
            per_s * bytes as f64 / 1e6
        );
    } else {
        println!("{name:<44} {per_s:>10.0} /s   (per CPU-second)");
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = Utc::now();
    let nip: Nip = "5265877635".parse()?;
    let invoice = SampleInvoice::new(nip, "2026-02-10".parse()?, "FV/1/2026")
        .with_lines(35)
        .to_xml();
    println!("invoice: {} bytes", invoice.len());
    let key = SymmetricKey::generate()?;
    measure("SHA-256 of the invoice", invoice.len(), || {
        black_box(Sha256Hash::of(black_box(&invoice)));
    });
    measure("AES-256-CBC of the invoice", invoice.len(), || {
        black_box(key.encrypt(black_box(&invoice)).ok());
    });
    measure(
        "SHA-256 + AES-256-CBC of the invoice",
        invoice.len(),
        || {
            black_box(Sha256Hash::of(black_box(&invoice)));
            black_box(key.encrypt(black_box(&invoice)).ok());
        },
    );
    let ctx = ContextIdentifier::Nip(nip);
    let hash = Sha256Hash::of(&invoice);
    for (name, k, f) in [
        (
            "KOD II link, RSA-2048 PSS",
            PrivateKey::generate_rsa(2048)?,
            EcdsaFormat::P1363,
        ),
        (
            "KOD II link, ECDSA P-256 (P1363)",
            PrivateKey::generate_ec_p256()?,
            EcdsaFormat::P1363,
        ),
    ] {
        let cert = self_signed(
            &k,
            &[("CN", "speed")],
            CertificateRole::Offline,
            now - Duration::hours(1),
            now + Duration::days(1),
        )?;
        let signer = OfflineSigner::new(cert, k, now)?.with_ecdsa_format(f);
        measure(name, 0, || {
            black_box(
                signer
                    .certificate_link("https://qr-test.ksef.mf.gov.pl", &ctx, &nip, &hash)
                    .ok(),
            );
        });
    }
    let images = QrImage::shared();
    let kod2 = "https://qr-test.ksef.mf.gov.pl/certificate/Nip/5265877635/5265877635/01F20A5D352AE590/\
                UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/mSkm_XmM9fq7PgAJwiL32L9ujhyguOEV48cDB0ncemD2r9TMGa3lr0iRoFk588agCi8QPsOuscUY1rZ7ff76STbGquO-gZtQys5_fHdf2HUfDqPqVTnUS6HknBu0zLkyf9ygoW7WbH06Ty_8BgQTlOmJFzNWSt9WZa7tAGuAE9JOooNps-KG2PYkkIP4q4jPMp3FKypAygHVnXtS0RDGgOxhhM7LWtFP7D-dWINbh5yXD8Lr-JVbeOpyQjHa6WmMYavCDQJ3X_Z-iS01LZu2s1B3xuOykl1h0sLObCdADrbxOONsXrvQa61Xt_rxyprVraj2Uf9pANQgR4-12HEcMw";
    measure("KOD II PNG with label (RSA link, 5 px)", 0, || {
        black_box(images.png(black_box(kod2), Some("CERTYFIKAT"), 5).ok());
    });
    measure("KOD II SVG with label (RSA link, 5 px)", 0, || {
        black_box(images.svg(black_box(kod2), Some("CERTYFIKAT"), 5).ok());
    });
    let checker = InvoiceChecker::new()?;
    let opts = CheckOptions::default();
    measure("invoice check with FA(3) XSD", invoice.len(), || {
        black_box(checker.check(black_box(&invoice), &opts).is_ok());
    });
    Ok(())
}
