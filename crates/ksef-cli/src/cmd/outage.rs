//! `ksef outage declare|list`: announced KSeF outages, which move the deadlines.

use anyhow::{Context as _, bail};
use chrono::Utc;
use clap::{Args, Subcommand};
use ksef_core::calendar::{Outage, OutageKind};
use serde_json::json;

use super::block_on;
use super::deadline::parse_instant;
use crate::Outcome;
use crate::config::Config;
use crate::output::{self, Table, print_json, warsaw, warsaw_opt};

#[derive(Debug, Subcommand)]
pub enum OutageCommand {
    /// Record an announced outage (or its end: same kind and start) and recompute the
    /// deadlines of every invoice still to reach KSeF.
    #[command(after_help = "Examples:\n  \
        ksef outage declare --kind failure --from 2025-07-09 --evidence 'BIP MF announcement 2025/07/09'\n  \
        ksef outage declare --kind failure --from 2025-07-09 --to 2025-07-12 --evidence 'BIP: failure over'\n  \
        ksef outage declare --kind unavailability --from 2026-03-02T08:00:00+01:00 \\\n    \
        --to 2026-03-02T15:30:00+01:00 --evidence 'Lighthouse message 1234'\n\n\
        TIME is a date (that whole Warsaw day) or an RFC 3339 instant; without --to the outage \
        is still going on.")]
    Declare(DeclareArgs),
    /// The outages recorded, oldest first.
    #[command(after_help = "Examples:\n  ksef outage list\n  ksef outage list --json")]
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct DeclareArgs {
    /// What was announced.
    #[arg(long, value_parser = ["unavailability", "failure", "total-failure"])]
    pub kind: String,
    /// When it began: YYYY-MM-DD or an RFC 3339 instant.
    #[arg(long, value_name = "TIME")]
    pub from: String,
    /// When it ended (omit while it lasts): YYYY-MM-DD or an RFC 3339 instant.
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Where it was announced: the BIP notice, Lighthouse message ids, who declared it.
    #[arg(long)]
    pub evidence: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(config: &Config, c: OutageCommand) -> anyhow::Result<Outcome> {
    match c {
        OutageCommand::Declare(a) => declare(config, a),
        OutageCommand::List { json } => list(config, json),
    }
}

fn declare(config: &Config, a: DeclareArgs) -> anyhow::Result<Outcome> {
    let kind = match a.kind.as_str() {
        "unavailability" => OutageKind::Unavailability,
        "failure" => OutageKind::Failure,
        "total-failure" => OutageKind::TotalFailure,
        other => bail!("--kind {other:?}: expected unavailability, failure or total-failure"),
    };
    let start = parse_instant(&a.from, false).with_context(|| format!("--from {:?}", a.from))?;
    let end =
        a.to.as_deref()
            .map(|t| parse_instant(t, true).with_context(|| format!("--to {t:?}")))
            .transpose()?;
    let outage = Outage::new(kind, start, end);
    outage.validate()?;
    if a.evidence.trim().is_empty() {
        bail!("--evidence is empty: say where the outage was announced");
    }
    let (report, changed) = block_on(async {
        let store = config.open_store().await?;
        let report = store
            .record_outage(outage, a.evidence.trim(), Utc::now())
            .await?;
        let mut changed = Vec::new();
        for (id, old, new) in &report.changed {
            let number = store.get(*id).await.map(|i| i.number).unwrap_or_default();
            changed.push((*id, number, *old, *new));
        }
        anyhow::Ok((report, changed))
    })??;
    if a.json {
        print_json(&json!({
            "outage_id": report.outage_id,
            "outage": outage,
            "changed": changed.iter().map(|(id, number, old, new)| json!({
                "id": id, "number": number, "old": old, "new": new,
            })).collect::<Vec<_>>(),
        }))?;
        return Ok(Outcome::Ok);
    }
    println!("recorded outage {}: {outage}", report.outage_id);
    if changed.is_empty() {
        println!("no invoice's deadline changed");
    } else {
        println!("{} invoice(s) got a new deadline:", changed.len());
        let mut t = Table::new(&["ID", "NUMBER", "OLD", "", "NEW"]);
        for (id, number, old, new) in &changed {
            t.row(vec![
                id.to_string(),
                number.clone(),
                output::due_date(*old),
                "→".into(),
                output::due_date(*new),
            ]);
        }
        t.print();
    }
    Ok(Outcome::Ok)
}

fn list(config: &Config, json: bool) -> anyhow::Result<Outcome> {
    let outages = block_on(async { anyhow::Ok(config.open_store().await?.outages().await?) })??;
    if json {
        let out: Vec<_> = outages
            .iter()
            .map(|o| {
                json!({
                    "id": o.id,
                    "kind": o.outage.kind,
                    "start": o.outage.start,
                    "end": o.outage.end,
                    "evidence": o.evidence,
                    "recorded_at": o.recorded_at,
                })
            })
            .collect();
        print_json(&out)?;
        return Ok(Outcome::Ok);
    }
    if outages.is_empty() {
        println!("no outages recorded");
        return Ok(Outcome::Ok);
    }
    let mut t = Table::new(&["ID", "KIND", "FROM", "TO", "RECORDED", "EVIDENCE"]);
    for o in &outages {
        t.row(vec![
            o.id.to_string(),
            o.outage.kind.to_string(),
            warsaw(o.outage.start),
            if o.outage.end.is_some() {
                warsaw_opt(o.outage.end)
            } else {
                "still going on".into()
            },
            warsaw(o.recorded_at),
            o.evidence.clone(),
        ]);
    }
    t.print();
    Ok(Outcome::Ok)
}
