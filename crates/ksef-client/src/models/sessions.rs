//! Sessions (*sesje*): opening and closing interactive (online) and batch sessions, sending
//! invoices in an online session, session and invoice statuses, session lists.

use std::collections::BTreeMap;

use ksef_core::KsefNumber;
use ksef_core::crypto::Sha256Hash;
use serde::{Deserialize, Serialize};

use super::common::{
    ContinuationPage, DateTime, EncryptionInfo, FormCode, InvoicingMode, ReferenceNumber,
    StatusInfo, query_date, wire_enum,
};

// ----- online session ------------------------------------------------------------------------

/// Request of POST `/sessions/online` (`OpenOnlineSessionRequest`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenOnlineSessionRequest {
    /// Schema of the invoices that will be sent.
    pub form_code: FormCode,
    /// Session key and IV.
    pub encryption: EncryptionInfo,
}

/// Response of POST `/sessions/online` (`OpenOnlineSessionResponse`), status 201.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenOnlineSessionResponse {
    /// Session reference number (kind `SO`).
    pub reference_number: ReferenceNumber,
    /// When the session is closed automatically (12 hours after opening).
    pub valid_until: DateTime,
}

/// Request of POST `/sessions/online/{referenceNumber}/invoices` (`SendInvoiceRequest`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendInvoiceRequest {
    /// SHA-256 of the plaintext invoice XML.
    pub invoice_hash: Sha256Hash,
    /// Size of the plaintext invoice in bytes.
    pub invoice_size: u64,
    /// SHA-256 of the encrypted invoice.
    pub encrypted_invoice_hash: Sha256Hash,
    /// Size of the encrypted invoice in bytes.
    pub encrypted_invoice_size: u64,
    /// The invoice, AES-256-CBC/PKCS#7 encrypted with the session key, Base64.
    pub encrypted_invoice_content: String,
    /// Declares the invoice as issued in offline mode (*tryb offline*); default `false`.
    #[serde(default)]
    pub offline_mode: bool,
    /// SHA-256 of the rejected invoice this one technically corrects (*korekta techniczna*).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_of_corrected_invoice: Option<Sha256Hash>,
}

/// Response of POST `/sessions/online/{referenceNumber}/invoices` (`SendInvoiceResponse`),
/// status 202.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendInvoiceResponse {
    /// Reference number of the invoice in the session (kind `EE`).
    pub reference_number: ReferenceNumber,
}

// ----- batch session -------------------------------------------------------------------------

wire_enum! {
    /// Compression of a batch package (`CompressionType`).
    pub enum CompressionType {
        /// ZIP (the default).
        Zip => "Zip",
        /// tar.gz.
        TarGz => "TarGz",
    }
}

/// One part of a batch package (`BatchFilePartInfo`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchFilePartInfo {
    /// Sequence number of the part, from 1.
    pub ordinal_number: u32,
    /// Size of the encrypted part in bytes.
    pub file_size: u64,
    /// SHA-256 of the encrypted part.
    pub file_hash: Sha256Hash,
}

/// The batch package (`BatchFileInfo`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchFileInfo {
    /// Size of the whole unencrypted archive (at most 5 000 000 000 bytes).
    pub file_size: u64,
    /// SHA-256 of the whole unencrypted archive.
    pub file_hash: Sha256Hash,
    /// Archive format; `Zip` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_type: Option<CompressionType>,
    /// The parts (1–50).
    pub file_parts: Vec<BatchFilePartInfo>,
}

/// Request of POST `/sessions/batch` (`OpenBatchSessionRequest`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBatchSessionRequest {
    /// Schema of the invoices in the package.
    pub form_code: FormCode,
    /// The package.
    pub batch_file: BatchFileInfo,
    /// Session key and IV.
    pub encryption: EncryptionInfo,
    /// Declares all invoices of the package as issued offline; default `false`.
    #[serde(default)]
    pub offline_mode: bool,
}

