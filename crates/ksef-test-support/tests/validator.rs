//! The validator accepts the spec's own valid shapes and rejects broken bodies.

use ksef_test_support::{match_path, validate_request, validate_response, validate_schema};
use serde_json::json;

fn send_invoice() -> serde_json::Value {
    json!({
        "invoiceHash": "EbrK4cOSjW4hEpJaHU71YXSOZZmqP5++dK9nLgTzgV4=",
        "invoiceSize": 6480,
        "encryptedInvoiceHash": "miYb1z3Ljw5VucTZslv3Tlt+V/EK1V8Q8evD8HMQ0dc=",
        "encryptedInvoiceSize": 6496,
        "encryptedInvoiceContent": "AAAA",
        "offlineMode": false
    })
}

fn session_status() -> serde_json::Value {
    json!({
        "status": {"code": 200, "description": "Sesja interaktywna przetworzona pomyślnie"},
        "dateCreated": "2025-09-18T15:00:30+00:00",
        "dateUpdated": "2025-09-18T15:01:20+00:00",
        "validUntil": null,
        "invoiceCount": 10
    })
}

#[test]
fn valid_bodies_pass() {
    validate_request(
        "POST",
        "/sessions/online/{referenceNumber}/invoices",
        &send_invoice(),
    )
    .unwrap();
    validate_response("GET", "/sessions/{referenceNumber}", 200, &session_status()).unwrap();
    validate_response(
        "GET",
        "/v2/sessions/{referenceNumber}",
        200,
        &session_status(),
    )
    .unwrap();
    validate_schema(
        "StatusInfo",
        &json!({"code": 100, "description": "x", "details": null}),
    )
    .unwrap();
    // 204 has no body.
    validate_response(
        "POST",
        "/sessions/online/{referenceNumber}/close",
        204,
        &serde_json::Value::Null,
    )
    .unwrap();
}

#[test]
fn missing_required_field_is_rejected() {
    let mut body = send_invoice();
    body.as_object_mut().unwrap().remove("invoiceSize");
    let errs =
        validate_request("POST", "/sessions/online/{referenceNumber}/invoices", &body).unwrap_err();
    assert!(errs.iter().any(|e| e.contains("invoiceSize")), "{errs:?}");
    assert!(
        errs.iter().any(|e| e.contains("SendInvoiceRequest")),
        "{errs:?}"
    );

    let mut status = session_status();
    status.as_object_mut().unwrap().remove("dateUpdated");
    let errs = validate_response("GET", "/sessions/{referenceNumber}", 200, &status).unwrap_err();
    assert!(errs.iter().any(|e| e.contains("dateUpdated")), "{errs:?}");
}

