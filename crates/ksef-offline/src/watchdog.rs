//! The deadline watchdog: finds offline invoices whose legal deadline is near or passed, and
//! Offline certificates about to expire, and raises alerts through the log, a webhook (HTTP
//! POST with JSON, retried) or a command (JSON on its standard input).
//!
//! Each alert is raised once per watchdog (per invoice and threshold), so a watchdog that runs
//! every minute warns at 60 minutes, at 15 minutes and when the deadline has passed, not at
//! every run.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ksef_core::Clock;
use serde::Serialize;

use crate::model::{InvoiceId, TenantId};
use crate::{Error, Result, Store};

/// Where alerts go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertSink {
    /// `tracing` at warning level (error level once overdue).
    Log,
    /// POST `{"alerts": [...]}` as JSON to this URL, retried three times with backoff.
    Webhook(String),
    /// Run this program with these arguments, `{"alerts": [...]}` on its standard input.
    Command(Vec<String>),
}

/// The watchdog's settings.
#[derive(Debug, Clone)]
pub struct WatchdogOptions {
    /// Warn when a deadline is this close (default 60 and 15 minutes).
    pub warn_before: Vec<Duration>,
    /// Warn when an Offline certificate expires within these (default 30 and 7 days).
    pub certificate_warn_before: Vec<Duration>,
    /// Where alerts go (default: the log).
    pub sinks: Vec<AlertSink>,
}

impl Default for WatchdogOptions {
    fn default() -> Self {
        WatchdogOptions {
            warn_before: vec![Duration::from_secs(60 * 60), Duration::from_secs(15 * 60)],
            certificate_warn_before: vec![
                Duration::from_secs(30 * 86_400),
                Duration::from_secs(7 * 86_400),
            ],
            sinks: vec![AlertSink::Log],
        }
    }
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Alert {
    /// An invoice's deadline is within `threshold_minutes`.
    #[serde(rename = "deadline_near")]
    DeadlineNear {
        /// The invoice.
        invoice: InvoiceId,
        /// Its tenant.
        tenant: TenantId,
        /// `P_2`.
        number: String,
        /// Its state (`queued`, `rejected`, ...).
        state: String,
        /// The deadline.
        deadline: DateTime<Utc>,
        /// Minutes left.
        minutes_left: i64,
        /// The threshold crossed.
        threshold_minutes: u64,
    },
    /// An invoice's deadline has passed and it is not in KSeF.
    #[serde(rename = "deadline_passed")]
    DeadlinePassed {
        /// The invoice.
        invoice: InvoiceId,
        /// Its tenant.
        tenant: TenantId,
        /// `P_2`.
        number: String,
        /// Its state.
        state: String,
        /// The deadline.
        deadline: DateTime<Utc>,
    },
    /// A tenant's Offline certificate (for KOD II) expires soon or has expired.
    #[serde(rename = "certificate_expiring")]
    CertificateExpiring {
        /// The tenant.
        tenant: TenantId,
        /// The certificate's serial number.
        serial: String,
        /// When it expires.
        not_after: DateTime<Utc>,
        /// Days left (negative once expired).
        days_left: i64,
    },
}

impl Alert {
    fn key(&self, threshold: u64) -> String {
        match self {
            Alert::DeadlineNear { invoice, .. } => format!("near {invoice} {threshold}"),
            Alert::DeadlinePassed { invoice, .. } => format!("passed {invoice}"),
            Alert::CertificateExpiring { tenant, serial, .. } => {
                format!("cert {tenant} {serial} {threshold}")
            }
        }
    }

    fn is_critical(&self) -> bool {
        match self {
            Alert::DeadlinePassed { .. } => true,
            Alert::CertificateExpiring { days_left, .. } => *days_left < 0,
            Alert::DeadlineNear { .. } => false,
        }
    }
}

impl std::fmt::Display for Alert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Alert::DeadlineNear {
                invoice,
                tenant,
                number,
                state,
                deadline,
                minutes_left,
                ..
            } => write!(
                f,
                "invoice {number} ({invoice}, tenant {tenant}, {state}) must be in KSeF within {minutes_left} min (deadline {deadline})"
            ),
            Alert::DeadlinePassed {
                invoice,
                tenant,
                number,
                state,
                deadline,
            } => write!(
                f,
                "invoice {number} ({invoice}, tenant {tenant}, {state}) missed its deadline {deadline}"
            ),
            Alert::CertificateExpiring {
                tenant,
                serial,
                not_after,
                days_left,
            } if *days_left < 0 => write!(
                f,
                "the Offline certificate {serial} of tenant {tenant} expired on {not_after}: KOD II cannot be signed"
            ),
            Alert::CertificateExpiring {
                tenant,
                serial,
                not_after,
                days_left,
            } => write!(
                f,
                "the Offline certificate {serial} of tenant {tenant} expires in {days_left} days ({not_after})"
            ),
        }
    }
}

/// The watchdog; keep one alive between checks so that each alert is raised once.
#[derive(Debug)]
pub struct Watchdog {
    options: WatchdogOptions,
    raised: Mutex<HashSet<String>>,
    http: reqwest::Client,
}

impl Watchdog {
    /// A watchdog with these settings.
    pub fn new(options: WatchdogOptions) -> Self {
        Watchdog {
            options,
            raised: Mutex::new(HashSet::new()),
            http: reqwest::Client::new(),
        }
    }

