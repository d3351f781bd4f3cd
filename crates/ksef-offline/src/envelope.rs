//! Encryption at rest: AES-256-GCM envelopes.
//!
//! Each sealed value gets its own random 256-bit data key. The data key encrypts the value;
//! the master key encrypts (wraps) the data key. Both encryptions take as associated data the
//! kind of the value and the id of its record, so a ciphertext copied into another record or
//! column no longer opens.
//!
//! Layout (version 1), 89 bytes of overhead:
//! `01 | wrap nonce (12) | wrapped data key (32) | wrap tag (16) | nonce (12) | ciphertext | tag (16)`.

use openssl::symm::{Cipher, decrypt_aead, encrypt_aead};
use zeroize::Zeroizing;

use crate::keys::MasterKey;

const VERSION: u8 = 1;
const NONCE: usize = 12;
const TAG: usize = 16;
const KEY: usize = 32;
/// Bytes a sealed value has on top of the plain one.
pub const OVERHEAD: usize = 1 + NONCE + KEY + TAG + NONCE + TAG;

/// What a sealed value is; part of the associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The invoice file.
    Invoice,
    /// The UPO XML.
    Upo,
    /// A tenant's Offline private key (PKCS#8 DER).
    OfflineKey,
    /// A tenant's KSeF token.
    KsefToken,
    /// The key check value of the store.
    KeyCheck,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Invoice => "invoice",
            Kind::Upo => "upo",
            Kind::OfflineKey => "offline-key",
            Kind::KsefToken => "ksef-token",
            Kind::KeyCheck => "key-check",
        }
    }
}

/// Why a value did not open. Deliberately vague: GCM does not say which byte was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpenError(pub &'static str);

fn aad(kind: Kind, record: &str) -> Vec<u8> {
    let mut a = Vec::with_capacity(32 + record.len());
    a.extend_from_slice(b"ksef-offline/1|");
    a.extend_from_slice(kind.as_str().as_bytes());
    a.push(b'|');
    a.extend_from_slice(record.as_bytes());
    a
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // The OS generator failing is not recoverable; an all-zero nonce would be worse.
    #[allow(clippy::expect_used)]
    openssl::rand::rand_bytes(&mut b).expect("the random generator failed");
    b
}

/// Encrypts `plain` for record `record`.
pub(crate) fn seal(master: &MasterKey, kind: Kind, record: &str, plain: &[u8]) -> Vec<u8> {
    let aad = aad(kind, record);
    let data_key = Zeroizing::new(random::<KEY>());
    let wrap_nonce = random::<NONCE>();
    let nonce = random::<NONCE>();
    let cipher = Cipher::aes_256_gcm();
    let mut out = Vec::with_capacity(plain.len() + OVERHEAD);
    out.push(VERSION);
    out.extend_from_slice(&wrap_nonce);
    let mut tag = [0u8; TAG];
    // AES-256-GCM with a 32-byte key and a 12-byte nonce cannot fail in OpenSSL.
    #[allow(clippy::expect_used)]
    {
        let wrapped = encrypt_aead(
            cipher,
            master.bytes(),
            Some(&wrap_nonce),
            &aad,
            data_key.as_ref(),
            &mut tag,
        )
        .expect("AES-256-GCM key wrap");
        out.extend_from_slice(&wrapped);
        out.extend_from_slice(&tag);
        out.extend_from_slice(&nonce);
        let body = encrypt_aead(
            cipher,
            data_key.as_ref(),
            Some(&nonce),
            &aad,
            plain,
            &mut tag,
        )
        .expect("AES-256-GCM encryption");
        out.extend_from_slice(&body);
        out.extend_from_slice(&tag);
    }
    out
}

/// Decrypts a value sealed by [`seal`] for the same kind and record.
pub(crate) fn open(
    master: &MasterKey,
    kind: Kind,
    record: &str,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    if sealed.len() < OVERHEAD {
        return Err(OpenError("too short"));
    }
    if sealed[0] != VERSION {
        return Err(OpenError("unknown envelope version"));
    }
    let aad = aad(kind, record);
    let cipher = Cipher::aes_256_gcm();
    let (wrap_nonce, rest) = sealed[1..].split_at(NONCE);
    let (wrapped, rest) = rest.split_at(KEY);
    let (wrap_tag, rest) = rest.split_at(TAG);
    let (nonce, rest) = rest.split_at(NONCE);
    let (body, tag) = rest.split_at(rest.len() - TAG);
    let data_key = Zeroizing::new(
        decrypt_aead(cipher, master.bytes(), Some(wrap_nonce), &aad, wrapped, wrap_tag)
            .map_err(|_| OpenError("the data key does not unwrap (wrong master key, or the record was altered or moved)"))?,
    );
    decrypt_aead(cipher, &data_key, Some(nonce), &aad, body, tag)
        .map(Zeroizing::new)
        .map_err(|_| OpenError("authentication failed (the ciphertext was altered or moved)"))
}

/// The key check value stored at init: a constant sealed with the master key.
const CHECK_PLAIN: &[u8] = b"ksef-offline master key check v1";

pub(crate) fn key_check(master: &MasterKey) -> Vec<u8> {
    seal(master, Kind::KeyCheck, "store", CHECK_PLAIN)
}

pub(crate) fn verify_key_check(master: &MasterKey, stored: &[u8]) -> bool {
    open(master, Kind::KeyCheck, "store", stored).is_ok_and(|p| p.as_slice() == CHECK_PLAIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let k = MasterKey::from_bytes([1; 32]);
        let sealed = seal(&k, Kind::Invoice, "a", b"hello");
        assert_eq!(sealed.len(), 5 + OVERHEAD);
        assert_eq!(
            open(&k, Kind::Invoice, "a", &sealed).unwrap().as_slice(),
            b"hello"
        );
        assert!(
            open(&k, Kind::Invoice, "b", &sealed).is_err(),
            "bound to the record"
        );
        assert!(
            open(&k, Kind::Upo, "a", &sealed).is_err(),
            "bound to the kind"
        );
        let other = MasterKey::from_bytes([2; 32]);
        assert!(open(&other, Kind::Invoice, "a", &sealed).is_err());
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x40;
            assert!(open(&k, Kind::Invoice, "a", &bad).is_err(), "byte {i}");
        }
    }

    #[test]
    fn key_check_value() {
        let k = MasterKey::from_bytes([1; 32]);
        let kcv = key_check(&k);
        assert!(verify_key_check(&k, &kcv));
        assert!(!verify_key_check(&MasterKey::from_bytes([3; 32]), &kcv));
    }
}
