//! The Ministry's public-key certificates (`GET /security/public-key-certificates`) and the
//! rule for choosing one (crypto-and-sessions.md §2.1).

use chrono::{DateTime, Utc};

use super::{Certificate, Sha256Hash};
use crate::Error;

/// What a Ministry public key may encrypt (`PublicKeyCertificateUsage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum PublicKeyUsage {
    /// KSeF tokens during authentication.
    KsefTokenEncryption,
    /// The AES keys of sessions and exports.
    SymmetricKeyEncryption,
}

/// One published public-key certificate.
#[derive(Debug, Clone)]
pub struct PublicKeyCertificate {
    /// The certificate itself.
    pub certificate: Certificate,
    /// `publicKeyId`, sent back to say which key was used.
    pub public_key_id: Sha256Hash,
    /// Start of validity as published.
    pub valid_from: DateTime<Utc>,
    /// End of validity as published.
    pub valid_to: DateTime<Utc>,
    /// What it may encrypt.
    pub usage: Vec<PublicKeyUsage>,
}

impl PublicKeyCertificate {
    /// Builds the entry from a certificate, taking validity and `publicKeyId` from it.
    pub fn from_certificate(certificate: Certificate, usage: Vec<PublicKeyUsage>) -> Self {
        PublicKeyCertificate {
            public_key_id: certificate.public_key_id(),
            valid_from: certificate.not_before(),
            valid_to: certificate.not_after(),
            certificate,
            usage,
        }
    }
}

/// Chooses the certificate for `usage`: one valid at `now`, the latest `validFrom` if several.
///
/// ```no_run
/// # use ksef_core::crypto::{select_public_key, PublicKeyUsage, PublicKeyCertificate};
/// # let published: Vec<PublicKeyCertificate> = vec![];
/// let cert = select_public_key(&published, PublicKeyUsage::SymmetricKeyEncryption, chrono::Utc::now())?;
/// # Ok::<(), ksef_core::Error>(())
/// ```
pub fn select_public_key(
    certs: &[PublicKeyCertificate],
    usage: PublicKeyUsage,
    now: DateTime<Utc>,
) -> Result<&PublicKeyCertificate, Error> {
    certs
        .iter()
        .filter(|c| c.usage.contains(&usage) && c.valid_from <= now && now <= c.valid_to)
        .max_by_key(|c| c.valid_from)
        .ok_or_else(|| Error::Certificate {
            reason: format!(
                "none of the {} published public-key certificates is for {usage:?} and valid at {now}",
                certs.len()
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn latest_valid_wins() {
        let cert = Certificate::from_pem_or_der(include_bytes!(
            "../../tests/vectors/kod2-rsa-docs/cert.pem"
        ))
        .unwrap();
        let at = |y| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap();
        let entry = |from, to, usage: PublicKeyUsage| PublicKeyCertificate {
            valid_from: at(from),
            valid_to: at(to),
            usage: vec![usage],
            ..PublicKeyCertificate::from_certificate(cert.clone(), vec![])
        };
        let list = vec![
            entry(2024, 2028, PublicKeyUsage::SymmetricKeyEncryption),
            entry(2026, 2029, PublicKeyUsage::SymmetricKeyEncryption),
            entry(2027, 2030, PublicKeyUsage::SymmetricKeyEncryption),
            entry(2026, 2030, PublicKeyUsage::KsefTokenEncryption),
        ];
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let chosen = select_public_key(&list, PublicKeyUsage::SymmetricKeyEncryption, now).unwrap();
        assert_eq!(chosen.valid_from, at(2026));
        assert_eq!(chosen.usage, vec![PublicKeyUsage::SymmetricKeyEncryption]);
        assert!(select_public_key(&list, PublicKeyUsage::KsefTokenEncryption, at(2031)).is_err());
    }
}
