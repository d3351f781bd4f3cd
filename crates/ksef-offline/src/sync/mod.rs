//! Submission: the workers that bring the store's offline invoices to KSeF.
//!
//! One pass of [`Syncer::sync_tenant`]:
//! 1. log in with the tenant's KSeF token (once per [`Syncer`]); when KSeF cannot be reached,
//!    nothing is claimed and the pass reports why ([`TenantReport::deferred`]);
//! 2. lease the due invoices in deadline order ([`Store::claim_due`]);
//! 3. **reconcile first**: an invoice left `sending` (crash, timeout, lost response) or `sent`
//!    is looked up by its hash in the KSeF session it was sent in; found, its result is
//!    recorded; provably absent, it is queued again; never blindly resent;
//! 4. send the queued ones, always with `offlineMode: true`: in an interactive session for a
//!    small queue, in a batch session from [`SyncOptions::batch_threshold`] invoices;
//!    technical corrections always interactively with `hashOfCorrectedInvoice`. The session
//!    is recorded with every invoice (`sending`) before the request leaves;
//! 5. wait for KSeF's processing and record each result: accepted (KSeF number checked against
//!    the seller), rejected for a technical reason (→ technical correction), failed (not
//!    correctable, escalated), or not received (queued again);
//! 6. download, validate and store the UPO of every accepted invoice.
//!
//! A 440 duplicate whose original has the same file hash counts as accepted under the
//! original's KSeF number: it is the same invoice, registered before (e.g. by a response that
//! was lost).

mod classify;
mod lighthouse;
mod send;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use ksef_client::models::common::{ContextIdentifier as WireContext, ReferenceNumber};
use ksef_client::models::lighthouse::LighthouseStatus;
use ksef_client::{Client, RetryPolicy};
use ksef_core::crypto::Sha256Hash;
use ksef_core::upo::Upo;
use ksef_core::{Clock, Environment, KsefNumber};
use secrecy::SecretString;
use serde::Serialize;
use tokio::sync::Mutex;

use crate::model::{Invoice, InvoiceFilter, InvoiceId, InvoiceState, Outcome, TenantId};
use crate::{Error, Result, Store};

pub use classify::classify_result;

/// How the workers behave.
#[derive(Clone)]
pub struct SyncOptions {
    /// This worker's id, recorded with every lease and event (default `host:pid`).
    pub worker: String,
    /// From this many queued invoices, a batch session is used (default 100).
    pub batch_threshold: usize,
    /// Most invoices leased per pass and tenant (default 10,000, the batch limit).
    pub claim_limit: u32,
    /// How long a lease lasts (default 15 minutes); after it, another worker may take over
    /// and reconcile.
    pub lease_for: Duration,
    /// How long to wait for KSeF to process a session (default 10 minutes).
    pub processing_timeout: Duration,
    /// Concurrent UPO downloads (default 16).
    pub upo_concurrency: usize,
    /// Retries of the HTTP client (429 and safe repeats).
    pub retry: RetryPolicy,
    /// Called as the work progresses (for progress bars).
    pub progress: Option<ProgressFn>,
    /// Test hook: stop the pass with [`Error::SimulatedCrash`] at this point, leaving the
    /// store as a crashed process would.
    pub crash_at: Option<CrashPoint>,
}

impl std::fmt::Debug for SyncOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncOptions")
            .field("worker", &self.worker)
            .field("batch_threshold", &self.batch_threshold)
            .field("claim_limit", &self.claim_limit)
            .field("lease_for", &self.lease_for)
            .field("processing_timeout", &self.processing_timeout)
            .field("upo_concurrency", &self.upo_concurrency)
            .field("crash_at", &self.crash_at)
            .finish_non_exhaustive()
    }
}

