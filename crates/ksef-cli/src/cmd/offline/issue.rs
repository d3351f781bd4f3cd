//! `ksef offline issue`: each file on its own, or all or nothing.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use ksef_core::SystemClock;
use ksef_core::calendar::{OfflineMode, warsaw_date};
use ksef_core::invoice::{CheckOptions, InvoiceChecker};
use ksef_core::qr::image::ImageFormat;
use ksef_offline::{Error as StoreError, Invoice, Issued, Store};
use serde_json::{Value, json};

use super::super::{block_on, create_dir, tenant_or_only};
use super::files::write_qr_images;
use crate::Outcome;
use crate::config::Config;
use crate::output::{obligation, print_json};

#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The FA(3) invoice files; their exact bytes are stored, hashed and signed.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The issuing tenant (may be omitted when there is only one).
    #[arg(long)]
    pub tenant: Option<String>,
    /// The offline mode.
    #[arg(long, default_value = "offline24", value_parser = ["offline24", "offline", "emergency", "total-failure"])]
    pub mode: String,
    /// Where the QR images go [default: <home>/qr].
    #[arg(long, value_name = "DIR")]
    pub qr_dir: Option<PathBuf>,
    /// QR image format.
    #[arg(long, default_value = "png", value_parser = ["png", "svg"])]
    pub qr_format: String,
    /// Store all the files in one transaction, or none if any is refused.
    #[arg(long)]
    pub all_or_nothing: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// What became of one file.
struct FileResult {
    file: PathBuf,
    outcome: Result<(Invoice, Vec<PathBuf>), Failure>,
}

/// Why a file was not issued.
struct Failure {
    message: String,
    problems: Vec<String>,
}

pub fn run(config: &Config, a: IssueArgs) -> anyhow::Result<Outcome> {
    let mode: OfflineMode = a.mode.parse()?;
    let format: ImageFormat = a.qr_format.parse()?;
    let qr_dir = a.qr_dir.clone().unwrap_or_else(|| config.qr_dir.clone());
    if mode.has_qr_codes() {
        // Before anything is stored: an unwritable directory should stop the run early.
        create_dir(&qr_dir)?;
    }
    let issued = block_on(async {
        let store = config.open_store().await?;
        let tenant = tenant_or_only(store.as_ref(), a.tenant.as_deref()).await?;
        if a.all_or_nothing {
            all_or_nothing(config, store.as_ref(), &tenant, &a.files, mode).await
        } else {
            let mut out = Vec::new();
            for file in &a.files {
                out.push(one(store.as_ref(), &tenant, file, mode).await?);
            }
            Ok(out)
        }
    })??;

    // QR images for what was issued.
    let mut results: Vec<FileResult> = Vec::new();
    for (file, r) in issued {
        let outcome = match r {
            Ok(issued) => {
                let images = if issued.invoice.kod1.is_some() {
                    write_qr_images(&issued.invoice, &qr_dir, format).with_context(|| {
                        format!(
                            "{}: issued as {}, but its QR images were not written (write them \
                             with `ksef offline qr {} --out DIR`)",
                            file.display(),
                            issued.invoice.id,
                            issued.invoice.id
                        )
                    })?
                } else {
                    Vec::new()
                };
                Ok((issued.invoice, images))
            }
            Err(f) => Err(f),
        };
        results.push(FileResult { file, outcome });
    }

    let failed = results.iter().filter(|r| r.outcome.is_err()).count();
    if a.json {
        print_json(&results.iter().map(result_json).collect::<Vec<_>>())?;
    } else {
        for r in &results {
            print_result(r);
        }
        if failed > 0 {
            if a.all_or_nothing {
                eprintln!("nothing was issued ({failed} file(s) refused)");
            } else {
                eprintln!("{} issued, {failed} refused", results.len() - failed);
            }
        }
    }
    Ok(if failed > 0 {
        Outcome::Invalid
    } else {
        Outcome::Ok
    })
}

/// Issues one file; an input problem is that file's failure, anything else stops the run.
async fn one(
    store: &dyn Store,
    tenant: &ksef_offline::TenantId,
    file: &Path,
    mode: OfflineMode,
) -> anyhow::Result<(PathBuf, Result<Issued, Failure>)> {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            return Ok((
                file.to_owned(),
                Err(Failure {
                    message: format!("cannot read: {e}"),
                    problems: Vec::new(),
                }),
            ));
        }
    };
    match store.issue(tenant, &bytes, mode, &SystemClock).await {
        Ok(issued) => Ok((file.to_owned(), Ok(issued))),
        Err(e) => match failure(&e) {
            Some(f) => Ok((file.to_owned(), Err(f))),
            None => Err(anyhow::Error::new(e).context(format!("issuing {}", file.display()))),
        },
    }
}

