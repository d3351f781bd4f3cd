//! The offline engine of ksef-offline: an encrypted store of offline invoices for KSeF
//! (Krajowy System e-Faktur, API 2.0), issuing with KOD I and KOD II, legal deadlines that
//! follow the announced outages, and the leases the submission workers work with.
//!
//! - [`Store`] — the domain operations ([`Store::issue`], [`Store::claim_due`],
//!   [`Store::record_outcome`], [`Store::due_before`], [`Store::record_outage`], ...);
//!   [`connect`] picks the backend from the URL (`sqlite:PATH` or `postgres://...`) and runs
//!   the embedded migrations.
//! - [`keys`] — the master key and its providers ([`KeyFile`], [`EnvKey`]); every invoice
//!   file, UPO, private key and KSeF token is stored in an AES-256-GCM envelope with its own
//!   data key, bound to its record.
//! - [`model`] — tenants, invoices, states, outcomes, events.
//!
//! ```no_run
//! use ksef_core::calendar::OfflineMode;
//! use ksef_core::{Environment, SystemClock};
//! use ksef_offline::{KeyFile, StoreOptions, connect};
//! # async fn run() -> ksef_offline::Result<()> {
//! let store = connect("sqlite:ksef.db", &KeyFile::new("master.key"), StoreOptions::new(&Environment::Test)).await?;
//! let xml = std::fs::read("FV-1.xml").unwrap_or_default();
//! let issued = store.issue(&"acme".parse()?, &xml, OfflineMode::Offline24, &SystemClock).await?;
//! println!("{} {} {:?}", issued.invoice.id, issued.invoice.hash, issued.invoice.kod1);
//! # Ok(()) }
//! ```
//!
//! # Features
//! - `sqlite` (default): the embedded SQLite backend.
//! - `postgres`: the PostgreSQL backend, for several engine processes sharing the work.
#![deny(missing_docs)]

mod envelope;
mod error;
mod issuing;
pub mod keys;
pub mod model;
mod store;
pub mod sync;
pub mod watchdog;

pub use error::{Error, Result};
pub use keys::{EnvKey, KeyFile, KeyProvider, MasterKey};
pub use model::{
    Correction, Difference, Event, Invoice, InvoiceFilter, InvoiceId, InvoiceState, Issued,
    NewTenant, ObligationSummary, OfflineCredentials, OutageReport, Outcome, RecordedOutage,
    StoreOptions, Tenant, TenantId,
};
pub use store::{Store, connect, redact_url};
