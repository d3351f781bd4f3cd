//! Session and invoice statuses, lists and UPOs (crypto-and-sessions.md §7, §8).

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::base_url;
use super::extract::Caller;
use super::online::{session_of, session_status, settle};
use super::rfc3339;
use super::storage::{upo_url, xml_response};
use crate::error::{ApiError, ApiResult};
use crate::pipeline::invoice_status_description;
use crate::state::{InvoiceRecord, Session, SessionKind, SimState};
use crate::upo;

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/sessions", get(list_sessions))
        .route("/sessions/{referenceNumber}", get(session))
        .route("/sessions/{referenceNumber}/invoices", get(invoices))
        .route("/sessions/{referenceNumber}/invoices/failed", get(failed))
        .route(
            "/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}",
            get(invoice),
        )
        .route(
            "/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}/upo",
            get(invoice_upo),
        )
        .route(
            "/sessions/{referenceNumber}/invoices/ksef/{ksefNumber}/upo",
            get(invoice_upo_by_ksef),
        )
        .route(
            "/sessions/{referenceNumber}/upo/{upoReferenceNumber}",
            get(session_upo),
        )
}

const READ: &[&str] = &[
    "InvoiceWrite",
    "Introspection",
    "PefInvoiceWrite",
    "EnforcementOperations",
];

/// Download links last three days.
const LINK_LIFETIME_H: i64 = 72;

fn status_obj(code: u16, description: &str, details: &[String]) -> Value {
    let mut v = json!({"code": code, "description": description});
    if !details.is_empty() {
        v["details"] = json!(details);
    }
    v
}

fn counts(db: &crate::state::Db, s: &Session) -> (usize, usize, usize) {
    let mut ok = 0;
    let mut failed = 0;
    for r in s.invoices.iter().filter_map(|r| db.invoices.get(r)) {
        if std::time::Instant::now() < r.ready_at {
            continue;
        }
        if r.code == 200 {
            ok += 1;
        } else {
            failed += 1;
        }
    }
    (s.invoices.len(), ok, failed)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Paging {
    page_size: Option<usize>,
    session_type: Option<String>,
}

fn decode_continuation(headers: &HeaderMap) -> ApiResult<usize> {
    match headers.get("x-continuation-token") {
        None => Ok(0),
        Some(v) if v.is_empty() => Ok(0),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("ofs:").and_then(|n| n.parse().ok()))
            .ok_or_else(|| {
                ApiError::bad_request(
                    21418,
                    "Przekazany token kontynuacji ma nieprawidłowy format.",
                )
            }),
    }
}

fn encode_continuation(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("ofs:{offset}"))
}

fn page_size(p: Option<usize>, max: usize) -> ApiResult<usize> {
    match p {
        None => Ok(10),
        Some(n) if (10..=max).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::validation(format!(
            "pageSize {n} poza zakresem 10..{max}."
        ))),
    }
}

async fn list_sessions(
    State(state): State<SimState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<Paging>,
) -> ApiResult<Json<Value>> {
    caller.require(&["InvoiceWrite", "Introspection", "EnforcementOperations"])?;
    let kind = match q.session_type.as_deref() {
        Some("Online") => SessionKind::Online,
        Some("Batch") => SessionKind::Batch,
        _ => {
            return Err(ApiError::validation(
                "sessionType: wymagane Online lub Batch.",
            ));
        }
    };
    let size = page_size(q.page_size, 1000)?;
    let offset = decode_continuation(&headers)?;
    let mut db = state.db();
    let refs: Vec<String> = db.session_order.iter().rev().cloned().collect();
    for r in &refs {
        settle(&state, &mut db, r);
    }
    let mine: Vec<&Session> = refs
        .iter()
        .filter_map(|r| db.sessions.get(r))
        .filter(|s| s.kind == kind && s.context == caller.context)
        .collect();
    let page: Vec<Value> = mine
        .iter()
        .skip(offset)
        .take(size)
        .map(|s| {
            let (code, desc, details) = session_status(s);
            let (total, ok, failed) = counts(&db, s);
            json!({
                "referenceNumber": s.reference,
                "status": status_obj(code, desc, &details),
                "dateCreated": rfc3339(s.created),
                "dateUpdated": rfc3339(s.updated),
                "validUntil": rfc3339(s.valid_until),
                "totalInvoiceCount": total,
                "successfulInvoiceCount": ok,
                "failedInvoiceCount": failed,
            })
        })
        .collect();
    let mut out = json!({"sessions": page});
    if offset + size < mine.len() {
        out["continuationToken"] = json!(encode_continuation(offset + size));
    }
    Ok(Json(out))
}