/// The refusals that concern the invoice itself (not the store, the key or the database).
fn failure(e: &StoreError) -> Option<Failure> {
    let problems = match e {
        StoreError::InvalidInvoice { problems } => {
            problems.iter().map(ToString::to_string).collect()
        }
        StoreError::Duplicate { .. }
        | StoreError::SellerNotPermitted { .. }
        | StoreError::NoOfflineCertificate(_)
        | StoreError::Invalid { .. }
        | StoreError::Core(_) => Vec::new(),
        _ => return None,
    };
    let message = match e {
        StoreError::InvalidInvoice { problems } => format!(
            "the invoice is not valid ({} problem{}); nothing was stored",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ),
        other => other.to_string(),
    };
    Some(Failure { message, problems })
}

/// All files in one transaction. On a refusal, every file is reported: those that caused it
/// (found by checking them again, or by their duplicate key) and the others as not issued.
async fn all_or_nothing(
    config: &Config,
    store: &dyn Store,
    tenant: &ksef_offline::TenantId,
    files: &[PathBuf],
    mode: OfflineMode,
) -> anyhow::Result<Vec<(PathBuf, Result<Issued, Failure>)>> {
    let mut contents = Vec::with_capacity(files.len());
    for f in files {
        contents.push(
            std::fs::read(f)
                .with_context(|| format!("cannot read {} (nothing was issued)", f.display()))?,
        );
    }
    let slices: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
    let e = match store.issue_many(tenant, &slices, mode, &SystemClock).await {
        Ok(issued) => {
            return Ok(files
                .iter()
                .cloned()
                .zip(issued.into_iter().map(Ok))
                .collect());
        }
        Err(e) => e,
    };
    let Some(first) = failure(&e) else {
        return Err(anyhow::Error::new(e).context("issuing the files (nothing was issued)"));
    };
    let culprits = culprits(config, &e, &contents);
    Ok(files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let outcome = match culprits.get(i).and_then(Option::as_ref) {
                Some(problems) => Failure {
                    message: first.message.clone(),
                    problems: problems.clone(),
                },
                None => Failure {
                    message: "not issued: another file was refused".into(),
                    problems: Vec::new(),
                },
            };
            (f.clone(), Err(outcome))
        })
        .collect())
}

/// For each file, `Some(problems)` when it is one the error is about.
fn culprits(config: &Config, e: &StoreError, contents: &[Vec<u8>]) -> Vec<Option<Vec<String>>> {
    let Ok(checker) = InvoiceChecker::new() else {
        return vec![None; contents.len()];
    };
    let opts = CheckOptions {
        accepted_on: Some(warsaw_date(chrono::Utc::now())),
        nip_checksums: config.nip_checksums,
        xsd: true,
    };
    let mut found: Vec<Option<Vec<String>>> = contents
        .iter()
        .map(|xml| match e {
            StoreError::InvalidInvoice { .. } => {
                let report = checker.check(xml, &opts);
                (!report.problems.is_empty())
                    .then(|| report.problems.iter().map(ToString::to_string).collect())
            }
            StoreError::Duplicate { key, .. } => checker
                .inspect(xml)
                .ok()
                .filter(|f| f.duplicate_key().to_string() == *key)
                .map(|_| Vec::new()),
            StoreError::SellerNotPermitted { seller, .. } => checker
                .inspect(xml)
                .ok()
                .filter(|f| f.seller_nip.to_string() == *seller)
                .map(|_| Vec::new()),
            _ => None,
        })
        .collect();
    // A duplicate inside the batch: the first occurrence is fine, the later ones are not.
    if let StoreError::Duplicate { existing: None, .. } = e
        && found.iter().filter(|f| f.is_some()).count() > 1
        && let Some(first) = found.iter_mut().find(|f| f.is_some())
    {
        *first = None;
    }
    found
}

fn print_result(r: &FileResult) {
    let name = r.file.display();
    match &r.outcome {
        Ok((i, images)) => {
            println!("{name}: issued {}", i.id);
            println!(
                "  number {} (P_1 {}), {} mode, tenant {}",
                i.number, i.issue_date, i.mode, i.tenant
            );
            println!("  SHA-256 {}", i.hash);
            println!("  {}", obligation(i.obligation));
            if images.is_empty() {
                println!("  no QR codes (total-failure mode)");
            }
            for (img, what) in images.iter().zip(["KOD I, OFFLINE", "KOD II, CERTYFIKAT"]) {
                println!("  {what}: {}", img.display());
            }
        }
        Err(f) => {
            eprintln!("{name}: {}", f.message);
            for p in &f.problems {
                eprintln!("  {p}");
            }
        }
    }
}

fn result_json(r: &FileResult) -> Value {
    match &r.outcome {
        Ok((i, images)) => json!({
            "file": r.file.display().to_string(),
            "ok": true,
            "invoice": i,
            "qr_images": images.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        }),
        Err(f) => json!({
            "file": r.file.display().to_string(),
            "ok": false,
            "error": f.message,
            "problems": f.problems,
        }),
    }
}
