//! Behaviour of the models beyond the official examples.

use chrono::NaiveDate;
use ksef_client::models::common::{ContextIdentifier, ContextIdentifierType, ReferenceNumber};
use ksef_client::models::sessions::{
    CommonSessionStatus, SessionStatusResponse, SessionType, SessionsQuery,
};
use ksef_client::models::{auth, errors, security};
use serde_json::json;

#[test]
fn reference_number_examples_parse() {
    for (s, crc_ok) in [
        ("20250625-SO-2C3E6C8000-B675CF5D68-07", true),
        ("20250626-SB-213D593000-4DE10D80A5-E9", true),
        ("20250625-EE-319D7EE000-B67F415CDC-2C", true),
        // One of the official examples whose check digits are not the CRC-8 (hand-edited?).
        ("20250918-EU-2EBD6FA000-242EB9B66D-43", false),
    ] {
        let r: ReferenceNumber = s.parse().unwrap();
        assert_eq!(r.as_str(), s);
        assert_eq!(r.has_valid_crc(), crc_ok, "{s}");
        let j = serde_json::to_value(&r).unwrap();
        assert_eq!(j, json!(s));
        assert_eq!(serde_json::from_value::<ReferenceNumber>(j).unwrap(), r);
    }
    let r: ReferenceNumber = "20250625-SO-2C3E6C8000-B675CF5D68-07".parse().unwrap();
    assert_eq!(r.kind(), "SO");
    assert_eq!(r.date(), NaiveDate::from_ymd_opt(2025, 6, 25).unwrap());
}

#[test]
fn reference_number_refuses_bad_input_with_a_reason() {
    let cases = [
        (
            "20250625-SO-2C3E6C8000-B675CF5D68",
            "must have 36 characters",
        ),
        (
            "20250625-SO-2C3E6C8000-B675CF5D68-071",
            "must have 36 characters",
        ),
        ("", "must have 36 characters"),
        ("20250625-so-2C3E6C8000-B675CF5D68-07", "character 10"),
        ("20250625-SO-2c3e6c8000-B675CF5D68-07", "upper-case hex"),
        (
            "20250625_SO-2C3E6C8000-B675CF5D68-07",
            "character 9 is '_', expected '-'",
        ),
        (
            "20251325-SO-2C3E6C8000-B675CF5D68-07",
            "not a calendar date",
        ),
        ("20190625-SO-2C3E6C8000-B675CF5D68-07", "before 2020"),
        // The GUID of the ExceptionResponse example has 36 characters but is no reference.
        ("a1b2c3d4-e5f6-4789-ab12-cd34ef567890", "digit of the date"),
    ];
    for (input, reason) in cases {
        let e = input.parse::<ReferenceNumber>().unwrap_err();
        assert!(e.to_string().contains(reason), "{input}: {e}");
        assert!(serde_json::from_value::<ReferenceNumber>(json!(input)).is_err());
    }
    // A wrong CRC is accepted (the official examples contain some) but reported.
    let r: ReferenceNumber = "20250625-SO-2C3E6C8000-B675CF5D68-08".parse().unwrap();
    assert!(!r.has_valid_crc());
}

#[test]
fn generated_reference_numbers_round_trip_with_crc() {
    let d = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    for (i, kind) in ["SO", "SB", "EE", "EU", "AU", "CR", "EC", "EH"]
        .iter()
        .enumerate()
    {
        let seed = 0x0123_4567_89AB_CDEF_u64.wrapping_mul(i as u64 + 1);
        let r = ReferenceNumber::generate(d, kind, seed).unwrap();
        assert_eq!(r.as_str().len(), 36);
        assert_eq!(r.kind(), *kind);
        assert_eq!(r.date(), d);
        assert!(r.has_valid_crc(), "{r}");
        let crc = ksef_core::ids::crc8(&r.as_str().as_bytes()[..33]);
        assert_eq!(&r.as_str()[34..], format!("{crc:02X}"));
        assert_eq!(r.as_str().parse::<ReferenceNumber>().unwrap(), r);
        ksef_test_support::validate_schema("ReferenceNumber", &json!(r.as_str())).unwrap();
    }
    // Reproduces an official example exactly.
    let r = ReferenceNumber::generate(
        NaiveDate::from_ymd_opt(2025, 6, 25).unwrap(),
        "SO",
        0x2C3E6C8000_B675CF5D68_u128,
    )
    .unwrap();
    assert_eq!(r.as_str(), "20250625-SO-2C3E6C8000-B675CF5D68-07");
    assert!(
        ReferenceNumber::generate(NaiveDate::from_ymd_opt(2025, 6, 25).unwrap(), "s", 1u64)
            .is_err()
    );
}

