//! `GET /invoices/ksef/{ksefNumber}` and `POST /invoices/query/metadata`: enough to find an
//! invoice by its number or its hash (crypto-and-sessions.md §12).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Warsaw;
use ksef_core::crypto::Sha256Hash;
use ksef_core::ids::ContextIdentifier;
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::Caller;
use super::rfc3339;
use super::storage::xml_response;
use crate::error::{ApiError, ApiResult};
use crate::state::{Db, InvoiceRecord, SimState};
use crate::wire::{ApiJson, InvoiceQueryFilters};

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/invoices/ksef/{ksefNumber}", get(download))
        .route("/invoices/query/metadata", post(metadata))
}

fn context_nip(c: &ContextIdentifier) -> Option<&str> {
    match c {
        ContextIdentifier::Nip(n) => Some(n.as_str()),
        _ => None,
    }
}

/// Whether the caller may see the invoice: it sent it, or is its seller or buyer.
fn visible(db: &Db, caller: &Caller, r: &InvoiceRecord) -> bool {
    let sent = db
        .sessions
        .get(&r.session_ref)
        .is_some_and(|s| s.context == caller.context);
    let nip = context_nip(&caller.context);
    sent || r.facts.as_ref().is_some_and(|f| {
        Some(f.seller_nip.as_str()) == nip
            || (f.buyer_nip.is_some() && f.buyer_nip.as_deref() == nip)
    })
}