    /// The alerts due now that this watchdog has not raised yet.
    ///
    /// # Errors
    /// Store errors.
    pub async fn check(&self, store: &dyn Store, clock: &dyn Clock) -> Result<Vec<Alert>> {
        let now = clock.now();
        let widest = self
            .options
            .warn_before
            .iter()
            .max()
            .copied()
            .unwrap_or_default();
        let horizon = now + chrono::Duration::from_std(widest).unwrap_or_default();
        let mut candidates = Vec::new();
        for inv in store.due_before(horizon).await? {
            let Some(deadline) = inv.obligation.deadline() else {
                continue;
            };
            let left = deadline - now;
            if left <= chrono::Duration::zero() {
                candidates.push((
                    Alert::DeadlinePassed {
                        invoice: inv.id,
                        tenant: inv.tenant.clone(),
                        number: inv.number.clone(),
                        state: inv.state.to_string(),
                        deadline,
                    },
                    0,
                ));
                continue;
            }
            // The tightest threshold crossed.
            let crossed = self
                .options
                .warn_before
                .iter()
                .filter(|t| chrono::Duration::from_std(**t).is_ok_and(|t| left <= t))
                .min();
            if let Some(t) = crossed {
                let minutes = t.as_secs() / 60;
                candidates.push((
                    Alert::DeadlineNear {
                        invoice: inv.id,
                        tenant: inv.tenant.clone(),
                        number: inv.number.clone(),
                        state: inv.state.to_string(),
                        deadline,
                        minutes_left: left.num_minutes(),
                        threshold_minutes: minutes,
                    },
                    minutes,
                ));
            }
        }
        for t in store.list_tenants().await? {
            let Some(cert) = &t.offline_certificate else {
                continue;
            };
            let not_after = cert.not_after();
            let left = not_after - now;
            let crossed = self
                .options
                .certificate_warn_before
                .iter()
                .filter(|w| chrono::Duration::from_std(**w).is_ok_and(|w| left <= w))
                .min();
            if let Some(w) = crossed {
                let threshold = if left <= chrono::Duration::zero() {
                    0
                } else {
                    w.as_secs()
                };
                candidates.push((
                    Alert::CertificateExpiring {
                        tenant: t.id.clone(),
                        serial: cert.serial().to_owned(),
                        not_after,
                        days_left: left.num_days(),
                    },
                    threshold,
                ));
            }
        }
        let mut raised = self.raised.lock().map_err(|_| Error::Invalid {
            what: "watchdog",
            reason: "a previous check panicked".into(),
        })?;
        Ok(candidates
            .into_iter()
            .filter(|(a, threshold)| raised.insert(a.key(*threshold)))
            .map(|(a, _)| a)
            .collect())
    }

    /// Checks and delivers the new alerts to every sink; returns them. A sink that fails is
    /// reported in the log and does not stop the others.
    ///
    /// # Errors
    /// Store errors.
    pub async fn run_once(&self, store: &dyn Store, clock: &dyn Clock) -> Result<Vec<Alert>> {
        let alerts = self.check(store, clock).await?;
        if alerts.is_empty() {
            return Ok(alerts);
        }
        for sink in &self.options.sinks {
            if let Err(why) = self.deliver(sink, &alerts).await {
                tracing::error!(?sink, "cannot deliver {} alert(s): {why}", alerts.len());
            }
        }
        Ok(alerts)
    }

    async fn deliver(&self, sink: &AlertSink, alerts: &[Alert]) -> std::result::Result<(), String> {
        let body = serde_json::json!({ "alerts": alerts });
        match sink {
            AlertSink::Log => {
                for a in alerts {
                    if a.is_critical() {
                        tracing::error!("{a}");
                    } else {
                        tracing::warn!("{a}");
                    }
                }
                Ok(())
            }
            AlertSink::Webhook(url) => {
                let mut wait = Duration::from_millis(500);
                let mut last = String::new();
                for attempt in 1..=4 {
                    match self
                        .http
                        .post(url)
                        .timeout(Duration::from_secs(10))
                        .json(&body)
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => return Ok(()),
                        Ok(r) => last = format!("HTTP {}", r.status()),
                        Err(e) => last = e.to_string(),
                    }
                    if attempt < 4 {
                        tokio::time::sleep(wait).await;
                        wait *= 2;
                    }
                }
                Err(format!("webhook {url}: {last} (after 4 attempts)"))
            }
            AlertSink::Command(argv) => {
                let Some((program, args)) = argv.split_first() else {
                    return Err("empty command".into());
                };
                let mut child = tokio::process::Command::new(program)
                    .args(args)
                    .stdin(std::process::Stdio::piped())
                    .spawn()
                    .map_err(|e| format!("cannot run {program}: {e}"))?;
                if let Some(mut stdin) = child.stdin.take() {
                    use tokio::io::AsyncWriteExt as _;
                    stdin
                        .write_all(body.to_string().as_bytes())
                        .await
                        .map_err(|e| format!("cannot write to {program}: {e}"))?;
                }
                let status = child
                    .wait()
                    .await
                    .map_err(|e| format!("{program} failed: {e}"))?;
                if status.success() {
                    Ok(())
                } else {
                    Err(format!("{program} exited with {status}"))
                }
            }
        }
    }
}
