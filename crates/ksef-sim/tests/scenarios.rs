//! Scenario tests against a spawned simulator over HTTP.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use common::*;
use ksef_core::KsefNumber;
use ksef_core::crypto::{
    CertificateRole, PrivateKey, PublicKeyUsage, Sha256Hash, SymmetricKey, self_signed,
};
use ksef_core::ids::ContextIdentifier;
use ksef_core::qr::OfflineSigner;
use serde_json::{Value, json};

#[tokio::test]
async fn token_auth_flow_and_failures() {
    let ctx = start().await;
    let api = ctx.api().to_owned();
    // A second redeem is refused once tokens were issued.
    let op = start_auth(&ctx.http, &api, NIP, SECRET).await;
    let t = op["authenticationToken"]["token"].as_str().unwrap();
    let first = ctx
        .http
        .post(format!("{api}/auth/token/redeem"))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let tokens: Value = first.json().await.unwrap();
    let again = ctx
        .http
        .post(format!("{api}/auth/token/redeem"))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
    assert_eq!(codes(&again.json().await.unwrap()), vec![21301]);
    // Refresh gives a new access token that works.
    let refresh = tokens["refreshToken"]["token"].as_str().unwrap();
    let r: Value = ctx
        .http
        .post(format!("{api}/auth/token/refresh"))
        .bearer_auth(refresh)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = r["accessToken"]["token"].as_str().unwrap();
    let s = ctx
        .http
        .get(format!("{api}/sessions?sessionType=Online"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(s.status(), 200);
    // A wrong token ends in status 450; redeem is then refused.
    let bad = start_auth(&ctx.http, &api, NIP, "not-the-token").await;
    let bt = bad["authenticationToken"]["token"].as_str().unwrap();
    let st: Value = ctx
        .http
        .get(format!(
            "{api}/auth/{}",
            bad["referenceNumber"].as_str().unwrap()
        ))
        .bearer_auth(bt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(st["status"]["code"], 450, "{st}");
    let red = ctx
        .http
        .post(format!("{api}/auth/token/redeem"))
        .bearer_auth(bt)
        .send()
        .await
        .unwrap();
    assert_eq!(red.status(), 400);
    // No bearer: 401 problem details.
    let none = ctx
        .http
        .get(format!("{api}/sessions?sessionType=Online"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["content-type"], "application/problem+json");
    let body: Value = none.json().await.unwrap();
    assert_eq!(body["status"], 401);
    // An unknown challenge: 21111.
    let (cert, _) = public_key(&ctx.http, &api, PublicKeyUsage::KsefTokenEncryption).await;
    let enc = ksef_core::crypto::wrap_with_certificate(&cert, b"x|1").unwrap();
    let r = ctx
        .http
        .post(format!("{api}/auth/ksef-token"))
        .json(&json!({
            "challenge": "20250514-CR-226FB7B000-3ACF9BE4C0-10",
            "contextIdentifier": {"type": "Nip", "value": NIP},
            "encryptedToken": STANDARD.encode(enc),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(codes(&r.json().await.unwrap()), vec![21111]);
}

#[tokio::test]
async fn online_send_gives_ksef_number_and_valid_upo() {
    let ctx = start().await;
    let (session, key) = ctx.open_online().await;
    let xml = sample(NIP, today(), "FV/ONLINE/1").with_lines(40).to_xml();
    assert!(xml.len() > 9_000, "{}", xml.len());
    let inv = ctx.send(&session, &key, &xml, false, None).await;
    let st = ctx.invoice_status(&session, &inv).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    assert_eq!(st["invoicingMode"], "Online");
    let number: KsefNumber = st["ksefNumber"].as_str().unwrap().parse().unwrap();
    assert_eq!(number.seller_nip().as_str(), NIP);
    // UPO by reference, by KSeF number and by the link without a token.
    let upo = ctx
        .http
        .get(format!(
            "{}/sessions/{session}/invoices/{inv}/upo",
            ctx.api()
        ))
        .bearer_auth(&ctx.access)
        .send()
        .await
        .unwrap();
    assert_eq!(upo.status(), 200);
    let hash = upo.headers()["x-ms-meta-hash"].to_str().unwrap().to_owned();
    let text = upo.text().await.unwrap();
    assert_eq!(Sha256Hash::of(text.as_bytes()).to_base64(), hash);
    validate_upo(&text);
    assert!(text.contains(number.as_str()));
    let by_ksef = ctx
        .http
        .get(format!(
            "{}/sessions/{session}/invoices/ksef/{number}/upo",
            ctx.api()
        ))
        .bearer_auth(&ctx.access)
        .send()
        .await
        .unwrap();
    assert_eq!(by_ksef.status(), 200);
    let link = st["upoDownloadUrl"].as_str().unwrap();
    let direct = ctx.http.get(link).send().await.unwrap();
    assert_eq!(direct.status(), 200);
    assert_eq!(direct.text().await.unwrap(), text);
    // The invoice itself, and metadata by hash.
    let (s, _) = (
        ctx.http
            .get(format!("{}/invoices/ksef/{number}", ctx.api()))
            .bearer_auth(&ctx.access)
            .send()
            .await
            .unwrap()
            .status(),
        (),
    );
    assert_eq!(s, 200);
    let from = (chrono::Utc::now() - Duration::days(1)).to_rfc3339();
    let meta: Value = ctx.http.post(format!("{}/invoices/query/metadata?pageSize=10", ctx.api())).bearer_auth(&ctx.access)
        .json(&json!({"subjectType": "Subject1", "dateRange": {"dateType": "Invoicing", "from": from}}))
        .send().await.unwrap().json().await.unwrap();
    let h = Sha256Hash::of(&xml).to_base64();
    assert!(
        meta["invoices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["invoiceHash"] == h.as_str()),
        "{meta}"
    );
    // Close: session 200 with a session UPO page that validates.
    let c = ctx
        .http
        .post(format!("{}/sessions/online/{session}/close", ctx.api()))
        .bearer_auth(&ctx.access)
        .send()
        .await
        .unwrap();
    assert_eq!(c.status(), 204);
    let (_, s) = ctx.get(&format!("/sessions/{session}")).await;
    assert_eq!(s["status"]["code"], 200, "{s}");
    let page_url = s["upo"]["pages"][0]["downloadUrl"].as_str().unwrap();
    let page = ctx
        .http
        .get(page_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    validate_upo(&page);
    // KOD I page.
    let kod1 = ksef_core::qr::invoice_link(
        &ctx.sim.qr_base,
        &number.seller_nip(),
        today(),
        &Sha256Hash::of(&xml),
    );
    let v: Value = ctx
        .http
        .get(kod1)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["result"], "FOUND", "{v}");
}

#[tokio::test]
async fn duplicate_is_440_with_original_in_extensions() {
    let ctx = start().await;
    let (session, key) = ctx.open_online().await;
    let xml = sample(NIP, today(), "FV/DUP/1").to_xml();
    let first = ctx.send(&session, &key, &xml, false, None).await;
    let original = ctx.invoice_status(&session, &first).await;
    let again = sample(NIP, today(), "FV/DUP/1")
        .with_note("other bytes")
        .to_xml();
    let second = ctx.send(&session, &key, &again, false, None).await;
    let st = ctx.invoice_status(&session, &second).await;
    assert_eq!(st["status"]["code"], 440, "{st}");
    assert_eq!(
        st["status"]["extensions"]["originalKsefNumber"],
        original["ksefNumber"]
    );
    assert_eq!(
        st["status"]["extensions"]["originalSessionReferenceNumber"],
        session.as_str()
    );
    assert_eq!(st["invoiceNumber"], "FV/DUP/1");
    let (_, failed) = ctx
        .get(&format!("/sessions/{session}/invoices/failed"))
        .await;
    assert_eq!(failed["invoices"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn future_issue_date_is_450_and_past_is_offline() {
    let ctx = start().await;
    let (session, key) = ctx.open_online().await;
    let future = sample(NIP, today() + Duration::days(2), "FV/FUT/1").to_xml();
    let inv = ctx.send(&session, &key, &future, false, None).await;
    assert_eq!(
        ctx.invoice_status(&session, &inv).await["status"]["code"],
        450
    );
    let past = sample(NIP, today() - Duration::days(1), "FV/PAST/1").to_xml();
    let inv = ctx.send(&session, &key, &past, false, None).await;
    let st = ctx.invoice_status(&session, &inv).await;
    assert_eq!(st["status"]["code"], 200);
    assert_eq!(st["invoicingMode"], "Offline");
    // Another seller without a grant: 410.
    let foreign = sample("7762811692", today(), "FV/FOREIGN/1").to_xml();
    let inv = ctx.send(&session, &key, &foreign, false, None).await;
    assert_eq!(
        ctx.invoice_status(&session, &inv).await["status"]["code"],
        410
    );
    // Attachments only in batch: 415.
    let att = sample(NIP, today(), "FV/ATT/1").with_attachment().to_xml();
    let inv = ctx.send(&session, &key, &att, false, None).await;
    assert_eq!(
        ctx.invoice_status(&session, &inv).await["status"]["code"],
        415
    );
}

#[tokio::test]
async fn technical_correction_then_21166_and_21167() {
    let ctx = start().await;
    let (session, key) = ctx.open_online().await;
    // An offline invoice rejected for a technical reason (not FA(3)-valid: no P_2).
    let good = sample(NIP, today(), "FV/TK/1").to_xml();
    let broken = String::from_utf8(good.clone())
        .unwrap()
        .replace("<P_2>FV/TK/1</P_2>", "");
    let broken = broken.into_bytes();
    let inv = ctx.send(&session, &key, &broken, true, None).await;
    assert_eq!(
        ctx.invoice_status(&session, &inv).await["status"]["code"],
        430
    );
    let original_hash = Sha256Hash::of(&broken);
    // Correction must declare offlineMode.
    let r = ctx
        .send_raw(
            &session,
            &ctx_body(&key, &good, false, Some(&original_hash)),
        )
        .await;
    assert_eq!(r.status(), 400);
    let fixed = ctx
        .send(&session, &key, &good, true, Some(&original_hash))
        .await;
    let st = ctx.invoice_status(&session, &fixed).await;
    assert_eq!(st["status"]["code"], 200, "{st}");
    assert_eq!(st["invoicingMode"], "Offline");
    // A second correction of the same original: 21166.
    let second = sample(NIP, today(), "FV/TK/1").with_note("again").to_xml();
    let r = ctx
        .send_raw(
            &session,
            &ctx_body(&key, &second, true, Some(&original_hash)),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(codes(&r.json().await.unwrap()), vec![21166]);
    // A correction of an accepted invoice: 21167.
    let r = ctx
        .send_raw(
            &session,
            &ctx_body(&key, &second, true, Some(&Sha256Hash::of(&good))),
        )
        .await;
    assert_eq!(codes(&r.json().await.unwrap()), vec![21167]);
    // KOD I of the original points to the correction.
    let url = ksef_core::qr::invoice_link(
        &ctx.sim.qr_base,
        &NIP.parse().unwrap(),
        today(),
        &original_hash,
    );
    let v: Value = ctx
        .http
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["result"], "TECHNICALLY_CORRECTED", "{v}");
    assert_eq!(v["invoice"]["ksefNumber"], st["ksefNumber"]);
}

fn ctx_body(
    key: &SymmetricKey,
    xml: &[u8],
    offline: bool,
    corrected: Option<&Sha256Hash>,
) -> Value {
    Ctx::send_body(key, xml, offline, corrected)
}

#[tokio::test]
async fn expired_session_refuses_sends() {
    let mut cfg = config();
    cfg.fixed_time = Some(chrono::Utc::now());
    let ctx = start_with(cfg).await;
    let (session, key) = ctx.open_online().await;
    ctx.sim.state.clock().advance(Duration::hours(13));
    let mut ctx = ctx;
    ctx.access = authenticate(&ctx.http, &ctx.sim.api_base, NIP, SECRET).await;
    let xml = sample(NIP, today(), "FV/EXP/1").to_xml();
    let r = ctx
        .send_raw(&session, &Ctx::send_body(&key, &xml, false, None))
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(codes(&r.json().await.unwrap()), vec![21180]);
    let (_, s) = ctx.get(&format!("/sessions/{session}")).await;
    assert_eq!(s["status"]["code"], 440, "{s}");
}

#[tokio::test]
async fn rate_limit_gives_429_with_retry_after() {
    let ctx = start().await;
    assert_eq!(
        ctx.control("/rate-limits", json!({"profile": "production"}))
            .await
            .status(),
        200
    );
    let mut limited = None;
    for _ in 0..8 {
        let r = ctx
            .http
            .get(format!("{}/sessions?sessionType=Online", ctx.api()))
            .bearer_auth(&ctx.access)
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("the sessionList limit is 5/s");
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"]["code"], 429);
    // Problem details on request.
    let r = ctx
        .http
        .get(format!("{}/sessions?sessionType=Online", ctx.api()))
        .bearer_auth(&ctx.access)
        .header("x-error-format", "problem-details")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["title"], "Too Many Requests");
}

#[tokio::test]
async fn rotated_key_is_21470() {
    let ctx = start().await;
    let (old_cert, old_id) =
        public_key(&ctx.http, ctx.api(), PublicKeyUsage::SymmetricKeyEncryption).await;
    assert_eq!(ctx.control("/rotate-keys", json!({})).await.status(), 200);
    let key = SymmetricKey::generate().unwrap();
    let r = ctx
        .http
        .post(format!("{}/sessions/online", ctx.api()))
        .bearer_auth(&ctx.access)
        .json(&json!({"formCode": form_code(), "encryption": encryption(&old_cert, &old_id, &key)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(codes(&r.json().await.unwrap()), vec![21470]);
    // With the new key it works, and the subject says what this is.
    let (cert, _) = public_key(&ctx.http, ctx.api(), PublicKeyUsage::SymmetricKeyEncryption).await;
    assert!(
        cert.subject().contains("NOT THE MINISTRY OF FINANCE"),
        "{}",
        cert.subject()
    );
    let (_session, _key) = ctx.open_online().await;
}

#[tokio::test]
async fn kod2_page_verifies_good_and_rejects_forged() {
    let ctx = start().await;
    let now = chrono::Utc::now();
    let key = PrivateKey::generate_ec_p256().unwrap();
    let cert = self_signed(
        &key,
        &[("CN", "Offline test")],
        CertificateRole::Offline,
        now - Duration::days(1),
        now + Duration::days(30),
    )
    .unwrap();
    let r = ctx
        .control("/certificates", json!({"pem": cert.to_pem()}))
        .await;
    assert_eq!(r.status(), 201);
    let signer = OfflineSigner::new(cert, key, now).unwrap();
    let context = ContextIdentifier::parse("Nip", NIP).unwrap();
    let hash = Sha256Hash::of(b"<Faktura/>");
    let link = signer
        .certificate_link(&ctx.sim.qr_base, &context, &NIP.parse().unwrap(), &hash)
        .unwrap();
    let v: Value = ctx
        .http
        .get(link.to_url())
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["result"], "VALID", "{v}");
    let mut forged = link.clone();
    forged.signature[5] ^= 0xFF;
    let v: Value = ctx
        .http
        .get(forged.to_url())
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["result"], "INVALID");
    assert_eq!(v["checks"]["signatureValid"], false);
    // Another seller NIP that the context may not invoice for.
    let other = signer
        .certificate_link(
            &ctx.sim.qr_base,
            &context,
            &"7762811692".parse().unwrap(),
            &hash,
        )
        .unwrap();
    let v: Value = ctx
        .http
        .get(other.to_url())
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["checks"]["contextMayInvoiceForSeller"], false);
    // HTML for people.
    let html = ctx
        .http
        .get(link.to_url())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html") && html.contains("NOT THE MINISTRY"));
}

#[tokio::test]
async fn bad_input_gets_codes_not_panics() {
    let ctx = start().await;
    let api = ctx.api().to_owned();
    let post = |path: &str| {
        ctx.http
            .post(format!("{api}{path}"))
            .bearer_auth(&ctx.access)
    };
    // Malformed JSON.
    let r = post("/sessions/online")
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(codes(&r.json().await.unwrap()), vec![21405]);
    // Wrong content type.
    let r = post("/sessions/online")
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Problem details on request.
    let r = post("/sessions/online")
        .header("content-type", "application/json")
        .header("x-error-format", "problem-details")
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errors"][0]["code"], 21405);
    // Oversized body.
    let big = vec![b'a'; 7 * 1024 * 1024];
    let r = post("/sessions/online")
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // Unknown session, malformed reference.
    let (session, key) = ctx.open_online().await;
    let xml = sample(NIP, today(), "FV/BAD/1").to_xml();
    let body = Ctx::send_body(&key, &xml, false, None);
    let r = post("/sessions/online/20250625-SO-2C3E6C8000-B675CF5D68-07/invoices")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(codes(&r.json().await.unwrap()), vec![21173]);
    let r = post("/sessions/online/nonsense/invoices")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(codes(&r.json().await.unwrap()), vec![21405]);
    // Declared hash or size that do not match.
    let mut wrong = body.clone();
    wrong["encryptedInvoiceSize"] = json!(1);
    assert_eq!(
        codes(&ctx.send_raw(&session, &wrong).await.json().await.unwrap()),
        vec![21402]
    );
    let mut wrong = body.clone();
    wrong["invoiceHash"] = json!(Sha256Hash::of(b"x").to_base64());
    assert_eq!(
        codes(&ctx.send_raw(&session, &wrong).await.json().await.unwrap()),
        vec![21403]
    );
    // Garbage ciphertext with consistent declarations: invoice status 435.
    let garbage = vec![7u8; 64];
    let g = json!({
        "invoiceHash": Sha256Hash::of(b"x").to_base64(), "invoiceSize": 1,
        "encryptedInvoiceHash": Sha256Hash::of(&garbage).to_base64(), "encryptedInvoiceSize": 64,
        "encryptedInvoiceContent": STANDARD.encode(&garbage),
    });
    let r = ctx.send_raw(&session, &g).await;
    assert_eq!(r.status(), 202);
    let v: Value = r.json().await.unwrap();
    let st = ctx
        .invoice_status(&session, v["referenceNumber"].as_str().unwrap())
        .await;
    assert_eq!(st["status"]["code"], 435);
    // Garbage in a wrapped key: the session fails with 415.
    let r = post("/sessions/online").json(&json!({"formCode": form_code(), "encryption": {
        "encryptedSymmetricKey": STANDARD.encode([1u8; 256]), "initializationVector": STANDARD.encode([0u8; 16])}}))
        .send().await.unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let (_, s) = ctx
        .get(&format!(
            "/sessions/{}",
            v["referenceNumber"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s["status"]["code"], 415);
    // Unsupported form code.
    let r = post("/sessions/online").json(&json!({"formCode": {"systemCode": "FA (2)", "schemaVersion": "1-0E", "value": "FA"},
        "encryption": {"encryptedSymmetricKey": "AA==", "initializationVector": STANDARD.encode([0u8; 16])}})).send().await.unwrap();
    assert_eq!(codes(&r.json().await.unwrap()), vec![21405]);
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_of_1000_in_two_parts() {
    let ctx = start().await;
    let files: Vec<(String, Vec<u8>)> = (0..1000)
        .map(|i| {
            (
                format!("fv-{i}.xml"),
                sample(NIP, today(), &format!("FV/B/{i}")).to_xml(),
            )
        })
        .collect();
    let started = std::time::Instant::now();
    let (session, s) = run_batch(&ctx, zip_of(&files), false, 2).await;
    eprintln!("1000-invoice batch: {:?}", started.elapsed());
    assert_eq!(s["status"]["code"], 200, "{s}");
    assert_eq!(s["successfulInvoiceCount"], 1000);
    // Paging with the continuation token.
    let mut seen = 0;
    let mut token: Option<String> = None;
    loop {
        let mut req = ctx
            .http
            .get(format!(
                "{}/sessions/{session}/invoices?pageSize=250",
                ctx.api()
            ))
            .bearer_auth(&ctx.access);
        if let Some(t) = &token {
            req = req.header("x-continuation-token", t);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        seen += v["invoices"].as_array().unwrap().len();
        match v["continuationToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, 1000);
    let page = ctx
        .http
        .get(s["upo"]["pages"][0]["downloadUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    validate_upo(&page);
    assert_eq!(page.matches("<Dokument>").count(), 1000);
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_tar_gz_and_hostile_archives() {
    let ctx = start().await;
    // tar.gz with one attachment invoice (allowed in batch).
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let xml = sample(NIP, today(), "FV/TGZ/1").with_attachment().to_xml();
    let mut h = tar::Header::new_gnu();
    h.set_size(xml.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append_data(&mut h, "a.xml", &xml[..]).unwrap();
    let tgz = tar.into_inner().unwrap().finish().unwrap();
    let (_, s) = run_batch(&ctx, tgz, true, 1).await;
    assert_eq!(s["status"]["code"], 200, "{s}");
    // Path traversal.
    let (_, s) = run_batch(
        &ctx,
        zip_of(&[("../evil.xml".into(), xml.clone())]),
        false,
        1,
    )
    .await;
    assert_eq!(s["status"]["code"], 430, "{s}");
    // A zip bomb: one entry of 50 MB of zeros, compressed to ~50 KB.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(
        "bomb.xml",
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated),
    )
    .unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..50 {
        w.write_all(&zeros).unwrap();
    }
    let bomb = w.finish().unwrap().into_inner();
    assert!(bomb.len() < 200_000);
    let (session, s) = run_batch(&ctx, bomb, false, 1).await;
    assert_eq!(s["status"]["code"], 445, "{s}");
    let (_, inv) = ctx.get(&format!("/sessions/{session}/invoices")).await;
    assert_eq!(inv["invoices"][0]["status"]["code"], 430);
    // Garbage archive.
    let (_, s) = run_batch(&ctx, b"this is not a zip".to_vec(), false, 1).await;
    assert_eq!(s["status"]["code"], 430);
}

#[tokio::test]
async fn outage_gives_503_and_lighthouse_failure() {
    let ctx = start().await;
    let now = chrono::Utc::now();
    let r = ctx.control("/outages", json!({"start": now - Duration::minutes(1), "end": now + Duration::hours(1), "kind": "FAILURE"})).await;
    assert_eq!(r.status(), 201);
    let (s, _) = ctx.get("/sessions?sessionType=Online").await;
    assert_eq!(s, 503);
    let v: Value = ctx
        .http
        .get(format!("{}/status", ctx.sim.lighthouse_base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "FAILURE");
    // After the window: FAILURE_END and available again.
    ctx.sim.state.clock().advance(Duration::hours(2));
    let mut ctx = ctx;
    ctx.access = authenticate(&ctx.http, &ctx.sim.api_base, NIP, SECRET).await;
    let v: Value = ctx
        .http
        .get(format!("{}/messages", ctx.sim.lighthouse_base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let types: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["FAILURE_START", "FAILURE_END"]);
    let (s, _) = ctx.get("/sessions?sessionType=Online").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn dropped_response_still_registers_the_invoice() {
    let ctx = start().await;
    let (session, key) = ctx.open_online().await;
    ctx.control("/faults", json!({"dropResponsesAfterAccept": 1}))
        .await;
    let xml = sample(NIP, today(), "FV/DROP/1").to_xml();
    let sent = ctx
        .http
        .post(format!("{}/sessions/online/{session}/invoices", ctx.api()))
        .bearer_auth(&ctx.access)
        .json(&Ctx::send_body(&key, &xml, false, None))
        .send()
        .await;
    match sent {
        Err(_) => {}
        Ok(r) => assert!(r.json::<Value>().await.is_err()),
    }
    let (_, list) = ctx.get(&format!("/sessions/{session}/invoices")).await;
    assert_eq!(list["invoices"][0]["status"]["code"], 200);
    assert_eq!(
        list["invoices"][0]["invoiceHash"],
        Sha256Hash::of(&xml).to_base64()
    );
}