impl Default for SyncOptions {
    fn default() -> Self {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| {
                std::fs::read_to_string("/etc/hostname")
                    .ok()
                    .map(|h| h.trim().to_owned())
            })
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".to_owned());
        SyncOptions {
            worker: format!("{host}:{}", std::process::id()),
            batch_threshold: 100,
            claim_limit: 10_000,
            lease_for: Duration::from_secs(15 * 60),
            processing_timeout: Duration::from_secs(10 * 60),
            upo_concurrency: 16,
            retry: RetryPolicy::default(),
            progress: None,
            crash_at: None,
        }
    }
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Where [`SyncOptions::crash_at`] stops a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// After the invoices are recorded as `sending`, before the request leaves.
    BeforeSend,
    /// After KSeF received the invoices, before their reference numbers are recorded.
    AfterSend,
}

/// What the workers are doing, for progress displays.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Invoices leased for a tenant.
    Claimed {
        /// The tenant.
        tenant: TenantId,
        /// How many.
        count: usize,
    },
    /// Invoices sent so far in the current session.
    Sent {
        /// Sent so far.
        done: usize,
        /// To send in this session.
        total: usize,
        /// `interactive` or `batch`.
        session: &'static str,
    },
    /// Waiting for KSeF to process a session.
    Processing {
        /// The session.
        reference: String,
    },
    /// UPOs stored so far.
    Upos {
        /// Stored so far.
        done: usize,
        /// To fetch.
        total: usize,
    },
}

/// What one pass did for a tenant.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantReport {
    /// The tenant.
    pub tenant: Option<TenantId>,
    /// Invoices leased.
    pub claimed: usize,
    /// Invoices whose outcome was unknown and was looked up in KSeF.
    pub reconciled: usize,
    /// Sent in interactive sessions.
    pub sent_interactive: usize,
    /// Sent in batch sessions.
    pub sent_batch: usize,
    /// Accepted (with a KSeF number).
    pub accepted: usize,
    /// Rejected for a technical reason (need a technical correction).
    pub rejected: usize,
    /// Failed (not correctable).
    pub failed: usize,
    /// Queued again (KSeF never received them, or asked to retry later).
    pub requeued: usize,
    /// Still being processed by KSeF (left for the next pass).
    pub pending: usize,
    /// UPOs stored.
    pub upos: usize,
    /// The KSeF sessions used.
    pub sessions: Vec<String>,
    /// Why nothing was sent, when KSeF could not be reached or used.
    pub deferred: Option<String>,
    /// Problems that did not stop the pass (a UPO that failed validation, ...).
    pub warnings: Vec<String>,
}

impl TenantReport {
    fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Accepted { .. } => self.accepted += 1,
            Outcome::Rejected { .. } => self.rejected += 1,
            Outcome::Failed { .. } => self.failed += 1,
            Outcome::NotReceived { .. } => self.requeued += 1,
            Outcome::Sent { .. } => {}
        }
    }
}

/// The submission worker: brings the store's offline invoices to KSeF.
///
/// ```no_run
/// # async fn run(store: std::sync::Arc<dyn ksef_offline::Store>) -> ksef_offline::Result<()> {
/// use ksef_offline::sync::{SyncOptions, Syncer};
/// let syncer = Syncer::new(store, ksef_core::Environment::Test, SyncOptions::default());
/// for report in syncer.sync_all(&ksef_core::SystemClock).await? {
///     println!("{:?}: {} accepted, {} rejected", report.tenant, report.accepted, report.rejected);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Syncer {
    store: Arc<dyn Store>,
    environment: Environment,
    options: SyncOptions,
    clients: Mutex<HashMap<TenantId, Client>>,
}

