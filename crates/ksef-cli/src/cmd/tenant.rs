//! `ksef tenant add|list`: KSeF contexts with their token and Offline certificate.

use std::io::Read as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use chrono::Utc;
use clap::{Args, Subcommand};
use ksef_core::crypto::{Certificate, PrivateKey};
use ksef_core::ids::ContextIdentifier;
use ksef_core::{Nip, SystemClock};
use ksef_offline::{NewTenant, OfflineCredentials, Tenant, TenantId};
use serde_json::json;
use zeroize::Zeroizing;

use super::{block_on, read_file};
use crate::Outcome;
use crate::config::Config;
use crate::output::{Table, print_json, warsaw};

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Add a tenant: its KSeF context, KSeF token and Offline certificate (secrets stored
    /// encrypted; never given as plain arguments).
    #[command(after_help = "Examples:\n  \
        ksef tenant add acme --nip 5265877635 --token-file token.txt \\\n    \
        --offline-cert offline.crt --offline-key offline.key --key-password-env KEY_PASSWORD\n  \
        printf %s \"$TOKEN\" | ksef tenant add branch --context InternalId:5265877635-12346 --token-stdin \\\n    \
        --permitted-seller 7762811692")]
    Add(Box<AddArgs>),
    /// List the tenants (contexts, certificates and their validity; never secrets).
    #[command(after_help = "Examples:\n  ksef tenant list\n  ksef tenant list --json")]
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The tenant's id: 1 to 64 characters of A-Z a-z 0-9 . _ -
    pub id: String,
    #[command(flatten)]
    pub context: ContextArgs,
    #[command(flatten)]
    pub token: TokenArgs,
    /// The KSeF Offline certificate for KOD II (PEM or DER).
    #[arg(long, value_name = "FILE", requires = "offline_key")]
    pub offline_cert: Option<PathBuf>,
    /// Its private key (PEM or DER; PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE", requires = "offline_cert")]
    pub offline_key: Option<PathBuf>,
    /// The Offline certificate and its key in one PKCS#12 file (.p12/.pfx), instead of
    /// --offline-cert and --offline-key; its password from --key-password-env.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["offline_cert", "offline_key"],
        requires = "key_password_env"
    )]
    pub offline_p12: Option<PathBuf>,
    /// Name of the environment variable holding the key's (or the PKCS#12 file's) password.
    #[arg(long, value_name = "VAR")]
    pub key_password_env: Option<String>,
    /// A seller NIP (Podmiot1) this context may issue for besides its own (repeatable).
    #[arg(long = "permitted-seller", value_name = "NIP")]
    pub permitted_sellers: Vec<String>,
}

/// The tenant's KSeF context.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct ContextArgs {
    /// The context is this NIP.
    #[arg(long, value_name = "NIP")]
    pub nip: Option<String>,
    /// The context as TYPE:VALUE (Nip, InternalId, NipVatUe, PeppolId).
    #[arg(long, value_name = "TYPE:VALUE")]
    pub context: Option<String>,
}

/// Where the KSeF token is read from (optional: without one the tenant can only issue).
#[derive(Debug, Args)]
#[group(required = false, multiple = false)]
pub struct TokenArgs {
    /// A file holding the KSeF token.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The environment variable holding the KSeF token.
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// Read the KSeF token from standard input.
    #[arg(long)]
    pub token_stdin: bool,
}

pub fn run(config: &Config, c: TenantCommand) -> anyhow::Result<Outcome> {
    match c {
        TenantCommand::Add(a) => add(config, *a),
        TenantCommand::List { json } => list(config, json),
    }
}

