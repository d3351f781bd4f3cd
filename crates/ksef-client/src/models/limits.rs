//! Limits: GET `/limits/context`, `/limits/subject`, `/rate-limits`.

use serde::{Deserialize, Serialize};

/// Limits of one kind of session in the current context (`OnlineSessionEffectiveContextLimits`,
/// `BatchSessionEffectiveContextLimits`, same shape).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SessionContextLimits {
    /// Largest invoice without attachment, in MB.
    #[serde(rename = "maxInvoiceSizeInMB")]
    pub max_invoice_size_in_mb: u32,
    /// Largest invoice with attachment, in MB.
    #[serde(rename = "maxInvoiceWithAttachmentSizeInMB")]
    pub max_invoice_with_attachment_size_in_mb: u32,
    /// Most invoices in one session.
    #[serde(rename = "maxInvoices")]
    pub max_invoices: u32,
}

/// Response of GET `/limits/context` (`EffectiveContextLimits`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveContextLimits {
    /// Interactive sessions.
    pub online_session: SessionContextLimits,
    /// Batch sessions.
    pub batch_session: SessionContextLimits,
}

/// Enrollment limit of the subject (`EnrollmentEffectiveSubjectLimits`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentEffectiveSubjectLimits {
    /// Most certificate enrollment requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_enrollments: Option<i32>,
}

/// Certificate limit of the subject (`CertificateEffectiveSubjectLimits`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateEffectiveSubjectLimits {
    /// Most active certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_certificates: Option<i32>,
}

/// Response of GET `/limits/subject` (`EffectiveSubjectLimits`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveSubjectLimits {
    /// Enrollment requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment: Option<EnrollmentEffectiveSubjectLimits>,
    /// Certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateEffectiveSubjectLimits>,
}

/// Request budget of one endpoint group (`EffectiveApiRateLimitValues`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveApiRateLimitValues {
    /// Requests per second.
    pub per_second: u32,
    /// Requests per minute.
    pub per_minute: u32,
    /// Requests per hour.
    pub per_hour: u32,
}

/// Response of GET `/rate-limits` (`EffectiveApiRateLimits`): API rate limits of the current
/// context and IP address, per endpoint group.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveApiRateLimits {
    /// Opening and closing interactive sessions.
    pub online_session: EffectiveApiRateLimitValues,
    /// Opening and closing batch sessions.
    pub batch_session: EffectiveApiRateLimitValues,
    /// Sending invoices.
    pub invoice_send: EffectiveApiRateLimitValues,
    /// Status of one invoice.
    pub invoice_status: EffectiveApiRateLimitValues,
    /// Session lists.
    pub session_list: EffectiveApiRateLimitValues,
    /// Invoice lists of a session.
    pub session_invoice_list: EffectiveApiRateLimitValues,
    /// Other session calls (status, UPO).
    pub session_misc: EffectiveApiRateLimitValues,
    /// Invoice metadata queries.
    pub invoice_metadata: EffectiveApiRateLimitValues,
    /// Starting invoice exports.
    pub invoice_export: EffectiveApiRateLimitValues,
    /// Export status.
    pub invoice_export_status: EffectiveApiRateLimitValues,
    /// Downloading invoices.
    pub invoice_download: EffectiveApiRateLimitValues,
    /// Everything else.
    pub other: EffectiveApiRateLimitValues,
}
