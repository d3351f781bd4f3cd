//! The records the store keeps: tenants, invoices, outages, events, and the values passed in.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use ksef_core::calendar::{Deadline, OfflineMode, Outage};
use ksef_core::crypto::{Certificate, PrivateKey};
use ksef_core::ids::ContextIdentifier;
use ksef_core::invoice::InvoiceKind;
use ksef_core::{KsefNumber, Nip};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::{Error, Result};

/// A tenant's id: a short name chosen by the user, e.g. `acme` (1 to 64 characters of
/// `A-Z a-z 0-9 . _ -`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TenantId(String);

impl TenantId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TenantId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(TenantId(s.to_owned()))
        } else {
            Err(Error::Invalid {
                what: "tenant id",
                reason: format!("{s:?} must be 1 to 64 characters of A-Z a-z 0-9 . _ -"),
            })
        }
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An invoice's id in the store: a UUID version 7 (time-ordered), made when it is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct InvoiceId(uuid::Uuid);

impl InvoiceId {
    pub(crate) fn generate(at: DateTime<Utc>) -> Self {
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            millis / 1000,
            (millis % 1000) as u32 * 1_000_000,
        );
        InvoiceId(uuid::Uuid::new_v7(ts))
    }
}

impl FromStr for InvoiceId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        uuid::Uuid::parse_str(s.trim())
            .map(InvoiceId)
            .map_err(|e| Error::Invalid {
                what: "invoice id",
                reason: format!("{s:?}: {e}"),
            })
    }
}

impl fmt::Display for InvoiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// Where an invoice stands (the state machine is in `docs/ARCHITECTURE.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceState {
    /// Issued, waiting to be sent to KSeF.
    Queued,
    /// A worker is sending it; recorded before the request leaves, so that after a crash
    /// the outcome is looked up in KSeF before any resend.
    Sending,
    /// KSeF received it; awaiting the processing result.
    Sent,
    /// KSeF accepted it: it has a KSeF number (and, once fetched, its UPO).
    Accepted,
    /// KSeF rejected it for a technical reason: it needs a technical correction.
    Rejected,
    /// Not correctable (e.g. permissions, status 410): escalated to people.
    Failed,
    /// Issued in total-failure mode, or a total failure lifted the obligation: never sent.
    NotRequired,
}

impl InvoiceState {
    /// The name stored and shown: `queued`, `sending`, `sent`, `accepted`, `rejected`,
    /// `failed`, `not_required`.
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceState::Queued => "queued",
            InvoiceState::Sending => "sending",
            InvoiceState::Sent => "sent",
            InvoiceState::Accepted => "accepted",
            InvoiceState::Rejected => "rejected",
            InvoiceState::Failed => "failed",
            InvoiceState::NotRequired => "not_required",
        }
    }

    /// Whether the invoice still has to reach KSeF (its deadline matters).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            InvoiceState::Queued
                | InvoiceState::Sending
                | InvoiceState::Sent
                | InvoiceState::Rejected
        )
    }
}

impl FromStr for InvoiceState {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "queued" => InvoiceState::Queued,
            "sending" => InvoiceState::Sending,
            "sent" => InvoiceState::Sent,
            "accepted" => InvoiceState::Accepted,
            "rejected" => InvoiceState::Rejected,
            "failed" => InvoiceState::Failed,
            "not_required" => InvoiceState::NotRequired,
            _ => {
                return Err(Error::Invalid {
                    what: "invoice state",
                    reason: format!("unknown state {s:?}"),
                });
            }
        })
    }
}

