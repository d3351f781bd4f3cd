//! KOD I and KOD II verification links (qr-codes.md §3 and §4).

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};

use super::signature::{self, EcdsaFormat};
use crate::Error;
use crate::crypto::{Certificate, CertificateRole, PrivateKey, Sha256Hash};
use crate::ids::{ContextIdentifier, Nip};

/// The KOD I link: `{qrBase}/invoice/{sellerNip}/{P_1 as DD-MM-YYYY}/{SHA-256 Base64URL}`.
///
/// ```
/// use ksef_core::qr::invoice_link;
/// let link = invoice_link(
///     "https://qr-test.ksef.mf.gov.pl",
///     &ksef_core::Nip::parse_unchecked("1111111111")?,
///     chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
///     &"UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE".parse()?,
/// );
/// assert_eq!(link, "https://qr-test.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE");
/// # Ok::<(), ksef_core::Error>(())
/// ```
pub fn invoice_link(
    qr_base: &str,
    seller_nip: &Nip,
    issue_date: NaiveDate,
    invoice_hash: &Sha256Hash,
) -> String {
    format!(
        "{}/invoice/{}/{}/{}",
        qr_base.trim_end_matches('/'),
        seller_nip,
        issue_date.format("%d-%m-%Y"),
        invoice_hash.to_base64url()
    )
}

/// The parts of a KOD II link:
/// `{qrBase}/certificate/{contextType}/{contextValue}/{sellerNip}/{serial}/{hash}/{signature}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateLink {
    /// The QR base, with its scheme, e.g. `https://qr-test.ksef.mf.gov.pl`.
    pub qr_base: String,
    /// The login context (`ContextIdentifier`).
    pub context: ContextIdentifier,
    /// The seller's NIP (`Podmiot1`).
    pub seller_nip: Nip,
    /// The serial number of the Offline certificate, uppercase hex.
    pub certificate_serial: String,
    /// SHA-256 of the invoice file.
    pub invoice_hash: Sha256Hash,
    /// The signature bytes (empty before signing).
    pub signature: Vec<u8>,
}

impl CertificateLink {
    /// The exact string that is signed: the link without its scheme (`https://`), up to and
    /// including the hash, without a trailing `/`.
    pub fn signed_string(&self) -> String {
        let base = self.qr_base.trim_end_matches('/');
        let base = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"))
            .unwrap_or(base);
        format!(
            "{base}/certificate/{}/{}/{}/{}/{}",
            self.context.type_name(),
            self.context.value(),
            self.seller_nip,
            self.certificate_serial,
            self.invoice_hash.to_base64url()
        )
    }

    /// The whole link, with the signature in Base64URL without padding.
    pub fn to_url(&self) -> String {
        let base = self.qr_base.trim_end_matches('/');
        let scheme = if base.starts_with("http://") {
            "http://"
        } else {
            "https://"
        };
        format!(
            "{scheme}{}/{}",
            self.signed_string(),
            URL_SAFE_NO_PAD.encode(&self.signature)
        )
    }

    /// Checks the signature with the certificate's public key, and that the serial in the link
    /// is the certificate's. Ok(()) when valid; the error says what failed.
    pub fn verify(&self, cert: &Certificate) -> Result<(), Error> {
        if !self.certificate_serial.eq_ignore_ascii_case(cert.serial()) {
            return Err(self.invalid(format!(
                "the link names certificate {}, the certificate given is {}",
                self.certificate_serial,
                cert.serial()
            )));
        }
        if signature::verify(
            cert.public_key(),
            self.signed_string().as_bytes(),
            &self.signature,
        )? {
            Ok(())
        } else {
            Err(self.invalid(format!(
                "the signature does not verify with certificate {} over {:?}",
                cert.serial(),
                self.signed_string()
            )))
        }
    }

    fn invalid(&self, reason: String) -> Error {
        Error::QrLink {
            link: self.to_url(),
            reason,
        }
    }
}

impl FromStr for CertificateLink {
    type Err = Error;

