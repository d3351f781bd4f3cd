//! `ksef offline ...`: offline invoices in the store.

mod correct;
mod files;
mod issue;

use std::path::PathBuf;

use anyhow::Context as _;
use chrono::Utc;
use clap::{Args, Subcommand};
use ksef_offline::{Invoice, InvoiceFilter, InvoiceId, InvoiceState, TenantId};
use serde_json::json;

use super::block_on;
use crate::Outcome;
use crate::config::{Config, parse_duration};
use crate::output::{self, Table, or_dash, print_json, warsaw, warsaw_opt};

#[derive(Debug, Subcommand)]
pub enum OfflineCommand {
    /// Issue offline invoices: check, store encrypted, compute the deadline, make KOD I and
    /// KOD II and write their QR images.
    #[command(after_help = "Examples:\n  \
        ksef offline issue FV-1.xml FV-2.xml\n  \
        ksef offline issue --tenant acme --mode emergency --qr-dir ./qr FV-3.xml\n  \
        ksef offline issue --all-or-nothing --json batch/*.xml\n\n\
        Each file is issued on its own (a bad file does not stop the others; exit 1 if any \
        failed), or with --all-or-nothing all are stored or none.")]
    Issue(issue::IssueArgs),
    /// List invoices, newest first.
    #[command(after_help = "Examples:\n  ksef offline list\n  \
        ksef offline list --tenant acme --state queued --limit 20 --json")]
    List(ListArgs),
    /// One invoice with its history.
    #[command(after_help = "Example:\n  ksef offline show 0198c0de-7a4e-7c4b-9a51-3f0e5b1c2d3e")]
    Show {
        /// The invoice id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Invoices still to reach KSeF whose deadline falls within DUR (or has passed): exit 1
    /// when there is any, for cron.
    #[command(after_help = "Examples:\n  ksef offline due\n  \
        ksef offline due --within 2h --json || notify-send 'KSeF invoices due'")]
    Due(DueArgs),
    /// Write the UPO (KSeF's receipt) of an accepted invoice.
    #[command(
        after_help = "Example:\n  ksef offline upo 0198c0de-7a4e-7c4b-9a51-3f0e5b1c2d3e --out upo.xml"
    )]
    Upo {
        /// The invoice id.
        id: String,
        /// Output file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Issue the technical correction of an invoice KSeF rejected for a technical reason: the
    /// fixed file keeps the seller NIP, RodzajFaktury and P_2, gets its own KOD I and KOD II,
    /// and is sent by `ksef sync` in an interactive session with hashOfCorrectedInvoice.
    #[command(after_help = "Example:\n  \
        ksef offline correct 0198c0de-7a4e-7c4b-9a51-3f0e5b1c2d3e FV-4-fixed.xml\n\n\
        Differences in dates, amounts, currency or buyer are reported: a technical correction \
        fixes the form, not the content.")]
    Correct(correct::CorrectArgs),
    /// Write an invoice's QR images: KOD I (labelled with the KSeF number once accepted,
    /// else OFFLINE) and KOD II (CERTYFIKAT).
    #[command(
        after_help = "Example:\n  ksef offline qr 0198c0de-7a4e-7c4b-9a51-3f0e5b1c2d3e --out ./qr --format svg"
    )]
    Qr {
        /// The invoice id.
        id: String,
        /// Output directory (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Image format.
        #[arg(long, default_value = "png", value_parser = ["png", "svg"])]
        format: String,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this tenant's invoices.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Only in this state: queued, sending, sent, accepted, rejected, failed, not_required.
    #[arg(long)]
    pub state: Option<String>,
    /// At most this many.
    #[arg(long)]
    pub limit: Option<u32>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DueArgs {
    /// How far ahead to look, e.g. 60m, 2h, 1d [default: the watchdog's warn_within, 1d].
    #[arg(long, value_name = "DUR")]
    pub within: Option<String>,
    /// Only this tenant's invoices.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(config: &Config, c: OfflineCommand) -> anyhow::Result<Outcome> {
    match c {
        OfflineCommand::Issue(a) => issue::run(config, a),
        OfflineCommand::List(a) => list(config, a),
        OfflineCommand::Show { id, json } => show(config, &id, json),
        OfflineCommand::Due(a) => due(config, a),
        OfflineCommand::Upo { id, out } => files::upo(config, &id, &out),
        OfflineCommand::Qr { id, out, format } => files::qr(config, &id, &out, &format),
        OfflineCommand::Correct(a) => correct::run(config, a),
    }
}

/// Parses an invoice id, naming the argument.
pub(crate) fn invoice_id(s: &str) -> anyhow::Result<InvoiceId> {
    s.parse().with_context(|| {
        format!("{s:?} is not an invoice id (a UUID, as `ksef offline list` shows)")
    })
}

fn list(config: &Config, a: ListArgs) -> anyhow::Result<Outcome> {
    let filter = InvoiceFilter {
        tenant: a
            .tenant
            .as_deref()
            .map(|t| {
                t.parse::<TenantId>()
                    .with_context(|| format!("--tenant {t:?}"))
            })
            .transpose()?,
        state: a
            .state
            .as_deref()
            .map(|s| {
                s.replace('-', "_")
                    .parse::<InvoiceState>()
                    .with_context(|| format!("--state {s:?}"))
            })
            .transpose()?,
        missing_upo: false,
        limit: a.limit,
    };
    let invoices =
        block_on(async { anyhow::Ok(config.open_store().await?.list(&filter).await?) })??;
    if a.json {
        print_json(&invoices)?;
    } else if invoices.is_empty() {
        println!("no invoices");
    } else {
        invoice_table(&invoices).print();
    }
    Ok(Outcome::Ok)
}

fn invoice_table(invoices: &[Invoice]) -> Table {
    let mut t = Table::new(&[
        "ID",
        "TENANT",
        "NUMBER",
        "P_1",
        "MODE",
        "STATE",
        "DUE",
        "KSEF NUMBER",
    ]);
    for i in invoices {
        t.row(vec![
            i.id.to_string(),
            i.tenant.to_string(),
            i.number.clone(),
            i.issue_date.to_string(),
            i.mode.to_string(),
            i.state.to_string(),
            output::due_date(i.obligation),
            or_dash(i.ksef_number.as_deref()),
        ]);
    }
    t
}

fn show(config: &Config, id: &str, json: bool) -> anyhow::Result<Outcome> {
    let id = invoice_id(id)?;
    let (invoice, history) = block_on(async {
        let store = config.open_store().await?;
        let invoice = store.get(id).await?;
        let history = store.history(id).await?;
        anyhow::Ok((invoice, history))
    })??;
    if json {
        print_json(&json!({ "invoice": invoice, "history": history }))?;
        return Ok(Outcome::Ok);
    }
    let i = &invoice;
    let rows: Vec<(&str, String)> = vec![
        ("id", i.id.to_string()),
        ("tenant", i.tenant.to_string()),
        ("seller NIP", i.seller_nip.clone()),
        ("number (P_2)", i.number.clone()),
        ("kind", format!("{:?}", i.kind)),
        ("issue date (P_1)", i.issue_date.to_string()),
        ("mode", i.mode.to_string()),
        ("state", i.state.to_string()),
        ("obligation", output::obligation(i.obligation)),
        ("SHA-256", i.hash.clone()),
        ("size", format!("{} bytes", i.size)),
        ("KSeF number", or_dash(i.ksef_number.as_deref())),
        ("KSeF reference", or_dash(i.ksef_reference.as_deref())),
        (
            "error",
            match (&i.error_code, &i.error_description) {
                (Some(c), Some(d)) => format!("{c}: {d}"),
                (Some(c), None) => c.clone(),
                (None, Some(d)) => d.clone(),
                (None, None) => "-".into(),
            },
        ),
        ("UPO", if i.has_upo { "stored" } else { "-" }.into()),
        (
            "lease",
            match &i.lease_owner {
                Some(w) => format!("{w} until {}", warsaw_opt(i.lease_until)),
                None => "-".into(),
            },
        ),
        ("attempts", i.attempts.to_string()),
        (
            "corrects",
            or_dash(i.corrects.map(|c| c.to_string()).as_deref()),
        ),
        (
            "corrected by",
            or_dash(i.corrected_by.map(|c| c.to_string()).as_deref()),
        ),
        ("issued at", warsaw(i.issued_at)),
        ("updated at", warsaw(i.updated_at)),
        ("KOD I", or_dash(i.kod1.as_deref())),
        ("KOD II", or_dash(i.kod2.as_deref())),
    ];
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        println!("{k:<width$}  {v}");
    }
    println!("\nhistory:");
    let mut t = Table::new(&["SEQ", "AT", "ACTOR", "WHAT", "DETAILS"]);
    for e in &history {
        t.row(vec![
            e.seq.to_string(),
            warsaw(e.at),
            e.actor.clone(),
            e.what.clone(),
            e.details.to_string(),
        ]);
    }
    t.print();
    Ok(Outcome::Ok)
}

fn due(config: &Config, a: DueArgs) -> anyhow::Result<Outcome> {
    let within = match &a.within {
        Some(w) => parse_duration(w).with_context(|| format!("--within {w:?}"))?,
        None => config.watchdog.warn_within,
    };
    let tenant = a
        .tenant
        .as_deref()
        .map(|t| {
            t.parse::<TenantId>()
                .with_context(|| format!("--tenant {t:?}"))
        })
        .transpose()?;
    let now = Utc::now();
    let until =
        now + chrono::Duration::from_std(within).with_context(|| format!("--within {within:?}"))?;
    let mut due =
        block_on(async { anyhow::Ok(config.open_store().await?.due_before(until).await?) })??;
    if let Some(t) = &tenant {
        due.retain(|i| &i.tenant == t);
    }
    if a.json {
        let out: Vec<_> = due
            .iter()
            .map(|i| {
                let mut v = serde_json::to_value(i).unwrap_or_default();
                if let (Some(obj), Some(d)) = (v.as_object_mut(), i.obligation.deadline()) {
                    obj.insert("seconds_left".into(), json!((d - now).num_seconds()));
                }
                v
            })
            .collect();
        print_json(&out)?;
    } else if due.is_empty() {
        println!("nothing due before {}", warsaw(until));
    } else {
        let mut t = Table::new(&["ID", "TENANT", "NUMBER", "STATE", "DUE", "DEADLINE", "LEFT"]);
        for i in &due {
            let deadline = i.obligation.deadline();
            t.row(vec![
                i.id.to_string(),
                i.tenant.to_string(),
                i.number.clone(),
                i.state.to_string(),
                output::due_date(i.obligation),
                warsaw_opt(deadline),
                deadline
                    .map(|d| output::time_left(now, d))
                    .unwrap_or_else(|| "-".into()),
            ]);
        }
        t.print();
        eprintln!(
            "{} invoice(s) must reach KSeF before {}",
            due.len(),
            warsaw(until)
        );
    }
    Ok(if due.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Invalid
    })
}
