//! Test vectors as data files, one test per file; each file names its source.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use ksef_core::crypto::{Certificate, Sha256Hash};
use ksef_core::ids::ContextIdentifier;
use ksef_core::qr::{CertificateLink, invoice_link};
use ksef_core::{KsefNumber, Nip};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        v["source"].as_str().is_some_and(|s| !s.is_empty()),
        "{name} names no source"
    );
    v
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap()
}

#[test]
fn ksef_numbers() {
    let v = load("ksef_numbers.json");
    for n in v["valid"].as_array().unwrap() {
        let parsed: KsefNumber = str_of(n).parse().unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(parsed.as_str(), str_of(n));
        let again = KsefNumber::generate(
            parsed.seller_nip(),
            parsed.accepted_on(),
            u64::from_str_radix(parsed.technical_part(), 16).unwrap(),
        );
        assert_eq!(again, parsed, "generation reproduces {n}");
    }
    for case in v["invalid"].as_array().unwrap() {
        let e = str_of(&case["value"])
            .parse::<KsefNumber>()
            .unwrap_err()
            .to_string();
        assert!(e.contains(str_of(&case["reason_contains"])), "{case}: {e}");
    }
}

#[test]
fn nips() {
    let v = load("nips.json");
    for n in v["valid"].as_array().unwrap() {
        assert!(str_of(n).parse::<Nip>().is_ok(), "{n}");
    }
    for case in v["invalid"].as_array().unwrap() {
        let e = str_of(&case["value"])
            .parse::<Nip>()
            .unwrap_err()
            .to_string();
        assert!(e.contains(str_of(&case["reason_contains"])), "{case}: {e}");
    }
}

#[test]
fn sha256_encodings() {
    let v = load("sha256.json");
    for p in v["pairs"].as_array().unwrap() {
        let h = Sha256Hash::of(str_of(&p["input_utf8"]).as_bytes());
        assert_eq!(h.to_base64(), str_of(&p["base64"]));
        assert_eq!(h.to_base64url(), str_of(&p["base64url"]));
        assert_eq!(h.to_hex(), str_of(&p["hex"]));
    }
    for p in v["hash_only"].as_array().unwrap() {
        let a: Sha256Hash = str_of(&p["base64"]).parse().unwrap();
        let b: Sha256Hash = str_of(&p["base64url"]).parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_hex(), str_of(&p["hex"]));
    }
}

#[test]
fn qr_links() {
    let v = load("qr_links.json");
    for k in v["kod1"].as_array().unwrap() {
        let link = invoice_link(
            str_of(&k["qr_base"]),
            &Nip::parse_unchecked(str_of(&k["seller_nip"])).unwrap(),
            NaiveDate::parse_from_str(str_of(&k["issue_date"]), "%Y-%m-%d").unwrap(),
            &Sha256Hash::from_base64url(str_of(&k["hash_base64url"])).unwrap(),
        );
        assert_eq!(link, str_of(&k["link"]));
    }
    for k in v["kod2"].as_array().unwrap() {
        let cert_path = format!(
            "{}/tests/vectors/{}",
            env!("CARGO_MANIFEST_DIR"),
            str_of(&k["certificate"])
        );
        let cert = Certificate::from_pem_or_der(&std::fs::read(cert_path).unwrap()).unwrap();
        let link: CertificateLink = str_of(&k["link"]).parse().unwrap();
        assert_eq!(link.signed_string(), str_of(&k["signed_string"]));
        assert_eq!(
            link.context,
            ContextIdentifier::parse(str_of(&k["context_type"]), str_of(&k["context_value"]))
                .unwrap()
        );
        assert_eq!(link.certificate_serial, str_of(&k["serial"]));
        link.verify(&cert).unwrap();
        // The signature covers exactly the string without scheme and trailing slash.
        let mut tampered = link.clone();
        tampered.certificate_serial = "01F20A5D352AE591".into();
        assert!(tampered.verify(&cert).is_err());
        assert!(
            format!("{}/", str_of(&k["link"]))
                .parse::<CertificateLink>()
                .is_err()
        );
    }
}
