//! KSeF tokens (*tokeny KSeF*): generation, list, status.

use serde::{Deserialize, Serialize};

use super::common::{ContextIdentifier, ContinuationPage, DateTime, ReferenceNumber, wire_enum};

wire_enum! {
    /// Permission granted to a token (`TokenPermissionType`).
    pub enum TokenPermissionType {
        /// Read invoices.
        InvoiceRead => "InvoiceRead",
        /// Send invoices.
        InvoiceWrite => "InvoiceWrite",
        /// Read permissions.
        CredentialsRead => "CredentialsRead",
        /// Manage permissions.
        CredentialsManage => "CredentialsManage",
        /// Manage subunits.
        SubunitManage => "SubunitManage",
        /// Enforcement operations (*czynności egzekucyjne*).
        EnforcementOperations => "EnforcementOperations",
        /// Introspection (read sessions and statuses).
        Introspection => "Introspection",
    }
}

wire_enum! {
    /// Token status (`AuthenticationTokenStatus`).
    pub enum AuthenticationTokenStatus {
        /// Being created.
        Pending => "Pending",
        /// Usable.
        Active => "Active",
        /// Being revoked.
        Revoking => "Revoking",
        /// Revoked.
        Revoked => "Revoked",
        /// Creation failed.
        Failed => "Failed",
    }
}

wire_enum! {
    /// Type of the token author's identifier (`TokenAuthorIdentifierType`).
    pub enum TokenAuthorIdentifierType {
        /// NIP.
        Nip => "Nip",
        /// PESEL.
        Pesel => "Pesel",
        /// Certificate fingerprint.
        Fingerprint => "Fingerprint",
    }
}

/// Author of a token (`TokenAuthorIdentifierTypeIdentifier`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TokenAuthorIdentifier {
    /// Identifier type.
    #[serde(rename = "type")]
    pub kind: TokenAuthorIdentifierType,
    /// Identifier value.
    pub value: String,
}

/// Request of POST `/tokens` (`GenerateTokenRequest`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateTokenRequest {
    /// Permissions of the token.
    pub permissions: Vec<TokenPermissionType>,
    /// Description (5–256 characters).
    pub description: String,
}

/// Response of POST `/tokens` (`GenerateTokenResponse`), status 202.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateTokenResponse {
    /// Token reference number (kind `EC`).
    pub reference_number: ReferenceNumber,
    /// The token itself (up to 160 characters); shown only once.
    pub token: String,
}

/// Status of a token (`TokenStatusResponse`): response of GET `/tokens/{referenceNumber}`.
/// The list items of GET `/tokens` (`QueryTokensResponseItem`) have the same shape.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenStatusResponse {
    /// Token reference number.
    pub reference_number: ReferenceNumber,
    /// Who created it.
    pub author_identifier: TokenAuthorIdentifier,
    /// Context it works in.
    pub context_identifier: ContextIdentifier,
    /// Description.
    pub description: String,
    /// Permissions.
    pub requested_permissions: Vec<TokenPermissionType>,
    /// Creation time.
    pub date_created: DateTime,
    /// Last use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_use_date: Option<DateTime>,
    /// Status.
    pub status: AuthenticationTokenStatus,
    /// Details of the status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_details: Option<Vec<String>>,
}

/// List item of GET `/tokens` (`QueryTokensResponseItem`).
pub type QueryTokensResponseItem = TokenStatusResponse;

/// Response of GET `/tokens` (`QueryTokensResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryTokensResponse {
    /// Token for the next page; absent or empty when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    /// The tokens.
    pub tokens: Vec<QueryTokensResponseItem>,
}

/// Query parameters of GET `/tokens` (and the continuation header).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct TokensQuery {
    /// Any of these statuses (repeated parameter `status`).
    pub status: Vec<AuthenticationTokenStatus>,
    /// Description contains (at least 3 characters).
    pub description: Option<String>,
    /// Author identifier contains (at least 3 characters).
    pub author_identifier: Option<String>,
    /// Author identifier type.
    pub author_identifier_type: Option<TokenAuthorIdentifierType>,
    /// Page size (10–100) and continuation token.
    pub page: ContinuationPage,
}

impl TokensQuery {
    /// Query parameters.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q: Vec<(&'static str, String)> = self
            .status
            .iter()
            .map(|s| ("status", s.to_string()))
            .collect();
        if let Some(d) = &self.description {
            q.push(("description", d.clone()));
        }
        if let Some(a) = &self.author_identifier {
            q.push(("authorIdentifier", a.clone()));
        }
        if let Some(t) = &self.author_identifier_type {
            q.push(("authorIdentifierType", t.to_string()));
        }
        q.extend(self.page.query_pairs());
        q
    }
}