#[test]
fn wrong_type_is_rejected_and_named_by_pointer() {
    let mut status = session_status();
    status["status"]["code"] = json!("200");
    let errs = validate_response("GET", "/sessions/{referenceNumber}", 200, &status).unwrap_err();
    assert!(errs.iter().any(|e| e.contains("/status/code")), "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("StatusInfo")), "{errs:?}");

    let mut body = send_invoice();
    body["invoiceSize"] = json!("6480");
    assert!(
        validate_request("POST", "/sessions/online/{referenceNumber}/invoices", &body).is_err()
    );
    // null is not allowed where the spec does not say nullable.
    let mut status = session_status();
    status["dateCreated"] = serde_json::Value::Null;
    assert!(validate_response("GET", "/sessions/{referenceNumber}", 200, &status).is_err());
}

#[test]
fn bad_enum_value_is_rejected() {
    validate_schema("SessionType", &json!("Online")).unwrap();
    let errs = validate_schema("SessionType", &json!("Interactive")).unwrap_err();
    assert!(errs.iter().any(|e| e.contains("SessionType")), "{errs:?}");
    let body = json!({
        "permissions": ["InvoiceRead", "Superuser"],
        "description": "Token for tests"
    });
    let errs = validate_request("POST", "/tokens", &body).unwrap_err();
    assert!(
        errs.iter().any(|e| e.contains("/permissions/1")),
        "{errs:?}"
    );
}

#[test]
fn sha256_hash_of_wrong_length_is_rejected() {
    let mut body = send_invoice();
    // 43 characters: the unpadded form is not accepted by the API.
    body["invoiceHash"] = json!("EbrK4cOSjW4hEpJaHU71YXSOZZmqP5++dK9nLgTzgV4");
    let errs =
        validate_request("POST", "/sessions/online/{referenceNumber}/invoices", &body).unwrap_err();
    assert!(errs.iter().any(|e| e.contains("/invoiceHash")), "{errs:?}");
    assert!(validate_schema("Sha256HashBase64", &json!("short")).is_err());
    validate_schema(
        "Sha256HashBase64",
        &json!("EbrK4cOSjW4hEpJaHU71YXSOZZmqP5++dK9nLgTzgV4="),
    )
    .unwrap();
}

#[test]
fn pattern_and_bounds_are_enforced() {
    assert!(validate_schema("Nip", &json!("0123456789")).is_err());
    validate_schema("Nip", &json!("5265877635")).unwrap();
    assert!(
        validate_response(
            "POST",
            "/sessions/batch",
            201,
            &json!({"referenceNumber": "short", "partUploadRequests": []})
        )
        .is_err()
    );
}

#[test]
fn either_error_format_is_accepted_for_400() {
    let exception = json!({"exception": {"exceptionDetailList": [{"exceptionCode": 21405}],
        "timestamp": "2025-10-11T12:23:56.0154302"}});
    validate_response("POST", "/sessions/online", 400, &exception).unwrap();
    let problem = json!({"title": "Bad Request", "status": 400, "instance": "/x", "detail": "d",
        "errors": [{"code": 21405, "description": "x"}],
        "timestamp": "2025-07-11T12:23:56+00:00", "traceId": "t"});
    validate_response("POST", "/sessions/online", 400, &problem).unwrap();
    let errs =
        validate_response("POST", "/sessions/online", 400, &json!({"exception": 5})).unwrap_err();
    assert!(errs.iter().any(|e| e.contains("application/problem+json")));
}

#[test]
fn unknown_operations_and_statuses_are_reported() {
    assert!(validate_response("GET", "/nope", 200, &json!({})).is_err());
    assert!(validate_response("GET", "/sessions/{referenceNumber}", 418, &json!({})).is_err());
    assert!(validate_schema("NoSuchSchema", &json!({})).is_err());
    // A 204 must not carry a body.
    assert!(
        validate_response(
            "POST",
            "/sessions/online/{referenceNumber}/close",
            204,
            &json!({})
        )
        .is_err()
    );
}

#[test]
fn paths_map_to_templates() {
    assert_eq!(
        match_path("GET", "/v2/sessions/20250625-SO-2C3E6C8000-B675CF5D68-07"),
        Some("/sessions/{referenceNumber}")
    );
    assert_eq!(
        match_path("get", "/sessions/20250625-SO-2C3E6C8000-B675CF5D68-07"),
        Some("/sessions/{referenceNumber}")
    );
    assert_eq!(
        match_path(
            "GET",
            "/v2/sessions/20250625-SO-2C3E6C8000-B675CF5D68-07/invoices/failed"
        ),
        Some("/sessions/{referenceNumber}/invoices/failed")
    );
    assert_eq!(
        match_path(
            "GET",
            "/sessions/20250625-SO-2C3E6C8000-B675CF5D68-07/invoices/20250625-EE-319D7EE000-B67F415CDC-2C"
        ),
        Some("/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}")
    );
    assert_eq!(match_path("GET", "/auth/sessions"), Some("/auth/sessions"));
    assert_eq!(
        match_path("GET", "/v2/auth/20250514-AU-2DFC46C000-3AC6D5877F-D4"),
        Some("/auth/{referenceNumber}")
    );
    assert_eq!(
        match_path("GET", "/v2/sessions?sessionType=Online&pageSize=10"),
        Some("/sessions")
    );
    assert_eq!(
        match_path("POST", "/v2/sessions/online/"),
        Some("/sessions/online")
    );
    assert_eq!(match_path("DELETE", "/v2/sessions/online"), None);
    assert_eq!(match_path("GET", "/v2/nothing/here"), None);
}
