//! Prepares a batch package (ZIP, split into parts, encrypted, hashed), sends it to an
//! in-process simulator with a progress bar, and matches every result back to the local invoice
//! through the manifest.
//!
//! `cargo run --release -p ksef-client --example batch_send -- [INVOICES] [MAX_PART_BYTES]`
//!
//! Default: 500 invoices in parts of at most 1 MB.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use ksef_client::Client;
use ksef_client::batch::{ArchiveFormat, BatchOptions, BatchPackager, UploadProgress};
use ksef_client::models::common::{ContextIdentifier, ContextIdentifierType, FormCode};
use ksef_core::crypto::SymmetricKey;
use ksef_core::invoice::SampleInvoice;
use ksef_core::{Environment, EnvironmentUrls};
use secrecy::SecretString;

const NIP: &str = "5265877635";
const SECRET: &str = "example-token-secret";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(500);
    let max_part: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);

    let mut config = ksef_sim::SimConfig::default();
    config.tokens.push(format!("{NIP}={SECRET}").parse()?);
    let sim = ksef_sim::spawn(config).await?;
    let urls = EnvironmentUrls::new(&sim.api_base, &sim.qr_base, Some(&sim.lighthouse_base));
    let client = Client::new(Environment::Custom(urls))?;
    let context = ContextIdentifier {
        kind: ContextIdentifierType::Nip,
        value: NIP.into(),
    };
    client
        .auth()
        .login_with_ksef_token(&context, &SecretString::from(SECRET.to_owned()))
        .await?;

    // Prepare: one streaming pass, parts in temporary files.
    let seller = NIP.parse()?;
    let today = chrono::Utc::now().date_naive();
    let key = SymmetricKey::generate()?;
    let start = Instant::now();
    let mut packager = BatchPackager::new(
        &key,
        BatchOptions::default()
            .format(ArchiveFormat::ZipDeflate(1))
            .max_part_size(max_part),
    );
    for i in 0..count {
        let xml = SampleInvoice::new(seller, today, &format!("FV/B/{i}/2026"))
            .with_lines(5)
            .to_xml();
        packager.add_invoice(&format!("fv-{i:06}.xml"), &xml)?;
    }
    let batch = packager.finish()?;
    println!(
        "prepared {count} invoices: package {} bytes, {} parts, {} bytes encrypted, in {:.2} s",
        batch.package_size,
        batch.parts.len(),
        batch.encrypted_size(),
        start.elapsed().as_secs_f64()
    );

    // Send with a progress line.
    let progress = Arc::new(|p: UploadProgress| {
        if p.parts_done > 0 {
            eprintln!(
                "  uploaded {}/{} parts, {}/{} bytes",
                p.parts_done, p.parts_total, p.bytes_sent, p.bytes_total
            );
        }
    });
    let reference = client
        .sessions()
        .send_batch(&key, &batch, FormCode::fa3(), false, Some(progress))
        .await?;
    let status = client
        .sessions()
        .wait_until_final(&reference, Duration::from_secs(300))
        .await?;
    println!(
        "session {reference}: {} {}",
        status.status.code, status.status.description
    );

    // Match every result back to a local invoice.
    let mut matched = 0;
    let mut failed = 0;
    let mut results = client.sessions().invoices(&reference, Some(1000));
    while let Some(r) = results.try_next().await? {
        let local = batch.manifest.find_by_hash(&r.invoice_hash).next();
        match (local, r.ksef_number) {
            (Some(_), Some(_)) => matched += 1,
            (Some(entry), None) => {
                failed += 1;
                eprintln!(
                    "  {}: {} {}",
                    entry.file_name, r.status.code, r.status.description
                );
            }
            (None, _) => eprintln!("  result {} matches no local invoice", r.reference_number),
        }
    }
    println!("{matched} invoices got a KSeF number, {failed} failed");
    sim.shutdown().await;
    Ok(())
}
