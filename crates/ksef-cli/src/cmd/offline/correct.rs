//! `ksef offline correct ID FIXED.xml`: the technical correction of a rejected invoice.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use ksef_core::SystemClock;
use ksef_core::qr::image::ImageFormat;
use serde_json::json;

use super::files::write_qr_images;
use super::invoice_id;
use crate::Outcome;
use crate::cmd::{block_on, create_dir, read_file};
use crate::config::Config;
use crate::output::{obligation, print_json};

#[derive(Debug, Args)]
pub struct CorrectArgs {
    /// The rejected invoice (or a rejected correction of it).
    pub id: String,
    /// The fixed invoice file.
    pub fixed: PathBuf,
    /// Where to write the correction's QR images [default: the home's qr directory].
    #[arg(long, value_name = "DIR")]
    pub qr_dir: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(config: &Config, a: CorrectArgs) -> anyhow::Result<Outcome> {
    let id = invoice_id(&a.id)?;
    let xml = read_file(&a.fixed)?;
    let qr_dir = a.qr_dir.clone().unwrap_or_else(|| config.qr_dir.clone());
    create_dir(&qr_dir)?;
    let correction = block_on(async {
        let store = config.open_store().await?;
        store
            .correct(id, &xml, &SystemClock)
            .await
            .with_context(|| format!("cannot correct invoice {id} with {}", a.fixed.display()))
    })??;
    let inv = &correction.issued.invoice;
    let images = write_qr_images(inv, &qr_dir, ImageFormat::Png)
        .with_context(|| format!("correction {} is stored, but its QR images are not", inv.id))?;
    if a.json {
        print_json(&json!({
            "correction": inv,
            "corrects": correction.original.id,
            "hashOfCorrectedInvoice": correction.original.hash,
            "differences": correction.differences,
            "qrImages": images,
        }))?;
        return Ok(Outcome::Ok);
    }
    println!(
        "correction {} of {} ({}) stored and queued",
        inv.id, correction.original.id, inv.number
    );
    println!("  hash                   {}", inv.hash);
    println!("  hashOfCorrectedInvoice {}", correction.original.hash);
    println!("  deadline               {}", obligation(inv.obligation));
    for p in &images {
        println!("  QR image               {}", p.display());
    }
    if correction.differences.is_empty() {
        println!("  content: unchanged (dates, amounts, currency, buyer); only the form differs");
    } else {
        println!("  WARNING: a technical correction must not change the content; it changes:");
        for d in &correction.differences {
            println!("    {}: {:?} -> {:?}", d.field, d.original, d.corrected);
        }
    }
    println!("send it with: ksef sync --once");
    Ok(Outcome::Ok)
}
