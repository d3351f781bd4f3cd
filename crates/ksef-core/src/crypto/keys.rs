//! Private keys: loading every format users have, and generating new ones.

use std::fmt;

use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Private};
use openssl::rsa::Rsa;
use zeroize::Zeroizing;

use crate::Error;

/// The algorithm of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// RSA with a modulus of this many bits.
    Rsa(u32),
    /// ECDSA on NIST P-256 (secp256r1).
    EcP256,
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyAlgorithm::Rsa(bits) => write!(f, "RSA-{bits}"),
            KeyAlgorithm::EcP256 => f.write_str("ECDSA P-256"),
        }
    }
}

/// A private key for signing (KOD II, XAdES) or unwrapping, held by OpenSSL.
///
/// Accepted: PEM or DER; PKCS#8, encrypted PKCS#8 (PBES2, as the taxpayer portal exports),
/// PKCS#1 (`RSA PRIVATE KEY`, also with legacy PEM encryption) and SEC1 (`EC PRIVATE KEY`).
/// Only RSA of at least 2048 bits and EC P-256 are taken: the algorithms KSeF accepts.
/// `Debug` never shows key material.
#[derive(Clone)]
pub struct PrivateKey {
    pkey: PKey<Private>,
    algorithm: KeyAlgorithm,
}

impl PrivateKey {
    /// Loads a key from PEM or DER bytes; `password` is needed for encrypted keys.
    ///
    /// A missing password for an encrypted key, a wrong password and an unknown format are told
    /// apart in the error. No terminal prompt is ever made.
    pub fn from_pem_or_der(bytes: &[u8], password: Option<&[u8]>) -> Result<Self, Error> {
        let text = std::str::from_utf8(bytes).ok();
        let pkey = if let Some(pem) = text.filter(|t| t.contains("-----BEGIN")) {
            let encrypted = pem.contains("ENCRYPTED");
            if encrypted && password.is_none() {
                return Err(key_err("the key is encrypted; give its password"));
            }
            if !pem.contains("PRIVATE KEY-----") {
                return Err(key_err(
                    "the PEM file holds no private key (expected a `... PRIVATE KEY` block)",
                ));
            }
            PKey::private_key_from_pem_callback(pem.as_bytes(), |buf| {
                let pw = password.unwrap_or_default();
                if pw.len() > buf.len() {
                    return Err(openssl::error::ErrorStack::get());
                }
                buf[..pw.len()].copy_from_slice(pw);
                Ok(pw.len())
            })
            .map_err(|e| {
                if encrypted {
                    key_err(format!(
                        "wrong password, or an unsupported encryption ({e})"
                    ))
                } else {
                    key_err(format!("not a readable PEM private key ({e})"))
                }
            })?
        } else {
            Self::from_der(bytes, password)?
        };
        Self::from_pkey(pkey)
    }

    fn from_der(der: &[u8], password: Option<&[u8]>) -> Result<PKey<Private>, Error> {
        if let Ok(k) = PKey::private_key_from_pkcs8(der) {
            return Ok(k);
        }
        if let Some(pw) = password
            && let Ok(k) = PKey::private_key_from_pkcs8_passphrase(der, pw)
        {
            return Ok(k);
        }
        if let Ok(rsa) = Rsa::private_key_from_der(der) {
            return PKey::from_rsa(rsa).map_err(|e| key_err(e.to_string()));
        }
        if let Ok(ec) = EcKey::private_key_from_der(der) {
            return PKey::from_ec_key(ec).map_err(|e| key_err(e.to_string()));
        }
        Err(key_err(if password.is_some() {
            "not a private key in DER (PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1), or the password is wrong"
        } else {
            "not a private key in PEM or DER (PKCS#8, PKCS#1, SEC1); if it is encrypted, give its password"
        }))
    }

