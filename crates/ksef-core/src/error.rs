//! The one error type of `ksef-core`.

/// Everything that can go wrong in the domain core.
///
/// Each variant carries what a user needs to find the problem: which identifier, which key
/// or certificate, which rule and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An identifier (NIP, PESEL, internal id, KSeF number, ...) is malformed.
    #[error("invalid {kind} {value:?}: {reason}")]
    InvalidIdentifier {
        /// What was being parsed, e.g. `NIP`.
        kind: &'static str,
        /// The input, as given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// A Base64, Base64URL or hex value is malformed.
    #[error("invalid {what}: {reason}")]
    InvalidEncoding {
        /// What the value was meant to be, e.g. `SHA-256 hash (Base64URL)`.
        what: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A cryptographic operation failed.
    #[error("{operation} failed: {reason}")]
    Crypto {
        /// The operation, e.g. `AES-256-CBC decryption`.
        operation: &'static str,
        /// What the crypto library said.
        reason: String,
    },
    /// A private key could not be loaded.
    #[error("cannot load the private key: {reason}")]
    Key {
        /// Why, including the formats that were tried.
        reason: String,
    },
    /// A certificate could not be loaded or is unusable.
    #[error("cannot load the certificate: {reason}")]
    Certificate {
        /// Why.
        reason: String,
    },
    /// A certificate may not be used for the requested purpose.
    #[error("certificate {serial} cannot be used for {purpose}: {reason}")]
    CertificateUsage {
        /// Serial number of the certificate, hex.
        serial: String,
        /// What it was going to be used for, e.g. `signing KOD II`.
        purpose: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// A QR verification link is malformed.
    #[error("invalid QR link {link:?}: {reason}")]
    QrLink {
        /// The link, as given.
        link: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A QR image could not be made.
    #[error("cannot make the QR image: {reason}")]
    QrImage {
        /// Why.
        reason: String,
    },
    /// A UPO (official acknowledgement of receipt) is not valid or does not confirm what it
    /// should.
    #[error("the UPO is not acceptable: {reason}")]
    Upo {
        /// What is wrong, e.g. a schema error with its line, or the hash it confirms.
        reason: String,
    },
    /// A deadline could not be computed from the given facts.
    #[error("cannot compute the deadline: {reason}")]
    Calendar {
        /// Why, e.g. an outage window that ends before it starts.
        reason: String,
    },
    /// The invoice schema (XSD) could not be loaded. This is a defect of the build, not of input.
    #[error("cannot load the {schema} schema: {reason}")]
    Schema {
        /// Which schema.
        schema: &'static str,
        /// What libxml2 said.
        reason: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
