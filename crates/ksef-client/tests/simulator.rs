//! End-to-end tests of the client against the in-process simulator (`ksef-sim`), plus a few
//! against a raw TCP server for answers the simulator never gives (malformed bodies, a wrong
//! UPO hash).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use futures::TryStreamExt;
use ksef_client::batch::{ArchiveFormat, BatchOptions, BatchPackager, PartStorage};
use ksef_client::models::certificates::{
    EnrollCertificateRequest, KsefCertificateType, QueryCertificatesRequest,
    RevokeCertificateRequest,
};
use ksef_client::models::common::{ContextIdentifier, ContextIdentifierType, FormCode};
use ksef_client::models::invoices::{
    InvoiceQueryDateRange, InvoiceQueryDateType, InvoiceQueryFilters, InvoiceQuerySubjectType,
};
use ksef_client::models::sessions::{SessionType, SessionsQuery};
use ksef_client::models::tokens::{GenerateTokenRequest, TokenPermissionType, TokensQuery};
use ksef_client::{Client, RetryPolicy};
use ksef_core::crypto::PublicKeyUsage;
use ksef_core::crypto::{Sha256Hash, SymmetricKey};
use ksef_core::invoice::SampleInvoice;
use ksef_core::{Environment, EnvironmentUrls};
use secrecy::SecretString;

const NIP: &str = "5265877635";
const SECRET: &str = "test-token-secret";

async fn sim_and_client() -> (ksef_sim::SimHandle, Client) {
    sim_and_client_with(RetryPolicy::none()).await
}

async fn sim_and_client_with(retry: RetryPolicy) -> (ksef_sim::SimHandle, Client) {
    let mut config = ksef_sim::SimConfig::default();
    config
        .tokens
        .push(format!("{NIP}={SECRET}").parse().expect("seed token"));
    let sim = ksef_sim::spawn(config).await.expect("simulator");
    let urls = EnvironmentUrls::new(&sim.api_base, &sim.qr_base, Some(&sim.lighthouse_base));
    let client = Client::builder(Environment::Custom(urls))
        .retry(retry)
        .build()
        .expect("client");
    (sim, client)
}

/// POST a JSON body to a `/sim/...` control endpoint.
async fn control(
    sim: &ksef_sim::SimHandle,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let resp = reqwest::Client::new()
        .post(format!("{}{path}", sim.control_base))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap_or(serde_json::Value::Null)
}

