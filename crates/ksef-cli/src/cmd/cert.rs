//! `ksef cert ...`: certificates. For now `test-generate`: self-signed certificates as the KSeF
//! TEST environment accepts them (auth-and-certificates.md §4.3), for trying the engine out.

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use chrono::{Duration, Utc};
use clap::{Args, Subcommand, ValueEnum};
use ksef_core::Nip;
use ksef_core::crypto::{CertificateRole, PrivateKey, self_signed};
use ksef_core::ids::Pesel;
use zeroize::Zeroizing;

use super::write_file;
use crate::Outcome;

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Make a self-signed certificate and key as the KSeF TEST environment accepts them (never
    /// a real KSeF certificate): a person (NIP or PESEL) or an organization seal (NIP), with the
    /// key usage of an Offline (nonRepudiation) or Authentication (digitalSignature)
    /// certificate. The key is written encrypted (PKCS#8, PBES2) with a password from the
    /// environment.
    #[command(
        name = "test-generate",
        after_help = "Examples:\n  \
        KEY_PASSWORD=s3cret ksef cert test-generate --nip 5265877635 --role offline \\\n      \
        --out-cert offline.crt --out-key offline.key --key-password-env KEY_PASSWORD\n  \
        KEY_PASSWORD=s3cret ksef cert test-generate --nip 5265877635 --seal \"Firma Testowa sp. z o.o.\" \\\n      \
        --role authentication --algorithm rsa --out-cert seal.crt --out-key seal.key --key-password-env KEY_PASSWORD"
    )]
    TestGenerate(TestGenerateArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Role {
    /// KOD II signing (nonRepudiation).
    Offline,
    /// Logging in (digitalSignature).
    Authentication,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Algorithm {
    /// EC P-256 (recommended).
    Ec,
    /// RSA-2048.
    Rsa,
}

#[derive(Debug, Args)]
pub struct TestGenerateArgs {
    /// The subject's NIP (serialNumber TINPL-NIP, or organizationIdentifier VATPL-NIP with --seal).
    #[arg(long, conflicts_with = "pesel", required_unless_present = "pesel")]
    pub nip: Option<String>,
    /// A person's PESEL (serialNumber PNOPL-PESEL).
    #[arg(long)]
    pub pesel: Option<String>,
    /// An organization seal with this organization name (needs --nip).
    #[arg(long, value_name = "NAME", conflicts_with = "pesel")]
    pub seal: Option<String>,
    /// The person's given name.
    #[arg(long, default_value = "Jan")]
    pub given_name: String,
    /// The person's surname.
    #[arg(long, default_value = "Testowy")]
    pub surname: String,
    /// Offline (KOD II) or Authentication.
    #[arg(long, value_enum, default_value = "offline")]
    pub role: Role,
    /// Key algorithm.
    #[arg(long, value_enum, default_value = "ec")]
    pub algorithm: Algorithm,
    /// Validity in days from now (it starts an hour ago).
    #[arg(long, default_value_t = 730)]
    pub days: i64,
    /// Where to write the certificate (PEM).
    #[arg(long, value_name = "FILE")]
    pub out_cert: PathBuf,
    /// Where to write the encrypted private key (PEM, PKCS#8).
    #[arg(long, value_name = "FILE")]
    pub out_key: PathBuf,
    /// The environment variable holding the key's password (never a plain argument).
    #[arg(long, value_name = "VAR")]
    pub key_password_env: String,
}

pub fn run(c: CertCommand) -> anyhow::Result<Outcome> {
    match c {
        CertCommand::TestGenerate(a) => test_generate(a),
    }
}

fn test_generate(a: TestGenerateArgs) -> anyhow::Result<Outcome> {
    let password = Zeroizing::new(std::env::var(&a.key_password_env).with_context(|| {
        format!(
            "environment variable {} (--key-password-env) is not set",
            a.key_password_env
        )
    })?);
    if password.is_empty() {
        bail!("the key password in {} is empty", a.key_password_env);
    }
    if !(1..=3650).contains(&a.days) {
        bail!("--days must be between 1 and 3650, got {}", a.days);
    }
    for out in [&a.out_cert, &a.out_key] {
        if out.exists() {
            bail!("{} exists; not overwritten", out.display());
        }
    }
    let cn = "ksef-offline TEST certificate - NOT a KSeF certificate".to_owned();
    let subject: Vec<(&str, String)> = match (&a.nip, &a.pesel, &a.seal) {
        (Some(nip), None, Some(org)) => {
            let nip = Nip::parse_unchecked(nip.trim()).with_context(|| format!("--nip {nip:?}"))?;
            vec![
                ("O", org.clone()),
                ("2.5.4.97", format!("VATPL-{nip}")),
                ("CN", cn),
                ("C", "PL".into()),
            ]
        }
        (Some(nip), None, None) => {
            let nip = Nip::parse_unchecked(nip.trim()).with_context(|| format!("--nip {nip:?}"))?;
            person(&a, format!("TINPL-{nip}"), cn)
        }
        (None, Some(pesel), None) => {
            let pesel: Pesel = pesel
                .trim()
                .parse()
                .with_context(|| format!("--pesel {pesel:?}"))?;
            person(&a, format!("PNOPL-{pesel}"), cn)
        }
        _ => bail!("give --nip (with --seal NAME for a seal) or --pesel"),
    };
    let key = match a.algorithm {
        Algorithm::Ec => PrivateKey::generate_ec_p256()?,
        Algorithm::Rsa => PrivateKey::generate_rsa(2048)?,
    };
    let role = match a.role {
        Role::Offline => CertificateRole::Offline,
        Role::Authentication => CertificateRole::Authentication,
    };
    let now = Utc::now();
    let fields: Vec<(&str, &str)> = subject.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let cert = self_signed(
        &key,
        &fields,
        role,
        now - Duration::hours(1),
        now + Duration::days(a.days),
    )?;
    write_file(&a.out_cert, cert.to_pem().as_bytes())?;
    let pem = Zeroizing::new(key.to_encrypted_pkcs8_pem(password.as_bytes())?);
    super::write_private(&a.out_key, &pem, false)?;
    println!(
        "certificate {} ({:?}, {}) valid until {}: {}",
        cert.serial(),
        role,
        match a.algorithm {
            Algorithm::Ec => "EC P-256",
            Algorithm::Rsa => "RSA-2048",
        },
        cert.not_after(),
        a.out_cert.display()
    );
    println!(
        "private key, encrypted with the password in {}: {}",
        a.key_password_env,
        a.out_key.display()
    );
    Ok(Outcome::Ok)
}

fn person(a: &TestGenerateArgs, serial: String, cn: String) -> Vec<(&'static str, String)> {
    vec![
        ("GN", a.given_name.clone()),
        ("SN", a.surname.clone()),
        ("serialNumber", serial),
        ("CN", cn),
        ("C", "PL".into()),
    ]
}
