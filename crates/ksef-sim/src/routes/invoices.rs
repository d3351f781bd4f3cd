//! `GET /invoices/ksef/{ksefNumber}` and `POST /invoices/query/metadata`: enough to find an
//! invoice by its number or its hash (crypto-and-sessions.md §12).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Warsaw;
use ksef_client::models::FormCode;
use ksef_client::models::common::InvoicingMode;
use ksef_client::models::invoices::{
    BuyerIdentifier, BuyerIdentifierType, InvoiceMetadata, InvoiceMetadataBuyer,
    InvoiceMetadataSeller, InvoiceQueryDateType, InvoiceQuerySubjectType, InvoiceType,
    QueryInvoicesMetadataResponse,
};
use ksef_core::crypto::Sha256Hash;
use ksef_core::ids::ContextIdentifier;
use serde::Deserialize;
use serde_json::Value;

use super::extract::Caller;
use super::storage::xml_response;
use crate::error::{ApiError, ApiResult};
use crate::state::{Db, InvoiceRecord, SimState};
use crate::wire::{ApiJson, SimInvoiceQueryFilters, dt, ksef_no};

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

fn invoice_type(kind: &str) -> InvoiceType {
    match kind {
        "KOR" => InvoiceType::Kor,
        "ZAL" => InvoiceType::Zal,
        "ROZ" => InvoiceType::Roz,
        "UPR" => InvoiceType::Upr,
        "KOR_ZAL" => InvoiceType::KorZal,
        "KOR_ROZ" => InvoiceType::KorRoz,
        _ => InvoiceType::Vat,
    }
}

fn metadata_of(r: &InvoiceRecord) -> Option<InvoiceMetadata> {
    let f = r.facts.as_ref()?;
    let acquired = r.acquisition_date?;
    Some(InvoiceMetadata {
        ksef_number: ksef_no(r.ksef_number.as_deref()?),
        invoice_number: f.number.clone(),
        issue_date: f.issue_date,
        invoicing_date: dt(r.invoicing_date),
        acquisition_date: dt(acquired),
        permanent_storage_date: dt(r.permanent_storage_date.unwrap_or(acquired)),
        seller: InvoiceMetadataSeller {
            nip: f.seller_nip.as_str().to_owned(),
            name: f.seller_name.clone(),
        },
        buyer: InvoiceMetadataBuyer {
            identifier: match &f.buyer_nip {
                Some(n) => BuyerIdentifier {
                    kind: BuyerIdentifierType::Nip,
                    value: Some(n.clone()),
                },
                None => BuyerIdentifier {
                    kind: BuyerIdentifierType::NoId,
                    value: None,
                },
            },
            name: f.buyer_name.clone(),
        },
        net_amount: f.net,
        gross_amount: f.gross,
        vat_amount: f.vat,
        currency: f.currency.clone(),
        invoicing_mode: match r.mode {
            Some("Offline") => InvoicingMode::Offline,
            _ => InvoicingMode::Online,
        },
        invoice_type: invoice_type(&f.kind),
        form_code: FormCode {
            system_code: r.form.system_code.clone(),
            schema_version: r.form.schema_version.clone(),
            value: r.form.value.clone(),
        },
        is_self_invoicing: false,
        has_attachment: f.has_attachment,
        invoice_hash: r.hash,
        hash_of_corrected_invoice: r.hash_of_corrected,
        third_subjects: None,
        authorized_subject: None,
    })
}

/// `dateRange.from`/`to` without an offset are Polish local time (crypto-and-sessions.md
/// §12); the wire model wants an offset, so they are given one before decoding.
fn localize_dates(body: &mut Value) -> ApiResult<()> {
    let Some(range) = body.get_mut("dateRange").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for key in ["from", "to"] {
        if let Some(Value::String(text)) = range.get_mut(key) {
            let t = parse_instant(text).ok_or_else(|| {
                ApiError::validation(format!("dateRange.{key}: nieprawidłowa data."))
            })?;
            *text = t.to_rfc3339();
        }
    }
    Ok(())
}

async fn metadata(
    State(state): State<SimState>,
    caller: Caller,
    Query(q): Query<MetaQuery>,
    ApiJson(mut body): ApiJson<Value>,
) -> ApiResult<Json<QueryInvoicesMetadataResponse>> {
    caller.require(&["InvoiceRead"])?;
    let size = q.page_size.unwrap_or(10);
    if !(10..=250).contains(&size) {
        return Err(ApiError::validation("pageSize poza zakresem 10..250."));
    }
    let offset = q.page_offset.unwrap_or(0);
    localize_dates(&mut body)?;
    let SimInvoiceQueryFilters {
        filters,
        invoice_hash,
    } = serde_json::from_value(body).map_err(|e| ApiError::validation(e.to_string()))?;
    let from = filters.date_range.from.with_timezone(&Utc);
    let to = filters.date_range.to.map(|t| t.with_timezone(&Utc));
    let hash = invoice_hash
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
            let subject_ok = match filters.subject_type {
                InvoiceQuerySubjectType::Subject1 => {
                    visible(&db, &caller, r)
                        && (nip.is_none()
                            || Some(f.seller_nip.as_str()) == nip.as_deref()
                            || db
                                .sessions
                                .get(&r.session_ref)
                                .is_some_and(|s| s.context == caller.context))
                }
                InvoiceQuerySubjectType::Subject2 => f.buyer_nip.is_some() && f.buyer_nip == nip,
                _ => false,
            };
            let date = match filters.date_range.date_type {
                InvoiceQueryDateType::Issue => Warsaw
                    .from_local_datetime(&f.issue_date.and_hms_opt(12, 0, 0).unwrap_or_default())
                    .earliest()
                    .map(|t| t.with_timezone(&Utc)),
                InvoiceQueryDateType::Invoicing => Some(r.invoicing_date),
                _ => r.permanent_storage_date,
            };
            subject_ok
                && date.is_some_and(|d| d >= from && to.is_none_or(|t| d <= t))
                && filters
                    .ksef_number
                    .as_ref()
                    .is_none_or(|k| r.ksef_number.as_deref() == Some(k.as_str()))
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
    let invoices = found
        .iter()
        .skip(offset * size)
        .take(size)
        .filter_map(|r| metadata_of(r))
        .collect();
    Ok(Json(QueryInvoicesMetadataResponse {
        has_more: (offset + 1) * size < found.len(),
        is_truncated: false,
        permanent_storage_hwm_date: None,
        invoices,
    }))
}