async fn download(
    State(state): State<SimState>,
    caller: Caller,
    Path(ksef): Path<String>,
) -> ApiResult<Response> {
    caller.require(&["InvoiceRead"])?;
    let db = state.db();
    let r = db
        .by_ksef
        .get(&ksef)
        .and_then(|r| db.invoices.get(r))
        .filter(|r| visible(&db, &caller, r))
        .ok_or_else(|| {
            ApiError::bad_request(
                21164,
                format!("Faktura o numerze KSeF {ksef} nie została znaleziona."),
            )
        })?;
    if std::time::Instant::now() < r.ready_at {
        return Err(ApiError::bad_request(
            21165,
            "Faktura została przetworzona, ale nie jest jeszcze dostępna do pobrania. Spróbuj ponownie później.",
        ));
    }
    let content = r.content.clone().unwrap_or_default();
    Ok(xml_response(String::from_utf8_lossy(&content).into_owned()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetaQuery {
    page_offset: Option<usize>,
    page_size: Option<usize>,
    sort_order: Option<String>,
}

fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    // Without an offset: Polish local time (crypto-and-sessions.md §12).
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Warsaw
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn invoice_type(kind: &str) -> &'static str {
    match kind {
        "KOR" => "Kor",
        "ZAL" => "Zal",
        "ROZ" => "Roz",
        "UPR" => "Upr",
        "KOR_ZAL" => "KorZal",
        "KOR_ROZ" => "KorRoz",
        _ => "Vat",
    }
}

fn metadata_json(r: &InvoiceRecord) -> Option<Value> {
    let f = r.facts.as_ref()?;
    let acquired = r.acquisition_date?;
    let mut v = json!({
        "ksefNumber": r.ksef_number.as_deref()?,
        "invoiceNumber": f.number,
        "issueDate": f.issue_date.format("%Y-%m-%d").to_string(),
        "invoicingDate": rfc3339(r.invoicing_date),
        "acquisitionDate": rfc3339(acquired),
        "permanentStorageDate": rfc3339(r.permanent_storage_date.unwrap_or(acquired)),
        "seller": {"nip": f.seller_nip.as_str(), "name": f.seller_name},
        "buyer": {"identifier": match &f.buyer_nip {
            Some(n) => json!({"type": "Nip", "value": n}),
            None => json!({"type": "None"}),
        }, "name": f.buyer_name},
        "netAmount": f.net,
        "grossAmount": f.gross,
        "vatAmount": f.vat,
        "currency": f.currency,
        "invoicingMode": r.mode.unwrap_or("Online"),
        "invoiceType": invoice_type(&f.kind),
        "formCode": {"systemCode": r.form.system_code, "schemaVersion": r.form.schema_version, "value": r.form.value},
        "isSelfInvoicing": false,
        "hasAttachment": f.has_attachment,
        "invoiceHash": r.hash.to_base64(),
    });
    if let Some(h) = &r.hash_of_corrected {
        v["hashOfCorrectedInvoice"] = json!(h.to_base64());
    }
    Some(v)
}

async fn metadata(
    State(state): State<SimState>,
    caller: Caller,
    Query(q): Query<MetaQuery>,
    ApiJson(filters): ApiJson<InvoiceQueryFilters>,
) -> ApiResult<Json<Value>> {
    caller.require(&["InvoiceRead"])?;
    let size = q.page_size.unwrap_or(10);
    if !(10..=250).contains(&size) {
        return Err(ApiError::validation("pageSize poza zakresem 10..250."));
    }
    let offset = q.page_offset.unwrap_or(0);
    let from = parse_instant(&filters.date_range.from)
        .ok_or_else(|| ApiError::validation("dateRange.from: nieprawidłowa data."))?;
    let to = match &filters.date_range.to {
        Some(t) => Some(
            parse_instant(t)
                .ok_or_else(|| ApiError::validation("dateRange.to: nieprawidłowa data."))?,
        ),
        None => None,
    };
    let hash = filters
        .invoice_hash
        .as_deref()
        .map(|h| h.parse::<Sha256Hash>())
        .transpose()
        .map_err(|_| ApiError::validation("invoiceHash: oczekiwano SHA-256."))?;
    let nip = context_nip(&caller.context).map(str::to_owned);
    let db = state.db();
    let mut found: Vec<&InvoiceRecord> = db
        .invoices
        .values()
        .filter(|r| r.code == 200 && std::time::Instant::now() >= r.ready_at)
        .filter(|r| {
            let Some(f) = &r.facts else { return false };
            let subject_ok = match filters.subject_type.as_str() {
                "Subject1" => {
                    visible(&db, &caller, r)
                        && (nip.is_none()
                            || Some(f.seller_nip.as_str()) == nip.as_deref()
                            || db
                                .sessions
                                .get(&r.session_ref)
                                .is_some_and(|s| s.context == caller.context))
                }
                "Subject2" => f.buyer_nip.is_some() && f.buyer_nip == nip,
                _ => false,
            };
            let date = match filters.date_range.date_type.as_str() {
                "Issue" => Warsaw
                    .from_local_datetime(&f.issue_date.and_hms_opt(12, 0, 0).unwrap_or_default())
                    .earliest()
                    .map(|t| t.with_timezone(&Utc)),
                "Invoicing" => Some(r.invoicing_date),
                _ => r.permanent_storage_date,
            };
            subject_ok
                && date.is_some_and(|d| d >= from && to.is_none_or(|t| d <= t))
                && filters
                    .ksef_number
                    .as_ref()
                    .is_none_or(|k| r.ksef_number.as_ref() == Some(k))
                && filters
                    .invoice_number
                    .as_ref()
                    .is_none_or(|n| &f.number == n)
                && filters
                    .seller_nip
                    .as_ref()
                    .is_none_or(|n| f.seller_nip.as_str() == n)
                && hash.is_none_or(|h| r.hash == h)
        })
        .collect();
    found.sort_by_key(|r| (r.permanent_storage_date, r.ordinal));
    if q.sort_order.as_deref() == Some("Desc") {
        found.reverse();
    }
    let page: Vec<Value> = found
        .iter()
        .skip(offset * size)
        .take(size)
        .filter_map(|r| metadata_json(r))
        .collect();
    Ok(Json(json!({
        "hasMore": (offset + 1) * size < found.len(),
        "isTruncated": false,
        "invoices": page,
    })))
}