fn add(config: &Config, a: AddArgs) -> anyhow::Result<Outcome> {
    let id: TenantId = a.id.parse()?;
    let context = match (&a.context.nip, &a.context.context) {
        (Some(nip), _) => {
            ContextIdentifier::parse("Nip", nip.trim()).with_context(|| format!("--nip {nip:?}"))?
        }
        (None, Some(c)) => {
            let Some((ty, value)) = c.split_once(':') else {
                bail!("--context {c:?}: expected TYPE:VALUE, e.g. InternalId:5265877635-12346");
            };
            ContextIdentifier::parse(ty.trim(), value.trim())
                .with_context(|| format!("--context {c:?}"))?
        }
        (None, None) => bail!("give --nip NIP or --context TYPE:VALUE"),
    };
    if let ContextIdentifier::Nip(n) = &context
        && !n.has_valid_checksum()
    {
        eprintln!(
            "warning: NIP {n} has an invalid checksum (accepted by the test environments only)"
        );
    }
    let mut tenant = NewTenant::new(id.clone(), context);
    tenant.ksef_token = read_token(&a.token)?;
    let password = match &a.key_password_env {
        Some(var) => Some(Zeroizing::new(std::env::var(var).with_context(|| {
            format!("environment variable {var} (--key-password-env) is not set")
        })?)),
        None => None,
    };
    if let Some(p12) = &a.offline_p12 {
        let der = Zeroizing::new(read_file(p12)?);
        let (certificate, key) =
            PrivateKey::from_pkcs12(&der, password.as_deref().map_or("", |p| p.as_str()))
                .with_context(|| format!("Offline certificate and key {}", p12.display()))?;
        tenant.offline = Some(OfflineCredentials { certificate, key });
    }
    if let (Some(cert), Some(key)) = (&a.offline_cert, &a.offline_key) {
        let certificate = Certificate::from_pem_or_der(&read_file(cert)?)
            .with_context(|| format!("Offline certificate {}", cert.display()))?;
        let key_bytes = Zeroizing::new(read_file(key)?);
        let private =
            PrivateKey::from_pem_or_der(&key_bytes, password.as_deref().map(|p| p.as_bytes()))
                .with_context(|| format!("Offline key {}", key.display()))?;
        tenant.offline = Some(OfflineCredentials {
            certificate,
            key: private,
        });
    }
    for s in &a.permitted_sellers {
        let nip =
            Nip::parse_unchecked(s.trim()).with_context(|| format!("--permitted-seller {s:?}"))?;
        tenant.permitted_sellers.push(nip);
    }
    let added = block_on(async {
        let store = config.open_store().await?;
        store
            .add_tenant(tenant, &SystemClock)
            .await
            .with_context(|| format!("cannot add tenant {id}"))
    })??;
    println!("added tenant {} (context {})", added.id, added.context);
    println!(
        "  KSeF token: {}",
        if added.has_ksef_token {
            "stored, encrypted"
        } else {
            "none (needed to send to KSeF)"
        }
    );
    match &added.offline_certificate {
        Some(c) => println!(
            "  Offline certificate: {} ({}), valid {} to {}; key stored, encrypted",
            c.serial(),
            c.subject(),
            warsaw(c.not_before()),
            warsaw(c.not_after())
        ),
        None => println!("  Offline certificate: none (only total-failure invoices can be issued)"),
    }
    if !added.permitted_sellers.is_empty() {
        println!("  permitted sellers: {}", sellers(&added));
    }
    Ok(Outcome::Ok)
}

fn read_token(a: &TokenArgs) -> anyhow::Result<Option<Zeroizing<String>>> {
    let (raw, source) = if let Some(f) = &a.token_file {
        let bytes = Zeroizing::new(read_file(f)?);
        let text = String::from_utf8(bytes.to_vec())
            .with_context(|| format!("the token file {} is not UTF-8", f.display()))?;
        (Zeroizing::new(text), format!("token file {}", f.display()))
    } else if let Some(var) = &a.token_env {
        let v = std::env::var(var)
            .with_context(|| format!("environment variable {var} (--token-env) is not set"))?;
        (Zeroizing::new(v), format!("environment variable {var}"))
    } else if a.token_stdin {
        let mut s = Zeroizing::new(String::new());
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read the token from standard input")?;
        (s, "standard input".to_owned())
    } else {
        return Ok(None);
    };
    let token = raw.trim();
    if token.is_empty() {
        bail!("the KSeF token from {source} is empty");
    }
    if token.contains(['\n', '\r']) {
        bail!("the KSeF token from {source} spans several lines; expected one token");
    }
    Ok(Some(Zeroizing::new(token.to_owned())))
}

fn sellers(t: &Tenant) -> String {
    t.permitted_sellers
        .iter()
        .map(|n| n.as_str().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(config: &Config, json: bool) -> anyhow::Result<Outcome> {
    let tenants = block_on(async {
        config
            .open_store()
            .await?
            .list_tenants()
            .await
            .map_err(anyhow::Error::from)
    })??;
    let now = Utc::now();
    if json {
        let out: Vec<_> = tenants
            .iter()
            .map(|t| {
                json!({
                    "id": t.id,
                    "context": {"type": t.context.type_name(), "value": t.context.value()},
                    "has_ksef_token": t.has_ksef_token,
                    "offline_certificate": t.offline_certificate.as_ref().map(|c| json!({
                        "serial": c.serial(),
                        "subject": c.subject(),
                        "issuer": c.issuer(),
                        "not_before": c.not_before(),
                        "not_after": c.not_after(),
                        "valid_now": c.is_valid_at(now),
                    })),
                    "permitted_sellers": t.permitted_sellers.iter().map(|n| n.as_str()).collect::<Vec<_>>(),
                    "created_at": t.created_at,
                })
            })
            .collect();
        print_json(&out)?;
        return Ok(Outcome::Ok);
    }
    if tenants.is_empty() {
        println!("no tenants; add one with `ksef tenant add`");
        return Ok(Outcome::Ok);
    }
    let mut table = Table::new(&[
        "TENANT",
        "CONTEXT",
        "TOKEN",
        "CERTIFICATE",
        "VALID UNTIL",
        "PERMITTED SELLERS",
        "SUBJECT",
    ]);
    for t in &tenants {
        let (serial, until, subject) = match &t.offline_certificate {
            Some(c) => (
                c.serial().to_owned(),
                format!(
                    "{}{}",
                    warsaw(c.not_after()),
                    if c.is_valid_at(now) {
                        ""
                    } else {
                        " (NOT VALID NOW)"
                    }
                ),
                c.subject().to_owned(),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        table.row(vec![
            t.id.to_string(),
            t.context.to_string(),
            if t.has_ksef_token { "yes" } else { "no" }.into(),
            serial,
            until,
            if t.permitted_sellers.is_empty() {
                "-".into()
            } else {
                sellers(t)
            },
            subject,
        ]);
    }
    table.print();
    Ok(Outcome::Ok)
}
