//! Session and invoice statuses, lists and UPOs (crypto-and-sessions.md §7, §8).

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use ksef_client::models::common::InvoicingMode;
use ksef_client::models::sessions::{
    InvoiceStatusInfo, SessionInvoiceStatusResponse, SessionInvoicesResponse,
    SessionStatusResponse, SessionsQueryResponse, SessionsQueryResponseItem, UpoPageResponse,
    UpoResponse,
};
use serde::Deserialize;

use super::base_url;
use super::extract::Caller;
use super::online::{session_of, session_status, settle};
use super::storage::{upo_url, xml_response};
use crate::error::{ApiError, ApiResult};
use crate::pipeline::invoice_status_description;
use crate::state::{InvoiceRecord, Session, SessionKind, SimState};
use crate::upo;
use crate::wire::{dt, ksef_no, refno, status_info};

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

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
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
) -> ApiResult<Json<SessionsQueryResponse>> {
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
    let sessions = mine
        .iter()
        .skip(offset)
        .take(size)
        .map(|s| {
            let (code, desc, details) = session_status(s);
            let (total, ok, failed) = counts(&db, s);
            SessionsQueryResponseItem {
                reference_number: refno(&s.reference),
                status: status_info(code, desc, &details),
                date_created: dt(s.created),
                date_updated: dt(s.updated),
                valid_until: Some(dt(s.valid_until)),
                total_invoice_count: count(total),
                successful_invoice_count: count(ok),
                failed_invoice_count: count(failed),
            }
        })
        .collect();
    Ok(Json(SessionsQueryResponse {
        continuation_token: (offset + size < mine.len())
            .then(|| encode_continuation(offset + size)),
        sessions,
    }))
}

