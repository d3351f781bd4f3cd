//! The [`Store`]: what the engine keeps, in domain operations; no SQL leaves this module.
//!
//! [`connect`] picks the backend from the URL scheme: `sqlite:PATH` (embedded, one file, the
//! default feature) or `postgres://...` (feature `postgres`, for several engine processes on
//! several machines). Both run their embedded migrations when connecting and share the code
//! above the SQL ([`sql`]); what differs — connection settings, write locks, claiming — is in
//! `sqlite.rs` and `postgres.rs`.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ksef_core::Clock;
use ksef_core::calendar::{OfflineMode, Outage};
use zeroize::Zeroizing;

#[cfg(doc)]
use crate::Error;
use crate::Result;
use crate::keys::KeyProvider;
use crate::model::{
    Correction, Event, Invoice, InvoiceFilter, InvoiceId, Issued, NewTenant, OutageReport, Outcome,
    RecordedOutage, StoreOptions, Tenant, TenantId,
};

#[cfg(feature = "postgres")]
mod postgres;
mod rows;
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;
mod workflow;

/// The offline store: tenants, invoices (encrypted), outages, leases and the history.
///
/// Every operation that changes something writes its event in the same transaction.
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug {
    /// `SQLite` or `PostgreSQL`.
    fn backend(&self) -> &'static str;

    /// Adds a tenant; its KSeF token and Offline private key are stored encrypted. The
    /// Offline certificate must be usable for KOD II now (type Offline, key matching).
    async fn add_tenant(&self, tenant: NewTenant, clock: &dyn Clock) -> Result<Tenant>;

    /// Every tenant, by id.
    async fn list_tenants(&self) -> Result<Vec<Tenant>>;

    /// One tenant.
    async fn tenant(&self, id: &TenantId) -> Result<Tenant>;

    /// The tenant's KSeF token, decrypted, if one is stored.
    async fn ksef_token(&self, id: &TenantId) -> Result<Option<Zeroizing<String>>>;

    /// Issues one offline invoice: checks it (form, schema, NIPs, `P_1` not after today in
    /// Warsaw, the seller allowed for the tenant's context), refuses a duplicate (seller NIP,
    /// `RodzajFaktury`, `P_2`), computes its deadline from `P_1`, the mode and the outages
    /// known to the store, makes KOD I and KOD II (none in total-failure mode) and stores it
    /// encrypted with an `issued` event, in one transaction committed durably before this
    /// returns. The stored bytes are exactly `xml`, whose SHA-256 is the recorded hash.
    async fn issue(
        &self,
        tenant: &TenantId,
        xml: &[u8],
        mode: OfflineMode,
        clock: &dyn Clock,
    ) -> Result<Issued>;

    /// Issues several invoices in one transaction: all are stored, or none (the first
    /// problem is returned). One durable commit for the lot, so much faster per invoice;
    /// nothing of the batch is durable before this returns.
    async fn issue_many(
        &self,
        tenant: &TenantId,
        xmls: &[&[u8]],
        mode: OfflineMode,
        clock: &dyn Clock,
    ) -> Result<Vec<Issued>>;

    /// One invoice, without its content.
    async fn get(&self, id: InvoiceId) -> Result<Invoice>;

    /// Invoices, newest first.
    async fn list(&self, filter: &InvoiceFilter) -> Result<Vec<Invoice>>;

    /// The invoice file, decrypted: exactly the bytes that were issued and hashed.
    async fn invoice_bytes(&self, id: InvoiceId) -> Result<Vec<u8>>;

    /// Several invoice files, decrypted, in the order of `ids` (one query per few hundred).
    async fn invoice_bytes_many(&self, ids: &[InvoiceId]) -> Result<Vec<Vec<u8>>>;

    /// The UPO XML, decrypted, if stored.
    async fn upo(&self, id: InvoiceId) -> Result<Option<Vec<u8>>>;

    /// Leases up to `limit` of the tenant's invoices that need a worker (`queued`, or
    /// `sending`/`sent` whose lease expired: their outcome must be looked up before any
    /// resend), in deadline order, to `worker` until `now + lease_for`. No invoice is leased
    /// to two workers at once: PostgreSQL uses `FOR UPDATE SKIP LOCKED`; SQLite serves one
    /// process and claims in one write transaction.
    async fn claim_due(
        &self,
        tenant: &TenantId,
        limit: u32,
        lease_for: Duration,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Invoice>>;

    /// Gives a lease back untouched (e.g. KSeF unreachable: back off).
    async fn release(&self, id: InvoiceId, worker: &str, now: DateTime<Utc>) -> Result<()>;

    /// Records that `worker` is about to send these invoices in the KSeF session `session`;
    /// must be called before the request leaves, so that after a crash or a lost response
    /// the invoices are looked up in that session by hash before any resend. The worker must
    /// hold every lease; all are marked, or none.
    async fn mark_sending(
        &self,
        ids: &[InvoiceId],
        worker: &str,
        session: &str,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Records what KSeF answered, for several invoices in one transaction (all or none).
    /// The worker must hold every lease; final outcomes and [`Outcome::NotReceived`] release
    /// it. An accepted invoice's KSeF number must carry the invoice's seller NIP.
    async fn record_outcomes(
        &self,
        worker: &str,
        outcomes: &[(InvoiceId, Outcome)],
        now: DateTime<Utc>,
    ) -> Result<Vec<Invoice>>;

    /// [`Store::record_outcomes`] for one invoice.
    async fn record_outcome(
        &self,
        id: InvoiceId,
        worker: &str,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<Invoice> {
        let mut done = self.record_outcomes(worker, &[(id, outcome)], now).await?;
        done.pop().ok_or(crate::Error::UnknownInvoice(id))
    }

    /// Stores the UPO XML (encrypted) of accepted invoices, in one transaction.
    async fn store_upos(&self, upos: &[(InvoiceId, Vec<u8>)], now: DateTime<Utc>) -> Result<()>;

    /// [`Store::store_upos`] for one invoice.
    async fn store_upo(&self, id: InvoiceId, upo_xml: &[u8], now: DateTime<Utc>) -> Result<()> {
        self.store_upos(&[(id, upo_xml.to_vec())], now).await
    }

    /// Issues the technical correction of an invoice KSeF rejected for a technical reason:
    /// `fixed_xml` is checked like any invoice, must keep the seller NIP, `RodzajFaktury` and
    /// `P_2` of the original and differ from it, and gets its own KOD I and KOD II; it is
    /// queued to be sent in an interactive session with `hashOfCorrectedInvoice` = the
    /// original's hash, and the two are linked. Refused when the original is not rejected,
    /// when a correction of it was accepted already, or one is still on its way. Given a
    /// rejected correction, corrects its original again. The differences in amounts, dates
    /// and parties are reported, so that the user sees what, besides the form, changed.
    async fn correct(
        &self,
        original: InvoiceId,
        fixed_xml: &[u8],
        clock: &dyn Clock,
    ) -> Result<Correction>;

    /// Invoices still to reach KSeF whose deadline is at or before `instant`, earliest first.
    async fn due_before(&self, instant: DateTime<Utc>) -> Result<Vec<Invoice>>;

    /// Records an announced outage (an outage of the same kind and start is updated, e.g.
    /// with its end), with its evidence, and recomputes the deadline of every invoice still
    /// to reach KSeF, recording a `deadline_changed` event for each that changed. A total
    /// failure lifts the obligation: queued invoices become `not_required`.
    async fn record_outage(
        &self,
        outage: Outage,
        evidence: &str,
        now: DateTime<Utc>,
    ) -> Result<OutageReport>;

    /// The outages recorded, oldest first.
    async fn outages(&self) -> Result<Vec<RecordedOutage>>;

    /// The history of one invoice, oldest first.
    async fn history(&self, id: InvoiceId) -> Result<Vec<Event>>;

    /// The whole history, in order, for audit.
    async fn export_history(&self) -> Result<Vec<Event>>;
}

/// Opens the store at `url` (`sqlite:PATH`, created if missing, or `postgres://...`), runs
/// its migrations, and checks the master key against the key check value stored when the
/// store was created (storing one if it is new).
///
/// # Errors
/// [`Error::UnsupportedUrl`], [`Error::BackendNotCompiled`], [`Error::Database`],
/// [`Error::Migration`], [`Error::MasterKeyUnavailable`], and [`Error::WrongMasterKey`] when
/// the key is not the store's.
pub async fn connect(
    url: &str,
    keys: &dyn KeyProvider,
    options: StoreOptions,
) -> Result<Box<dyn Store>> {
    let master = keys.master_key()?;
    let backend = sql::Backend::of(url)?;
    let store = sql::SqlStore::open(backend, url, master, options).await?;
    Ok(Box::new(store))
}

impl dyn Store {
    /// Same as [`connect`].
    ///
    /// # Errors
    /// See [`connect`].
    pub async fn connect(
        url: &str,
        keys: &dyn KeyProvider,
        options: StoreOptions,
    ) -> Result<Box<dyn Store>> {
        connect(url, keys, options).await
    }
}

/// A database URL without its password (`postgres://u:***@h/db`), for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &userinfo[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact_url("sqlite:x.db"), "sqlite:x.db");
    }
}
