//! `ksef demo`: offline invoicing end to end, against the simulator started in-process and an
//! embedded SQLite store in a fresh directory. No network.
//!
//! KSeF announces a failure; the shop issues offline invoices with KOD I and KOD II; the
//! workers wait; KSeF comes back and the deadlines are fixed; the invoices are sent; KSeF
//! rejects one; it is technically corrected and sent again; every UPO is fetched and checked.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, bail};
use chrono::{Duration, Utc};
use ksef_core::calendar::{OfflineMode, warsaw_date};
use ksef_core::crypto::{CertificateRole, PrivateKey, self_signed};
use ksef_core::ids::ContextIdentifier;
use ksef_core::invoice::SampleInvoice;
use ksef_core::qr::image::QrImage;
use ksef_core::qr::{LABEL_CERTIFICATE, LABEL_OFFLINE};
use ksef_core::{Environment, EnvironmentUrls, Nip, SystemClock};
use ksef_offline::sync::{SyncOptions, Syncer, TenantReport};
use ksef_offline::{
    InvoiceState, KeyFile, NewTenant, ObligationSummary, OfflineCredentials, Store, StoreOptions,
    TenantId,
};
use ksef_sim::{Outage, OutageKind, ScriptedRejection, SimConfig};

use super::write_file;
use crate::Outcome;
use crate::args::DemoArgs;

const SELLER: &str = "5265877635";
const TOKEN: &str = "demo-ksef-token";
/// Marks a directory as the demo's own, so that a second run may clear it.
const MARKER: &str = ".ksef-demo";

pub fn run(a: DemoArgs) -> anyhow::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(demo(&a.dir))
}

