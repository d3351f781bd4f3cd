//! A small test client for the simulator (the real client lives in `ksef-client`).
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::NaiveDate;
use ksef_core::crypto::{
    Certificate, PublicKeyCertificate, PublicKeyUsage, Sha256Hash, SymmetricKey,
    wrap_with_certificate,
};
use ksef_sim::{SimConfig, SimHandle};
use serde_json::{Value, json};

pub const NIP: &str = "5265877635";
pub const SECRET: &str = "test-token-5265877635";

pub struct Ctx {
    pub sim: SimHandle,
    pub http: reqwest::Client,
    pub access: String,
}

pub fn config() -> SimConfig {
    let mut c = SimConfig::default();
    c.tokens.push(format!("{NIP}={SECRET}").parse().unwrap());
    c
}

pub async fn start() -> Ctx {
    start_with(config()).await
}

pub async fn start_with(config: SimConfig) -> Ctx {
    let sim = ksef_sim::spawn(config).await.unwrap();
    let http = reqwest::Client::new();
    let access = authenticate(&http, &sim.api_base, NIP, SECRET).await;
    Ctx { sim, http, access }
}

/// A valid FA(3) invoice (`ksef_core::invoice::SampleInvoice`) from `seller`, which may be
/// any well-formed NIP (checksum not checked).
pub fn sample(seller: &str, date: NaiveDate, number: &str) -> ksef_core::invoice::SampleInvoice {
    ksef_core::invoice::SampleInvoice::new(
        ksef_core::Nip::parse_unchecked(seller).unwrap(),
        date,
        number,
    )
}

pub fn today() -> NaiveDate {
    ksef_core::calendar::warsaw_date(chrono::Utc::now())
}

pub async fn public_key(
    http: &reqwest::Client,
    api: &str,
    usage: PublicKeyUsage,
) -> (Certificate, String) {
    let resp = http
        .get(format!("{api}/security/public-key-certificates"))
        .send()
        .await
        .unwrap();
    let (_, list) = json_of("GET", resp).await;
    let certs: Vec<PublicKeyCertificate> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let cert = Certificate::from_pem_or_der(e["certificate"].as_str().unwrap().as_bytes())
                .unwrap();
            let usage: Vec<PublicKeyUsage> = serde_json::from_value(e["usage"].clone()).unwrap();
            PublicKeyCertificate::from_certificate(cert, usage)
        })
        .collect();
    let chosen = ksef_core::crypto::select_public_key(&certs, usage, chrono::Utc::now()).unwrap();
    (chosen.certificate.clone(), chosen.public_key_id.to_base64())
}