#[test]
fn unknown_enum_values_and_fields_do_not_break_decoding() {
    let body = json!({
        "certificate": "MIIB", "certificateId": "x", "publicKeyId": "y",
        "validFrom": "2025-09-29T06:03:19+00:00", "validTo": "2027-09-29T06:03:18+00:00",
        "usage": ["KsefTokenEncryption", "QrSigning"], "brandNewField": 1
    });
    let c: security::PublicKeyCertificate = serde_json::from_value(body).unwrap();
    assert_eq!(
        c.usage[1],
        security::PublicKeyCertificateUsage::Other("QrSigning".into())
    );
    let back = serde_json::to_value(&c).unwrap();
    assert_eq!(back["usage"][1], "QrSigning");
    // ...which the validator, rightly, refuses: the value is not in the spec.
    assert!(ksef_test_support::validate_schema("PublicKeyCertificate", &back).is_err());
    assert_eq!(
        "InProgress".parse::<CommonSessionStatus>().unwrap(),
        CommonSessionStatus::InProgress
    );
}

#[test]
fn optional_fields_are_omitted_not_null() {
    let s: SessionStatusResponse = serde_json::from_value(json!({
        "status": {"code": 100, "description": "Sesja interaktywna otwarta", "details": null},
        "dateCreated": "2025-09-18T15:00:30+00:00",
        "dateUpdated": "2025-09-18T15:01:20+00:00",
        "validUntil": null, "upo": null
    }))
    .unwrap();
    let v = serde_json::to_value(&s).unwrap();
    assert!(v.get("validUntil").is_none() && v.get("upo").is_none());
    assert!(v["status"].get("details").is_none());
    ksef_test_support::validate_response("GET", "/sessions/{referenceNumber}", 200, &v).unwrap();
}

#[test]
fn context_identifier_wire_form_and_core_conversion() {
    let core = ksef_core::ids::ContextIdentifier::parse("Nip", "5265877635").unwrap();
    let wire = ContextIdentifier::from(&core);
    assert_eq!(wire.kind, ContextIdentifierType::Nip);
    assert_eq!(
        serde_json::to_value(&wire).unwrap(),
        json!({"type": "Nip", "value": "5265877635"})
    );
    assert_eq!(wire.to_core().unwrap(), core);
    ksef_test_support::validate_schema(
        "AuthenticationContextIdentifier",
        &serde_json::to_value(&wire).unwrap(),
    )
    .unwrap();
}

#[test]
fn sessions_query_parameters() {
    let mut q = SessionsQuery::new(SessionType::Batch);
    q.statuses = vec![
        CommonSessionStatus::InProgress,
        CommonSessionStatus::Succeeded,
    ];
    q.page.page_size = Some(100);
    q.page.continuation_token = Some("abc".into());
    q.date_created_from = Some("2025-09-01T00:00:00+02:00".parse().unwrap());
    assert_eq!(
        q.query_pairs(),
        vec![
            ("pageSize", "100".to_string()),
            ("sessionType", "Batch".to_string()),
            ("dateCreatedFrom", "2025-09-01T00:00:00+02:00".to_string()),
            ("statuses", "InProgress".to_string()),
            ("statuses", "Succeeded".to_string()),
        ]
    );
    assert_eq!(q.page.header(), Some(("x-continuation-token", "abc")));
}

#[test]
fn error_bodies_decode() {
    let e: errors::ExceptionResponse = serde_json::from_value(json!({"exception": {
        "exceptionDetailList": [{"exceptionCode": 21470, "exceptionDescription": "x"},
                                {"exceptionCode": 21405}],
        "timestamp": "2025-10-11T12:23:56.0154302"}}))
    .unwrap();
    assert_eq!(e.codes(), vec![21470, 21405]);
    let t: errors::TooManyRequestsResponse = serde_json::from_value(json!({"status": {
        "code": 429, "description": "Too Many Requests", "details": ["Spróbuj ponownie po 30 sekundach."]}}))
    .unwrap();
    assert_eq!(t.status.code, 429);
}

#[test]
fn auth_method_category_other_is_a_known_value() {
    let c: auth::AuthenticationMethodCategory = serde_json::from_value(json!("Other")).unwrap();
    assert_eq!(c, auth::AuthenticationMethodCategory::OtherMethod);
    assert_eq!(serde_json::to_value(&c).unwrap(), json!("Other"));
}