async fn demo(dir: &Path) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    fresh_dir(dir)?;
    let today = warsaw_date(Utc::now());
    let seller: Nip = SELLER.parse()?;
    let tenant: TenantId = "demo-shop".parse()?;

    step("1. A local KSeF (the simulator) and an encrypted store");
    let mut config = SimConfig::default();
    config.tokens.push(
        format!("{SELLER}={TOKEN}")
            .parse()
            .map_err(anyhow::Error::msg)?,
    );
    let sim = ksef_sim::spawn(config).await?;
    let env = Environment::Custom(EnvironmentUrls::new(
        &sim.api_base,
        &Environment::Test.urls().qr,
        Some(&sim.lighthouse_base),
    ));
    println!("   KSeF API 2.0 simulator at {}", sim.api_base);
    let keys = KeyFile::create(dir.join("master.key"))?;
    let url = format!("sqlite:{}", dir.join("ksef.db").display());
    let mut options = StoreOptions::new(&Environment::Test);
    options.actor = "demo".into();
    let store: Arc<dyn Store> = Arc::from(ksef_offline::connect(&url, &keys, options).await?);
    println!("   store {url} (invoices, UPOs, keys and tokens sealed with AES-256-GCM)");

    let now = Utc::now();
    let key = PrivateKey::generate_ec_p256()?;
    let cert = self_signed(
        &key,
        &[
            ("CN", "ksef-offline demo - NOT a KSeF certificate"),
            ("serialNumber", "TINPL-5265877635"),
        ],
        CertificateRole::Offline,
        now - Duration::hours(1),
        now + Duration::days(365),
    )?;
    let context = ContextIdentifier::Nip(seller);
    sim.state
        .register_certificate(cert.clone(), vec![context.clone()]);
    let mut new = NewTenant::new(tenant.clone(), context);
    new.ksef_token = Some(TOKEN.to_owned().into());
    new.offline = Some(OfflineCredentials {
        certificate: cert.clone(),
        key,
    });
    store.add_tenant(new, &SystemClock).await?;
    write_file(
        &dir.join("offline-certificate.pem"),
        cert.to_pem().as_bytes(),
    )?;
    println!(
        "   tenant {tenant}: context NIP {SELLER}, a KSeF token, an Offline certificate {} (EC P-256)",
        cert.serial()
    );

    step("2. KSeF fails; its status service (Lighthouse) announces it");
    let failure_start = now - Duration::minutes(30);
    let outage_id = sim.state.add_outage(Outage {
        id: String::new(),
        start: failure_start,
        end: None,
        kind: OutageKind::Failure,
        message: Some("Awaria KSeF (symulacja)".into()),
    });
    let syncer = Syncer::new(
        store.clone(),
        env.clone(),
        SyncOptions {
            worker: "demo-worker".into(),
            ..SyncOptions::default()
        },
    );
    for r in syncer.poll_lighthouse(&SystemClock).await? {
        println!(
            "   outage {} recorded from the Lighthouse ({} invoices affected)",
            r.outage_id,
            r.changed.len()
        );
    }

    step("3. The shop keeps invoicing offline (emergency mode): KOD I and KOD II on each");
    let numbers: Vec<String> = (1..=5)
        .map(|i| format!("FV/{i:04}/{}", today.format("%m/%Y")))
        .collect();
    let images = QrImage::shared();
    let mut ids = Vec::new();
    for (i, number) in numbers.iter().enumerate() {
        let xml = SampleInvoice::new(seller, today, number)
            .with_lines(3 + i as u32 * 4)
            .to_xml();
        let file = format!("{}.xml", number.replace('/', "-"));
        write_file(&dir.join(&file), &xml)?;
        let issued = store
            .issue(&tenant, &xml, OfflineMode::Emergency, &SystemClock)
            .await?;
        let inv = issued.invoice;
        let stem = file.trim_end_matches(".xml");
        write_png(
            dir,
            &format!("{stem}-kod1.png"),
            inv.kod1.as_deref(),
            LABEL_OFFLINE,
            images,
        )?;
        write_png(
            dir,
            &format!("{stem}-kod2.png"),
            inv.kod2.as_deref(),
            LABEL_CERTIFICATE,
            images,
        )?;
        println!(
            "   {number}  hash {}  deadline: {}",
            inv.hash,
            obligation(&inv.obligation)
        );
        ids.push(inv.id);
    }
    if let Some(first) = store.get(ids[0]).await?.kod1 {
        println!("   KOD I of {}: {first}", numbers[0]);
    }

    step("4. The workers try to send: KSeF is down, nothing is touched");
    let r = syncer.sync_tenant(&tenant, &SystemClock).await?;
    println!(
        "   deferred: {}",
        r.deferred.as_deref().unwrap_or("(not deferred)")
    );

    step("5. KSeF is back: the failure's end fixes every deadline (7 business days)");
    let broken = store.get(ids[3]).await?;
    // KSeF's verification rejects this file: a rule our local checks cannot foresee.
    sim.state.update_faults(|f| {
        f.reject_hashes.push(ScriptedRejection {
            hash: broken.hash.clone(),
            code: 450,
            details: format!(
                "odrzucenie symulowane dla {}: reguła weryfikacji KSeF spoza schematu FA(3)",
                broken.number
            ),
        })
    });
    end_outage(&sim, &outage_id);
    for r in syncer.poll_lighthouse(&SystemClock).await? {
        println!(
            "   outage end recorded: {} deadlines changed",
            r.changed.len()
        );
    }
    let inv = store.get(ids[0]).await?;
    println!("   now due: {}", obligation(&inv.obligation));

    step("6. Sync: sent with offlineMode=true, results recorded, UPOs fetched and checked");
    let r = syncer.sync_tenant(&tenant, &SystemClock).await?;
    print_report(&r);
    let rejected = store.get(broken.id).await?;
    println!(
        "   {} rejected by KSeF: {} {}",
        rejected.number,
        rejected.error_code.as_deref().unwrap_or(""),
        rejected.error_description.as_deref().unwrap_or("")
    );

    step("7. Technical correction of the rejected invoice (same seller, kind and number)");
    let fixed = SampleInvoice::new(seller, today, &rejected.number)
        .with_lines(3 + 3 * 4)
        .with_note("Korekta techniczna: plik poprawiony")
        .to_xml();
    write_file(
        &dir.join(format!("{}-fixed.xml", rejected.number.replace('/', "-"))),
        &fixed,
    )?;
    let correction = store.correct(rejected.id, &fixed, &SystemClock).await?;
    println!(
        "   correction {} links to {} (hashOfCorrectedInvoice {})",
        correction.issued.invoice.id, rejected.id, rejected.hash
    );
    if correction.differences.is_empty() {
        println!("   business content unchanged (dates, amounts, parties)");
    }
    for d in &correction.differences {
        println!("   changed {}: {} -> {}", d.field, d.original, d.corrected);
    }
    let r = syncer.sync_tenant(&tenant, &SystemClock).await?;
    print_report(&r);
    match store.correct(rejected.id, &fixed, &SystemClock).await {
        Err(e) => println!("   a second correction is refused: {e}"),
        Ok(_) => bail!("a second technical correction was accepted"),
    }
    ids[3] = correction.issued.invoice.id;

    step("8. KOD I relabelled with the KSeF number; UPOs saved");
    std::fs::create_dir_all(dir.join("upo"))?;
    let mut table = Vec::new();
    for id in &ids {
        let inv = store.get(*id).await?;
        let stem = inv.number.replace('/', "-");
        if let Some(n) = &inv.ksef_number {
            write_png(
                dir,
                &format!("{stem}-kod1.png"),
                inv.kod1.as_deref(),
                n,
                images,
            )?;
        }
        if let Some(upo) = store.upo(*id).await? {
            write_file(&dir.join("upo").join(format!("{stem}.xml")), &upo)?;
        }
        table.push(inv);
    }
    println!(
        "   {} KOD I images now carry their KSeF numbers; {} UPOs written to {}",
        table.iter().filter(|i| i.ksef_number.is_some()).count(),
        table.iter().filter(|i| i.has_upo).count(),
        dir.join("upo").display()
    );
    if table
        .iter()
        .any(|i| i.state != InvoiceState::Accepted || !i.has_upo)
    {
        bail!("not every invoice reached KSeF with a UPO");
    }

    step("Summary");
    println!(
        "   {:<16} {:<9} {:<37} {:<5} note",
        "invoice", "state", "KSeF number", "UPO"
    );
    for inv in &table {
        let note = match inv.corrects {
            Some(_) => "technical correction",
            None => "",
        };
        println!(
            "   {:<16} {:<9} {:<37} {:<5} {}",
            inv.number,
            inv.state.as_str(),
            inv.ksef_number.as_deref().unwrap_or("-"),
            if inv.has_upo { "yes" } else { "no" },
            note
        );
    }
    println!(
        "\nDone in {:.1} s. Invoices, QR images (PNG), UPOs and the store are in {}.",
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    println!(
        "Look around: ksef --home {0} --database-url {url} offline list",
        dir.display()
    );
    sim.shutdown().await;
    Ok(Outcome::Ok)
}