/// Where and how to upload one part (`PartUploadRequest`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartUploadRequest {
    /// Which part (matches `ordinalNumber` of the request).
    pub ordinal_number: u32,
    /// HTTP method to use (e.g. `PUT`).
    pub method: String,
    /// Presigned upload URL (no `Authorization` header to be sent).
    pub url: String,
    /// Headers that must be sent with the upload.
    pub headers: BTreeMap<String, Option<String>>,
}

/// Response of POST `/sessions/batch` (`OpenBatchSessionResponse`), status 201.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBatchSessionResponse {
    /// Session reference number (kind `SB`).
    pub reference_number: ReferenceNumber,
    /// One upload instruction per declared part.
    pub part_upload_requests: Vec<PartUploadRequest>,
}

// ----- lists and statuses --------------------------------------------------------------------

wire_enum! {
    /// Session type (`SessionType`).
    pub enum SessionType {
        /// Interactive session (*sesja interaktywna*).
        Online => "Online",
        /// Batch session (*sesja wsadowa*).
        Batch => "Batch",
    }
}

wire_enum! {
    /// Session status for list filters (`CommonSessionStatus`).
    pub enum CommonSessionStatus {
        /// Active.
        InProgress => "InProgress",
        /// Processed without session-level errors (some invoices may still be rejected).
        Succeeded => "Succeeded",
        /// Errors at session start or end prevented processing.
        Failed => "Failed",
        /// Batch sending time exceeded, or no invoices sent in an interactive session.
        Cancelled => "Cancelled",
    }
}

/// Query parameters of GET `/sessions` (and the continuation header).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SessionsQuery {
    /// Type of sessions to list (required).
    pub session_type: SessionType,
    /// Only this session.
    pub reference_number: Option<ReferenceNumber>,
    /// Created at or after.
    pub date_created_from: Option<DateTime>,
    /// Created at or before.
    pub date_created_to: Option<DateTime>,
    /// Closed at or after.
    pub date_closed_from: Option<DateTime>,
    /// Closed at or before.
    pub date_closed_to: Option<DateTime>,
    /// Modified at or after.
    pub date_modified_from: Option<DateTime>,
    /// Modified at or before.
    pub date_modified_to: Option<DateTime>,
    /// Any of these statuses (the parameter is repeated).
    pub statuses: Vec<CommonSessionStatus>,
    /// Page size (10–1000) and continuation token.
    pub page: ContinuationPage,
}

impl SessionsQuery {
    /// A query for all sessions of a type.
    pub fn new(session_type: SessionType) -> Self {
        SessionsQuery {
            session_type,
            reference_number: None,
            date_created_from: None,
            date_created_to: None,
            date_closed_from: None,
            date_closed_to: None,
            date_modified_from: None,
            date_modified_to: None,
            statuses: Vec::new(),
            page: ContinuationPage::default(),
        }
    }

    /// Query parameters, in spec order; `statuses` repeated.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = self.page.query_pairs();
        q.push(("sessionType", self.session_type.to_string()));
        if let Some(r) = &self.reference_number {
            q.push(("referenceNumber", r.to_string()));
        }
        for (name, d) in [
            ("dateCreatedFrom", &self.date_created_from),
            ("dateCreatedTo", &self.date_created_to),
            ("dateClosedFrom", &self.date_closed_from),
            ("dateClosedTo", &self.date_closed_to),
            ("dateModifiedFrom", &self.date_modified_from),
            ("dateModifiedTo", &self.date_modified_to),
        ] {
            if let Some(d) = d {
                q.push((name, query_date(d)));
            }
        }
        for s in &self.statuses {
            q.push(("statuses", s.to_string()));
        }
        q
    }
}

/// One session in GET `/sessions` (`SessionsQueryResponseItem`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionsQueryResponseItem {
    /// Session reference number.
    pub reference_number: ReferenceNumber,
    /// Session status.
    pub status: StatusInfo,
    /// Creation time.
    pub date_created: DateTime,
    /// Last activity.
    pub date_updated: DateTime,
    /// Automatic close time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime>,
    /// Number of invoices sent.
    pub total_invoice_count: u32,
    /// Invoices processed successfully.
    pub successful_invoice_count: u32,
    /// Invoices processed with an error.
    pub failed_invoice_count: u32,
}

