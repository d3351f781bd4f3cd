//! End-to-end tests of the client against the in-process simulator (`ksef-sim`).

use std::time::Duration;

use futures::TryStreamExt;
use ksef_client::batch::{ArchiveFormat, BatchOptions, BatchPackager, PartStorage};
use ksef_client::models::common::{ContextIdentifier, ContextIdentifierType, FormCode};
use ksef_client::{Client, RetryPolicy};
use ksef_core::crypto::{Sha256Hash, SymmetricKey};
use ksef_core::{Environment, EnvironmentUrls};
use secrecy::SecretString;

const NIP: &str = "5265877635";
const SECRET: &str = "test-token-secret";

async fn sim_and_client() -> (ksef_sim::SimHandle, Client) {
    let mut config = ksef_sim::SimConfig::default();
    config
        .tokens
        .push(format!("{NIP}={SECRET}").parse().expect("seed token"));
    let sim = ksef_sim::spawn(config).await.expect("simulator");
    let urls = EnvironmentUrls::new(&sim.api_base, &sim.qr_base, Some(&sim.lighthouse_base));
    let client = Client::builder(Environment::Custom(urls))
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    (sim, client)
}

async fn login(client: &Client) {
    let context = ContextIdentifier {
        kind: ContextIdentifierType::Nip,
        value: NIP.into(),
    };
    client
        .auth()
        .login_with_ksef_token(&context, &SecretString::from(SECRET.to_owned()))
        .await
        .expect("login");
}

fn invoice(i: usize) -> Vec<u8> {
    let date = chrono::Utc::now().date_naive();
    ksef_core::invoice::SampleInvoice::new(
        ksef_core::Nip::parse_unchecked(NIP).expect("NIP"),
        date,
        &format!("FV/{i}/TEST"),
    )
    .to_xml()
}

#[tokio::test]
async fn token_login_refresh_and_online_send_with_upo() {
    let (sim, client) = sim_and_client().await;
    login(&client).await;
    let before = client.auth_tokens().await.expect("tokens");
    let after = client.auth().refresh().await.expect("refresh");
    assert!(after.access.valid_until >= before.access.valid_until);

    let session = client
        .sessions()
        .open_online(FormCode::fa3())
        .await
        .expect("open");
    let xml = invoice(1);
    let sent = client
        .sessions()
        .send_invoice(&session, &xml, &Default::default())
        .await
        .expect("send");
    client
        .sessions()
        .close_online(&session.reference_number)
        .await
        .expect("close");
    let status = client
        .sessions()
        .wait_until_final(&session.reference_number, Duration::from_secs(30))
        .await
        .expect("final");
    assert_eq!(status.status.code, 200, "{:?}", status.status);

    let inv = client
        .sessions()
        .invoice_status(&session.reference_number, &sent.reference_number)
        .await
        .expect("invoice status");
    assert_eq!(inv.invoice_hash, Sha256Hash::of(&xml));
    let listed: Vec<_> = client
        .sessions()
        .invoices(&session.reference_number, Some(10))
        .try_collect()
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    let upo = client
        .sessions()
        .invoice_upo(&session.reference_number, &sent.reference_number)
        .await
        .expect("upo");
    assert!(upo.starts_with(b"<") || upo.starts_with(b"\xEF\xBB\xBF"));
    sim.shutdown().await;
}

#[tokio::test]
async fn three_part_batch_results_match_back_through_the_manifest() {
    let (sim, client) = sim_and_client().await;
    login(&client).await;
    let key = SymmetricKey::generate().expect("key");
    let invoices: Vec<Vec<u8>> = (0..2000).map(invoice).collect();
    let total: usize = invoices.iter().map(Vec::len).sum();
    let opts = BatchOptions::default()
        .format(ArchiveFormat::ZipStored)
        .max_part_size(((total + 400_000) / 3) as u64)
        .storage(PartStorage::TempFiles);
    let mut packager = BatchPackager::new(&key, opts);
    for (i, xml) in invoices.iter().enumerate() {
        packager
            .add_invoice(&format!("fv-{i:04}.xml"), xml)
            .expect("add");
    }
    let batch = packager.finish().expect("finish");
    assert_eq!(batch.parts.len(), 3);
    let reference = client
        .sessions()
        .send_batch(&key, &batch, FormCode::fa3(), false, None)
        .await
        .expect("send batch");
    let status = client
        .sessions()
        .wait_until_final(&reference, Duration::from_secs(120))
        .await
        .expect("final");
    assert_eq!(status.status.code, 200, "{:?}", status.status);
    let results: Vec<_> = client
        .sessions()
        .invoices(&reference, Some(1000))
        .try_collect()
        .await
        .expect("list");
    assert_eq!(results.len(), 2000);
    for r in &results {
        let entry = batch
            .manifest
            .find_by_hash(&r.invoice_hash)
            .next()
            .expect("every result matches a local invoice");
        if let Some(name) = &r.invoice_file_name {
            assert_eq!(name, &entry.file_name);
        }
    }
    sim.shutdown().await;
}
