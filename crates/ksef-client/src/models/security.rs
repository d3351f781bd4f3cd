//! `/security/public-key-certificates`: the Ministry of Finance's public keys for encrypting
//! session keys and KSeF tokens.

use serde::{Deserialize, Serialize};

use super::common::{DateTime, wire_enum};

wire_enum! {
    /// What an MF public key may be used for (`PublicKeyCertificateUsage`).
    pub enum PublicKeyCertificateUsage {
        /// Encrypting KSeF tokens during token authentication.
        KsefTokenEncryption => "KsefTokenEncryption",
        /// Encrypting the symmetric key of sessions and exports.
        SymmetricKeyEncryption => "SymmetricKeyEncryption",
    }
}

/// One MF public-key certificate (`PublicKeyCertificate`). The response of
/// GET `/security/public-key-certificates` is a JSON array of these.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyCertificate {
    /// The X.509 certificate, DER, Base64.
    pub certificate: String,
    /// SHA-256 of the certificate DER, Base64.
    pub certificate_id: String,
    /// SHA-256 of the DER SubjectPublicKeyInfo, Base64 (44 characters); sent back as
    /// `publicKeyId` to say which key was used.
    pub public_key_id: String,
    /// Start of validity.
    pub valid_from: DateTime,
    /// End of validity.
    pub valid_to: DateTime,
    /// Allowed uses.
    pub usage: Vec<PublicKeyCertificateUsage>,
}

/// Response body of GET `/security/public-key-certificates`.
pub type PublicKeyCertificatesResponse = Vec<PublicKeyCertificate>;
