//! The JSON extractor that answers malformed input with 21405, small conversions to the wire
//! models of `ksef_client::models` (which the simulator reads requests with and writes
//! responses with), and the one request extension the models do not carry.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use chrono::Utc;
use ksef_client::models::common::{ReferenceNumber, StatusInfo};
use ksef_client::models::invoices::InvoiceQueryFilters;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Json` whose rejections are KSeF errors (21405, or 413 when the body is too large).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::BytesRejection(e)) => Err(ApiError::plain(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                format!("Treść żądania jest zbyt duża: {e}"),
            )),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::validation(
                "Wymagany nagłówek Content-Type: application/json.",
            )),
            Err(e) => Err(ApiError::validation(e.body_text())),
        }
    }
}

/// A reference number the simulator made itself (always well-formed: `refs.rs` writes the
/// format `ReferenceNumber` parses).
pub fn refno(s: &str) -> ReferenceNumber {
    s.parse()
        .expect("the simulator's own reference numbers are well-formed")
}

/// A KSeF number the simulator made itself.
pub fn ksef_no(s: &str) -> ksef_core::KsefNumber {
    s.parse()
        .expect("the simulator's own KSeF numbers are well-formed")
}

/// A point in time on the wire.
pub fn dt(t: chrono::DateTime<Utc>) -> ksef_client::models::DateTime {
    t.fixed_offset()
}

/// `StatusInfo` (details left out when empty).
pub fn status_info(code: u16, description: &str, details: &[String]) -> StatusInfo {
    StatusInfo {
        code: i32::from(code),
        description: description.to_owned(),
        details: (!details.is_empty()).then(|| details.to_vec()),
    }
}

/// `InvoiceQueryFilters`, plus one field the API does not have: the simulator also accepts
/// `invoiceHash` (the file hash, Base64), so a client that lost a response can look its
/// invoice up directly.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimInvoiceQueryFilters {
    /// The filters of the API.
    #[serde(flatten)]
    pub filters: InvoiceQueryFilters,
    /// Not in the API: SHA-256 of the invoice file, Base64.
    #[serde(default)]
    pub invoice_hash: Option<String>,
}