impl Syncer {
    /// A worker over `store`, talking to the KSeF of `environment`.
    pub fn new(store: Arc<dyn Store>, environment: Environment, options: SyncOptions) -> Self {
        Syncer {
            store,
            environment,
            options,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The options.
    pub fn options(&self) -> &SyncOptions {
        &self.options
    }

    fn progress(&self, p: Progress) {
        if let Some(f) = &self.options.progress {
            f(&p);
        }
    }

    fn crash_point(&self, at: CrashPoint) -> Result<()> {
        if self.options.crash_at == Some(at) {
            return Err(Error::SimulatedCrash(match at {
                CrashPoint::BeforeSend => "after recording `sending`, before sending",
                CrashPoint::AfterSend => "after sending, before recording the result",
            }));
        }
        Ok(())
    }

    /// A client without a login (Lighthouse, public endpoints).
    pub(crate) fn anonymous_client(&self) -> Result<Client> {
        Client::builder(self.environment.clone())
            .retry(self.options.retry.clone())
            .build()
            .map_err(ksef("configuring the KSeF client"))
    }

    /// The tenant's logged-in client.
    async fn client(&self, tenant: &TenantId) -> Result<std::result::Result<Client, String>> {
        let mut clients = self.clients.lock().await;
        if let Some(c) = clients.get(tenant) {
            return Ok(Ok(c.clone()));
        }
        let t = self.store.tenant(tenant).await?;
        let Some(token) = self.store.ksef_token(tenant).await? else {
            return Ok(Err(format!(
                "tenant {tenant} has no KSeF token: add one to send its invoices"
            )));
        };
        let client = self.anonymous_client()?;
        let context = WireContext::from(&t.context);
        let secret = SecretString::from(token.as_str().to_owned());
        match client.auth().login_with_ksef_token(&context, &secret).await {
            Ok(_) => {
                clients.insert(tenant.clone(), client.clone());
                Ok(Ok(client))
            }
            Err(e) if unreachable(&e) => Ok(Err(format!("KSeF cannot be reached: {e}"))),
            Err(e) => Err(Error::Ksef {
                operation: "logging in with the tenant's KSeF token",
                source: Box::new(e),
            }),
        }
    }

    /// Forgets a tenant's login (after a 401, or to log in again).
    async fn forget_client(&self, tenant: &TenantId) {
        self.clients.lock().await.remove(tenant);
    }

    /// One pass for every tenant, one after the other.
    ///
    /// # Errors
    /// A store error, or a KSeF error that is not about reachability (e.g. a refused token).
    pub async fn sync_all(&self, clock: &dyn Clock) -> Result<Vec<TenantReport>> {
        let mut reports = Vec::new();
        for t in self.store.list_tenants().await? {
            reports.push(self.sync_tenant(&t.id, clock).await?);
        }
        Ok(reports)
    }

    /// Passes for one tenant until nothing more can be done now: invoices found not received
    /// are sent in the next pass, as long as passes make progress (at most five).
    ///
    /// # Errors
    /// See [`Syncer::sync_all`].
    pub async fn sync_tenant(&self, tenant: &TenantId, clock: &dyn Clock) -> Result<TenantReport> {
        let started = clock.now();
        let mut total = TenantReport {
            tenant: Some(tenant.clone()),
            ..TenantReport::default()
        };
        for _ in 0..5 {
            let report = self.pass(tenant, clock).await?;
            let progress =
                report.accepted + report.rejected + report.failed + report.reconciled > 0;
            let again = report.requeued > 0 && report.deferred.is_none() && progress;
            total.merge(report);
            if !again {
                break;
            }
        }
        let mut pending = 0;
        for state in [InvoiceState::Sending, InvoiceState::Sent] {
            pending += self
                .store
                .list(&InvoiceFilter {
                    tenant: Some(tenant.clone()),
                    state: Some(state),
                    ..InvoiceFilter::default()
                })
                .await?
                .len();
        }
        total.pending = pending;
        // UPOs of invoices accepted earlier whose UPO could not be fetched then.
        if total.deferred.is_none()
            && let Ok(client) = self.client(tenant).await?
        {
            {
                let missing = self
                    .store
                    .list(&InvoiceFilter {
                        tenant: Some(tenant.clone()),
                        state: Some(InvoiceState::Accepted),
                        missing_upo: true,
                        limit: None,
                    })
                    .await?
                    .into_iter()
                    // Not those another worker accepted meanwhile: it fetches their UPOs.
                    .filter(|i| i.updated_at < started)
                    .collect();
                self.collect_upos(&client, missing, &mut total, clock)
                    .await?;
            }
        }
        Ok(total)
    }

    /// One pass: claim, reconcile, send, record, collect UPOs.
    async fn pass(&self, tenant: &TenantId, clock: &dyn Clock) -> Result<TenantReport> {
        let mut report = TenantReport {
            tenant: Some(tenant.clone()),
            ..TenantReport::default()
        };
        if let Some(why) = self.lighthouse_says_down().await {
            report.deferred = Some(why);
            return Ok(report);
        }
        let client = match self.client(tenant).await? {
            Ok(c) => c,
            Err(why) => {
                report.deferred = Some(why);
                return Ok(report);
            }
        };
        let worker = self.options.worker.clone();
        let claimed = self
            .store
            .claim_due(
                tenant,
                self.options.claim_limit,
                self.options.lease_for,
                &worker,
                clock.now(),
            )
            .await?;
        report.claimed = claimed.len();
        tracing::debug!(count = claimed.len(), "claimed");
        if claimed.is_empty() {
            return Ok(report);
        }
        self.progress(Progress::Claimed {
            tenant: tenant.clone(),
            count: claimed.len(),
        });
        let (unknown, queued): (Vec<Invoice>, Vec<Invoice>) = claimed
            .into_iter()
            .partition(|i| matches!(i.state, InvoiceState::Sending | InvoiceState::Sent));
        let mut accepted = Vec::new();
        if !unknown.is_empty() {
            report.reconciled = unknown.len();
            let done = self.reconcile(&client, unknown, &mut report, clock).await?;
            accepted.extend(done);
        }
        let (corrections, plain): (Vec<Invoice>, Vec<Invoice>) =
            queued.into_iter().partition(|i| i.corrects.is_some());
        // Invoices with attachments go in batch sessions only (crypto-and-sessions.md §10.6).
        let (plain, with_attachments): (Vec<Invoice>, Vec<Invoice>) =
            if plain.len() >= self.options.batch_threshold {
                (Vec::new(), plain)
            } else {
                plain.into_iter().partition(|i| !i.has_attachment)
            };
        let result = async {
            if !with_attachments.is_empty() {
                accepted.extend(
                    self.send_batch(&client, with_attachments, &mut report, clock)
                        .await?,
                );
            }
            if !plain.is_empty() {
                accepted.extend(
                    self.send_interactive(&client, plain, &mut report, clock)
                        .await?,
                );
            }
            if !corrections.is_empty() {
                accepted.extend(
                    self.send_interactive(&client, corrections, &mut report, clock)
                        .await?,
                );
            }
            Ok::<_, Error>(())
        }
        .await;
        if let Err(e) = result {
            if let Error::Ksef { source, .. } = &e {
                if source.status() == Some(401) {
                    self.forget_client(tenant).await;
                }
                if unreachable(source) {
                    report.deferred = Some(format!("KSeF cannot be reached: {source}"));
                    return Ok(report);
                }
            }
            return Err(e);
        }
        self.collect_upos(&client, accepted, &mut report, clock)
            .await?;
        Ok(report)
    }

    /// Whether the Lighthouse says KSeF is down (failure or maintenance); `None` when it says
    /// available or cannot be asked (the API itself then decides).
    async fn lighthouse_says_down(&self) -> Option<String> {
        self.environment.urls().lighthouse.as_ref()?;
        let client = self.anonymous_client().ok()?;
        let status = client.lighthouse().status().await.ok()?;
        match status.status {
            LighthouseStatus::Available => None,
            other => Some(format!(
                "the KSeF status service reports {}{}",
                other.as_str(),
                status
                    .messages
                    .first()
                    .map(|m| format!(": {}", m.title))
                    .unwrap_or_default()
            )),
        }
    }

    /// Looks up invoices whose outcome is unknown in the sessions they were sent in.
    async fn reconcile(
        &self,
        client: &Client,
        invoices: Vec<Invoice>,
        report: &mut TenantReport,
        clock: &dyn Clock,
    ) -> Result<Vec<Invoice>> {
        let mut by_session: HashMap<Option<String>, Vec<Invoice>> = HashMap::new();
        for inv in invoices {
            by_session
                .entry(inv.ksef_session.clone())
                .or_default()
                .push(inv);
        }
        let mut accepted = Vec::new();
        for (session, invoices) in by_session {
            let outcomes = match session {
                None => invoices
                    .iter()
                    .map(|i| {
                        (
                            i.id,
                            Outcome::NotReceived {
                                evidence: "no session was recorded: the request never left".into(),
                            },
                        )
                    })
                    .collect(),
                Some(s) => self.lookup(client, &s, &invoices).await?,
            };
            accepted.extend(self.record(outcomes, report, clock).await?);
        }
        Ok(accepted)
    }

    /// The outcome of each invoice in `session`, by hash.
    async fn lookup(
        &self,
        client: &Client,
        session: &str,
        invoices: &[Invoice],
    ) -> Result<Vec<(InvoiceId, Outcome)>> {
        let reference: ReferenceNumber = session.parse().map_err(|e| Error::Invalid {
            what: "stored session reference",
            reason: format!("{session:?}: {e}"),
        })?;
        let status = match client.sessions().status(&reference).await {
            Ok(s) => Some(s),
            Err(e) if e.status() == Some(404) => None,
            Err(e) => return Err(ksef("reading a session's status")(e)),
        };
        let Some(status) = status else {
            let evidence = format!("KSeF does not know session {session}");
            return Ok(invoices
                .iter()
                .map(|i| {
                    (
                        i.id,
                        Outcome::NotReceived {
                            evidence: evidence.clone(),
                        },
                    )
                })
                .collect());
        };
        // A batch session being processed lists its invoices only at the end.
        let processing = matches!(status.status.code, 150 | 170);
        let results: Vec<_> = client
            .sessions()
            .invoices(&reference, Some(1000))
            .try_collect()
            .await
            .map_err(ksef("listing a session's invoices"))?;
        let by_hash: HashMap<String, _> = results
            .into_iter()
            .map(|r| (r.invoice_hash.to_base64(), r))
            .collect();
        let mut outcomes = Vec::with_capacity(invoices.len());
        for inv in invoices {
            match by_hash.get(&inv.hash) {
                Some(r) => {
                    let o = self.outcome_of(client, inv, r).await?;
                    outcomes.push((inv.id, o));
                }
                None if processing => outcomes.push((
                    inv.id,
                    Outcome::Sent {
                        reference: inv.ksef_reference.clone().unwrap_or_default(),
                    },
                )),
                None => outcomes.push((
                    inv.id,
                    Outcome::NotReceived {
                        evidence: format!(
                            "no invoice with hash {} in session {session} (status {})",
                            inv.hash, status.status.code
                        ),
                    },
                )),
            }
        }
        Ok(outcomes)
    }

    /// The outcome of one session result, resolving a 440 duplicate by the original's hash.
    async fn outcome_of(
        &self,
        client: &Client,
        inv: &Invoice,
        r: &ksef_client::models::sessions::SessionInvoiceStatusResponse,
    ) -> Result<Outcome> {
        let outcome = classify_result(r);
        if r.status.code != 440 {
            return Ok(outcome);
        }
        let original = r
            .status
            .extensions
            .as_ref()
            .and_then(|x| x.get("originalKsefNumber").cloned().flatten())
            .and_then(|n| n.parse::<KsefNumber>().ok());
        let Some(original) = original else {
            return Ok(outcome);
        };
        match client.invoices().get(&original).await {
            Ok(bytes) if Sha256Hash::of(&bytes).to_base64() == inv.hash => {
                tracing::info!(invoice = %inv.id, ksef_number = %original, "duplicate of itself: registered before");
                Ok(Outcome::Accepted {
                    ksef_number: original,
                })
            }
            Ok(_) => Ok(Outcome::Failed {
                code: "440".into(),
                description: format!(
                    "{}: KSeF already holds another invoice with the same seller, kind and number ({original}); renumbering is not a technical correction",
                    r.status.description
                ),
            }),
            Err(e) => {
                tracing::warn!(invoice = %inv.id, error = %e, "cannot read the original of a duplicate");
                Ok(outcome)
            }
        }
    }

    /// Records outcomes in one transaction, counts them, and returns the accepted invoices.
    async fn record(
        &self,
        outcomes: Vec<(InvoiceId, Outcome)>,
        report: &mut TenantReport,
        clock: &dyn Clock,
    ) -> Result<Vec<Invoice>> {
        if outcomes.is_empty() {
            return Ok(Vec::new());
        }
        for (_, o) in &outcomes {
            report.count(o);
        }
        let done = self
            .store
            .record_outcomes(&self.options.worker, &outcomes, clock.now())
            .await?;
        Ok(done
            .into_iter()
            .filter(|i| i.state == InvoiceState::Accepted)
            .collect())
    }

    /// Downloads, validates and stores the UPOs of accepted invoices.
    async fn collect_upos(
        &self,
        client: &Client,
        accepted: Vec<Invoice>,
        report: &mut TenantReport,
        clock: &dyn Clock,
    ) -> Result<()> {
        let total = accepted.len();
        if total == 0 {
            return Ok(());
        }
        let t0 = std::time::Instant::now();
        let fetches = futures::stream::iter(accepted.into_iter().map(|inv| {
            let client = client.clone();
            async move {
                let r = fetch_upo(&client, &inv).await;
                (inv, r)
            }
        }))
        .buffer_unordered(self.options.upo_concurrency.max(1));
        let mut fetches = std::pin::pin!(fetches);
        let mut ready = Vec::new();
        let mut done = 0;
        while let Some((inv, r)) = fetches.next().await {
            match r {
                Ok(xml) => ready.push((inv.id, xml)),
                Err(why) => {
                    tracing::warn!(invoice = %inv.id, "{why}");
                    report
                        .warnings
                        .push(format!("UPO of invoice {}: {why}", inv.id));
                }
            }
            if ready.len() >= 500 {
                done += ready.len();
                self.store.store_upos(&ready, clock.now()).await?;
                ready.clear();
                self.progress(Progress::Upos { done, total });
            }
        }
        if !ready.is_empty() {
            done += ready.len();
            self.store.store_upos(&ready, clock.now()).await?;
            self.progress(Progress::Upos { done, total });
        }
        report.upos += done;
        tracing::debug!(upos = done, elapsed = ?t0.elapsed(), "UPOs collected");
        Ok(())
    }
}

impl TenantReport {
    fn merge(&mut self, o: TenantReport) {
        self.claimed += o.claimed;
        self.reconciled += o.reconciled;
        self.sent_interactive += o.sent_interactive;
        self.sent_batch += o.sent_batch;
        self.accepted += o.accepted;
        self.rejected += o.rejected;
        self.failed += o.failed;
        self.requeued += o.requeued;
        self.upos += o.upos;
        self.sessions.extend(o.sessions);
        self.warnings.extend(o.warnings);
        if o.deferred.is_some() {
            self.deferred = o.deferred;
        }
    }
}

/// Fetches one UPO and checks that it confirms this invoice (KSeF number and hash).
async fn fetch_upo(client: &Client, inv: &Invoice) -> std::result::Result<Vec<u8>, String> {
    let (Some(session), Some(number)) = (&inv.ksef_session, &inv.ksef_number) else {
        return Err("no session or KSeF number recorded".into());
    };
    let session: ReferenceNumber = session.parse().map_err(|e| format!("{e}"))?;
    let number: KsefNumber = number.parse().map_err(|e| format!("{e}"))?;
    let xml = client
        .sessions()
        .invoice_upo_by_ksef_number(&session, &number)
        .await
        .map_err(|e| format!("cannot download it: {e}"))?;
    let upo = Upo::parse(&xml).map_err(|e| e.to_string())?;
    upo.confirmation(&number.to_string(), &inv.hash)
        .map_err(|e| e.to_string())?;
    Ok(xml.to_vec())
}

/// Whether an error means KSeF could not be reached (back off, touch nothing).
pub(crate) fn unreachable(e: &ksef_client::Error) -> bool {
    match e {
        ksef_client::Error::Transport { .. } | ksef_client::Error::Timeout(_) => true,
        ksef_client::Error::Api(a) => a.status == 503 || a.status == 502 || a.status == 504,
        _ => false,
    }
}

/// Maps a client error to [`Error::Ksef`] with what was being done.
pub(crate) fn ksef(operation: &'static str) -> impl FnOnce(ksef_client::Error) -> Error {
    move |source| Error::Ksef {
        operation,
        source: Box::new(source),
    }
}
