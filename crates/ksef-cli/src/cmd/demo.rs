//! `ksef demo`: a walk-through of offline invoicing with the domain core.
//!
//! It issues a few offline invoices for a sample seller, checks them as KSeF would, computes their
//! deadlines, makes and verifies KOD I and KOD II, and writes the QR images. Sending to KSeF comes
//! with the simulator, client and engine (see the issues).

use std::path::Path;

use anyhow::Context as _;
use chrono::{Duration, Utc};
use ksef_core::calendar::{self, OfflineMode, Outage, OutageKind};
use ksef_core::crypto::{CertificateRole, PrivateKey, Sha256Hash, self_signed};
use ksef_core::ids::ContextIdentifier;
use ksef_core::invoice::{CheckOptions, InvoiceChecker, SampleInvoice};
use ksef_core::qr::image::QrImage;
use ksef_core::qr::{
    CertificateLink, LABEL_CERTIFICATE, LABEL_OFFLINE, OfflineSigner, invoice_link,
};
use ksef_core::{Environment, Nip};

use super::write_file;
use crate::Outcome;
use crate::args::DemoArgs;

pub fn run(a: DemoArgs) -> anyhow::Result<Outcome> {
    let dir = a.dir.as_path();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let now = Utc::now();
    let today = calendar::warsaw_date(now);
    let seller: Nip = "5265877635".parse()?;
    let context = ContextIdentifier::Nip(seller);
    let qr_base = Environment::Test.urls().qr;

    step("1. The seller's Offline certificate (KOD II is signed with it)");
    let key = PrivateKey::generate_ec_p256()?;
    let cert = self_signed(
        &key,
        &[
            ("CN", "ksef-offline demo - NOT a KSeF certificate"),
            ("serialNumber", "NIP-5265877635"),
        ],
        CertificateRole::Offline,
        now - Duration::hours(1),
        now + Duration::days(365),
    )?;
    write_file(
        &dir.join("offline-certificate.pem"),
        cert.to_pem().as_bytes(),
    )?;
    println!(
        "   EC P-256 key (kept in memory only), certificate {} with key usage nonRepudiation",
        cert.serial()
    );
    let signer = OfflineSigner::new(cert.clone(), key, now)?;

    step("2. Issue three offline invoices (offline24 mode) and check them as KSeF would");
    let checker = InvoiceChecker::new()?;
    let opts = CheckOptions {
        accepted_on: Some(today),
        ..CheckOptions::default()
    };
    let mut rows = Vec::new();
    for i in 1..=3u32 {
        let number = format!("FV/OFF/{i}/{}", today.format("%m/%Y"));
        let xml = SampleInvoice::new(seller, today, &number)
            .with_lines(i * 12)
            .to_xml();
        let file = format!("invoice-{i}.xml");
        write_file(&dir.join(&file), &xml)?;
        let report = checker.check(&xml, &opts);
        anyhow::ensure!(
            report.is_ok(),
            "sample invoice {number} failed its check: {report}"
        );
        let hash = Sha256Hash::of(&xml);
        println!(
            "   {file}: {number}, {} bytes, SHA-256 {hash}: passes XML, FA(3) XSD and NIP rules",
            xml.len()
        );
        rows.push((number, file, xml, hash));
    }

    step("3. A broken invoice is caught before it is ever shown to a buyer");
    let mut broken = SampleInvoice::new(seller, today, "FV/OFF/BAD").to_xml();
    let text = String::from_utf8_lossy(&broken).replace("7762811692", "7762811693");
    broken = text.into_bytes();
    let report = checker.check(&broken, &opts);
    for p in &report.problems {
        println!("   {p}");
    }

    step("4. Deadlines (Europe/Warsaw business days, Polish holidays)");
    let d = calendar::deadline(OfflineMode::Offline24, today, &[])?;
    println!("   offline24, issued {today}: {}", d.obligation);
    let failure = Outage::from_dates(OutageKind::Failure, today, Some(today + Duration::days(2)));
    let d2 = calendar::deadline(OfflineMode::Offline24, today, &[failure])?;
    println!(
        "   if KSeF announced a failure from {today} to {}: {}",
        today + Duration::days(2),
        d2.obligation
    );
    for line in &d2.reasoning {
        println!("     - {line}");
    }

    step("5. KOD I and KOD II for each invoice, images written, KOD II verified");
    let images = QrImage::shared();
    for (number, file, xml, hash) in &rows {
        let fields = checker.inspect(xml).map_err(|r| anyhow::anyhow!("{r}"))?;
        let kod1 = invoice_link(&qr_base, &fields.seller_nip, fields.issue_date, hash);
        let kod2 = signer.certificate_link(&qr_base, &context, &fields.seller_nip, hash)?;
        let stem = file.trim_end_matches(".xml");
        write_png(
            dir,
            &format!("{stem}-kod1.png"),
            &kod1,
            LABEL_OFFLINE,
            images,
        )?;
        write_png(
            dir,
            &format!("{stem}-kod2.png"),
            &kod2.to_url(),
            LABEL_CERTIFICATE,
            images,
        )?;
        let parsed: CertificateLink = kod2.to_url().parse()?;
        parsed.verify(signer.certificate())?;
        println!("   {number}");
        println!("     KOD I : {kod1}");
        println!(
            "     KOD II: {}…  (signature verified)",
            &kod2.to_url()[..100]
        );
    }

    step("Summary");
    println!(
        "   {:<22} {:<12} {:<44} QR images",
        "invoice", "due date", "SHA-256"
    );
    for (number, file, _, hash) in &rows {
        let stem = file.trim_end_matches(".xml");
        println!(
            "   {:<22} {:<12} {:<44} {stem}-kod1.png, {stem}-kod2.png",
            number,
            d.due_date().map(|x| x.to_string()).unwrap_or_default(),
            hash.to_base64()
        );
    }
    println!("\nFiles are in {}.", dir.display());
    Ok(Outcome::Ok)
}

fn step(title: &str) {
    println!("\n{title}");
}

fn write_png(
    dir: &Path,
    name: &str,
    text: &str,
    label: &str,
    images: &QrImage,
) -> anyhow::Result<()> {
    let png = images.png(text, Some(label), 5)?;
    write_file(&dir.join(name), &png)
}