impl fmt::Display for InvoiceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The legal obligation recorded for an invoice (from [`ksef_core::calendar::Obligation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "obligation")]
pub enum ObligationSummary {
    /// Must be in KSeF by `deadline` (end of `due_date`, Warsaw time).
    Due {
        /// The last Warsaw day.
        due_date: NaiveDate,
        /// 23:59:59.999 Warsaw time of `due_date`.
        deadline: DateTime<Utc>,
    },
    /// Unknown until a governing outage ends.
    Pending,
    /// No sending required (total failure).
    NotRequired,
}

impl ObligationSummary {
    pub(crate) fn of(d: &Deadline) -> Self {
        match (d.due_date(), d.deadline()) {
            (Some(due_date), Some(deadline)) => ObligationSummary::Due { due_date, deadline },
            _ => match d.obligation {
                ksef_core::calendar::Obligation::NotRequired { .. } => {
                    ObligationSummary::NotRequired
                }
                _ => ObligationSummary::Pending,
            },
        }
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            ObligationSummary::Due { .. } => "due",
            ObligationSummary::Pending => "pending",
            ObligationSummary::NotRequired => "not_required",
        }
    }

    /// The deadline instant, when one is known.
    pub fn deadline(self) -> Option<DateTime<Utc>> {
        match self {
            ObligationSummary::Due { deadline, .. } => Some(deadline),
            _ => None,
        }
    }
}

/// An Offline certificate and its private key, for signing KOD II.
#[derive(Debug, Clone)]
pub struct OfflineCredentials {
    /// The KSeF certificate of type `Offline`.
    pub certificate: Certificate,
    /// Its private key (stored encrypted).
    pub key: PrivateKey,
}

/// What is needed to add a tenant.
#[derive(Debug, Clone)]
pub struct NewTenant {
    /// The tenant's id.
    pub id: TenantId,
    /// The KSeF context (`ContextIdentifier`) the tenant works in.
    pub context: ContextIdentifier,
    /// The KSeF token for authentication (stored encrypted).
    pub ksef_token: Option<Zeroizing<String>>,
    /// The Offline certificate and key for KOD II (key stored encrypted).
    pub offline: Option<OfflineCredentials>,
    /// Sellers (`Podmiot1` NIPs) other than the context's own NIP this context may issue
    /// invoices for (e.g. by a granted permission).
    pub permitted_sellers: Vec<Nip>,
}

impl NewTenant {
    /// A tenant with a context only.
    pub fn new(id: TenantId, context: ContextIdentifier) -> Self {
        NewTenant {
            id,
            context,
            ksef_token: None,
            offline: None,
            permitted_sellers: Vec::new(),
        }
    }
}

/// A tenant as stored; secrets are not included.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// The tenant's id.
    pub id: TenantId,
    /// Its KSeF context.
    pub context: ContextIdentifier,
    /// Sellers it may issue for besides the context's own NIP.
    pub permitted_sellers: Vec<Nip>,
    /// Whether a KSeF token is stored.
    pub has_ksef_token: bool,
    /// The Offline certificate, when one is stored.
    pub offline_certificate: Option<Certificate>,
    /// When the tenant was added.
    pub created_at: DateTime<Utc>,
}

/// An invoice as stored, without its content (see [`crate::Store::invoice_bytes`]).
#[derive(Debug, Clone, Serialize)]
pub struct Invoice {
    /// The invoice's id.
    pub id: InvoiceId,
    /// The tenant that issued it.
    pub tenant: TenantId,
    /// Seller NIP (`Podmiot1`).
    pub seller_nip: String,
    /// Kind (`RodzajFaktury`).
    pub kind: InvoiceKind,
    /// Number (`P_2`).
    pub number: String,
    /// Issue date (`P_1`).
    pub issue_date: NaiveDate,
    /// The offline mode it was issued in.
    pub mode: OfflineMode,
    /// SHA-256 of the stored file, Base64.
    pub hash: String,
    /// Size of the file in bytes.
    pub size: u64,
    /// Where it stands.
    pub state: InvoiceState,
    /// The sending obligation.
    #[serde(flatten)]
    pub obligation: ObligationSummary,
    /// The KOD I link (none in total-failure mode).
    pub kod1: Option<String>,
    /// The KOD II link (none in total-failure mode).
    pub kod2: Option<String>,
    /// The KSeF number, once accepted.
    pub ksef_number: Option<String>,
    /// KSeF's reference number of the sent invoice, once sent.
    pub ksef_reference: Option<String>,
    /// The KSeF session it was (or is being) sent in, recorded before the request leaves.
    pub ksef_session: Option<String>,
    /// Rejection or failure code.
    pub error_code: Option<String>,
    /// Rejection or failure description.
    pub error_description: Option<String>,
    /// Whether it has an attachment (`Zalacznik`): sent in batch sessions only.
    pub has_attachment: bool,
    /// Whether the UPO is stored.
    pub has_upo: bool,
    /// The worker holding the lease, if any.
    pub lease_owner: Option<String>,
    /// When the lease ends.
    pub lease_until: Option<DateTime<Utc>>,
    /// How many times a worker claimed it.
    pub attempts: u32,
    /// The rejected invoice this one technically corrects.
    pub corrects: Option<InvoiceId>,
    /// The technical correction of this invoice.
    pub corrected_by: Option<InvoiceId>,
    /// When it was issued (stored).
    pub issued_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The answer to [`crate::Store::issue`]: the stored invoice and how its deadline was found.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The invoice as stored.
    pub invoice: Invoice,
    /// The deadline with its reasoning.
    pub deadline: Deadline,
}

/// What a worker learnt from KSeF about an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// KSeF received it (reference number of the invoice in its session); result pending.
    Sent {
        /// KSeF's reference number.
        reference: String,
    },
    /// Accepted with a KSeF number, whose seller NIP must be the invoice's.
    Accepted {
        /// The KSeF number.
        ksef_number: KsefNumber,
    },
    /// Rejected for a technical reason: a technical correction can fix it.
    Rejected {
        /// KSeF's status code, e.g. `450`.
        code: String,
        /// KSeF's description.
        description: String,
    },
    /// Not correctable (e.g. status 410, permissions): escalated.
    Failed {
        /// KSeF's status code.
        code: String,
        /// KSeF's description.
        description: String,
    },
    /// Looked up by hash in the session it was sent in, and not there: KSeF never received
    /// it. It is queued again (its session and reference are forgotten, the history keeps
    /// them).
    NotReceived {
        /// How it was established, e.g. `not in session 20251010-SO-...`.
        evidence: String,
    },
}

impl Outcome {
    pub(crate) fn state(&self) -> InvoiceState {
        match self {
            Outcome::Sent { .. } => InvoiceState::Sent,
            Outcome::Accepted { .. } => InvoiceState::Accepted,
            Outcome::Rejected { .. } => InvoiceState::Rejected,
            Outcome::Failed { .. } => InvoiceState::Failed,
            Outcome::NotReceived { .. } => InvoiceState::Queued,
        }
    }
}

/// The answer to [`crate::Store::correct`].
#[derive(Debug, Clone)]
pub struct Correction {
    /// The correction as stored (queued, `corrects` = the original).
    pub issued: Issued,
    /// The rejected original, now linked to the correction.
    pub original: Invoice,
    /// What differs between the two besides the form (amounts, dates, parties, currency).
    pub differences: Vec<Difference>,
}

/// One business field that differs between a rejected invoice and its technical correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The FA(3) field, e.g. `Fa/P_15`.
    pub field: &'static str,
    /// Its value in the original (empty when absent).
    pub original: String,
    /// Its value in the correction (empty when absent).
    pub corrected: String,
}

/// An outage as recorded, with its evidence.
#[derive(Debug, Clone)]
pub struct RecordedOutage {
    /// The store's id of the outage.
    pub id: i64,
    /// The outage.
    pub outage: Outage,
    /// Evidence: Lighthouse message ids, the BIP announcement, who declared it.
    pub evidence: String,
    /// When it was recorded (or last updated).
    pub recorded_at: DateTime<Utc>,
}

/// What [`crate::Store::record_outage`] changed.
#[derive(Debug, Clone)]
pub struct OutageReport {
    /// The outage's id (an outage of the same kind and start is updated, not duplicated).
    pub outage_id: i64,
    /// The invoices whose deadline changed, with the old and new obligation.
    pub changed: Vec<(InvoiceId, ObligationSummary, ObligationSummary)>,
}

/// One entry of the append-only history.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// Sequence number (increasing).
    pub seq: i64,
    /// The invoice concerned, if any.
    pub invoice: Option<InvoiceId>,
    /// The tenant concerned, if any.
    pub tenant: Option<TenantId>,
    /// When.
    pub at: DateTime<Utc>,
    /// Who: the store's actor (a user, a CLI) or a worker id.
    pub actor: String,
    /// What: `issued`, `claimed`, `released`, `sending`, `sent`, `accepted`, `rejected`,
    /// `failed`, `requeued`, `upo_stored`, `correction_issued`, `deadline_changed`,
    /// `outage_recorded`, `tenant_added`, `deadline_warning`.
    pub what: String,
    /// Details (ids, hashes, codes, dates; never invoice content or secrets).
    pub details: serde_json::Value,
}

/// Which invoices [`crate::Store::list`] returns.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    /// Only this tenant's.
    pub tenant: Option<TenantId>,
    /// Only in this state.
    pub state: Option<InvoiceState>,
    /// Only accepted invoices whose UPO is not stored yet.
    pub missing_upo: bool,
    /// At most this many (newest first).
    pub limit: Option<u32>,
}

/// Settings of a store, fixed when it is opened.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Base of the QR verification links, e.g. `https://qr-test.ksef.mf.gov.pl`
    /// (see [`ksef_core::Environment::urls`]).
    pub qr_base: String,
    /// Who is recorded in the history for operations without a worker id (e.g. `cli:alice`).
    pub actor: String,
    /// Check NIP checksums (KSeF does on production only). Default `true`.
    pub nip_checksums: bool,
}

impl StoreOptions {
    /// Options for an environment, actor `ksef`, NIP checksums on.
    pub fn new(env: &ksef_core::Environment) -> Self {
        StoreOptions {
            qr_base: env.urls().qr,
            actor: "ksef".into(),
            nip_checksums: true,
        }
    }
}