/// Challenge, encrypted token, status, redeem: the access token.
pub async fn authenticate(http: &reqwest::Client, api: &str, nip: &str, secret: &str) -> String {
    let op = start_auth(http, api, nip, secret).await;
    let op_token = op["authenticationToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let reference = op["referenceNumber"].as_str().unwrap();
    let (_, status) = json_of(
        "GET",
        http.get(format!("{api}/auth/{reference}"))
            .bearer_auth(&op_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status["status"]["code"], 200, "{status}");
    let (_, tokens) = json_of(
        "POST",
        http.post(format!("{api}/auth/token/redeem"))
            .bearer_auth(&op_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    tokens["accessToken"]["token"].as_str().unwrap().to_owned()
}

pub async fn start_auth(http: &reqwest::Client, api: &str, nip: &str, secret: &str) -> Value {
    let (_, ch) = json_of(
        "POST",
        http.post(format!("{api}/auth/challenge"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (cert, key_id) = public_key(http, api, PublicKeyUsage::KsefTokenEncryption).await;
    let plain = format!("{secret}|{}", ch["timestampMs"]);
    let enc = wrap_with_certificate(&cert, plain.as_bytes()).unwrap();
    let resp = http
        .post(format!("{api}/auth/ksef-token"))
        .json(&json!({
            "challenge": ch["challenge"],
            "contextIdentifier": {"type": "Nip", "value": nip},
            "encryptedToken": STANDARD.encode(enc),
            "publicKeyId": key_id,
        }))
        .send()
        .await
        .unwrap();
    let (status, v) = json_of("POST", resp).await;
    assert_eq!(status, 202, "{v}");
    v
}

pub fn encryption(cert: &Certificate, key_id: &str, key: &SymmetricKey) -> Value {
    json!({
        "encryptedSymmetricKey": STANDARD.encode(wrap_with_certificate(cert, key.key_bytes()).unwrap()),
        "initializationVector": STANDARD.encode(key.iv()),
        "publicKeyId": key_id,
    })
}

pub fn form_code() -> Value {
    json!({"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"})
}

impl Ctx {
    pub fn api(&self) -> &str {
        &self.sim.api_base
    }

    pub async fn open_online(&self) -> (String, SymmetricKey) {
        let (cert, key_id) = public_key(
            &self.http,
            self.api(),
            PublicKeyUsage::SymmetricKeyEncryption,
        )
        .await;
        let key = SymmetricKey::generate().unwrap();
        let resp = self
            .http
            .post(format!("{}/sessions/online", self.api()))
            .bearer_auth(&self.access)
            .json(&json!({"formCode": form_code(), "encryption": encryption(&cert, &key_id, &key)}))
            .send()
            .await
            .unwrap();
        let (status, v) = json_of("POST", resp).await;
        assert_eq!(status, 201, "{v}");
        (v["referenceNumber"].as_str().unwrap().to_owned(), key)
    }

    pub fn send_body(
        key: &SymmetricKey,
        xml: &[u8],
        offline: bool,
        corrected: Option<&Sha256Hash>,
    ) -> Value {
        let enc = key.encrypt(xml).unwrap();
        let mut body = json!({
            "invoiceHash": Sha256Hash::of(xml).to_base64(),
            "invoiceSize": xml.len(),
            "encryptedInvoiceHash": Sha256Hash::of(&enc).to_base64(),
            "encryptedInvoiceSize": enc.len(),
            "encryptedInvoiceContent": STANDARD.encode(&enc),
            "offlineMode": offline,
        });
        if let Some(h) = corrected {
            body["hashOfCorrectedInvoice"] = json!(h.to_base64());
        }
        body
    }

    pub async fn send_raw(&self, session: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}/sessions/online/{session}/invoices", self.api()))
            .bearer_auth(&self.access)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Sends and returns the invoice reference (asserting 202).
    pub async fn send(
        &self,
        session: &str,
        key: &SymmetricKey,
        xml: &[u8],
        offline: bool,
        corrected: Option<&Sha256Hash>,
    ) -> String {
        let resp = self
            .send_raw(session, &Self::send_body(key, xml, offline, corrected))
            .await;
        let (status, v) = json_of("POST", resp).await;
        assert_eq!(status, 202, "{v}");
        v["referenceNumber"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(format!("{}{path}", self.api()))
            .bearer_auth(&self.access)
            .send()
            .await
            .unwrap();
        json_of("GET", resp).await
    }

    pub async fn invoice_status(&self, session: &str, invoice: &str) -> Value {
        let (s, v) = self
            .get(&format!("/sessions/{session}/invoices/{invoice}"))
            .await;
        assert_eq!(s, 200, "{v}");
        v
    }

    pub async fn control(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.sim.control_base))
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

/// Validates a JSON answer of the API against `open-api.json`; panics with the errors.
/// Statuses the spec does not describe (413, 500, 503 of outages) are not checked.
pub fn validated(method: &str, url: &str, status: u16, body: &Value) {
    if matches!(status, 413 | 500 | 503) {
        return;
    }
    let path = url.split_once("/v2").map_or(url, |(_, p)| p);
    let template = ksef_test_support::match_path(method, path)
        .unwrap_or_else(|| panic!("{method} {path} is not in open-api.json"));
    if let Err(errors) = ksef_test_support::validate_response(method, template, status, body) {
        panic!("{method} {path} -> {status} does not match open-api.json: {errors:?}\n{body}");
    }
}

/// Reads a JSON answer and validates it.
pub async fn json_of(method: &str, resp: reqwest::Response) -> (u16, Value) {
    let url = resp.url().to_string();
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    validated(method, &url, status, &body);
    (status, body)
}

/// The exception codes of a 400 body.
pub fn codes(v: &Value) -> Vec<i64> {
    v["exception"]["exceptionDetailList"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|d| d["exceptionCode"].as_i64())
                .collect()
        })
        .unwrap_or_default()
}

/// Validates a UPO against `upo-v4-3.xsd` with libxml2.
pub fn validate_upo(xml: &str) {
    use libxml::parser::Parser;
    use libxml::schemas::{SchemaParserContext, SchemaValidationContext};
    let xsd = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/upo-v4-3.xsd");
    let mut parser = SchemaParserContext::from_file(xsd);
    let mut ctx = SchemaValidationContext::from_parser(&mut parser).unwrap();
    let doc = Parser::default().parse_string(xml).unwrap();
    if let Err(errors) = ctx.validate_document(&doc) {
        panic!(
            "UPO does not validate: {:?}\n{xml}",
            errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>()
        );
    }
}

/// Builds a batch package, uploads it in `parts` parts, closes, waits; returns (session, status).
pub async fn run_batch(ctx: &Ctx, archive: Vec<u8>, tar_gz: bool, parts: usize) -> (String, Value) {
    let (cert, key_id) =
        public_key(&ctx.http, ctx.api(), PublicKeyUsage::SymmetricKeyEncryption).await;
    let key = SymmetricKey::generate().unwrap();
    let chunk = archive.len().div_ceil(parts);
    let encrypted: Vec<Vec<u8>> = archive
        .chunks(chunk)
        .map(|c| key.encrypt(c).unwrap())
        .collect();
    let mut body = json!({
        "formCode": form_code(),
        "batchFile": {
            "fileSize": archive.len(),
            "fileHash": Sha256Hash::of(&archive).to_base64(),
            "fileParts": encrypted.iter().enumerate().map(|(i, p)| json!({
                "ordinalNumber": i + 1, "fileSize": p.len(), "fileHash": Sha256Hash::of(p).to_base64()
            })).collect::<Vec<_>>(),
        },
        "encryption": encryption(&cert, &key_id, &key),
    });
    if tar_gz {
        body["batchFile"]["compressionType"] = json!("TarGz");
    }
    let r = ctx
        .http
        .post(format!("{}/sessions/batch", ctx.api()))
        .bearer_auth(&ctx.access)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let session = v["referenceNumber"].as_str().unwrap().to_owned();
    for (req, data) in v["partUploadRequests"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&encrypted)
    {
        let mut put = ctx
            .http
            .put(req["url"].as_str().unwrap())
            .body(data.clone());
        for (k, val) in req["headers"].as_object().unwrap() {
            put = put.header(k, val.as_str().unwrap());
        }
        assert_eq!(put.send().await.unwrap().status(), 201);
    }
    let r = ctx
        .http
        .post(format!("{}/sessions/batch/{session}/close", ctx.api()))
        .bearer_auth(&ctx.access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    for _ in 0..600 {
        let (_, s) = ctx.get(&format!("/sessions/{session}")).await;
        if s["status"]["code"] != 150 && s["status"]["code"] != 100 {
            return (session, s);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("batch session did not finish");
}

pub fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (n, d) in files {
        w.start_file(n.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(d).unwrap();
    }
    w.finish().unwrap().into_inner()
}
