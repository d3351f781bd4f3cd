//! Sends invoices in interactive sessions against an in-process simulator, then reads their
//! statuses and KSeF numbers. With arguments it measures throughput:
//!
//! `cargo run --release -p ksef-client --example online_send -- [SESSIONS] [INVOICES_PER_SESSION]`
//!
//! Default: 1 session, 5 invoices.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use ksef_client::models::common::{ContextIdentifier, ContextIdentifierType, FormCode};
use ksef_client::{Client, RetryPolicy};
use ksef_core::invoice::SampleInvoice;
use ksef_core::{Environment, EnvironmentUrls};
use secrecy::SecretString;

const NIP: &str = "5265877635";
const SECRET: &str = "example-token-secret";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let sessions: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1);
    let per_session: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5);

    let mut config = ksef_sim::SimConfig::default();
    config.tokens.push(format!("{NIP}={SECRET}").parse()?);
    let sim = ksef_sim::spawn(config).await?;
    let urls = EnvironmentUrls::new(&sim.api_base, &sim.qr_base, Some(&sim.lighthouse_base));
    let client = Client::builder(Environment::Custom(urls))
        .retry(RetryPolicy::default())
        .build()?;
    let context = ContextIdentifier {
        kind: ContextIdentifierType::Nip,
        value: NIP.into(),
    };
    client
        .auth()
        .login_with_ksef_token(&context, &SecretString::from(SECRET.to_owned()))
        .await?;

    // The invoices are made before the clock starts: only sending is measured.
    let seller = NIP.parse()?;
    let today = chrono::Utc::now().date_naive();
    let invoices: Vec<Vec<Vec<u8>>> = (0..sessions)
        .map(|s| {
            (0..per_session)
                .map(|i| SampleInvoice::new(seller, today, &format!("FV/{s}/{i}/2026")).to_xml())
                .collect()
        })
        .collect();
    let mut opened = Vec::new();
    for _ in 0..sessions {
        opened.push(client.sessions().open_online(FormCode::fa3()).await?);
    }

    let start = Instant::now();
    let mut tasks = Vec::new();
    for (session, batch) in opened.iter().cloned().zip(invoices) {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut refs = Vec::with_capacity(batch.len());
            for xml in &batch {
                let sent = client
                    .sessions()
                    .send_invoice(&session, xml, &Default::default())
                    .await?;
                refs.push(sent.reference_number);
            }
            Ok::<_, ksef_client::Error>(refs)
        }));
    }
    let mut sent = 0;
    for t in tasks {
        sent += t.await??.len();
    }
    let elapsed = start.elapsed();
    println!(
        "sent {sent} invoices in {sessions} sessions in {:.3} s: {:.0} invoices/s",
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64()
    );

    for session in &opened {
        client
            .sessions()
            .close_online(&session.reference_number)
            .await?;
        let status = client
            .sessions()
            .wait_until_final(&session.reference_number, Duration::from_secs(60))
            .await?;
        println!(
            "session {}: {} {} ({} invoices, {} accepted)",
            session.reference_number,
            status.status.code,
            status.status.description,
            status.invoice_count.unwrap_or(0),
            status.successful_invoice_count.unwrap_or(0)
        );
    }
    if per_session <= 10 {
        let results: Vec<_> = client
            .sessions()
            .invoices(&opened[0].reference_number, Some(100))
            .try_collect()
            .await?;
        for r in results {
            println!(
                "  #{} {} -> {} {}",
                r.ordinal_number,
                r.invoice_number.unwrap_or_default(),
                r.ksef_number.map(|n| n.to_string()).unwrap_or_default(),
                r.status.code
            );
        }
    }
    sim.shutdown().await;
    Ok(())
}
