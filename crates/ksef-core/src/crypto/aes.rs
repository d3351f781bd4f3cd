//! AES-256-CBC with PKCS#7 padding, as KSeF uses for invoices and batch parts.
//!
//! The ciphertext is the bare CBC output: the IV travels separately
//! (`encryption.initializationVector`), it is not prefixed (crypto-and-sessions.md §1.1).

use std::fmt;

use openssl::symm::{Cipher, Crypter, Mode};
use zeroize::Zeroizing;

use crate::Error;

/// A random 32-byte AES key and 16-byte IV: one per session.
///
/// The key is wiped from memory when dropped and never printed by `Debug`.
#[derive(Clone)]
pub struct SymmetricKey {
    key: Zeroizing<[u8; 32]>,
    iv: [u8; 16],
}

impl SymmetricKey {
    /// A fresh random key and IV from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, Error> {
        let mut key = Zeroizing::new([0u8; 32]);
        let mut iv = [0u8; 16];
        openssl::rand::rand_bytes(key.as_mut())
            .map_err(|e| crypto_err("random key generation", e))?;
        openssl::rand::rand_bytes(&mut iv).map_err(|e| crypto_err("random IV generation", e))?;
        Ok(SymmetricKey { key, iv })
    }

    /// A key and IV given as bytes (e.g. after RSA-OAEP unwrapping).
    pub fn from_parts(key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        let k: [u8; 32] = key.try_into().map_err(|_| Error::Crypto {
            operation: "AES-256 key import",
            reason: format!("the key has {} bytes, AES-256 needs 32", key.len()),
        })?;
        let iv: [u8; 16] = iv.try_into().map_err(|_| Error::Crypto {
            operation: "AES-256 key import",
            reason: format!("the IV has {} bytes, AES-CBC needs 16", iv.len()),
        })?;
        Ok(SymmetricKey {
            key: Zeroizing::new(k),
            iv,
        })
    }

    /// The raw key bytes (to wrap with RSA-OAEP).
    pub fn key_bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// The IV (`initializationVector`).
    pub fn iv(&self) -> &[u8; 16] {
        &self.iv
    }

    /// Size of the ciphertext of `plain_len` bytes: the next multiple of 16 above it.
    pub fn encrypted_len(plain_len: usize) -> usize {
        (plain_len / 16 + 1) * 16
    }

    /// Encrypts a whole buffer.
    pub fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(Self::encrypted_len(plain.len()));
        let mut enc = self.encryptor()?;
        enc.update(plain, &mut out)?;
        enc.finish(&mut out)?;
        Ok(out)
    }

    /// Decrypts a whole buffer and removes the padding.
    pub fn decrypt(&self, cipher: &[u8]) -> Result<Vec<u8>, Error> {
        if cipher.is_empty() || !cipher.len().is_multiple_of(16) {
            return Err(Error::Crypto {
                operation: "AES-256-CBC decryption",
                reason: format!(
                    "ciphertext length {} is not a positive multiple of 16",
                    cipher.len()
                ),
            });
        }
        let mut out = Vec::with_capacity(cipher.len());
        let mut dec = CbcStream::new(self, Mode::Decrypt)?;
        dec.update(cipher, &mut out)?;
        dec.finish(&mut out)?;
        Ok(out)
    }

    /// A streaming encryptor, for data that does not fit in memory (batch packages).
    pub fn encryptor(&self) -> Result<CbcStream, Error> {
        CbcStream::new(self, Mode::Encrypt)
    }

    /// A streaming decryptor.
    pub fn decryptor(&self) -> Result<CbcStream, Error> {
        CbcStream::new(self, Mode::Decrypt)
    }
}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SymmetricKey(***)")
    }
}

/// Streaming AES-256-CBC with PKCS#7: feed any number of pieces, then `finish`.
pub struct CbcStream {
    crypter: Crypter,
    mode: Mode,
}

impl CbcStream {
    fn new(key: &SymmetricKey, mode: Mode) -> Result<Self, Error> {
        let crypter = Crypter::new(Cipher::aes_256_cbc(), mode, key.key.as_ref(), Some(&key.iv))
            .map_err(|e| crypto_err(op(mode), e))?;
        Ok(CbcStream { crypter, mode })
    }

    /// Processes `input`, appending the output to `out`.
    pub fn update(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let start = out.len();
        out.resize(start + input.len() + 16, 0);
        let n = self
            .crypter
            .update(input, &mut out[start..])
            .map_err(|e| crypto_err(op(self.mode), e))?;
        out.truncate(start + n);
        Ok(())
    }

    /// Ends the stream: appends the last block (with padding when encrypting; padding checked
    /// and removed when decrypting).
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        let start = out.len();
        out.resize(start + 32, 0);
        let n = self.crypter.finalize(&mut out[start..]).map_err(|e| {
            if matches!(self.mode, Mode::Decrypt) {
                Error::Crypto {
                    operation: "AES-256-CBC decryption",
                    reason: format!("bad padding: wrong key or IV, or corrupted data ({e})"),
                }
            } else {
                crypto_err(op(self.mode), e)
            }
        })?;
        out.truncate(start + n);
        Ok(())
    }
}

impl fmt::Debug for CbcStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CbcStream")
    }
}

fn op(mode: Mode) -> &'static str {
    match mode {
        Mode::Encrypt => "AES-256-CBC encryption",
        Mode::Decrypt => "AES-256-CBC decryption",
    }
}

pub(crate) fn crypto_err(operation: &'static str, e: impl fmt::Display) -> Error {
    Error::Crypto {
        operation,
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_the_api_examples() {
        assert_eq!(SymmetricKey::encrypted_len(6480), 6496);
        assert_eq!(SymmetricKey::encrypted_len(16037), 16048);
        assert_eq!(SymmetricKey::encrypted_len(16), 32);
    }

    #[test]
    fn round_trip_whole_and_streaming() {
        let k = SymmetricKey::generate().unwrap();
        let plain: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let c = k.encrypt(&plain).unwrap();
        assert_eq!(c.len(), SymmetricKey::encrypted_len(plain.len()));
        let mut streamed = Vec::new();
        let mut e = k.encryptor().unwrap();
        for chunk in plain.chunks(777) {
            e.update(chunk, &mut streamed).unwrap();
        }
        e.finish(&mut streamed).unwrap();
        assert_eq!(streamed, c);
        assert_eq!(k.decrypt(&c).unwrap(), plain);
    }

    #[test]
    fn matches_openssl_known_answer() {
        // Cross-checked with: openssl enc -aes-256-cbc -K 00..1f -iv 00..0f (plaintext "KSeF")
        let key: Vec<u8> = (0..32).collect();
        let iv: Vec<u8> = (0..16).collect();
        let k = SymmetricKey::from_parts(&key, &iv).unwrap();
        let c = k.encrypt(b"KSeF").unwrap();
        let expected =
            openssl::symm::encrypt(Cipher::aes_256_cbc(), &key, Some(&iv), b"KSeF").unwrap();
        assert_eq!(c, expected);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let k = SymmetricKey::generate().unwrap();
        assert!(k.decrypt(&[1, 2, 3]).is_err());
        assert!(k.decrypt(&[0u8; 32]).is_err() || k.decrypt(&[0u8; 32]).is_ok());
        assert!(SymmetricKey::from_parts(&[0; 31], &[0; 16]).is_err());
    }
}
