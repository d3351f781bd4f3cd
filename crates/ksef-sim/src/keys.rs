//! The simulator's own "Ministry" keys: RSA-2048 in self-signed certificates whose subject says
//! they are not the Ministry of Finance, one per usage; rotation on command
//! (crypto-and-sessions.md §2).

use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use ksef_core::crypto::{
    CertificateRole, PrivateKey, PublicKeyCertificate, PublicKeyUsage, self_signed,
};

use crate::error::ApiError;

/// The subject of every simulator certificate.
pub const SUBJECT_CN: &str = "KSeF SIMULATOR - NOT THE MINISTRY OF FINANCE";

/// One published key pair.
#[derive(Debug, Clone)]
pub struct MinistryKey {
    /// The private key.
    pub key: PrivateKey,
    /// Its published certificate.
    pub published: PublicKeyCertificate,
}

/// The published keys and the withdrawn key ids.
#[derive(Debug, Clone)]
pub struct MinistryKeys {
    /// Currently accepted keys.
    pub current: Vec<MinistryKey>,
    /// `publicKeyId`s withdrawn by a rotation.
    pub withdrawn: Vec<String>,
}

fn make_pair(now: DateTime<Utc>) -> Result<Vec<MinistryKey>, ksef_core::Error> {
    let mut out = Vec::new();
    for usage in [
        PublicKeyUsage::KsefTokenEncryption,
        PublicKeyUsage::SymmetricKeyEncryption,
    ] {
        let key = PrivateKey::generate_rsa(2048)?;
        let ou = match usage {
            PublicKeyUsage::SymmetricKeyEncryption => "SymmetricKeyEncryption",
            _ => "KsefTokenEncryption",
        };
        let cert = self_signed(
            &key,
            &[
                ("CN", SUBJECT_CN),
                ("O", "ksef-sim (local test simulator)"),
                ("OU", ou),
            ],
            CertificateRole::Other,
            now - Duration::days(365),
            now + Duration::days(3 * 365),
        )?;
        out.push(MinistryKey {
            key,
            published: PublicKeyCertificate::from_certificate(cert, vec![usage]),
        });
    }
    Ok(out)
}

/// Keys generated once per process: RSA-2048 generation is slow, and tests start many
/// simulators. Rotation makes fresh ones.
fn initial() -> Result<Vec<MinistryKey>, ksef_core::Error> {
    static KEYS: OnceLock<Vec<MinistryKey>> = OnceLock::new();
    if let Some(k) = KEYS.get() {
        return Ok(k.clone());
    }
    let made = make_pair(Utc::now())?;
    Ok(KEYS.get_or_init(|| made).clone())
}

impl MinistryKeys {
    /// The initial keys.
    pub fn new() -> Result<Self, ksef_core::Error> {
        Ok(MinistryKeys {
            current: initial()?,
            withdrawn: Vec::new(),
        })
    }

    /// Emergency rotation: new keys; the old ids are no longer accepted (21470).
    pub fn rotate(&mut self, now: DateTime<Utc>) -> Result<(), ksef_core::Error> {
        let fresh = make_pair(now)?;
        self.withdrawn.extend(
            self.current
                .iter()
                .map(|k| k.published.public_key_id.to_base64()),
        );
        self.current = fresh;
        Ok(())
    }

    /// The private key for `usage` named by `public_key_id`, or every current key for that
    /// usage when no id is given (the field is optional).
    pub fn keys_for(
        &self,
        usage: PublicKeyUsage,
        public_key_id: Option<&str>,
    ) -> Result<Vec<&PrivateKey>, ApiError> {
        let of_usage = self
            .current
            .iter()
            .filter(|k| k.published.usage.contains(&usage));
        match public_key_id {
            None => Ok(of_usage.map(|k| &k.key).collect()),
            Some(id) => of_usage
                .into_iter()
                .find(|k| k.published.public_key_id.to_base64() == id)
                .map(|k| vec![&k.key])
                .ok_or_else(|| {
                    ApiError::bad_request(
                        21470,
                        format!("Klucz o identyfikatorze {id} nie jest wspierany."),
                    )
                }),
        }
    }
}