async fn session(
    State(state): State<SimState>,
    caller: Caller,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> ApiResult<Json<SessionStatusResponse>> {
    caller.require(READ)?;
    let now = state.now();
    let mut db = state.db();
    let s = session_of(&state, &mut db, &caller, &reference)?.clone();
    let (code, desc, details) = session_status(&s);
    let (total, ok, failed) = counts(&db, &s);
    let upo = (code == 200 && !s.upo_pages.is_empty()).then(|| {
        let base = base_url(&headers);
        let expires = now + Duration::hours(LINK_LIFETIME_H);
        UpoResponse {
            pages: s
                .upo_pages
                .iter()
                .map(|p| UpoPageResponse {
                    reference_number: refno(p),
                    download_url: upo_url(
                        &state,
                        &base,
                        &s.reference,
                        "page",
                        p,
                        expires.timestamp(),
                    ),
                    download_url_expiration_date: dt(expires),
                })
                .collect(),
        }
    });
    Ok(Json(SessionStatusResponse {
        status: status_info(code, desc, &details),
        date_created: dt(s.created),
        date_updated: dt(s.updated),
        valid_until: Some(dt(s.valid_until)),
        upo,
        invoice_count: Some(count(total)),
        successful_invoice_count: Some(count(ok)),
        failed_invoice_count: Some(count(failed)),
    }))
}

/// One invoice's status, as shown now.
pub(crate) fn invoice_status(
    state: &SimState,
    base: &str,
    r: &InvoiceRecord,
) -> SessionInvoiceStatusResponse {
    let mut out = SessionInvoiceStatusResponse {
        ordinal_number: r.ordinal,
        invoice_number: None,
        ksef_number: None,
        reference_number: refno(&r.reference),
        invoice_hash: r.hash,
        invoice_file_name: r.file_name.clone(),
        acquisition_date: None,
        invoicing_date: dt(r.invoicing_date),
        permanent_storage_date: None,
        upo_download_url: None,
        upo_download_url_expiration_date: None,
        invoicing_mode: None,
        status: InvoiceStatusInfo {
            code: 150,
            description: invoice_status_description(150).to_owned(),
            details: None,
            extensions: None,
        },
    };
    if std::time::Instant::now() < r.ready_at {
        return out;
    }
    out.invoice_number = r.invoice_number.clone();
    if let Some(k) = &r.ksef_number {
        out.ksef_number = Some(ksef_no(k));
        let expires = state.now() + Duration::hours(LINK_LIFETIME_H);
        out.upo_download_url = Some(upo_url(
            state,
            base,
            &r.session_ref,
            "invoice",
            &r.reference,
            expires.timestamp(),
        ));
        out.upo_download_url_expiration_date = Some(dt(expires));
    }
    out.acquisition_date = r.acquisition_date.map(dt);
    out.permanent_storage_date = r.permanent_storage_date.map(dt);
    out.invoicing_mode = r.mode.map(|m| match m {
        "Offline" => InvoicingMode::Offline,
        _ => InvoicingMode::Online,
    });
    out.status = InvoiceStatusInfo {
        code: i32::from(r.code),
        description: invoice_status_description(r.code).to_owned(),
        details: (!r.details.is_empty()).then(|| r.details.clone()),
        extensions: (!r.extensions.is_empty()).then(|| {
            r.extensions
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect()
        }),
    };
    out
}

async fn list_invoices(
    state: SimState,
    caller: Caller,
    headers: HeaderMap,
    reference: String,
    size: Option<usize>,
    only_failed: bool,
) -> ApiResult<Json<SessionInvoicesResponse>> {
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
    let invoices = records
        .iter()
        .skip(offset)
        .take(size)
        .map(|r| invoice_status(&state, &base, r))
        .collect();
    Ok(Json(SessionInvoicesResponse {
        continuation_token: (offset + size < records.len())
            .then(|| encode_continuation(offset + size)),
        invoices,
    }))
}

async fn invoices(
    State(state): State<SimState>,
    caller: Caller,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Query(q): Query<Paging>,
) -> ApiResult<Json<SessionInvoicesResponse>> {
    list_invoices(state, caller, headers, reference, q.page_size, false).await
}

async fn failed(
    State(state): State<SimState>,
    caller: Caller,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Query(q): Query<Paging>,
) -> ApiResult<Json<SessionInvoicesResponse>> {
    list_invoices(state, caller, headers, reference, q.page_size, true).await
}

async fn invoice(
    State(state): State<SimState>,
    caller: Caller,
    headers: HeaderMap,
    Path((reference, invoice_ref)): Path<(String, String)>,
) -> ApiResult<Json<SessionInvoiceStatusResponse>> {
    caller.require(READ)?;
    let base = base_url(&headers);
    let mut db = state.db();
    session_of(&state, &mut db, &caller, &reference)?;
    db.invoices
        .get(&invoice_ref)
        .filter(|r| r.session_ref == reference)
        .map(|r| Json(invoice_status(&state, &base, r)))
        .ok_or_else(|| {
            ApiError::validation(format!(
                "Faktura {invoice_ref} nie istnieje w sesji {reference}."
            ))
        })
}

/// The UPO of the first accepted invoice of the session matching `pick`.
/// Which invoice of a session a UPO is asked for.
pub(crate) enum UpoOf<'a> {
    /// By the invoice's reference number.
    Reference(&'a str),
    /// By its KSeF number.
    KsefNumber(&'a str),
}

/// The UPO of one accepted, processed invoice of `session` (indexed lookups: a session of
/// 10,000 invoices answers as fast as one of ten).
pub(crate) fn invoice_upo_xml(state: &SimState, session: &str, of: UpoOf<'_>) -> Option<String> {
    let db = state.db();
    let s = db.sessions.get(session)?;
    let reference = match of {
        UpoOf::Reference(r) => r,
        UpoOf::KsefNumber(n) => db.by_ksef.get(n)?.as_str(),
    };
    let r = db.invoices.get(reference)?;
    let ready =
        r.session_ref == session && r.code == 200 && std::time::Instant::now() >= r.ready_at;
    ready.then(|| upo::invoice_upo(s, r))
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
    invoice_upo_xml(&state, &reference, UpoOf::Reference(&invoice_ref))
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
    invoice_upo_xml(&state, &reference, UpoOf::KsefNumber(&ksef))
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