async fn sim_state(sim: &ksef_sim::SimHandle) -> serde_json::Value {
    reqwest::get(format!("{}/state", sim.control_base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A policy that retries quickly and deterministically.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(20)
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(50))
        .jitter(false)
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
    SampleInvoice::new(
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

#[tokio::test]
async fn key_rotation_gives_21470_and_both_login_and_session_open_retry_transparently() {
    let (sim, client) = sim_and_client().await;
    // Fill the cache with the keys of before the rotation.
    let old_token_key = client
        .public_key(PublicKeyUsage::KsefTokenEncryption, false)
        .await
        .unwrap();
    let old_session_key = client
        .public_key(PublicKeyUsage::SymmetricKeyEncryption, false)
        .await
        .unwrap();
    let rotated = control(&sim, "/rotate-keys", serde_json::json!({})).await;
    let withdrawn: Vec<String> = serde_json::from_value(rotated["withdrawn"].clone()).unwrap();
    assert!(withdrawn.contains(&old_token_key.public_key_id.to_base64()));
    assert!(withdrawn.contains(&old_session_key.public_key_id.to_base64()));

    // The login encrypts with the withdrawn key, gets 21470, fetches the keys, repeats.
    login(&client).await;
    let new_token_key = client
        .public_key(PublicKeyUsage::KsefTokenEncryption, false)
        .await
        .unwrap();
    assert_ne!(new_token_key.public_key_id, old_token_key.public_key_id);

    // Again for sessions: rotate once more, with the cache holding the keys of the login.
    let cached_session_key = client
        .public_key(PublicKeyUsage::SymmetricKeyEncryption, false)
        .await
        .unwrap();
    assert_ne!(
        cached_session_key.public_key_id,
        old_session_key.public_key_id
    );
    control(&sim, "/rotate-keys", serde_json::json!({})).await;
    let session = client
        .sessions()
        .open_online(FormCode::fa3())
        .await
        .expect("open after rotation");
    let new_session_key = client
        .public_key(PublicKeyUsage::SymmetricKeyEncryption, false)
        .await
        .unwrap();
    assert_ne!(
        new_session_key.public_key_id,
        cached_session_key.public_key_id
    );
    client
        .sessions()
        .send_invoice(&session, &invoice(1), &Default::default())
        .await
        .expect("send with the new session key");

    let stale = client
        .fetch_public_keys()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.usage.contains(&PublicKeyUsage::KsefTokenEncryption))
        .unwrap();
    control(&sim, "/rotate-keys", serde_json::json!({})).await;
    let challenge = client.auth().challenge().await.unwrap();
    // What the client met behind the scenes: the withdrawn id is answered with 21470.
    let err = reqwest::Client::new()
        .post(format!("{}/auth/ksef-token", sim.api_base))
        .json(&serde_json::json!({
            "challenge": challenge.challenge,
            "contextIdentifier": {"type": "Nip", "value": NIP},
            "encryptedToken": "AAAA",
            "publicKeyId": stale.public_key_id.to_base64(),
        }))
        .send()
        .await
        .unwrap();
    let status = err.status().as_u16();
    let body = err.bytes().await.unwrap();
    let api = ksef_client::ApiError::from_body(status, "POST", "/auth/ksef-token", None, &body);
    assert!(api.has_code(ksef_client::UNKNOWN_KEY), "{api}");
    sim.shutdown().await;
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after_even_for_sends() {
    let (sim, client) = sim_and_client_with(quick_retries()).await;
    login(&client).await;
    let session = client
        .sessions()
        .open_online(FormCode::fa3())
        .await
        .unwrap();

    // The simulator's burst answers 429 with `Retry-After: 1`.
    control(
        &sim,
        "/faults",
        serde_json::json!({"tooManyRequestsBurst": 1}),
    )
    .await;
    let start = std::time::Instant::now();
    client
        .sessions()
        .status(&session.reference_number)
        .await
        .unwrap();
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(950),
        "waited only {waited:?}"
    );

    // 429 means "not processed", so even an invoice send is repeated after the wait.
    control(
        &sim,
        "/faults",
        serde_json::json!({"tooManyRequestsBurst": 1}),
    )
    .await;
    let start = std::time::Instant::now();
    client
        .sessions()
        .send_invoice(&session, &invoice(1), &Default::default())
        .await
        .unwrap();
    assert!(start.elapsed() >= Duration::from_millis(950));

    // Without retries the error carries the wait.
    let (sim2, strict) = sim_and_client().await;
    control(
        &sim2,
        "/faults",
        serde_json::json!({"tooManyRequestsBurst": 1}),
    )
    .await;
    let e = strict.auth().challenge().await.unwrap_err();
    assert_eq!(e.status(), Some(429));
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
    sim.shutdown().await;
    sim2.shutdown().await;
}

/// Sets the 5xx rate to 1 now and back to 0 after `ms`.
async fn fail_for(sim: &ksef_sim::SimHandle, ms: u64) -> tokio::task::JoinHandle<()> {
    control(sim, "/faults", serde_json::json!({"error5xxRate": 1.0})).await;
    let url = format!("{}/faults", sim.control_base);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        reqwest::Client::new()
            .post(url)
            .json(&serde_json::json!({"error5xxRate": 0.0}))
            .send()
            .await
            .unwrap();
    })
}

