//! `ksef invoice check`.

use ksef_core::invoice::{CheckOptions, InvoiceChecker};

use super::read_file;
use crate::Outcome;
use crate::args::InvoiceCommand;

pub fn run(c: InvoiceCommand) -> anyhow::Result<Outcome> {
    let InvoiceCommand::Check {
        file,
        json,
        no_nip_checksums,
    } = c;
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