/// Creates `dir`, or clears it when a previous demo made it; refuses any other non-empty one.
fn fresh_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            if !dir.join(MARKER).exists() {
                bail!(
                    "{} exists and was not made by `ksef demo`; choose another --dir",
                    dir.display()
                );
            }
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("cannot clear the previous demo in {}", dir.display()))?;
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_file(
        &dir.join(MARKER),
        b"made by ksef demo; cleared by the next run\n",
    )
}

fn end_outage(sim: &ksef_sim::SimHandle, id: &str) {
    sim.state.end_outage(id, Utc::now());
}

fn obligation(o: &ObligationSummary) -> String {
    match o {
        ObligationSummary::Due { due_date, deadline } => format!(
            "by {due_date} ({} Warsaw time)",
            deadline
                .with_timezone(&chrono_tz::Europe::Warsaw)
                .format("%H:%M")
        ),
        ObligationSummary::Pending => "pending: 7 business days after the failure ends".into(),
        ObligationSummary::NotRequired => "not required".into(),
    }
}

fn print_report(r: &TenantReport) {
    println!(
        "   sessions {}: sent {} interactive + {} batch; accepted {}, rejected {}, failed {}; {} UPOs stored",
        r.sessions.len(),
        r.sent_interactive,
        r.sent_batch,
        r.accepted,
        r.rejected,
        r.failed,
        r.upos
    );
    for w in &r.warnings {
        println!("   warning: {w}");
    }
}

fn step(title: &str) {
    println!("\n{title}");
}

fn write_png(
    dir: &Path,
    name: &str,
    link: Option<&str>,
    label: &str,
    images: &QrImage,
) -> anyhow::Result<()> {
    let Some(link) = link else { return Ok(()) };
    let png = images.png(link, Some(label), 5)?;
    write_file(&dir.join(name), &png)
}