/// Response of GET `/sessions` (`SessionsQueryResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionsQueryResponse {
    /// Token for the next page; absent or empty when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    /// The sessions, newest first.
    pub sessions: Vec<SessionsQueryResponseItem>,
}

/// One page of the collective session UPO (`UpoPageResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpoPageResponse {
    /// Reference number of the UPO page (kind `EU`).
    pub reference_number: ReferenceNumber,
    /// Presigned download link (GET without access token).
    pub download_url: String,
    /// Expiry of the link.
    pub download_url_expiration_date: DateTime,
}

/// The collective UPO (*Urzędowe Poświadczenie Odbioru*, official acknowledgement of receipt)
/// of a session (`UpoResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpoResponse {
    /// Pages (at most 10 000 invoices each).
    pub pages: Vec<UpoPageResponse>,
}

/// Response of GET `/sessions/{referenceNumber}` (`SessionStatusResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatusResponse {
    /// Session status (100 open, 170 closed, 200 processed, 4xx errors…).
    pub status: StatusInfo,
    /// Creation time (the `invoicingDate` of all invoices of a batch).
    pub date_created: DateTime,
    /// Last activity.
    pub date_updated: DateTime,
    /// Automatic close time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime>,
    /// The collective UPO, once generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upo: Option<UpoResponse>,
    /// Number of invoices accepted in the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_count: Option<u32>,
    /// Invoices processed successfully.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful_invoice_count: Option<u32>,
    /// Invoices processed with an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_invoice_count: Option<u32>,
}

/// Status of one invoice (`InvoiceStatusInfo`): like [`StatusInfo`] plus `extensions`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceStatusInfo {
    /// Status code (100 accepted, 150 processing, 200 success, 4xx/5xx errors).
    pub code: i32,
    /// Description (Polish).
    pub description: String,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<String>>,
    /// Extra data, e.g. `originalKsefNumber` and `originalSessionReferenceNumber` of a
    /// duplicate (code 440).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<BTreeMap<String, Option<String>>>,
}

/// Status of one invoice of a session (`SessionInvoiceStatusResponse`): response of
/// GET `/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}` and list item.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInvoiceStatusResponse {
    /// Sequence number of the invoice in the session.
    pub ordinal_number: u32,
    /// Invoice number (`P_2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    /// KSeF number (*numer KSeF*), once assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ksef_number: Option<KsefNumber>,
    /// Invoice reference number (kind `EE`).
    pub reference_number: ReferenceNumber,
    /// SHA-256 of the invoice.
    pub invoice_hash: Sha256Hash,
    /// File name inside the batch archive (batch sessions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_file_name: Option<String>,
    /// When the KSeF number was assigned (*data przydzielenia numeru KSeF*).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquisition_date: Option<DateTime>,
    /// When the invoice was accepted for processing (*data przyjęcia*).
    pub invoicing_date: DateTime,
    /// When the invoice was stored durably.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permanent_storage_date: Option<DateTime>,
    /// Presigned link to the invoice's UPO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upo_download_url: Option<String>,
    /// Expiry of that link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upo_download_url_expiration_date: Option<DateTime>,
    /// Final sending mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoicing_mode: Option<InvoicingMode>,
    /// Processing status.
    pub status: InvoiceStatusInfo,
}

/// Response of GET `/sessions/{referenceNumber}/invoices` and
/// `/sessions/{referenceNumber}/invoices/failed` (`SessionInvoicesResponse`). Paging with
/// [`ContinuationPage`] (page size 10–1000).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInvoicesResponse {
    /// Token for the next page; absent or empty when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    /// The invoices.
    pub invoices: Vec<SessionInvoiceStatusResponse>,
}
