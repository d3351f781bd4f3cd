//! Self-signed certificates for tests, demos and the simulator's own keys.

use chrono::{DateTime, Utc};
use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::x509::extension::{BasicConstraints, KeyUsage};
use openssl::x509::{X509Builder, X509NameBuilder};

use super::aes::crypto_err;
use super::{Certificate, CertificateRole, PrivateKey};
use crate::Error;

const OP: &str = "certificate generation";

/// Makes a self-signed certificate for `key`, valid from `not_before` to `not_after`, with a
/// random 8-byte serial (16 hex digits, as KSeF serials) and the key usage of `role`.
///
/// Such certificates are not KSeF certificates: they serve tests, the demo and the simulator
/// (whose certificates say in their subject that they are not the real KSeF).
pub fn self_signed(
    key: &PrivateKey,
    subject: &[(&str, &str)],
    role: CertificateRole,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<Certificate, Error> {
    let e = |err| crypto_err(OP, err);
    let mut name = X509NameBuilder::new().map_err(e)?;
    for (field, value) in subject {
        name.append_entry_by_text(field, value).map_err(e)?;
    }
    let name = name.build();
    let mut b = X509Builder::new().map_err(e)?;
    b.set_version(2).map_err(e)?;
    let mut serial = [0u8; 8];
    openssl::rand::rand_bytes(&mut serial).map_err(e)?;
    serial[0] = (serial[0] & 0x7F) | 0x01; // positive, and 16 hex digits without a leading zero byte
    let serial = BigNum::from_slice(&serial)
        .and_then(|bn| Asn1Integer::from_bn(&bn))
        .map_err(e)?;
    b.set_serial_number(&serial).map_err(e)?;
    b.set_subject_name(&name).map_err(e)?;
    b.set_issuer_name(&name).map_err(e)?;
    let from = Asn1Time::from_unix(not_before.timestamp()).map_err(e)?;
    let to = Asn1Time::from_unix(not_after.timestamp()).map_err(e)?;
    b.set_not_before(&from).map_err(e)?;
    b.set_not_after(&to).map_err(e)?;
    b.set_pubkey(key.pkey()).map_err(e)?;
    b.append_extension(BasicConstraints::new().critical().build().map_err(e)?)
        .map_err(e)?;
    let mut ku = KeyUsage::new();
    ku.critical();
    match role {
        CertificateRole::Offline => ku.non_repudiation(),
        CertificateRole::Authentication => ku.digital_signature(),
        CertificateRole::Other => ku.key_encipherment(),
    };
    b.append_extension(ku.build().map_err(e)?).map_err(e)?;
    b.sign(key.pkey(), MessageDigest::sha256()).map_err(e)?;
    Certificate::from_der(b.build().to_der().map_err(e)?)
}
