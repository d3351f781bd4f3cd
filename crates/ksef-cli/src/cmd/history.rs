//! `ksef history export`: the append-only history, for audit.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use ksef_offline::Event;

use super::block_on;
use super::offline::invoice_id;
use crate::Outcome;
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Write the history (every event, in order), or one invoice's.
    #[command(after_help = "Examples:\n  \
        ksef history export --out history.jsonl\n  \
        ksef history export --format csv --invoice 0198c0de-7a4e-7c4b-9a51-3f0e5b1c2d3e")]
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output file [default: standard output].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// jsonl: one JSON event per line; csv: seq,at,actor,what,invoice,tenant,details.
    #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "csv"])]
    pub format: String,
    /// Only this invoice's events.
    #[arg(long, value_name = "ID")]
    pub invoice: Option<String>,
}

pub fn run(config: &Config, c: HistoryCommand) -> anyhow::Result<Outcome> {
    let HistoryCommand::Export(a) = c;
    let invoice = a.invoice.as_deref().map(invoice_id).transpose()?;
    let events = block_on(async {
        let store = config.open_store().await?;
        anyhow::Ok(match invoice {
            Some(id) => {
                store.get(id).await?;
                store.history(id).await?
            }
            None => store.export_history().await?,
        })
    })??;
    let text = match a.format.as_str() {
        "csv" => csv(&events),
        _ => jsonl(&events)?,
    };
    match &a.out {
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {} event(s) to {}", events.len(), path.display());
        }
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .context("cannot write to standard output")?,
    }
    Ok(Outcome::Ok)
}

fn jsonl(events: &[Event]) -> anyhow::Result<String> {
    let mut s = String::new();
    for e in events {
        s.push_str(&serde_json::to_string(e)?);
        s.push('\n');
    }
    Ok(s)
}

fn csv(events: &[Event]) -> String {
    let mut s = String::from("seq,at,actor,what,invoice,tenant,details\n");
    for e in events {
        let cells = [
            e.seq.to_string(),
            e.at.to_rfc3339(),
            e.actor.clone(),
            e.what.clone(),
            e.invoice.map(|i| i.to_string()).unwrap_or_default(),
            e.tenant
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            e.details.to_string(),
        ];
        let row: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        s.push_str(&row.join(","));
        s.push('\n');
    }
    s
}

/// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
fn csv_cell(c: &str) -> String {
    if c.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_are_quoted_when_needed() {
        assert_eq!(super::csv_cell("issued"), "issued");
        assert_eq!(
            super::csv_cell("{\"a\":1,\"b\":2}"),
            "\"{\"\"a\"\":1,\"\"b\"\":2}\""
        );
    }
}
