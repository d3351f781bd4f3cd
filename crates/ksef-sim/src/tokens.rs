//! Signed tokens: JWT-shaped (HS256) authentication, access and refresh tokens, and signatures
//! of the pre-signed storage links. Clients must treat them as opaque; they carry claims
//! similar to the real ones (auth-and-certificates.md §9).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use openssl::hash::MessageDigest;
use openssl::memcmp;
use openssl::pkey::{PKey, Private};
use openssl::sign::Signer;
use serde::{Deserialize, Serialize};

/// What a token is for (the `token-type` claim of the real tokens).
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenType {
    /// `authenticationToken`: status polling and redeem.
    OperationToken,
    /// `accessToken`.
    ContextToken,
    /// `refreshToken`.
    RefreshToken,
}

/// The claims of a token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Kind of token.
    #[serde(rename = "token-type")]
    pub token_type: TokenType,
    /// The authentication operation.
    #[serde(rename = "operation-reference-number")]
    pub auth_ref: String,
    /// Context type.
    #[serde(rename = "context-identifier-type")]
    pub context_type: String,
    /// Context value.
    #[serde(rename = "context-identifier-value")]
    pub context_value: String,
    /// Permissions granted.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Issuer.
    pub iss: String,
    /// Unique id.
    pub jti: String,
}

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Malformed or the signature does not match.
    Invalid,
    /// Past `exp`.
    Expired,
}

/// HMAC-SHA-256 signer with a key made at start.
pub struct TokenSigner {
    key: PKey<Private>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(***)")
    }
}

const HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"; // {"alg":"HS256","typ":"JWT"}

impl TokenSigner {
    /// A signer with a random key.
    pub fn random() -> Self {
        let secret: [u8; 32] = rand::random();
        TokenSigner {
            key: PKey::hmac(&secret).unwrap_or_else(|_| unreachable_hmac()),
        }
    }

    /// HMAC-SHA-256 of `data`.
    pub fn mac(&self, data: &[u8]) -> Vec<u8> {
        Signer::new(MessageDigest::sha256(), &self.key)
            .and_then(|mut s| {
                s.update(data)?;
                s.sign_to_vec()
            })
            .unwrap_or_default()
    }

    /// `mac` in Base64URL.
    pub fn mac_b64(&self, data: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(data.as_bytes()))
    }

    /// Whether `mac_b64` matches `data`, in constant time.
    pub fn check_mac_b64(&self, data: &str, mac: &str) -> bool {
        let expected = self.mac_b64(data);
        expected.len() == mac.len() && memcmp::eq(expected.as_bytes(), mac.as_bytes())
    }

    /// Signs claims into a JWT.
    pub fn sign(&self, claims: &Claims) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
        let signing_input = format!("{HEADER}.{payload}");
        let sig = self.mac_b64(&signing_input);
        format!("{signing_input}.{sig}")
    }

    /// Checks the signature and expiry of a JWT.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let (signing_input, sig) = token.rsplit_once('.').ok_or(TokenError::Invalid)?;
        if !signing_input.starts_with(HEADER) || !self.check_mac_b64(signing_input, sig) {
            return Err(TokenError::Invalid);
        }
        let payload = signing_input.split('.').nth(1).ok_or(TokenError::Invalid)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Invalid)?;
        let claims: Claims = serde_json::from_slice(&bytes).map_err(|_| TokenError::Invalid)?;
        if claims.exp <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

fn unreachable_hmac() -> PKey<Private> {
    // PKey::hmac only fails on allocation failure; a second attempt with a fixed key keeps the
    // simulator alive rather than panicking.
    PKey::hmac(b"ksef-sim-fallback-key-0123456789").unwrap_or_else(|_| std::process::abort())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_tamper_expiry() {
        let s = TokenSigner::random();
        let now = Utc::now();
        let c = Claims {
            token_type: TokenType::ContextToken,
            auth_ref: "r".into(),
            context_type: "Nip".into(),
            context_value: "5265877635".into(),
            permissions: vec!["InvoiceWrite".into()],
            exp: now.timestamp() + 60,
            iat: now.timestamp(),
            iss: "ksef-sim".into(),
            jti: "1".into(),
        };
        let t = s.sign(&c);
        assert_eq!(s.verify(&t, now).unwrap().context_value, "5265877635");
        let mut bad = t.clone();
        bad.insert(40, 'x');
        assert_eq!(s.verify(&bad, now).unwrap_err(), TokenError::Invalid);
        assert_eq!(
            s.verify(&t, now + chrono::Duration::seconds(61))
                .unwrap_err(),
            TokenError::Expired
        );
        assert_eq!(
            TokenSigner::random().verify(&t, now).unwrap_err(),
            TokenError::Invalid
        );
    }
}
