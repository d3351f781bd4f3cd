//! `ksef qr ...`: KOD I and KOD II links, verification, images.

use anyhow::{Context as _, bail};
use chrono::NaiveDate;
use ksef_core::Nip;
use ksef_core::crypto::{Certificate, PrivateKey, Sha256Hash};
use ksef_core::ids::ContextIdentifier;
use ksef_core::invoice::InvoiceChecker;
use ksef_core::qr::image::{ImageFormat, QrImage};
use ksef_core::qr::{CertificateLink, EcdsaFormat, OfflineSigner, invoice_link};

use super::{read_file, write_file};
use crate::Outcome;
use crate::args::{EnvName, InvoiceSource, QrCommand, QrTarget};

/// `env` is the global `--env` (or `KSEF_ENV`), test when not given.
pub fn run(c: QrCommand, env: EnvName) -> anyhow::Result<Outcome> {
    match c {
        QrCommand::InvoiceLink {
            target,
            nip,
            issue_date,
            source,
        } => {
            let (hash, fields) = invoice_hash(&source)?;
            let nip = seller_nip(nip.as_deref(), fields.as_ref().map(|f| f.0), &target, env)?;
            let date = match (issue_date, fields.as_ref().map(|f| f.1)) {
                (Some(d), from_file) => {
                    let d = NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                        .with_context(|| format!("--issue-date {d:?} is not a date YYYY-MM-DD"))?;
                    if let Some(f) = from_file.filter(|f| *f != d) {
                        bail!("--issue-date {d} differs from the invoice's P_1 {f}");
                    }
                    d
                }
                (None, Some(d)) => d,
                (None, None) => {
                    bail!("give --issue-date (the invoice's P_1), or --invoice to read it")
                }
            };
            println!(
                "{}",
                invoice_link(&qr_base(&target, env), &nip, date, &hash)
            );
            Ok(Outcome::Ok)
        }
        QrCommand::CertificateLink {
            target,
            context_type,
            context_value,
            seller_nip: nip,
            cert,
            key,
            key_password_env,
            ecdsa_format,
            source,
        } => {
            let (hash, fields) = invoice_hash(&source)?;
            let nip = seller_nip(nip.as_deref(), fields.as_ref().map(|f| f.0), &target, env)?;
            let context = ContextIdentifier::parse(&context_type, &context_value)?;
            let certificate = Certificate::from_pem_or_der(&read_file(&cert)?)
                .with_context(|| format!("certificate {}", cert.display()))?;
            let password = match key_password_env {
                Some(var) => Some(std::env::var(&var).with_context(|| {
                    format!("environment variable {var} (--key-password-env) is not set")
                })?),
                None => None,
            };
            let private_key = PrivateKey::from_pem_or_der(
                &read_file(&key)?,
                password.as_deref().map(str::as_bytes),
            )
            .with_context(|| format!("key {}", key.display()))?;
            let format: EcdsaFormat = ecdsa_format.parse()?;
            let signer = OfflineSigner::new(certificate, private_key, chrono::Utc::now())?
                .with_ecdsa_format(format);
            let link = signer.certificate_link(&qr_base(&target, env), &context, &nip, &hash)?;
            println!("{link}");
            Ok(Outcome::Ok)
        }
        QrCommand::Verify { link, cert } => {
            let certificate = Certificate::from_pem_or_der(&read_file(&cert)?)
                .with_context(|| format!("certificate {}", cert.display()))?;
            let parsed: CertificateLink = match link.trim().parse() {
                Ok(l) => l,
                Err(e) => {
                    println!("invalid: {e}");
                    return Ok(Outcome::Invalid);
                }
            };
            match parsed.verify(&certificate) {
                Ok(()) => {
                    println!(
                        "valid: signed by certificate {} ({}) for seller {} in context {}",
                        certificate.serial(),
                        certificate.subject(),
                        parsed.seller_nip,
                        parsed.context
                    );
                    if certificate.role() != ksef_core::crypto::CertificateRole::Offline {
                        println!(
                            "note: the certificate's key usage is not that of a KSeF Offline certificate \
                             (nonRepudiation); KSeF accepts KOD II only from Offline certificates"
                        );
                    }
                    Ok(Outcome::Ok)
                }
                Err(e) => {
                    println!("invalid: {e}");
                    Ok(Outcome::Invalid)
                }
            }
        }
        QrCommand::Image {
            text,
            label,
            format,
            out,
            module_px,
        } => {
            let format: ImageFormat = format.parse()?;
            let bytes = QrImage::new().render(&text, label.as_deref(), format, module_px)?;
            write_file(&out, &bytes)?;
            eprintln!("wrote {} ({} bytes)", out.display(), bytes.len());
            Ok(Outcome::Ok)
        }
    }
}

fn qr_base(target: &QrTarget, env: EnvName) -> String {
    match &target.qr_base {
        Some(base) => base.trim_end_matches('/').to_owned(),
        None => env.environment().urls().qr,
    }
}

/// The hash of the invoice, and the seller NIP and P_1 when the file itself was given.
fn invoice_hash(source: &InvoiceSource) -> anyhow::Result<(Sha256Hash, Option<(Nip, NaiveDate)>)> {
    match (&source.invoice, &source.hash) {
        (Some(path), _) => {
            let bytes = read_file(path)?;
            let fields = InvoiceChecker::new()?
                .inspect(&bytes)
                .ok()
                .map(|f| (f.seller_nip, f.issue_date));
            Ok((Sha256Hash::of(&bytes), fields))
        }
        (None, Some(h)) => Ok((h.trim().parse()?, None)),
        (None, None) => bail!("give --invoice FILE or --hash B64URL"),
    }
}

/// The seller NIP from the flag or the invoice. The checksum is enforced for production and
/// only warned about elsewhere: test environments use NIPs without valid checksums.
fn seller_nip(
    flag: Option<&str>,
    from_file: Option<Nip>,
    target: &QrTarget,
    env: EnvName,
) -> anyhow::Result<Nip> {
    let nip = match (flag, from_file) {
        (Some(s), file) => {
            let n = Nip::parse_unchecked(s.trim())?;
            if let Some(f) = file.filter(|f| *f != n) {
                bail!("the NIP given ({n}) differs from the invoice's seller NIP (Podmiot1) {f}");
            }
            n
        }
        (None, Some(f)) => f,
        (None, None) => bail!("give the seller NIP, or --invoice to read it from Podmiot1"),
    };
    if !nip.has_valid_checksum() {
        if env == EnvName::Prod && target.qr_base.is_none() {
            bail!("seller NIP {nip} has an invalid checksum; KSeF production refuses it");
        }
        eprintln!(
            "warning: seller NIP {nip} has an invalid checksum (accepted by the test environments only)"
        );
    }
    Ok(nip)
}