    /// Parses a KOD II link. The base may carry a path (e.g. a simulator's `http://127.0.0.1:8080/qr`).
    fn from_str(link: &str) -> Result<Self, Error> {
        let bad = |reason: String| Error::QrLink {
            link: link.to_owned(),
            reason,
        };
        if !(link.starts_with("https://") || link.starts_with("http://")) {
            return Err(bad(
                "must start with https:// (or http:// for a local simulator)".into(),
            ));
        }
        if link.contains(['?', '#', ' ']) {
            return Err(bad("must not contain a query, a fragment or spaces".into()));
        }
        let at = link
            .rfind("/certificate/")
            .ok_or_else(|| bad("no /certificate/ segment: not a KOD II link".into()))?;
        let qr_base = link[..at].to_owned();
        let parts: Vec<&str> = link[at + "/certificate/".len()..].split('/').collect();
        if parts.len() != 6 || parts.iter().any(|p| p.is_empty()) {
            return Err(bad(format!(
                "after /certificate/ come 6 non-empty segments (context type, context value, seller NIP, \
                 certificate serial, hash, signature); found {}",
                parts.len()
            )));
        }
        let context =
            ContextIdentifier::parse(parts[0], parts[1]).map_err(|e| bad(e.to_string()))?;
        let seller_nip = Nip::parse_unchecked(parts[2]).map_err(|e| bad(format!("seller: {e}")))?;
        let serial = parts[3];
        if !(serial.len() >= 16
            && serial
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(&c)))
        {
            return Err(bad(format!(
                "certificate serial {serial:?} must be uppercase hex, 16 digits"
            )));
        }
        let invoice_hash = Sha256Hash::from_base64url(parts[4]).map_err(|e| bad(e.to_string()))?;
        let signature = URL_SAFE_NO_PAD
            .decode(parts[5])
            .map_err(|e| bad(format!("the signature is not unpadded Base64URL ({e})")))?;
        Ok(CertificateLink {
            qr_base,
            context,
            seller_nip,
            certificate_serial: serial.to_owned(),
            invoice_hash,
            signature,
        })
    }
}

impl fmt::Display for CertificateLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_url())
    }
}

/// Signs KOD II links with a KSeF `Offline` certificate and its private key.
///
/// Construction refuses: a certificate whose key usage marks it as an `Authentication`
/// certificate (digitalSignature without nonRepudiation) or lacks nonRepudiation, a key that
/// does not belong to the certificate, and a certificate not valid at the given instant.
#[derive(Debug, Clone)]
pub struct OfflineSigner {
    cert: Certificate,
    key: PrivateKey,
    ecdsa: EcdsaFormat,
}

impl OfflineSigner {
    /// Pairs the certificate and key after the checks above; `now` is the signing time.
    pub fn new(cert: Certificate, key: PrivateKey, now: DateTime<Utc>) -> Result<Self, Error> {
        let refuse = |reason: String| Error::CertificateUsage {
            serial: cert.serial().to_owned(),
            purpose: "signing KOD II",
            reason,
        };
        match cert.role() {
            CertificateRole::Offline => {}
            CertificateRole::Authentication => {
                return Err(refuse(
                    "it is an Authentication certificate (key usage digitalSignature without nonRepudiation); \
                     KOD II must be signed with a KSeF certificate of type Offline"
                        .into(),
                ));
            }
            CertificateRole::Other => {
                return Err(refuse(
                    "its key usage lacks nonRepudiation, which KSeF Offline certificates carry"
                        .into(),
                ));
            }
        }
        if key.public_key_der()? != cert.public_key_der() {
            return Err(refuse(
                "the private key does not belong to this certificate".into(),
            ));
        }
        if !cert.is_valid_at(now) {
            return Err(refuse(format!(
                "it is valid from {} to {}, not at {now}",
                cert.not_before(),
                cert.not_after()
            )));
        }
        Ok(OfflineSigner {
            cert,
            key,
            ecdsa: EcdsaFormat::default(),
        })
    }

    /// Chooses the ECDSA encoding (P1363 unless told otherwise); no effect for RSA keys.
    pub fn with_ecdsa_format(mut self, format: EcdsaFormat) -> Self {
        self.ecdsa = format;
        self
    }

