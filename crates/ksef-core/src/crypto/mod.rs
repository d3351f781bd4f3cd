//! Hashes, symmetric and asymmetric encryption, keys and certificates.
//!
//! Private-key operations run in OpenSSL (never the `rsa` crate, see RUSTSEC-2023-0071).

mod aes;
mod cert;
mod hash;
mod keys;
mod public_keys;
mod rsa;
mod self_signed;

pub use aes::{CbcStream, SymmetricKey};
pub use cert::{Certificate, CertificateRole};
pub use hash::{Sha256Hash, Sha256Stream};
pub use keys::{KeyAlgorithm, PrivateKey};
pub use public_keys::{PublicKeyCertificate, PublicKeyUsage, select_public_key};
pub use rsa::{unwrap_with_key, wrap_with_certificate};
pub use self_signed::self_signed;