async fn session(
    State(state): State<SimState>,
    caller: Caller,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> ApiResult<Json<Value>> {
    caller.require(READ)?;
    let now = state.now();
    let mut db = state.db();
    let s = session_of(&state, &mut db, &caller, &reference)?.clone();
    let (code, desc, details) = session_status(&s);
    let (total, ok, failed) = counts(&db, &s);
    let mut v = json!({
        "status": status_obj(code, desc, &details),
        "dateCreated": rfc3339(s.created),
        "dateUpdated": rfc3339(s.updated),
        "validUntil": rfc3339(s.valid_until),
        "invoiceCount": total,
        "successfulInvoiceCount": ok,
        "failedInvoiceCount": failed,
    });
    if code == 200 && !s.upo_pages.is_empty() {
        let base = base_url(&headers);
        let expires = now + Duration::hours(LINK_LIFETIME_H);
        v["upo"] = json!({"pages": s.upo_pages.iter().map(|p| json!({
            "referenceNumber": p,
            "downloadUrl": upo_url(&state, &base, &s.reference, "page", p, expires.timestamp()),
            "downloadUrlExpirationDate": rfc3339(expires),
        })).collect::<Vec<_>>()});
    }
    Ok(Json(v))
}

/// The JSON of one invoice's status, as shown now.
pub(crate) fn invoice_json(state: &SimState, base: &str, r: &InvoiceRecord) -> Value {
    let mut m = Map::new();
    m.insert("ordinalNumber".into(), json!(r.ordinal));
    m.insert("referenceNumber".into(), json!(r.reference));
    m.insert("invoiceHash".into(), json!(r.hash.to_base64()));
    m.insert("invoicingDate".into(), json!(rfc3339(r.invoicing_date)));
    if let Some(f) = &r.file_name {
        m.insert("invoiceFileName".into(), json!(f));
    }
    let not_ready = std::time::Instant::now() < r.ready_at;
    if not_ready {
        m.insert(
            "status".into(),
            status_obj(150, invoice_status_description(150), &[]),
        );
        return Value::Object(m);
    }
    if let Some(n) = &r.invoice_number {
        m.insert("invoiceNumber".into(), json!(n));
    }
    if let Some(k) = &r.ksef_number {
        m.insert("ksefNumber".into(), json!(k));
        let expires = state.now() + Duration::hours(LINK_LIFETIME_H);
        m.insert(
            "upoDownloadUrl".into(),
            json!(upo_url(
                state,
                base,
                &r.session_ref,
                "invoice",
                &r.reference,
                expires.timestamp()
            )),
        );
        m.insert(
            "upoDownloadUrlExpirationDate".into(),
            json!(rfc3339(expires)),
        );
    }
    if let Some(a) = r.acquisition_date {
        m.insert("acquisitionDate".into(), json!(rfc3339(a)));
    }
    if let Some(p) = r.permanent_storage_date {
        m.insert("permanentStorageDate".into(), json!(rfc3339(p)));
    }
    if let Some(mode) = r.mode {
        m.insert("invoicingMode".into(), json!(mode));
    }
    let mut status = status_obj(r.code, invoice_status_description(r.code), &r.details);
    if !r.extensions.is_empty() {
        status["extensions"] = json!(r.extensions);
    }
    m.insert("status".into(), status);
    Value::Object(m)
}

async fn list_invoices(
    state: SimState,
    caller: Caller,
    headers: HeaderMap,
    reference: String,
    size: Option<usize>,
    only_failed: bool,
) -> ApiResult<Json<Value>> {
    caller.require(READ)?;
    let size = page_size(size, 1000)?;
    let offset = decode_continuation(&headers)?;
    let base = base_url(&headers);
    let mut db = state.db();
    let s = session_of(&state, &mut db, &caller, &reference)?.clone();
    let records: Vec<&InvoiceRecord> = s
        .invoices
        .iter()
        .filter_map(|r| db.invoices.get(r))
        .filter(|r| !only_failed || (std::time::Instant::now() >= r.ready_at && r.code != 200))
        .collect();
    let page: Vec<Value> = records
        .iter()
        .skip(offset)
        .take(size)
        .map(|r| invoice_json(&state, &base, r))
        .collect();
    let mut out = json!({"invoices": page});
    if offset + size < records.len() {
        out["continuationToken"] = json!(encode_continuation(offset + size));
    }
    Ok(Json(out))
}

async fn invoices(
    State(state): State<SimState>,
    caller: Caller,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Query(q): Query<Paging>,
) -> ApiResult<Json<Value>> {
    list_invoices(state, caller, headers, reference, q.page_size, false).await
}

async fn failed(
    State(state): State<SimState>,
    caller: Caller,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Query(q): Query<Paging>,
) -> ApiResult<Json<Value>> {
    list_invoices(state, caller, headers, reference, q.page_size, true).await
}

async fn invoice(
    State(state): State<SimState>,
    caller: Caller,
    headers: HeaderMap,
    Path((reference, invoice_ref)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    caller.require(READ)?;
    let base = base_url(&headers);
    let mut db = state.db();
    session_of(&state, &mut db, &caller, &reference)?;
    db.invoices
        .get(&invoice_ref)
        .filter(|r| r.session_ref == reference)
        .map(|r| Json(invoice_json(&state, &base, r)))
        .ok_or_else(|| {
            ApiError::validation(format!(
                "Faktura {invoice_ref} nie istnieje w sesji {reference}."
            ))
        })
}

/// The UPO of the first accepted invoice of the session matching `pick`.
pub(crate) fn invoice_upo_xml(
    state: &SimState,
    session: &str,
    pick: impl Fn(&InvoiceRecord) -> bool,
) -> Option<String> {
    let db = state.db();
    let s = db.sessions.get(session)?;
    let r = s
        .invoices
        .iter()
        .filter_map(|r| db.invoices.get(r))
        .find(|r| pick(r) && r.code == 200 && std::time::Instant::now() >= r.ready_at)?;
    Some(upo::invoice_upo(s, r))
}

/// One page of the session UPO.
pub(crate) fn session_upo_xml(state: &SimState, session: &str, page_ref: &str) -> Option<String> {
    let db = state.db();
    let (sref, page) = db.upo_pages.get(page_ref)?;
    if sref != session {
        return None;
    }
    let s = db.sessions.get(session)?;
    if std::time::Instant::now() < s.ready_at {
        return None;
    }
    let accepted: Vec<&InvoiceRecord> = s
        .invoices
        .iter()
        .filter_map(|r| db.invoices.get(r))
        .filter(|r| r.code == 200)
        .collect();
    Some(upo::session_upo_page(s, &accepted, *page))
}

fn own_session(state: &SimState, caller: &Caller, reference: &str) -> ApiResult<()> {
    let mut db = state.db();
    session_of(state, &mut db, caller, reference).map(|_| ())
}

async fn invoice_upo(
    State(state): State<SimState>,
    caller: Caller,
    Path((reference, invoice_ref)): Path<(String, String)>,
) -> ApiResult<Response> {
    caller.require(READ)?;
    own_session(&state, &caller, &reference)?;
    invoice_upo_xml(&state, &reference, |r| r.reference == invoice_ref)
        .map(xml_response)
        .ok_or_else(|| {
            ApiError::validation(format!(
                "UPO dla faktury {invoice_ref} w sesji {reference} nie istnieje."
            ))
        })
}

async fn invoice_upo_by_ksef(
    State(state): State<SimState>,
    caller: Caller,
    Path((reference, ksef)): Path<(String, String)>,
) -> ApiResult<Response> {
    caller.require(READ)?;
    own_session(&state, &caller, &reference)?;
    invoice_upo_xml(&state, &reference, |r| {
        r.ksef_number.as_deref() == Some(&ksef)
    })
    .map(xml_response)
    .ok_or_else(|| {
        ApiError::bad_request(
            21178,
            format!("UPO dla numeru KSeF {ksef} i sesji {reference} nie zostało znalezione."),
        )
    })
}

async fn session_upo(
    State(state): State<SimState>,
    caller: Caller,
    Path((reference, upo_ref)): Path<(String, String)>,
) -> ApiResult<Response> {
    caller.require(READ)?;
    own_session(&state, &caller, &reference)?;
    session_upo_xml(&state, &reference, &upo_ref)
        .map(xml_response)
        .ok_or_else(|| {
            ApiError::bad_request(
                21178,
                format!("UPO {upo_ref} dla sesji {reference} nie zostało znalezione."),
            )
        })
}
