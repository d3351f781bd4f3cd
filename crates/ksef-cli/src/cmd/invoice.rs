//! `ksef invoice check` and `ksef invoice sample`.

use ksef_core::invoice::{CheckOptions, InvoiceChecker};

use super::read_file;
use crate::Outcome;
use crate::args::InvoiceCommand;

pub fn run(c: InvoiceCommand) -> anyhow::Result<Outcome> {
    let (file, json, no_nip_checksums) = match c {
        InvoiceCommand::Check {
            file,
            json,
            no_nip_checksums,
        } => (file, json, no_nip_checksums),
        InvoiceCommand::Sample {
            seller,
            number,
            date,
            lines,
            out,
        } => return sample(&seller, &number, date, lines, &out),
    };
    let bytes = read_file(&file)?;
    let today = ksef_core::calendar::warsaw_date(chrono::Utc::now());
    let opts = CheckOptions {
        accepted_on: Some(today),
        nip_checksums: !no_nip_checksums,
        ..CheckOptions::default()
    };
    let report = InvoiceChecker::new()?.check(&bytes, &opts);
    let ok = report.problems.is_empty();
    if json {
        let out = serde_json::json!({
            "file": file.display().to_string(),
            "ok": ok,
            "sha256": ksef_core::crypto::Sha256Hash::of(&bytes).to_base64(),
            "size": bytes.len(),
            "problems": report.problems.iter().map(|p| serde_json::json!({
                "rule": p.rule.code(),
                "message": p.message,
                "location": p.location,
            })).collect::<Vec<_>>(),
            "fields": report.fields,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else if ok {
        println!("{}: OK", file.display());
        if let Some(f) = &report.fields {
            println!(
                "  seller NIP {}, number {}, {:?}, issued {}, currency {}",
                f.seller_nip, f.number, f.kind, f.issue_date, f.currency
            );
        }
    } else {
        println!("{}: {} problem(s)", file.display(), report.problems.len());
        for p in &report.problems {
            println!("  {p}");
        }
    }
    Ok(if ok { Outcome::Ok } else { Outcome::Invalid })
}

fn sample(
    seller: &str,
    number: &str,
    date: Option<chrono::NaiveDate>,
    lines: u32,
    out: &std::path::Path,
) -> anyhow::Result<Outcome> {
    use anyhow::Context as _;
    let seller = ksef_core::Nip::parse_unchecked(seller.trim())
        .with_context(|| format!("--seller {seller:?}"))?;
    if !(1..=10_000).contains(&lines) {
        anyhow::bail!("--lines must be between 1 and 10000, got {lines}");
    }
    if out.exists() {
        anyhow::bail!("{} exists; not overwritten", out.display());
    }
    let date = date.unwrap_or_else(|| ksef_core::calendar::warsaw_date(chrono::Utc::now()));
    let xml = ksef_core::invoice::SampleInvoice::new(seller, date, number)
        .with_lines(lines)
        .to_xml();
    super::write_file(out, &xml)?;
    println!(
        "{}: sample FA(3) invoice {number} of seller {seller}, dated {date}, {} bytes",
        out.display(),
        xml.len()
    );
    Ok(Outcome::Ok)
}
