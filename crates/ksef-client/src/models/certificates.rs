//! KSeF certificates (*certyfikaty KSeF*): limits, enrollment, retrieval, query, revocation.
//!
//! Certificate serial numbers are 16 upper-case hex digits, kept as `String`.

use serde::{Deserialize, Serialize};

use super::common::{DateTime, OffsetPage, ReferenceNumber, StatusInfo, wire_enum};

wire_enum! {
    /// Type of KSeF certificate (`KsefCertificateType`).
    pub enum KsefCertificateType {
        /// For authentication in KSeF.
        Authentication => "Authentication",
        /// For signing offline invoices' KOD II.
        Offline => "Offline",
    }
}

wire_enum! {
    /// Certificate status (`CertificateListItemStatus`).
    pub enum CertificateListItemStatus {
        /// Active.
        Active => "Active",
        /// Blocked.
        Blocked => "Blocked",
        /// Revoked.
        Revoked => "Revoked",
        /// Expired.
        Expired => "Expired",
    }
}

wire_enum! {
    /// Type of the certificate subject's identifier (`CertificateSubjectIdentifierType`).
    pub enum CertificateSubjectIdentifierType {
        /// NIP.
        Nip => "Nip",
        /// PESEL.
        Pesel => "Pesel",
        /// Certificate fingerprint.
        Fingerprint => "Fingerprint",
    }
}

wire_enum! {
    /// Reason of revocation (`CertificateRevocationReason`).
    pub enum CertificateRevocationReason {
        /// Unspecified.
        Unspecified => "Unspecified",
        /// Replaced by another certificate.
        Superseded => "Superseded",
        /// Private key compromised.
        KeyCompromise => "KeyCompromise",
    }
}

/// A limit and what remains of it (`CertificateLimit`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CertificateLimit {
    /// Remaining.
    pub remaining: i32,
    /// Limit.
    pub limit: i32,
}

/// Response of GET `/certificates/limits` (`CertificateLimitsResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateLimitsResponse {
    /// Whether a new enrollment may be requested now.
    pub can_request: bool,
    /// Enrollment requests.
    pub enrollment: CertificateLimit,
    /// Active certificates.
    pub certificate: CertificateLimit,
}

/// Response of GET `/certificates/enrollments/data` (`CertificateEnrollmentDataResponse`):
/// the subject DN attributes the CSR must carry.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateEnrollmentDataResponse {
    /// `CN`.
    pub common_name: String,
    /// `C`.
    pub country_name: String,
    /// `GN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// `SN` (surname).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// `serialNumber` (e.g. `PNOPL-…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// `x500UniqueIdentifier`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_identifier: Option<String>,
    /// `O`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_name: Option<String>,
    /// `organizationIdentifier` (e.g. `VATPL-…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_identifier: Option<String>,
}

/// Request of POST `/certificates/enrollments` (`EnrollCertificateRequest`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollCertificateRequest {
    /// Own name of the certificate (5–100 characters).
    pub certificate_name: String,
    /// Type.
    pub certificate_type: KsefCertificateType,
    /// PKCS#10 certificate signing request, DER, Base64.
    pub csr: String,
    /// Requested start of validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<DateTime>,
}

/// Response of POST `/certificates/enrollments` (`EnrollCertificateResponse`), status 202.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollCertificateResponse {
    /// Reference number of the enrollment.
    pub reference_number: ReferenceNumber,
    /// Time of the request.
    pub timestamp: DateTime,
}

/// Response of GET `/certificates/enrollments/{referenceNumber}`
/// (`CertificateEnrollmentStatusResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateEnrollmentStatusResponse {
    /// Time of the request.
    pub request_date: DateTime,
    /// Status (100 in progress, 200 issued, 4xx refused).
    pub status: StatusInfo,
    /// Serial number of the issued certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_serial_number: Option<String>,
}

/// Request of POST `/certificates/retrieve` (`RetrieveCertificatesRequest`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetrieveCertificatesRequest {
    /// Serial numbers (1–10).
    pub certificate_serial_numbers: Vec<String>,
}

/// One retrieved certificate (`RetrieveCertificatesListItem`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetrieveCertificatesListItem {
    /// The certificate, DER, Base64.
    pub certificate: String,
    /// Its name.
    pub certificate_name: String,
    /// Serial number.
    pub certificate_serial_number: String,
    /// Type.
    pub certificate_type: KsefCertificateType,
}

/// Response of POST `/certificates/retrieve` (`RetrieveCertificatesResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetrieveCertificatesResponse {
    /// The certificates.
    pub certificates: Vec<RetrieveCertificatesListItem>,
}

/// Request of POST `/certificates/query` (`QueryCertificatesRequest`); paging with
/// [`OffsetPage`] (page size 10–50).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryCertificatesRequest {
    /// Serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_serial_number: Option<String>,
    /// Name (part of).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<KsefCertificateType>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CertificateListItemStatus>,
    /// Valid after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after: Option<DateTime>,
}

/// Query parameters of POST `/certificates/query`.
pub type CertificatesQueryPage = OffsetPage;

/// Subject of a certificate (`CertificateSubjectIdentifier`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CertificateSubjectIdentifier {
    /// Identifier type.
    #[serde(rename = "type")]
    pub kind: CertificateSubjectIdentifierType,
    /// Identifier value (10–64 characters).
    pub value: String,
}

/// One certificate in the query result (`CertificateListItem`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateListItem {
    /// Serial number.
    pub certificate_serial_number: String,
    /// Own name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: KsefCertificateType,
    /// `CN` of the subject.
    pub common_name: String,
    /// Status.
    pub status: CertificateListItemStatus,
    /// Subject.
    pub subject_identifier: CertificateSubjectIdentifier,
    /// Start of validity.
    pub valid_from: DateTime,
    /// End of validity.
    pub valid_to: DateTime,
    /// Last use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_use_date: Option<DateTime>,
    /// Time of the enrollment request.
    pub request_date: DateTime,
}

/// Response of POST `/certificates/query` (`QueryCertificatesResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryCertificatesResponse {
    /// The certificates.
    pub certificates: Vec<CertificateListItem>,
    /// More pages follow.
    pub has_more: bool,
}

/// Request of POST `/certificates/{certificateSerialNumber}/revoke`
/// (`RevokeCertificateRequest`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokeCertificateRequest {
    /// Reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<CertificateRevocationReason>,
}
