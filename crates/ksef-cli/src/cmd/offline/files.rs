//! `ksef offline upo|qr`: files made from a stored invoice.

use std::path::{Path, PathBuf};

use anyhow::bail;
use ksef_core::qr::image::{ImageFormat, QrImage};
use ksef_core::qr::{LABEL_CERTIFICATE, LABEL_OFFLINE};
use ksef_offline::{Invoice, InvoiceState};

use super::super::{block_on, create_dir, write_file};
use super::invoice_id;
use crate::Outcome;
use crate::config::Config;

/// Pixels per QR module in the images written.
const MODULE_PX: u32 = 5;

pub fn upo(config: &Config, id: &str, out: &Path) -> anyhow::Result<Outcome> {
    let id = invoice_id(id)?;
    let (invoice, upo) = block_on(async {
        let store = config.open_store().await?;
        let invoice = store.get(id).await?;
        let upo = store.upo(id).await?;
        anyhow::Ok((invoice, upo))
    })??;
    let Some(upo) = upo else {
        if invoice.state == InvoiceState::Accepted {
            bail!(
                "invoice {id} was accepted (KSeF number {}) but its UPO is not stored yet; \
                 `ksef sync` fetches it",
                invoice.ksef_number.as_deref().unwrap_or("?")
            );
        }
        bail!(
            "invoice {id} is {}: KSeF issues a UPO only once it accepts the invoice",
            invoice.state
        );
    };
    write_file(out, &upo)?;
    println!(
        "wrote {} (UPO of invoice {id}, {} bytes)",
        out.display(),
        upo.len()
    );
    Ok(Outcome::Ok)
}

pub fn qr(config: &Config, id: &str, out: &Path, format: &str) -> anyhow::Result<Outcome> {
    let id = invoice_id(id)?;
    let format: ImageFormat = format.parse()?;
    let invoice = block_on(async { anyhow::Ok(config.open_store().await?.get(id).await?) })??;
    if invoice.kod1.is_none() {
        println!(
            "invoice {id} was issued in {} mode: it carries no QR codes",
            invoice.mode
        );
        return Ok(Outcome::Ok);
    }
    create_dir(out)?;
    let images = write_qr_images(&invoice, out, format)?;
    for (img, what) in images.iter().zip(["KOD I", "KOD II"]) {
        println!("{what}: {}", img.display());
    }
    Ok(Outcome::Ok)
}

/// Writes `<id>-kod1.<ext>` (labelled with the KSeF number once accepted, else `OFFLINE`) and
/// `<id>-kod2.<ext>` (`CERTYFIKAT`) into `dir`; returns their paths. Nothing for an invoice
/// without QR codes.
pub fn write_qr_images(
    invoice: &Invoice,
    dir: &Path,
    format: ImageFormat,
) -> anyhow::Result<Vec<PathBuf>> {
    let images = QrImage::shared();
    let kod1_label = match (&invoice.state, &invoice.ksef_number) {
        (InvoiceState::Accepted, Some(n)) => n.as_str(),
        _ => LABEL_OFFLINE,
    };
    let mut written = Vec::new();
    for (link, label, name) in [
        (&invoice.kod1, kod1_label, "kod1"),
        (&invoice.kod2, LABEL_CERTIFICATE, "kod2"),
    ] {
        let Some(link) = link else { continue };
        let path = dir.join(format!("{}-{name}.{}", invoice.id, format.extension()));
        let bytes = images.render(link, Some(label), format, MODULE_PX)?;
        write_file(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}
