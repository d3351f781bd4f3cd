//! Authentication (*uwierzytelnianie*): `/auth/challenge`, `/auth/ksef-token`,
//! `/auth/xades-signature` (response; the request is a signed XML document),
//! `/auth/{referenceNumber}`, `/auth/token/redeem`, `/auth/token/refresh`, `/auth/sessions`.

use serde::{Deserialize, Serialize};

use super::common::{
    ContextIdentifier, DateTime, ReferenceNumber, StatusInfo, TokenInfo, wire_enum,
};

/// Response of POST `/auth/challenge` (`AuthenticationChallengeResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationChallengeResponse {
    /// The challenge (*wyzwanie*), 36 characters, e.g. `20250514-CR-226FB7B000-3ACF9BE4C0-10`;
    /// to be placed in the signed XML or the encrypted token.
    pub challenge: String,
    /// Time of the challenge.
    pub timestamp: DateTime,
    /// The same time in milliseconds since the Unix epoch (used in the encrypted token
    /// `token|timestampMs`).
    pub timestamp_ms: i64,
    /// The client's IP address as seen by KSeF.
    pub client_ip: String,
}

/// IP restrictions for the session being authenticated (`AllowedIps`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedIps {
    /// Single IPv4 addresses (up to 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip4_addresses: Option<Vec<String>>,
    /// IPv4 ranges `a.b.c.d-e.f.g.h` (up to 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip4_ranges: Option<Vec<String>>,
    /// IPv4 masks `a.b.c.d/n` (up to 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip4_masks: Option<Vec<String>>,
}

/// Authorization policy of the session being authenticated (`AuthorizationPolicy`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPolicy {
    /// IP addresses allowed to use the tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_ips: Option<AllowedIps>,
}

/// Request of POST `/auth/ksef-token` (`InitTokenAuthenticationRequest`): authentication with
/// a KSeF token.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitTokenAuthenticationRequest {
    /// The challenge from `/auth/challenge`.
    pub challenge: String,
    /// Context to authenticate in.
    pub context_identifier: ContextIdentifier,
    /// `token|timestampMs`, RSA-OAEP (SHA-256) encrypted with the `KsefTokenEncryption` key,
    /// Base64.
    pub encrypted_token: String,
    /// `publicKeyId` of the MF key used (44 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_id: Option<String>,
    /// Optional IP restrictions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_policy: Option<AuthorizationPolicy>,
}

/// Response of POST `/auth/ksef-token` and POST `/auth/xades-signature`
/// (`AuthenticationInitResponse`), status 202.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationInitResponse {
    /// Reference number of the authentication operation (kind `AU`).
    pub reference_number: ReferenceNumber,
    /// Temporary authentication token: polls `/auth/{referenceNumber}` and redeems the tokens.
    pub authentication_token: TokenInfo,
}

wire_enum! {
    /// Authentication method (`AuthenticationMethod`, deprecated in favour of
    /// [`AuthenticationMethodInfo`]).
    pub enum AuthenticationMethod {
        /// KSeF token.
        Token => "Token",
        /// Trusted profile (*profil zaufany*).
        TrustedProfile => "TrustedProfile",
        /// KSeF internal certificate.
        InternalCertificate => "InternalCertificate",
        /// Qualified electronic signature.
        QualifiedSignature => "QualifiedSignature",
        /// Qualified electronic seal.
        QualifiedSeal => "QualifiedSeal",
        /// Personal signature (*podpis osobisty*).
        PersonalSignature => "PersonalSignature",
        /// Peppol provider signature.
        PeppolSignature => "PeppolSignature",
    }
}

wire_enum! {
    /// Category of an authentication method (`AuthenticationMethodCategory`).
    pub enum AuthenticationMethodCategory {
        /// A XAdES-signed document.
        XadesSignature => "XadesSignature",
        /// The national electronic identification node (*węzeł krajowy*).
        NationalNode => "NationalNode",
        /// A KSeF token.
        Token => "Token",
        /// Other.
        OtherMethod => "Other",
    }
}

/// Authentication method (`AuthenticationMethodInfo`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationMethodInfo {
    /// Category.
    pub category: AuthenticationMethodCategory,
    /// Method code (e.g. `Token`, `QualifiedSignature`), open-ended.
    pub code: String,
    /// Human-readable name (Polish).
    pub display_name: String,
}

/// Response of GET `/auth/{referenceNumber}` (`AuthenticationOperationStatusResponse`):
/// status of an authentication operation (100 in progress, 200 success, 4xx/5xx failure).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationOperationStatusResponse {
    /// When the authentication started.
    pub start_date: DateTime,
    /// Method (required by the spec but deprecated; optional here so that its removal does
    /// not break decoding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_method: Option<AuthenticationMethod>,
    /// Method.
    pub authentication_method_info: AuthenticationMethodInfo,
    /// Status of the operation.
    pub status: StatusInfo,
    /// Whether the tokens were already redeemed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_token_redeemed: Option<bool>,
    /// Last refresh of the access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_token_refresh_date: Option<DateTime>,
    /// Expiry of the refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_valid_until: Option<DateTime>,
}

/// Response of POST `/auth/token/redeem` (`AuthenticationTokensResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationTokensResponse {
    /// Access token (*token dostępowy*) for the API calls.
    pub access_token: TokenInfo,
    /// Refresh token, to get new access tokens.
    pub refresh_token: TokenInfo,
}

/// Response of POST `/auth/token/refresh` (`AuthenticationTokenRefreshResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationTokenRefreshResponse {
    /// The new access token.
    pub access_token: TokenInfo,
}

/// One authentication session in GET `/auth/sessions` (`AuthenticationListItem`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationListItem {
    /// When the authentication started.
    pub start_date: DateTime,
    /// Method (deprecated, see [`AuthenticationOperationStatusResponse`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_method: Option<AuthenticationMethod>,
    /// Method.
    pub authentication_method_info: AuthenticationMethodInfo,
    /// Status.
    pub status: StatusInfo,
    /// Whether the tokens were redeemed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_token_redeemed: Option<bool>,
    /// Last refresh of the access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_token_refresh_date: Option<DateTime>,
    /// Expiry of the refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_valid_until: Option<DateTime>,
    /// Reference number of the authentication operation.
    pub reference_number: ReferenceNumber,
    /// Whether this is the session of the calling token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_current: Option<bool>,
}

/// Response of GET `/auth/sessions` (`AuthenticationListResponse`). Paging with
/// [`super::common::ContinuationPage`] (page size 10–100).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationListResponse {
    /// Token for the next page; absent or empty when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    /// The sessions.
    pub items: Vec<AuthenticationListItem>,
}
