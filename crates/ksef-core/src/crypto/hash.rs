//! SHA-256 in the two encodings KSeF uses: standard Base64 in API fields, unpadded Base64URL in
//! QR links.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use crate::Error;

/// A SHA-256 digest of exact bytes (an invoice file, an encrypted invoice, a UPO ...).
///
/// `Display` and serde use standard Base64 with padding (44 characters), as API fields do;
/// [`Sha256Hash::to_base64url`] gives the unpadded Base64URL form of QR links. Parsing accepts
/// either form.
///
/// ```
/// use ksef_core::crypto::Sha256Hash;
/// let h: Sha256Hash = "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE".parse()?;
/// assert_eq!(h.to_base64(), "UtQp9Gpc51y+u3xApZjIjgkpZ01js+J8KflSPW8WzIE=");
/// assert_eq!(Sha256Hash::of(b"abc").to_hex()[..8], *"ba7816bf");
/// # Ok::<(), ksef_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Hash(pub [u8; 32]);

impl Sha256Hash {
    /// Hashes the bytes exactly as given (no canonicalization of any kind).
    pub fn of(bytes: &[u8]) -> Self {
        Sha256Hash(openssl::sha::sha256(bytes))
    }

    /// Standard Base64 with padding, 44 characters (API fields such as `invoiceHash`).
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Base64URL without padding, 43 characters (QR links).
    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// Lowercase hex, 64 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Parses standard Base64 (with padding, 44 characters) only.
    pub fn from_base64(s: &str) -> Result<Self, Error> {
        Self::decode(s, &STANDARD, "SHA-256 hash (Base64)")
    }

    /// Parses unpadded Base64URL (43 characters) only.
    pub fn from_base64url(s: &str) -> Result<Self, Error> {
        Self::decode(s, &URL_SAFE_NO_PAD, "SHA-256 hash (Base64URL)")
    }

    fn decode(s: &str, engine: &impl base64::Engine, what: &'static str) -> Result<Self, Error> {
        let bytes = engine.decode(s).map_err(|e| Error::InvalidEncoding {
            what,
            reason: format!("{s:?}: {e}"),
        })?;
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| Error::InvalidEncoding {
                what,
                reason: format!("{s:?} decodes to {} bytes, a SHA-256 hash has 32", b.len()),
            })?;
        Ok(Sha256Hash(arr))
    }
}

/// An incremental SHA-256, for data that arrives in pieces.
pub struct Sha256Stream(openssl::sha::Sha256);

impl Sha256Stream {
    /// Starts a new hash.
    pub fn new() -> Self {
        Sha256Stream(openssl::sha::Sha256::new())
    }

    /// Feeds more bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest of everything fed.
    pub fn finish(self) -> Sha256Hash {
        Sha256Hash(self.0.finish())
    }
}

impl Default for Sha256Stream {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Sha256Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha256Stream")
    }
}

impl FromStr for Sha256Hash {
    type Err = Error;

    /// Accepts standard Base64 (44 characters, with `+`, `/`, `=`) or unpadded Base64URL
    /// (43 characters).
    fn from_str(s: &str) -> Result<Self, Error> {
        if s.len() == 43 {
            Self::from_base64url(s)
        } else {
            Self::from_base64(s)
        }
    }
}

impl fmt::Display for Sha256Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl fmt::Debug for Sha256Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Hash({})", self.to_base64())
    }
}

crate::ids::serde_via_str!(Sha256Hash);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_encodings_of_the_doc_hash() {
        let url = "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE";
        let h = Sha256Hash::from_base64url(url).unwrap();
        assert_eq!(
            h.to_hex(),
            "52d429f46a5ce75cbebb7c40a598c88e0929674d63b3e27c29f9523d6f16cc81"
        );
        assert_eq!(h.to_base64url(), url);
        assert_eq!(Sha256Hash::from_base64(&h.to_base64()).unwrap(), h);
        assert!(
            Sha256Hash::from_base64url("UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE=").is_err()
        );
        assert!("abc".parse::<Sha256Hash>().is_err());
    }

    #[test]
    fn streaming_equals_whole() {
        let data = vec![7u8; 10_000];
        let mut s = Sha256Stream::new();
        for chunk in data.chunks(333) {
            s.update(chunk);
        }
        assert_eq!(s.finish(), Sha256Hash::of(&data));
    }
}