    /// A certificate and its private key from a PKCS#12 file (`.p12`, `.pfx`), the format
    /// browsers and the taxpayer portal export. The key must be the certificate's.
    ///
    /// # Errors
    /// [`Error::Key`] for a file that is not PKCS#12, a wrong password (or an encryption this
    /// OpenSSL does not support, e.g. the legacy RC2-40 without the legacy provider), a file
    /// without a key or certificate, or a key that is not the certificate's.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<(super::Certificate, Self), Error> {
        let p12 = openssl::pkcs12::Pkcs12::from_der(der)
            .map_err(|e| key_err(format!("not a PKCS#12 file ({e})")))?;
        let parsed = p12.parse2(password).map_err(|e| {
            key_err(format!(
                "cannot open the PKCS#12 file: wrong password, or an encryption OpenSSL does not support here ({e})"
            ))
        })?;
        let pkey = parsed
            .pkey
            .ok_or_else(|| key_err("the PKCS#12 file holds no private key"))?;
        let cert = parsed
            .cert
            .ok_or_else(|| key_err("the PKCS#12 file holds no certificate"))?;
        if !cert
            .public_key()
            .map(|pk| pk.public_eq(&pkey))
            .unwrap_or(false)
        {
            return Err(key_err(
                "the PKCS#12 file's private key does not belong to its certificate",
            ));
        }
        let der = cert
            .to_der()
            .map_err(|e| key_err(format!("cannot encode the certificate ({e})")))?;
        Ok((super::Certificate::from_der(der)?, Self::from_pkey(pkey)?))
    }

    fn from_pkey(pkey: PKey<Private>) -> Result<Self, Error> {
        let algorithm = match pkey.id() {
            Id::RSA => {
                let bits = pkey.bits();
                if bits < 2048 {
                    return Err(key_err(format!(
                        "RSA key of {bits} bits; KSeF requires at least 2048"
                    )));
                }
                KeyAlgorithm::Rsa(bits)
            }
            Id::EC => {
                let ec = pkey.ec_key().map_err(|e| key_err(e.to_string()))?;
                if ec.group().curve_name() != Some(Nid::X9_62_PRIME256V1) {
                    return Err(key_err(
                        "EC key on a curve other than P-256 (secp256r1), which KSeF requires",
                    ));
                }
                ec.check_key()
                    .map_err(|e| key_err(format!("EC key fails its consistency check ({e})")))?;
                KeyAlgorithm::EcP256
            }
            other => {
                return Err(key_err(format!(
                    "unsupported key type {other:?}; use RSA or EC P-256"
                )));
            }
        };
        Ok(PrivateKey { pkey, algorithm })
    }

    /// A new EC P-256 key (recommended by KSeF for certificates).
    pub fn generate_ec_p256() -> Result<Self, Error> {
        let group =
            EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(|e| key_err(e.to_string()))?;
        let ec = EcKey::generate(&group).map_err(|e| key_err(e.to_string()))?;
        Self::from_pkey(PKey::from_ec_key(ec).map_err(|e| key_err(e.to_string()))?)
    }

    /// A new RSA key of `bits` bits (at least 2048).
    pub fn generate_rsa(bits: u32) -> Result<Self, Error> {
        let rsa = Rsa::generate(bits).map_err(|e| key_err(e.to_string()))?;
        Self::from_pkey(PKey::from_rsa(rsa).map_err(|e| key_err(e.to_string()))?)
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The unencrypted PKCS#8 DER encoding, wiped from memory when dropped. Keep it encrypted.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.pkey
            .private_key_to_pkcs8()
            .map(Zeroizing::new)
            .map_err(|e| key_err(e.to_string()))
    }

    /// PEM PKCS#8 encrypted with AES-256-CBC under `password` (PBES2).
    pub fn to_encrypted_pkcs8_pem(&self, password: &[u8]) -> Result<Vec<u8>, Error> {
        self.pkey
            .private_key_to_pem_pkcs8_passphrase(openssl::symm::Cipher::aes_256_cbc(), password)
            .map_err(|e| key_err(e.to_string()))
    }

    /// The DER SubjectPublicKeyInfo of the public half.
    pub fn public_key_der(&self) -> Result<Vec<u8>, Error> {
        self.pkey
            .public_key_to_der()
            .map_err(|e| key_err(e.to_string()))
    }

    pub(crate) fn pkey(&self) -> &PKey<Private> {
        &self.pkey
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({}, ***)", self.algorithm)
    }
}

