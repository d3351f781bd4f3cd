//! Issuing throughput on SQLite: check (form, XSD, NIPs) + SHA-256 + KOD I + KOD II signed
//! with an EC P-256 key + AES-256-GCM envelope + durable commit (WAL, `synchronous = FULL`).
//! No image files. `issue` commits each invoice; `issue_many` commits a batch at once.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ksef_core::calendar::OfflineMode;
use ksef_core::crypto::{CertificateRole, PrivateKey, self_signed};
use ksef_core::ids::ContextIdentifier;
use ksef_core::invoice::SampleInvoice;
use ksef_core::{FixedClock, Nip};
use ksef_offline::{MasterKey, NewTenant, OfflineCredentials, Store, StoreOptions, connect};

const SELLER: &str = "5265877635";

fn setup(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> (Box<dyn Store>, FixedClock) {
    let now = Utc
        .with_ymd_and_hms(2026, 2, 10, 10, 0, 0)
        .single()
        .unwrap_or_default();
    let clock = FixedClock(now);
    rt.block_on(async {
        let url = format!("sqlite:{}", dir.join("bench.db").display());
        let options = StoreOptions {
            qr_base: "https://qr-test.ksef.mf.gov.pl".into(),
            actor: "bench".into(),
            nip_checksums: true,
        };
        let store = connect(&url, &MasterKey::from_bytes([9; 32]), options)
            .await
            .expect("store");
        let key = PrivateKey::generate_ec_p256().expect("key");
        let cert = self_signed(
            &key,
            &[("CN", "bench")],
            CertificateRole::Offline,
            now - chrono::Duration::days(1),
            now + chrono::Duration::days(365),
        )
        .expect("certificate");
        let mut t = NewTenant::new(
            "bench".parse().expect("id"),
            ContextIdentifier::parse("Nip", SELLER).expect("context"),
        );
        t.offline = Some(OfflineCredentials {
            certificate: cert,
            key,
        });
        store.add_tenant(t, &clock).await.expect("tenant");
        (store, clock)
    })
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, clock) = setup(&rt, dir.path());
    let tenant = "bench".parse().expect("id");
    let seller: Nip = SELLER.parse().expect("nip");
    let date = clock.0.date_naive();
    let mut n: u64 = 0;
    let mut next = |count: usize| -> Vec<Vec<u8>> {
        (0..count)
            .map(|_| {
                n += 1;
                SampleInvoice::new(seller, date, &format!("FV/{n}/2026"))
                    .with_lines(5)
                    .to_xml()
            })
            .collect()
    };

    let mut g = c.benchmark_group("issue");
    g.measurement_time(Duration::from_secs(5));
    g.sample_size(20);
    g.throughput(Throughput::Elements(1));
    g.bench_function("issue (one durable commit per invoice)", |b| {
        b.iter_custom(|iters| {
            let xmls = next(iters as usize);
            let start = Instant::now();
            rt.block_on(async {
                for xml in &xmls {
                    store
                        .issue(&tenant, xml, OfflineMode::Offline24, &clock)
                        .await
                        .expect("issue");
                }
            });
            start.elapsed()
        });
    });
    for batch in [100usize, 500] {
        g.throughput(Throughput::Elements(batch as u64));
        g.bench_function(
            format!("issue_many (one durable commit per {batch})"),
            |b| {
                b.iter_custom(|iters| {
                    let batches: Vec<Vec<Vec<u8>>> = (0..iters).map(|_| next(batch)).collect();
                    let start = Instant::now();
                    rt.block_on(async {
                        for xmls in &batches {
                            let refs: Vec<&[u8]> = xmls.iter().map(Vec::as_slice).collect();
                            store
                                .issue_many(&tenant, &refs, OfflineMode::Offline24, &clock)
                                .await
                                .expect("issue_many");
                        }
                    });
                    start.elapsed()
                });
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
