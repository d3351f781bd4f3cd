//! Sends one invoice, closes the session and downloads its UPOs three ways: by invoice
//! reference, by KSeF number and from the pre-signed `upoDownloadUrl` (hash checked against
//! `x-ms-meta-hash`), plus the session UPO.
//!
//! `cargo run -p ksef-client --example upo_download [OUT_DIR]`

use std::time::Duration;

use ksef_client::Client;
use ksef_client::models::common::{ContextIdentifier, ContextIdentifierType, FormCode};
use ksef_core::invoice::SampleInvoice;
use ksef_core::{Environment, EnvironmentUrls};
use secrecy::SecretString;

const NIP: &str = "5265877635";
const SECRET: &str = "example-token-secret";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = std::env::args().nth(1);
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

    let session = client.sessions().open_online(FormCode::fa3()).await?;
    let xml = SampleInvoice::new(NIP.parse()?, chrono::Utc::now().date_naive(), "FV/1/2026")
        .with_lines(3)
        .to_xml();
    let sent = client
        .sessions()
        .send_invoice(&session, &xml, &Default::default())
        .await?;
    client
        .sessions()
        .close_online(&session.reference_number)
        .await?;
    let status = client
        .sessions()
        .wait_until_final(&session.reference_number, Duration::from_secs(30))
        .await?;
    let invoice = client
        .sessions()
        .invoice_status(&session.reference_number, &sent.reference_number)
        .await?;

    let by_reference = client
        .sessions()
        .invoice_upo(&session.reference_number, &sent.reference_number)
        .await?;
    println!("invoice UPO by reference: {} bytes", by_reference.len());
    if let Some(number) = &invoice.ksef_number {
        let by_number = client
            .sessions()
            .invoice_upo_by_ksef_number(&session.reference_number, number)
            .await?;
        println!(
            "invoice UPO by KSeF number {number}: {} bytes",
            by_number.len()
        );
    }
    if let Some(url) = &invoice.upo_download_url {
        let signed = client.download_upo(url).await?;
        println!(
            "invoice UPO from upoDownloadUrl (hash checked): {} bytes",
            signed.len()
        );
    }
    for page in status.upo.iter().flat_map(|u| &u.pages) {
        let upo = client.download_upo(&page.download_url).await?;
        println!(
            "session UPO page {}: {} bytes",
            page.reference_number,
            upo.len()
        );
        if let Some(dir) = &out_dir {
            let path = std::path::Path::new(dir).join(format!("{}.xml", page.reference_number));
            std::fs::write(&path, &upo)?;
            println!("  written to {}", path.display());
        }
    }
    sim.shutdown().await;
    Ok(())
}