    /// The certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// Makes the signed KOD II link for an invoice.
    pub fn certificate_link(
        &self,
        qr_base: &str,
        context: &ContextIdentifier,
        seller_nip: &Nip,
        invoice_hash: &Sha256Hash,
    ) -> Result<CertificateLink, Error> {
        let mut link = CertificateLink {
            qr_base: qr_base.trim_end_matches('/').to_owned(),
            context: context.clone(),
            seller_nip: *seller_nip,
            certificate_serial: self.cert.serial().to_owned(),
            invoice_hash: *invoice_hash,
            signature: Vec::new(),
        };
        link.signature = signature::sign(&self.key, link.signed_string().as_bytes(), self.ecdsa)?;
        Ok(link)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::self_signed;
    use chrono::Duration;

    const DOC_URL: &str = include_str!("../../tests/vectors/kod2-rsa-docs/url.txt");
    const DOC_SIGNED: &str = include_str!("../../tests/vectors/kod2-rsa-docs/signed-string.txt");

    fn doc_cert() -> Certificate {
        Certificate::from_pem_or_der(include_bytes!("../../tests/vectors/kod2-rsa-docs/cert.pem"))
            .unwrap()
    }

    #[test]
    fn the_docs_signature_verifies_and_tampering_fails() {
        let link: CertificateLink = DOC_URL.trim().parse().unwrap();
        assert_eq!(link.signed_string(), DOC_SIGNED.trim());
        assert_eq!(link.to_url(), DOC_URL.trim());
        link.verify(&doc_cert()).unwrap();
        let sig = &link.signature;
        let cert = doc_cert();
        let with_scheme = format!("https://{}", link.signed_string());
        assert!(!signature::verify(cert.public_key(), with_scheme.as_bytes(), sig).unwrap());
        let with_slash = format!("{}/", link.signed_string());
        assert!(!signature::verify(cert.public_key(), with_slash.as_bytes(), sig).unwrap());
        let mut other = link.clone();
        other.seller_nip = Nip::parse_unchecked("5265877635").unwrap();
        assert!(other.verify(&cert).is_err());
    }

    #[test]
    fn refuses_the_authentication_certificate() {
        let key = PrivateKey::from_pem_or_der(
            include_bytes!("../../tests/vectors/kod2-rsa-docs/key.pem"),
            None,
        )
        .unwrap();
        let at = doc_cert().not_before() + Duration::days(1);
        let e = OfflineSigner::new(doc_cert(), key, at)
            .unwrap_err()
            .to_string();
        assert!(e.contains("Authentication certificate"), "{e}");
    }

    #[test]
    fn our_links_verify_for_rsa_and_ecdsa_in_both_formats() {
        let now = Utc::now();
        let ctx = ContextIdentifier::parse("Nip", "5265877635").unwrap();
        let nip = Nip::parse_unchecked("5265877635").unwrap();
        let hash = Sha256Hash::of(b"<Faktura/>");
        for (key, formats) in [
            (
                PrivateKey::generate_rsa(2048).unwrap(),
                vec![EcdsaFormat::P1363],
            ),
            (
                PrivateKey::generate_ec_p256().unwrap(),
                vec![EcdsaFormat::P1363, EcdsaFormat::Der],
            ),
        ] {
            let cert = self_signed(
                &key,
                &[("CN", "Test Offline")],
                CertificateRole::Offline,
                now - Duration::days(1),
                now + Duration::days(30),
            )
            .unwrap();
            for f in formats {
                let signer = OfflineSigner::new(cert.clone(), key.clone(), now)
                    .unwrap()
                    .with_ecdsa_format(f);
                let link = signer
                    .certificate_link("https://qr-test.ksef.mf.gov.pl", &ctx, &nip, &hash)
                    .unwrap();
                if f == EcdsaFormat::P1363 && key.algorithm() == crate::crypto::KeyAlgorithm::EcP256
                {
                    assert_eq!(link.signature.len(), 64);
                }
                let parsed: CertificateLink = link.to_url().parse().unwrap();
                assert_eq!(parsed, link);
                parsed.verify(&cert).unwrap();
            }
            // Expired and not-yet-valid certificates are refused.
            assert!(
                OfflineSigner::new(cert.clone(), key.clone(), now + Duration::days(31)).is_err()
            );
            let other = PrivateKey::generate_ec_p256().unwrap();
            let e = OfflineSigner::new(cert, other, now)
                .unwrap_err()
                .to_string();
            assert!(e.contains("does not belong"), "{e}");
        }
    }

    #[test]
    fn malformed_links_say_what_is_wrong() {
        for (link, needle) in [
            (
                "qr-test.ksef.mf.gov.pl/certificate/Nip/1/2/3/4/5",
                "https://",
            ),
            ("https://x/invoice/1111111111/01-02-2026/abc", "KOD II"),
            (
                "https://x/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/abc",
                "6 non-empty",
            ),
            (
                "https://x/certificate/Foo/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/AAAA",
                "context identifier type",
            ),
            (
                "https://x/certificate/Nip/1111111111/1111111111/01f20a5d352ae590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/AAAA",
                "serial",
            ),
            (
                "https://x/certificate/Nip/1111111111/1111111111/01F20A5D352AE590/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/AA==",
                "Base64URL",
            ),
        ] {
            let e = link.parse::<CertificateLink>().unwrap_err().to_string();
            assert!(e.contains(needle), "{link}: {e}");
        }
    }
}
