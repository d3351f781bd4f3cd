//! Drains queued offline invoices to the in-process simulator and reports the figures of the
//! engine issue: time end to end (claim, batch package, upload, KSeF processing, results,
//! UPO download and validation, all stored), peak memory, and the interactive throughput.
//!
//! `cargo run --release -p ksef-offline --example drain -- [INVOICES] [batch|interactive]`
//!
//! Default: 10,000 invoices through batch sessions. The invoices are issued first (not timed).

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use ksef_core::calendar::{OfflineMode, warsaw_date};
use ksef_core::crypto::{CertificateRole, PrivateKey, self_signed};
use ksef_core::ids::ContextIdentifier;
use ksef_core::invoice::SampleInvoice;
use ksef_core::{Environment, EnvironmentUrls, Nip, SystemClock};
use ksef_offline::sync::{SyncOptions, Syncer};
use ksef_offline::{MasterKey, NewTenant, OfflineCredentials, Store, StoreOptions, connect};

const SELLER: &str = "5265877635";
const TOKEN: &str = "drain-token";

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let interactive = args.next().as_deref() == Some("interactive");
    // Phase timings with KSEF_LOG=ksef_offline=debug.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("KSEF_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }

    let mut config = ksef_sim::SimConfig::default();
    config.tokens.push(format!("{SELLER}={TOKEN}").parse()?);
    let sim = ksef_sim::spawn(config).await?;
    let env = Environment::Custom(EnvironmentUrls::new(
        &sim.api_base,
        &sim.qr_base,
        Some(&sim.lighthouse_base),
    ));
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite:{}", dir.path().join("drain.db").display());
    let store: Arc<dyn Store> = Arc::from(
        connect(
            &url,
            &MasterKey::from_bytes([7; 32]),
            StoreOptions::new(&env),
        )
        .await?,
    );
    let now = Utc::now();
    let key = PrivateKey::generate_ec_p256()?;
    let cert = self_signed(
        &key,
        &[("CN", "drain")],
        CertificateRole::Offline,
        now - chrono::Duration::hours(1),
        now + chrono::Duration::days(30),
    )?;
    let tenant = "drain".parse()?;
    let mut t = NewTenant::new("drain".parse()?, ContextIdentifier::parse("Nip", SELLER)?);
    t.ksef_token = Some(TOKEN.to_owned().into());
    t.offline = Some(OfflineCredentials {
        certificate: cert,
        key,
    });
    store.add_tenant(t, &SystemClock).await?;

    let seller: Nip = SELLER.parse()?;
    let today = warsaw_date(now);
    let start = Instant::now();
    for chunk in (0..count).collect::<Vec<_>>().chunks(1000) {
        let xmls: Vec<Vec<u8>> = chunk
            .iter()
            .map(|i| {
                SampleInvoice::new(seller, today, &format!("FV/D/{i}"))
                    .with_lines(5)
                    .to_xml()
            })
            .collect();
        let refs: Vec<&[u8]> = xmls.iter().map(Vec::as_slice).collect();
        store
            .issue_many(&tenant, &refs, OfflineMode::Offline24, &SystemClock)
            .await?;
    }
    println!(
        "issued {count} invoices in {:.2} s (issue_many, 1000 per commit; not part of the drain)",
        start.elapsed().as_secs_f64()
    );

    let options = SyncOptions {
        worker: "drain".into(),
        batch_threshold: if interactive { usize::MAX } else { 100 },
        ..SyncOptions::default()
    };
    let syncer = Syncer::new(store.clone(), env, options);
    let start = Instant::now();
    let report = syncer.sync_tenant(&tenant, &SystemClock).await?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "drained {} invoices ({} batch, {} interactive) in {secs:.2} s: {:.0} invoices/s; accepted {}, UPOs {}, peak RSS {:.0} MB",
        report.claimed,
        report.sent_batch,
        report.sent_interactive,
        report.claimed as f64 / secs,
        report.accepted,
        report.upos,
        peak_rss_mb()
    );
    if report.accepted != count || report.upos != count {
        return Err(format!("not all registered: {report:?}").into());
    }
    sim.shutdown().await;
    Ok(())
}
