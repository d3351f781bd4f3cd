//! Request bodies the simulator reads, and the JSON extractor that answers malformed input
//! with 21405. (To be replaced by `ksef_client::models` once they land.)

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::FormCode;

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

/// `AuthenticationContextIdentifier`.
#[derive(Debug, Deserialize)]
pub struct ContextIdentifierBody {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// `InitTokenAuthenticationRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitTokenAuthenticationRequest {
    pub challenge: String,
    pub context_identifier: ContextIdentifierBody,
    pub encrypted_token: String,
    #[serde(default)]
    pub public_key_id: Option<String>,
}

/// `EncryptionInfo`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionInfo {
    pub encrypted_symmetric_key: String,
    pub initialization_vector: String,
    #[serde(default)]
    pub public_key_id: Option<String>,
}

/// `OpenOnlineSessionRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenOnlineSessionRequest {
    pub form_code: FormCode,
    pub encryption: EncryptionInfo,
}

/// `SendInvoiceRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendInvoiceRequest {
    pub invoice_hash: String,
    pub invoice_size: i64,
    pub encrypted_invoice_hash: String,
    pub encrypted_invoice_size: i64,
    pub encrypted_invoice_content: String,
    #[serde(default)]
    pub offline_mode: bool,
    #[serde(default)]
    pub hash_of_corrected_invoice: Option<String>,
}

/// `BatchFilePartInfo`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchFilePartInfo {
    pub ordinal_number: i64,
    pub file_size: i64,
    pub file_hash: String,
}

/// `BatchFileInfo`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchFileInfo {
    pub file_size: i64,
    pub file_hash: String,
    #[serde(default)]
    pub compression_type: Option<String>,
    pub file_parts: Vec<BatchFilePartInfo>,
}

/// `OpenBatchSessionRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBatchSessionRequest {
    pub form_code: FormCode,
    pub batch_file: BatchFileInfo,
    pub encryption: EncryptionInfo,
    #[serde(default)]
    pub offline_mode: bool,
}

/// `GenerateTokenRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateTokenRequest {
    pub permissions: Vec<String>,
    pub description: String,
}

/// `InvoiceQueryDateRange`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceQueryDateRange {
    pub date_type: String,
    pub from: String,
    #[serde(default)]
    pub to: Option<String>,
}

/// `InvoiceQueryFilters` (the fields the simulator filters by).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceQueryFilters {
    pub subject_type: String,
    pub date_range: InvoiceQueryDateRange,
    #[serde(default)]
    pub ksef_number: Option<String>,
    #[serde(default)]
    pub invoice_number: Option<String>,
    #[serde(default)]
    pub seller_nip: Option<String>,
    /// Not in the API: the simulator also accepts the file hash, so a client that lost a
    /// response can look its invoice up directly.
    #[serde(default)]
    pub invoice_hash: Option<String>,
}
