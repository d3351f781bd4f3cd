//! RSA-OAEP (SHA-256, MGF1-SHA-256, empty label): wrapping the session key and the KSeF token
//! with the Ministry's public key.

use openssl::encrypt::{Decrypter, Encrypter};
use openssl::hash::MessageDigest;
use openssl::rsa::Padding;

use super::aes::crypto_err;
use super::{Certificate, PrivateKey};
use crate::Error;

const OP: &str = "RSA-OAEP encryption";

/// Encrypts `data` with the certificate's RSA public key (RSAES-OAEP, SHA-256, MGF1-SHA-256).
pub fn wrap_with_certificate(cert: &Certificate, data: &[u8]) -> Result<Vec<u8>, Error> {
    let pk = cert.public_key();
    if pk.rsa().is_err() {
        return Err(Error::Crypto {
            operation: OP,
            reason: format!("certificate {} has no RSA key", cert.serial()),
        });
    }
    let mut enc = Encrypter::new(pk).map_err(|e| crypto_err(OP, e))?;
    enc.set_rsa_padding(Padding::PKCS1_OAEP)
        .map_err(|e| crypto_err(OP, e))?;
    enc.set_rsa_oaep_md(MessageDigest::sha256())
        .map_err(|e| crypto_err(OP, e))?;
    enc.set_rsa_mgf1_md(MessageDigest::sha256())
        .map_err(|e| crypto_err(OP, e))?;
    let mut out = vec![0; enc.encrypt_len(data).map_err(|e| crypto_err(OP, e))?];
    let n = enc.encrypt(data, &mut out).map_err(|e| crypto_err(OP, e))?;
    out.truncate(n);
    Ok(out)
}

/// Decrypts RSA-OAEP (SHA-256, MGF1-SHA-256) ciphertext with a private key (the simulator's
/// side of [`wrap_with_certificate`]).
pub fn unwrap_with_key(
    key: &PrivateKey,
    data: &[u8],
) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    const OP: &str = "RSA-OAEP decryption";
    let mut dec = Decrypter::new(key.pkey()).map_err(|e| crypto_err(OP, e))?;
    dec.set_rsa_padding(Padding::PKCS1_OAEP)
        .map_err(|e| crypto_err(OP, e))?;
    dec.set_rsa_oaep_md(MessageDigest::sha256())
        .map_err(|e| crypto_err(OP, e))?;
    dec.set_rsa_mgf1_md(MessageDigest::sha256())
        .map_err(|e| crypto_err(OP, e))?;
    let mut out = zeroize::Zeroizing::new(vec![
        0;
        dec.decrypt_len(data)
            .map_err(|e| crypto_err(OP, e))?
    ]);
    let n = dec.decrypt(data, &mut out).map_err(|_| Error::Crypto {
        operation: OP,
        reason: "wrong key or corrupted ciphertext".into(),
    })?;
    out.truncate(n);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_and_unwrap_with_the_docs_key() {
        let cert = Certificate::from_pem_or_der(include_bytes!(
            "../../tests/vectors/kod2-rsa-docs/cert.pem"
        ))
        .unwrap();
        let key = PrivateKey::from_pem_or_der(
            include_bytes!("../../tests/vectors/kod2-rsa-docs/key.pem"),
            None,
        )
        .unwrap();
        let secret = [42u8; 32];
        let wrapped = wrap_with_certificate(&cert, &secret).unwrap();
        assert_eq!(wrapped.len(), 256);
        assert_eq!(&unwrap_with_key(&key, &wrapped).unwrap()[..], &secret);
        let mut bad = wrapped.clone();
        bad[10] ^= 1;
        assert!(unwrap_with_key(&key, &bad).is_err());
    }
}