#[tokio::test]
async fn server_errors_are_retried_for_reads_and_never_for_invoice_sends() {
    let (sim, client) = sim_and_client_with(quick_retries()).await;
    login(&client).await;
    let session = client
        .sessions()
        .open_online(FormCode::fa3())
        .await
        .unwrap();

    // A GET goes through 500s until the fault is lifted.
    let lift = fail_for(&sim, 300).await;
    let start = std::time::Instant::now();
    let s = client
        .sessions()
        .status(&session.reference_number)
        .await
        .unwrap();
    assert!(start.elapsed() >= Duration::from_millis(250));
    assert_eq!(s.status.code, 100);
    lift.await.unwrap();

    // The same policy gives up at once on a send: the 500 goes to the caller.
    let lift = fail_for(&sim, 300).await;
    let start = std::time::Instant::now();
    let e = client
        .sessions()
        .send_invoice(&session, &invoice(2), &Default::default())
        .await
        .unwrap_err();
    assert!(
        start.elapsed() < Duration::from_millis(250),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(e.status(), Some(500));
    assert!(
        e.is_retryable(),
        "retryable in principle, but not repeated blindly"
    );
    lift.await.unwrap();
    assert_eq!(
        sim_state(&sim).await["invoices"].as_array().unwrap().len(),
        0
    );

    // A response lost after KSeF accepted: a transport error, not repeated, and the invoice is
    // registered — the caller must look it up by hash before sending again.
    control(
        &sim,
        "/faults",
        serde_json::json!({"dropResponsesAfterAccept": 1}),
    )
    .await;
    let xml = invoice(3);
    let e = client
        .sessions()
        .send_invoice(&session, &xml, &Default::default())
        .await
        .unwrap_err();
    assert!(matches!(e, ksef_client::Error::Transport { .. }), "{e}");
    let state = sim_state(&sim).await;
    let invoices = state["invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0]["invoiceHash"], Sha256Hash::of(&xml).to_base64());
    sim.shutdown().await;
}

#[tokio::test]
async fn every_public_method_once() {
    let (sim, client) = sim_and_client().await;
    let context = ContextIdentifier {
        kind: ContextIdentifierType::Nip,
        value: NIP.into(),
    };
    let secret = SecretString::from(SECRET.to_owned());

    // Authentication, step by step.
    let challenge = client.auth().challenge().await.unwrap();
    assert!(challenge.timestamp_ms > 0);
    let started = client
        .auth()
        .start_ksef_token(&challenge, &context, &secret)
        .await
        .unwrap();
    let op = SecretString::from(started.authentication_token.token.clone());
    let _ = client
        .auth()
        .status(&started.reference_number, &op)
        .await
        .unwrap();
    client
        .auth()
        .wait_until_authenticated(&started.reference_number, &op, Duration::from_secs(10))
        .await
        .unwrap();
    let tokens = client.auth().redeem(&op).await.unwrap();
    client.set_tokens(tokens.clone()).await;
    assert!(client.auth_tokens().await.is_some());
    assert!(client.urls().api.starts_with("http://127.0.0.1"));
    assert_eq!(client.fetch_public_keys().await.unwrap().len(), 2);

    // Limits and Lighthouse.
    client.limits().context().await.unwrap();
    client.limits().rate_limits().await.unwrap();
    let e = client.limits().subject().await.unwrap_err();
    assert_eq!(
        e.status(),
        Some(404),
        "the simulator has no /limits/subject: {e}"
    );
    client.lighthouse().status().await.unwrap();
    client.lighthouse().messages().await.unwrap();

    // KSeF tokens.
    let generated = client
        .tokens()
        .generate(&GenerateTokenRequest {
            permissions: vec![TokenPermissionType::InvoiceWrite],
            description: "client test token".into(),
        })
        .await
        .unwrap();
    client
        .tokens()
        .status(&generated.reference_number)
        .await
        .unwrap();
    let listed: Vec<_> = client
        .tokens()
        .list(TokensQuery::default())
        .try_collect()
        .await
        .unwrap();
    assert!(
        listed
            .iter()
            .any(|t| t.reference_number == generated.reference_number)
    );
    client
        .tokens()
        .revoke(&generated.reference_number)
        .await
        .unwrap();

    // Certificates: the simulator implements none of /certificates/*; each call must come back
    // as the typed 404 API error, not a decode or transport error.
    let certs = client.certificates();
    let not_implemented = |r: Result<(), ksef_client::Error>| {
        let e = r.unwrap_err();
        assert_eq!(e.status(), Some(404), "{e}");
    };
    not_implemented(certs.limits().await.map(|_| ()));
    not_implemented(certs.enrollment_data().await.map(|_| ()));
    not_implemented(
        certs
            .enroll(&EnrollCertificateRequest {
                certificate_name: "test".into(),
                certificate_type: KsefCertificateType::Offline,
                csr: "AAAA".into(),
                valid_from: None,
            })
            .await
            .map(|_| ()),
    );
    let some_ref = generated.reference_number.clone();
    not_implemented(certs.enrollment_status(&some_ref).await.map(|_| ()));
    not_implemented(certs.retrieve(vec!["01".into()]).await.map(|_| ()));
    not_implemented(
        certs
            .query(QueryCertificatesRequest::default(), Some(10))
            .try_collect::<Vec<_>>()
            .await
            .map(|_| ()),
    );
    not_implemented(
        certs
            .revoke("01", &RevokeCertificateRequest::default())
            .await,
    );

    // An interactive session: one good invoice, one the simulator rejects.
    let session = client
        .sessions()
        .open_online(FormCode::fa3())
        .await
        .unwrap();
    let xml = invoice(1);
    let sent = client
        .sessions()
        .send_invoice(&session, &xml, &Default::default())
        .await
        .unwrap();
    let bad = client
        .sessions()
        .send_invoice(
            &session,
            b"<Faktura>not FA(3)</Faktura>",
            &Default::default(),
        )
        .await;
    client
        .sessions()
        .close_online(&session.reference_number)
        .await
        .unwrap();
    let status = client
        .sessions()
        .wait_until_final(&session.reference_number, Duration::from_secs(30))
        .await
        .unwrap();
    let failed: Vec<_> = client
        .sessions()
        .failed_invoices(&session.reference_number, Some(10))
        .try_collect()
        .await
        .unwrap();
    if bad.is_ok() {
        assert_eq!(failed.len(), 1, "the bad invoice is listed as failed");
    } else {
        assert!(failed.is_empty());
    }
    let inv = client
        .sessions()
        .invoice_status(&session.reference_number, &sent.reference_number)
        .await
        .unwrap();
    let number = inv.ksef_number.expect("a KSeF number");
    let upo = client
        .sessions()
        .invoice_upo_by_ksef_number(&session.reference_number, &number)
        .await
        .unwrap();
    assert!(!upo.is_empty());
    let page = &status.upo.as_ref().expect("session UPO").pages[0];
    let session_upo = client
        .sessions()
        .session_upo(&session.reference_number, &page.reference_number)
        .await
        .unwrap();
    assert_eq!(
        client.download_upo(&page.download_url).await.unwrap(),
        session_upo
    );

    // Invoices: download by number, find by hash in the metadata.
    let downloaded = client.invoices().get(&number).await.unwrap();
    assert_eq!(downloaded.as_ref(), xml.as_slice());
    let filters = InvoiceQueryFilters {
        subject_type: InvoiceQuerySubjectType::Subject1,
        date_range: InvoiceQueryDateRange {
            date_type: InvoiceQueryDateType::Invoicing,
            from: (chrono::Utc::now() - chrono::Duration::days(1)).fixed_offset(),
            to: None,
            restrict_to_permanent_storage_hwm_date: None,
        },
        ksef_number: None,
        invoice_number: None,
        amount: None,
        seller_nip: None,
        buyer_identifier: None,
        currency_codes: None,
        invoicing_mode: None,
        is_self_invoicing: None,
        form_type: None,
        invoice_types: None,
        has_attachment: None,
    };
    let page_one = client
        .invoices()
        .query_metadata_page(&filters, &Default::default())
        .await
        .unwrap();
    assert!(!page_one.invoices.is_empty());
    let hash = Sha256Hash::of(&xml);
    let found = client
        .invoices()
        .query_metadata(filters, Some(10))
        .try_filter(|m| std::future::ready(m.invoice_hash == hash))
        .try_next()
        .await
        .unwrap();
    assert_eq!(found.expect("found by hash").ksef_number, number);

    // A batch session by hand: open, upload, close, session UPO.
    let key = SymmetricKey::generate().unwrap();
    let mut packager =
        BatchPackager::new(&key, BatchOptions::default().storage(PartStorage::Memory));
    for i in 0..3 {
        packager
            .add_invoice(&format!("b-{i}.xml"), &invoice(100 + i))
            .unwrap();
    }
    let batch = packager.finish().unwrap();
    let bs = client
        .sessions()
        .open_batch(&key, &batch, FormCode::fa3(), false)
        .await
        .unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    client
        .upload_parts(
            &batch,
            &bs.targets,
            Some(std::sync::Arc::new(move |p| sink.lock().unwrap().push(p))),
        )
        .await
        .unwrap();
    let last = *seen.lock().unwrap().last().unwrap();
    assert_eq!(
        (last.parts_done, last.bytes_sent),
        (1, batch.encrypted_size())
    );
    client
        .sessions()
        .close_batch(&bs.reference_number)
        .await
        .unwrap();
    let bstatus = client
        .sessions()
        .wait_until_final(&bs.reference_number, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(bstatus.status.code, 200, "{:?}", bstatus.status);
    let bpage = &bstatus.upo.as_ref().expect("batch UPO").pages[0];
    client
        .sessions()
        .session_upo(&bs.reference_number, &bpage.reference_number)
        .await
        .unwrap();

    // Sessions list, both types.
    for kind in [SessionType::Online, SessionType::Batch] {
        let all: Vec<_> = client
            .sessions()
            .list(SessionsQuery::new(kind))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 1);
    }
    let _ = client.take_system_warnings();

    client.auth().logout().await.unwrap();
    assert!(client.auth_tokens().await.is_none());
    client.clear_tokens().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn upo_hashes_are_checked_against_the_header() {
    let (sim, client) = sim_and_client().await;
    login(&client).await;
    let session = client
        .sessions()
        .open_online(FormCode::fa3())
        .await
        .unwrap();
    let sent = client
        .sessions()
        .send_invoice(&session, &invoice(1), &Default::default())
        .await
        .unwrap();
    client
        .sessions()
        .close_online(&session.reference_number)
        .await
        .unwrap();
    client
        .sessions()
        .wait_until_final(&session.reference_number, Duration::from_secs(30))
        .await
        .unwrap();
    let inv = client
        .sessions()
        .invoice_status(&session.reference_number, &sent.reference_number)
        .await
        .unwrap();
    let url = inv.upo_download_url.expect("upoDownloadUrl");
    // The simulator announces the hash; the client accepted the body, so they agree.
    let raw = reqwest::get(&url).await.unwrap();
    let announced = raw.headers()["x-ms-meta-hash"].to_str().unwrap().to_owned();
    let body = raw.bytes().await.unwrap();
    assert_eq!(announced, Sha256Hash::of(&body).to_base64());
    let upo = client.download_upo(&url).await.unwrap();
    assert_eq!(upo, body);

    // A server announcing another hash: the download fails with HashMismatch.
    let base = fixed_server(
        "200 OK",
        &[
            ("x-ms-meta-hash", &Sha256Hash::of(b"other").to_base64()),
            ("content-type", "application/xml"),
        ],
        b"<UPO/>",
    )
    .await;
    let e = client
        .download_upo(&format!("{base}/upo/1?sig=x"))
        .await
        .unwrap_err();
    match e {
        ksef_client::Error::HashMismatch {
            expected, actual, ..
        } => {
            assert_eq!(expected, Sha256Hash::of(b"other").to_base64());
            assert_eq!(actual, Sha256Hash::of(b"<UPO/>").to_base64());
        }
        other => panic!("{other}"),
    }
    sim.shutdown().await;
}

/// A raw TCP server answering every request with the same status, headers and body.
async fn fixed_server(status: &str, headers: &[(&str, &str)], body: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut head = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut answer = head.into_bytes();
    answer.extend_from_slice(body);
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let mut seen = Vec::new();
                // Read until the end of the headers, then the declared body.
                loop {
                    let n = sock.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        let text = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
                        let len: usize = text
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let _ = sock.write_all(&answer).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

fn client_for(base: &str) -> Client {
    let urls = EnvironmentUrls::new(
        &format!("{base}/v2"),
        &format!("{base}/qr"),
        Some(&format!("{base}/lighthouse")),
    );
    Client::builder(Environment::Custom(urls))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn malformed_answers_give_a_decode_error_naming_the_field() {
    let base = fixed_server(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"challenge":"20250514-CR-0000000000-0000000000-00","timestamp":"2025-05-14T10:00:00+00:00","timestampMs":"soon","clientIp":"127.0.0.1"}"#,
    )
    .await;
    match client_for(&base).auth().challenge().await.unwrap_err() {
        ksef_client::Error::Decode {
            endpoint,
            field,
            message,
        } => {
            assert_eq!(endpoint, "POST /auth/challenge");
            assert_eq!(field, "timestampMs");
            assert!(message.contains("invalid type"), "{message}");
        }
        other => panic!("{other}"),
    }

    // Deeper: an item of the public-key list without its certificate.
    let base = fixed_server(
        "200 OK",
        &[("content-type", "application/json")],
        br#"[{"certificateId":"x","publicKeyId":"y","validFrom":"2025-01-01T00:00:00Z","validTo":"2030-01-01T00:00:00Z","usage":["KsefTokenEncryption"]}]"#,
    )
    .await;
    match client_for(&base).fetch_public_keys().await.unwrap_err() {
        ksef_client::Error::Decode { field, message, .. } => {
            assert_eq!(field, "[0]");
            assert!(message.contains("certificate"), "{message}");
        }
        other => panic!("{other}"),
    }

    // Not JSON at all on a success status.
    let base = fixed_server(
        "200 OK",
        &[("content-type", "text/html")],
        b"<html>proxy</html>",
    )
    .await;
    let e = client_for(&base).lighthouse().status().await.unwrap_err();
    assert!(matches!(e, ksef_client::Error::Decode { .. }), "{e}");

    // An error status with a body that is no known error shape keeps the raw body.
    let base = fixed_server("502 Bad Gateway", &[], b"<html>bad gateway</html>").await;
    let e = client_for(&base).auth().challenge().await.unwrap_err();
    assert_eq!(e.status(), Some(502));
    assert_eq!(
        e.api().unwrap().body.as_deref(),
        Some("<html>bad gateway</html>")
    );
}
