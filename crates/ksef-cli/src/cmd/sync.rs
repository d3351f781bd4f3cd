//! `ksef sync` (the submission workers) and `ksef watch` (the deadline watchdog and the
//! Lighthouse poller).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use ksef_core::SystemClock;
use ksef_offline::Store;
use ksef_offline::sync::{Progress, SyncOptions, Syncer, TenantReport};
use ksef_offline::watchdog::{AlertSink, Watchdog, WatchdogOptions};

use super::block_on;
use crate::Outcome;
use crate::config::Config;
use crate::output::{Table, print_json};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// One pass for every tenant, then exit (default: keep syncing every poll_interval until
    /// interrupted).
    #[arg(long)]
    pub once: bool,
    /// Only this tenant.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Print each pass's report as JSON (no progress bars).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// POST alerts as JSON to this URL (retried); repeatable.
    #[arg(long, value_name = "URL")]
    pub webhook: Vec<String>,
    /// Run this command with the alerts as JSON on its standard input, e.g.
    /// "mail -s KSeF ops@example.com"; repeatable.
    #[arg(long, value_name = "COMMAND")]
    pub command: Vec<String>,
    /// Check once, print the alerts, exit 1 if there are any.
    #[arg(long)]
    pub once: bool,
}

fn syncer(config: &Config, store: Arc<dyn Store>, progress: bool) -> Syncer {
    let mut options = SyncOptions {
        batch_threshold: config.worker.batch_threshold as usize,
        claim_limit: config.worker.claim_limit,
        lease_for: config.worker.lease,
        ..SyncOptions::default()
    };
    if progress {
        options.progress = Some(progress_bars());
    }
    Syncer::new(store, config.environment(), options)
}

/// Progress bars on standard error, when it is a terminal.
fn progress_bars() -> ksef_offline::sync::ProgressFn {
    let bar = ProgressBar::hidden();
    if console_is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    let style = ProgressStyle::with_template("{prefix:>12} [{bar:40}] {pos}/{len} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    Arc::new(move |p: &Progress| match p {
        Progress::Claimed { tenant, count } => {
            bar.set_prefix("claimed");
            bar.set_length(*count as u64);
            bar.set_position(0);
            bar.set_message(format!("tenant {tenant}"));
        }
        Progress::Sent {
            done,
            total,
            session,
        } => {
            bar.set_prefix("sending");
            bar.set_length(*total as u64);
            bar.set_position(*done as u64);
            bar.set_message(format!("{session} session"));
        }
        Progress::Processing { reference } => {
            bar.set_prefix("processing");
            bar.set_message(format!("waiting for KSeF, session {reference}"));
        }
        Progress::Upos { done, total } => {
            bar.set_prefix("UPO");
            bar.set_length(*total as u64);
            bar.set_position(*done as u64);
            bar.set_message("downloaded and checked");
            if done == total {
                bar.finish_and_clear();
            }
        }
        _ => {}
    })
}

fn console_is_terminal() -> bool {
    use std::io::IsTerminal as _;
    std::io::stderr().is_terminal()
}

pub fn sync(config: &Config, a: SyncArgs) -> anyhow::Result<Outcome> {
    block_on(async {
        let store: Arc<dyn Store> = Arc::from(config.open_store().await?);
        let tenants = match &a.tenant {
            Some(t) => vec![t.parse().with_context(|| format!("--tenant {t:?}"))?],
            None => store
                .list_tenants()
                .await?
                .into_iter()
                .map(|t| t.id)
                .collect(),
        };
        if tenants.is_empty() {
            anyhow::bail!("no tenants: add one with `ksef tenant add`");
        }
        let syncer = syncer(config, store, !a.json);
        let mut failed = false;
        // While KSeF cannot be reached, wait longer each round (up to 5 minutes).
        let mut pause = config.worker.poll_interval;
        loop {
            for r in syncer
                .poll_lighthouse(&SystemClock)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!("cannot read the KSeF status service: {e}");
                    Vec::new()
                })
            {
                eprintln!(
                    "outage {} recorded from the KSeF status service: {} deadline(s) changed",
                    r.outage_id,
                    r.changed.len()
                );
            }
            let mut reports = Vec::new();
            for t in &tenants {
                reports.push(syncer.sync_tenant(t, &SystemClock).await?);
            }
            failed |= reports.iter().any(|r| r.failed > 0 || r.rejected > 0);
            if a.json {
                print_json(&reports)?;
            } else {
                print_reports(&reports);
            }
            if a.once {
                break;
            }
            pause = if reports.iter().all(|r| r.deferred.is_some()) {
                (pause * 2).min(Duration::from_secs(300).max(config.worker.poll_interval))
            } else {
                config.worker.poll_interval
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = tokio::signal::ctrl_c() => break,
            }
        }
        Ok(if failed {
            Outcome::Invalid
        } else {
            Outcome::Ok
        })
    })?
}

fn print_reports(reports: &[TenantReport]) {
    let mut t = Table::new(&[
        "tenant", "claimed", "sent", "accepted", "rejected", "failed", "requeued", "pending",
        "UPOs", "note",
    ]);
    for r in reports {
        t.row(vec![
            r.tenant
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            r.claimed.to_string(),
            format!("{}+{}", r.sent_interactive, r.sent_batch),
            r.accepted.to_string(),
            r.rejected.to_string(),
            r.failed.to_string(),
            r.requeued.to_string(),
            r.pending.to_string(),
            r.upos.to_string(),
            r.deferred
                .clone()
                .unwrap_or_else(|| r.warnings.first().cloned().unwrap_or_default()),
        ]);
    }
    t.print();
    if reports.iter().any(|r| r.rejected > 0) {
        println!(
            "rejected invoices need a technical correction: ksef offline list --state rejected; ksef offline correct ID FIXED.xml"
        );
    }
}

pub fn watch(config: &Config, a: WatchArgs) -> anyhow::Result<Outcome> {
    let mut sinks = vec![AlertSink::Log];
    sinks.extend(a.webhook.iter().cloned().map(AlertSink::Webhook));
    for c in &a.command {
        sinks.push(AlertSink::Command(vec![
            "sh".into(),
            "-c".into(),
            c.clone(),
        ]));
    }
    let dog = Watchdog::new(WatchdogOptions {
        sinks,
        ..WatchdogOptions::default()
    });
    block_on(async {
        let store: Arc<dyn Store> = Arc::from(config.open_store().await?);
        let syncer = syncer(config, store.clone(), false);
        let mut last_poll: Option<tokio::time::Instant> = None;
        loop {
            let due_poll = last_poll.is_none_or(|t| t.elapsed() >= config.watchdog.lighthouse_poll);
            if due_poll {
                last_poll = Some(tokio::time::Instant::now());
                match syncer.poll_lighthouse(&SystemClock).await {
                    Ok(reports) => {
                        for r in reports {
                            tracing::warn!(
                                "outage {} announced by the KSeF status service; {} deadline(s) changed",
                                r.outage_id,
                                r.changed.len()
                            );
                        }
                    }
                    Err(e) => tracing::warn!("cannot read the KSeF status service: {e}"),
                }
            }
            let alerts = dog.run_once(&*store, &SystemClock).await?;
            if a.once {
                for alert in &alerts {
                    println!("{alert}");
                }
                return Ok(if alerts.is_empty() {
                    Outcome::Ok
                } else {
                    Outcome::Invalid
                });
            }
            let pause = config
                .watchdog
                .interval
                .min(config.watchdog.lighthouse_poll)
                .max(Duration::from_secs(1));
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = tokio::signal::ctrl_c() => return Ok(Outcome::Ok),
            }
        }
    })?
}
