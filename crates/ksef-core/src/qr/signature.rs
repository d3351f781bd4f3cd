//! KOD II signatures: RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32) and ECDSA P-256 / SHA-256
//! (IEEE P1363 r‖s by default, or DER), qr-codes.md §4.4.

use std::str::FromStr;

use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;
use openssl::hash::MessageDigest;
use openssl::pkey::{HasPublic, Id, PKeyRef};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Signer, Verifier};

use crate::Error;
use crate::crypto::{KeyAlgorithm, PrivateKey};

/// How an ECDSA signature is encoded in the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EcdsaFormat {
    /// IEEE P1363: r and s, 32 bytes each (recommended by KSeF).
    #[default]
    P1363,
    /// ASN.1 DER `SEQUENCE { r, s }` (RFC 3279).
    Der,
}

impl FromStr for EcdsaFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "p1363" => Ok(EcdsaFormat::P1363),
            "der" => Ok(EcdsaFormat::Der),
            _ => Err(Error::InvalidEncoding {
                what: "ECDSA signature format",
                reason: format!("{s:?}: use p1363 or der"),
            }),
        }
    }
}

const SIGN: &str = "KOD II signing";

fn err(operation: &'static str) -> impl Fn(openssl::error::ErrorStack) -> Error {
    move |e| Error::Crypto {
        operation,
        reason: e.to_string(),
    }
}

/// Signs `message` (hashed with SHA-256 first) with the key's algorithm.
pub fn sign(key: &PrivateKey, message: &[u8], ecdsa: EcdsaFormat) -> Result<Vec<u8>, Error> {
    match key.algorithm() {
        KeyAlgorithm::Rsa(_) => {
            let mut s = Signer::new(MessageDigest::sha256(), key.pkey()).map_err(err(SIGN))?;
            s.set_rsa_padding(Padding::PKCS1_PSS).map_err(err(SIGN))?;
            s.set_rsa_pss_saltlen(RsaPssSaltlen::custom(32))
                .map_err(err(SIGN))?;
            s.set_rsa_mgf1_md(MessageDigest::sha256())
                .map_err(err(SIGN))?;
            s.sign_oneshot_to_vec(message).map_err(err(SIGN))
        }
        KeyAlgorithm::EcP256 => {
            let ec = key.pkey().ec_key().map_err(err(SIGN))?;
            let digest = openssl::sha::sha256(message);
            let sig = EcdsaSig::sign(&digest, &ec).map_err(err(SIGN))?;
            match ecdsa {
                EcdsaFormat::P1363 => {
                    let mut out = sig.r().to_vec_padded(32).map_err(err(SIGN))?;
                    out.extend(sig.s().to_vec_padded(32).map_err(err(SIGN))?);
                    Ok(out)
                }
                EcdsaFormat::Der => sig.to_der().map_err(err(SIGN)),
            }
        }
    }
}

/// Verifies a KOD II signature over `message` with a public key: RSASSA-PSS with salt 32, or
/// ECDSA P-256 in either encoding (64 bytes → P1363, otherwise DER).
pub fn verify<T: HasPublic>(
    public: &PKeyRef<T>,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, Error> {
    const OP: &str = "KOD II verification";
    match public.id() {
        Id::RSA => {
            let mut v = Verifier::new(MessageDigest::sha256(), public).map_err(err(OP))?;
            v.set_rsa_padding(Padding::PKCS1_PSS).map_err(err(OP))?;
            v.set_rsa_pss_saltlen(RsaPssSaltlen::custom(32))
                .map_err(err(OP))?;
            v.set_rsa_mgf1_md(MessageDigest::sha256())
                .map_err(err(OP))?;
            // A malformed signature is a failed verification, not an error.
            Ok(v.verify_oneshot(signature, message).unwrap_or(false))
        }
        Id::EC => {
            let ec = public.ec_key().map_err(err(OP))?;
            let digest = openssl::sha::sha256(message);
            let p1363 = || -> Option<EcdsaSig> {
                if signature.len() != 64 {
                    return None;
                }
                let r = BigNum::from_slice(&signature[..32]).ok()?;
                let s = BigNum::from_slice(&signature[32..]).ok()?;
                EcdsaSig::from_private_components(r, s).ok()
            };
            let candidates = [p1363(), EcdsaSig::from_der(signature).ok()];
            Ok(candidates
                .into_iter()
                .flatten()
                .any(|sig| sig.verify(&digest, &ec).unwrap_or(false)))
        }
        other => Err(Error::Crypto {
            operation: OP,
            reason: format!("unsupported public key type {other:?}"),
        }),
    }
}
