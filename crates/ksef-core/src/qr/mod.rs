//! KOD I and KOD II: verification links, their signatures, and QR images.

pub mod image;
mod link;
mod signature;

pub use link::{CertificateLink, OfflineSigner, invoice_link};
pub use signature::{EcdsaFormat, sign, verify};

/// The label under KOD I before the invoice has a KSeF number.
pub const LABEL_OFFLINE: &str = "OFFLINE";
/// The label under KOD II.
pub const LABEL_CERTIFICATE: &str = "CERTYFIKAT";