#[cfg(test)]
mod pkcs12_tests {
    use super::*;
    use crate::crypto::{CertificateRole, self_signed};

    fn p12(password: &str) -> (Vec<u8>, crate::crypto::Certificate) {
        let key = PrivateKey::generate_ec_p256().unwrap();
        let now = chrono::Utc::now();
        let cert = self_signed(
            &key,
            &[("CN", "p12 test")],
            CertificateRole::Offline,
            now - chrono::Duration::hours(1),
            now + chrono::Duration::days(1),
        )
        .unwrap();
        let x509 = openssl::x509::X509::from_der(cert.der()).unwrap();
        let der = openssl::pkcs12::Pkcs12::builder()
            .name("test")
            .pkey(&key.pkey)
            .cert(&x509)
            .build2(password)
            .unwrap()
            .to_der()
            .unwrap();
        (der, cert)
    }

    #[test]
    fn reads_certificate_and_key() {
        let (der, cert) = p12("haslo");
        let (c, k) = PrivateKey::from_pkcs12(&der, "haslo").unwrap();
        assert_eq!(c.serial(), cert.serial());
        assert_eq!(c.role(), CertificateRole::Offline);
        crate::qr::OfflineSigner::new(c, k, chrono::Utc::now()).unwrap();
        let e = PrivateKey::from_pkcs12(&der, "zle")
            .unwrap_err()
            .to_string();
        assert!(e.contains("wrong password"), "{e}");
        assert!(
            PrivateKey::from_pkcs12(b"junk", "x")
                .unwrap_err()
                .to_string()
                .contains("not a PKCS#12")
        );
    }
}

fn key_err(reason: impl Into<String>) -> Error {
    Error::Key {
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_every_format() {
        let k = PrivateKey::generate_ec_p256().unwrap();
        let ec = k.pkey().ec_key().unwrap();
        let sec1_pem = ec.private_key_to_pem().unwrap();
        let sec1_der = ec.private_key_to_der().unwrap();
        let p8_der = k.to_pkcs8_der().unwrap();
        let p8_enc = k.to_encrypted_pkcs8_pem(b"tajne").unwrap();
        for (name, bytes, pw) in [
            ("sec1 pem", &sec1_pem[..], None),
            ("sec1 der", &sec1_der[..], None),
            ("pkcs8 der", &p8_der[..], None),
            ("pkcs8 enc", &p8_enc[..], Some(&b"tajne"[..])),
        ] {
            let back =
                PrivateKey::from_pem_or_der(bytes, pw).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                back.public_key_der().unwrap(),
                k.public_key_der().unwrap(),
                "{name}"
            );
        }
        let e = PrivateKey::from_pem_or_der(&p8_enc, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("password"), "{e}");
        let e = PrivateKey::from_pem_or_der(&p8_enc, Some(b"zle"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("wrong password"), "{e}");
    }

    #[test]
    fn loads_the_pkcs1_docs_key_and_refuses_garbage() {
        let pem = include_bytes!("../../tests/vectors/kod2-rsa-docs/key.pem");
        let k = PrivateKey::from_pem_or_der(pem, None).unwrap();
        assert_eq!(k.algorithm(), KeyAlgorithm::Rsa(2048));
        let rsa = k.pkey().rsa().unwrap();
        let pkcs1 = rsa.private_key_to_der().unwrap();
        assert!(PrivateKey::from_pem_or_der(&pkcs1, None).is_ok());
        assert!(PrivateKey::from_pem_or_der(b"garbage", None).is_err());
        assert!(PrivateKey::from_pem_or_der(b"-----BEGIN CERTIFICATE-----\n", None).is_err());
        let small = PKey::from_rsa(Rsa::generate(1024).unwrap()).unwrap();
        let e = PrivateKey::from_pem_or_der(&small.private_key_to_pem_pkcs8().unwrap(), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("2048"), "{e}");
    }
}
