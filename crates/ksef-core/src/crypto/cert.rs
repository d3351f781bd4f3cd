//! X.509 certificates: KSeF certificates (Offline, Authentication) and the Ministry's
//! public-key certificates.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use openssl::pkey::{PKey, Public};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::Sha256Hash;
use crate::Error;

/// What a KSeF certificate is for, read from its key usage
/// (auth-and-certificates.md §12.1, qr-codes.md §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CertificateRole {
    /// `Offline`: key usage nonRepudiation. Signs KOD II.
    Offline,
    /// `Authentication`: key usage digitalSignature without nonRepudiation. Logs in to the API;
    /// must never sign KOD II.
    Authentication,
    /// Neither (or no key usage extension).
    Other,
}

/// A parsed X.509 certificate.
///
/// Parsing is lenient where real certificates are sloppy (e.g. the KSeF test CA writes explicit
/// NULL parameters into its ECDSA signature algorithm); the signature of the issuer is not
/// checked here.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    serial: String,
    subject: String,
    issuer: String,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    digital_signature: bool,
    non_repudiation: bool,
    has_key_usage: bool,
    spki_der: Vec<u8>,
    public_key: PKey<Public>,
}

impl Certificate {
    /// Loads a certificate from PEM, DER, or DER in bare Base64 (as the API sends it).
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, Error> {
        let text = std::str::from_utf8(bytes).ok().map(str::trim);
        let der = match text {
            Some(t) if t.contains("-----BEGIN CERTIFICATE-----") => pem_body(t)?,
            Some(t)
                if !t.is_empty()
                    && t.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"+/=\r\n".contains(&c)) =>
            {
                STANDARD.decode(t.replace(['\r', '\n'], "")).map_err(|e| {
                    cert_err(format!(
                        "neither PEM nor DER, and not Base64 DER either ({e})"
                    ))
                })?
            }
            _ => bytes.to_vec(),
        };
        Self::from_der(der)
    }

    /// Loads a DER certificate.
    pub fn from_der(der: Vec<u8>) -> Result<Self, Error> {
        let (rest, x) = X509Certificate::from_der(&der)
            .map_err(|e| cert_err(format!("not an X.509 certificate in PEM or DER ({e})")))?;
        if !rest.is_empty() {
            return Err(cert_err(format!(
                "{} bytes of trailing data after the certificate",
                rest.len()
            )));
        }
        let serial = {
            let hex = x
                .tbs_certificate
                .raw_serial_as_string()
                .replace(':', "")
                .to_uppercase();
            let hex = hex.trim_start_matches('0');
            format!("{hex:0>16}")
        };
        let time = |t: x509_parser::time::ASN1Time| {
            DateTime::from_timestamp(t.timestamp(), 0)
                .ok_or_else(|| cert_err("validity date out of range"))
        };
        let not_before = time(x.validity().not_before)?;
        let not_after = time(x.validity().not_after)?;
        let ku = x
            .key_usage()
            .map_err(|e| cert_err(format!("malformed key usage extension ({e})")))?;
        let (has_key_usage, digital_signature, non_repudiation) = match ku {
            Some(k) => (true, k.value.digital_signature(), k.value.non_repudiation()),
            None => (false, false, false),
        };
        let spki_der = x.tbs_certificate.subject_pki.raw.to_vec();
        let public_key = PKey::public_key_from_der(&spki_der)
            .map_err(|e| cert_err(format!("unreadable public key ({e})")))?;
        let subject = x.subject().to_string();
        let issuer = x.issuer().to_string();
        Ok(Certificate {
            serial,
            subject,
            issuer,
            not_before,
            not_after,
            digital_signature,
            non_repudiation,
            has_key_usage,
            spki_der,
            public_key,
            der,
        })
    }

    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The serial number as uppercase hex, at least 16 digits (KSeF: `^[0-9A-F]{16}$`).
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The subject distinguished name.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The issuer distinguished name.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Start of validity.
    pub fn not_before(&self) -> DateTime<Utc> {
        self.not_before
    }

    /// End of validity.
    pub fn not_after(&self) -> DateTime<Utc> {
        self.not_after
    }

    /// Whether the certificate is valid at `at`.
    pub fn is_valid_at(&self, at: DateTime<Utc>) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    /// The role read from the key usage.
    pub fn role(&self) -> CertificateRole {
        if self.non_repudiation {
            CertificateRole::Offline
        } else if self.digital_signature {
            CertificateRole::Authentication
        } else {
            CertificateRole::Other
        }
    }

    /// Key usage flags: (extension present, digitalSignature, nonRepudiation).
    pub fn key_usage(&self) -> (bool, bool, bool) {
        (
            self.has_key_usage,
            self.digital_signature,
            self.non_repudiation,
        )
    }

    /// `certificateId`: SHA-256 of the DER certificate.
    pub fn certificate_id(&self) -> Sha256Hash {
        Sha256Hash::of(&self.der)
    }

    /// `publicKeyId`: SHA-256 of the DER SubjectPublicKeyInfo.
    pub fn public_key_id(&self) -> Sha256Hash {
        Sha256Hash::of(&self.spki_der)
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn public_key_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The certificate in PEM.
    pub fn to_pem(&self) -> String {
        let b64 = STANDARD.encode(&self.der);
        let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
        out
    }

    pub(crate) fn public_key(&self) -> &PKey<Public> {
        &self.public_key
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("serial", &self.serial)
            .field("subject", &self.subject)
            .field("not_after", &self.not_after)
            .field("role", &self.role())
            .finish()
    }
}

fn pem_body(text: &str) -> Result<Vec<u8>, Error> {
    let start = text
        .find("-----BEGIN CERTIFICATE-----")
        .map(|i| i + "-----BEGIN CERTIFICATE-----".len())
        .ok_or_else(|| cert_err("no BEGIN CERTIFICATE line"))?;
    let end = text[start..]
        .find("-----END CERTIFICATE-----")
        .ok_or_else(|| cert_err("no END CERTIFICATE line"))?;
    let body: String = text[start..start + end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    STANDARD
        .decode(body)
        .map_err(|e| cert_err(format!("the PEM body is not Base64 ({e})")))
}

fn cert_err(reason: impl Into<String>) -> Error {
    Error::Certificate {
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_official_test_certificate() {
        let c = Certificate::from_pem_or_der(include_bytes!(
            "../../tests/vectors/kod2-rsa-docs/cert.pem"
        ))
        .unwrap();
        assert_eq!(c.serial(), "01F20A5D352AE590");
        assert!(c.subject().contains("5265877635"), "{}", c.subject());
        assert_eq!(c.role(), CertificateRole::Authentication);
        assert_eq!(c.not_before().to_rfc3339(), "2025-07-29T09:28:37+00:00");
        assert_eq!(
            c.certificate_id().to_hex(),
            "8bf30676ac95ec1b270a8b130a7cdb13ff093f68acafe00fcd9ef48c81395371"
        );
        let again = Certificate::from_pem_or_der(STANDARD.encode(c.der()).as_bytes()).unwrap();
        assert_eq!(again.serial(), c.serial());
        assert_eq!(
            Certificate::from_pem_or_der(c.to_pem().as_bytes())
                .unwrap()
                .der(),
            c.der()
        );
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        for bad in [
            &b""[..],
            b"hello",
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            &[0x30, 0x03, 1, 2, 3],
        ] {
            let e = Certificate::from_pem_or_der(bad).unwrap_err();
            assert!(matches!(e, Error::Certificate { .. }), "{e}");
        }
    }
}
