//! The one error type of `ksef-offline`.

use ksef_core::invoice::Problem;

use crate::model::{InvoiceId, InvoiceState, TenantId};

/// Everything that can go wrong in the store and while issuing.
///
/// Messages name the record concerned (tenant, invoice id, hash) but never carry invoice
/// content or secrets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database URL has a scheme no backend serves.
    #[error("unsupported database URL {url:?}: expected sqlite:PATH or postgres://...")]
    UnsupportedUrl {
        /// The URL with any password removed.
        url: String,
    },
    /// The backend the URL asks for was not compiled in.
    #[error(
        "the {backend} backend is not compiled in; enable the `{feature}` feature of ksef-offline"
    )]
    BackendNotCompiled {
        /// `SQLite` or `PostgreSQL`.
        backend: &'static str,
        /// The Cargo feature that enables it.
        feature: &'static str,
    },
    /// The database refused or failed an operation.
    #[error("database error while {operation}: {source}")]
    Database {
        /// What the store was doing, e.g. `issuing an invoice`.
        operation: &'static str,
        /// What sqlx said.
        #[source]
        source: sqlx::Error,
    },
    /// The embedded migrations could not be applied.
    #[error("cannot migrate the database schema: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The master key could not be obtained from its provider.
    #[error("cannot get the master key from {provider}: {reason}")]
    MasterKeyUnavailable {
        /// The provider, e.g. `key file /var/lib/ksef/master.key`.
        provider: String,
        /// Why.
        reason: String,
    },
    /// The master key given is not the one this store was created with.
    #[error(
        "the master key does not open this store (key check value mismatch); nothing was changed"
    )]
    WrongMasterKey,
    /// A stored ciphertext does not decrypt: it was altered, truncated or moved.
    #[error(
        "the stored {kind} of {record} cannot be decrypted (corrupted or tampered with): {reason}"
    )]
    Corrupted {
        /// What was stored: `invoice`, `upo`, `offline-key`, `ksef-token`.
        kind: &'static str,
        /// The record, e.g. `invoice 0190...` or `tenant acme`.
        record: String,
        /// What failed.
        reason: String,
    },
    /// No tenant has this id.
    #[error("unknown tenant {0}")]
    UnknownTenant(TenantId),
    /// A tenant with this id or context already exists.
    #[error("tenant {tenant} already exists (or another tenant has the same context)")]
    TenantExists {
        /// The tenant.
        tenant: TenantId,
    },
    /// No invoice has this id.
    #[error("unknown invoice {0}")]
    UnknownInvoice(InvoiceId),
    /// The invoice breaks KSeF's rules; nothing was stored.
    #[error("the invoice is not valid ({} problem{}); first: {}", problems.len(), if problems.len() == 1 { "" } else { "s" }, problems.first().map(ToString::to_string).unwrap_or_default())]
    InvalidInvoice {
        /// Every problem found, with its location.
        problems: Vec<Problem>,
    },
    /// The tenant's context may not issue invoices for this seller.
    #[error(
        "tenant {tenant} (context {context}) may not issue invoices for seller NIP {seller}: the seller is neither the context's NIP nor listed as permitted"
    )]
    SellerNotPermitted {
        /// The tenant.
        tenant: TenantId,
        /// Its context, `Type:value`.
        context: String,
        /// The seller NIP of the invoice (`Podmiot1`).
        seller: String,
    },
    /// An invoice with the same seller NIP, kind and number is already stored; nothing was
    /// stored.
    #[error("duplicate invoice: {key} is already stored{}", existing.as_ref().map(|id| format!(" as {id}")).unwrap_or_default())]
    Duplicate {
        /// The duplicate key `NIP|RodzajFaktury|P_2`.
        key: String,
        /// The invoice already stored, when known.
        existing: Option<InvoiceId>,
    },
    /// The tenant has no Offline certificate, so KOD II cannot be made.
    #[error(
        "tenant {0} has no Offline certificate and key: KOD II cannot be signed (add one, or issue in total-failure mode)"
    )]
    NoOfflineCertificate(TenantId),
    /// The operation is not allowed in the invoice's current state.
    #[error("invoice {id} is {state}: cannot {operation}")]
    InvalidState {
        /// The invoice.
        id: InvoiceId,
        /// Its state.
        state: InvoiceState,
        /// What was attempted.
        operation: &'static str,
    },
    /// The worker no longer holds the lease on the invoice (it expired and another worker
    /// claimed it).
    #[error("worker {worker} does not hold the lease on invoice {id}")]
    LeaseLost {
        /// The invoice.
        id: InvoiceId,
        /// The worker.
        worker: String,
    },
    /// A KSeF number was reported for an invoice of another seller.
    #[error(
        "KSeF number {number} belongs to seller {number_seller}, but invoice {id} was issued by {seller}"
    )]
    KsefNumberMismatch {
        /// The invoice.
        id: InvoiceId,
        /// The number reported.
        number: String,
        /// The seller NIP inside the number.
        number_seller: String,
        /// The invoice's seller NIP.
        seller: String,
    },
    /// A technical correction was asked for an invoice that cannot have one.
    #[error("invoice {id} is {state}, so it cannot be technically corrected: {reason}")]
    NotCorrectable {
        /// The invoice.
        id: InvoiceId,
        /// Its state.
        state: InvoiceState,
        /// Why not.
        reason: &'static str,
    },
    /// The invoice already has a technical correction that KSeF accepted (KSeF would answer
    /// 21166).
    #[error("invoice {id} already has an accepted technical correction, {correction}{}: a second one is not allowed", ksef_number.as_ref().map(|n| format!(" (KSeF number {n})")).unwrap_or_default())]
    AlreadyCorrected {
        /// The rejected invoice.
        id: InvoiceId,
        /// Its accepted correction.
        correction: InvoiceId,
        /// The correction's KSeF number.
        ksef_number: Option<String>,
    },
    /// A technical correction of the invoice is still on its way to KSeF.
    #[error(
        "invoice {id} has a technical correction, {correction}, that is still {state}: wait for KSeF's answer"
    )]
    CorrectionPending {
        /// The rejected invoice.
        id: InvoiceId,
        /// The correction on its way.
        correction: InvoiceId,
        /// The correction's state.
        state: InvoiceState,
    },
    /// The fixed file changes a field a technical correction must keep.
    #[error(
        "the technical correction of invoice {id} changes {field} from {original:?} to {corrected:?}: it must keep the seller NIP, RodzajFaktury and P_2 of the rejected invoice"
    )]
    CorrectionChangesKey {
        /// The rejected invoice.
        id: InvoiceId,
        /// The field.
        field: &'static str,
        /// Its value in the rejected invoice.
        original: String,
        /// Its value in the fixed file.
        corrected: String,
    },
    /// An input value (tenant id, outage, ...) is malformed.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// KSeF (or the way to it) failed while the engine was working with it.
    #[error("KSeF error while {operation}: {source}")]
    Ksef {
        /// What the engine was doing.
        operation: &'static str,
        /// What the client reported (HTTP status, KSeF exception codes).
        #[source]
        source: Box<ksef_client::Error>,
    },
    /// A test hook stopped the work as a crashed process would stop.
    #[error("simulated crash {0}")]
    SimulatedCrash(&'static str),
    /// A domain rule of `ksef-core` failed (deadline, certificate, key, QR link).
    #[error(transparent)]
    Core(#[from] ksef_core::Error),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Maps a sqlx error to [`Error::Database`] with the operation named.
pub(crate) fn db(operation: &'static str) -> impl FnOnce(sqlx::Error) -> Error {
    move |source| Error::Database { operation, source }
}
