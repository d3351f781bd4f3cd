//! `ksef-sim`: a local simulator of the KSeF API 2.0 (Krajowy System e-Faktur) with real
//! cryptography, for tests, demos and developers without access to the real system.
//!
//! It is **not** the Ministry of Finance: its certificates say so in their subject, and it binds
//! to loopback unless told otherwise.
//!
//! - [`app`] builds the `axum` router: the API under `/v2`, the QR verification pages under
//!   `/qr`, the status service (Lighthouse) under `/lighthouse`, pre-signed storage links under
//!   `/storage`, and the test control under `/sim`.
//! - [`spawn`] binds `127.0.0.1:0` in-process and returns the base addresses ([`SimHandle`]).
//! - [`serve`] runs it on a given address until stopped (for the `ksef sim` command).
//!
//! Test invoices: `ksef_core::invoice::SampleInvoice`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = ksef_sim::SimConfig::default();
//! config.tokens.push("5265877635=secret-token".parse()?);
//! let sim = ksef_sim::spawn(config).await?;
//! println!("KSeF API at {}", sim.api_base);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod archive;
mod clock;
mod config;
mod error;
mod invoice_check;
mod keys;
mod pipeline;
mod ratelimit;
mod refs;
mod routes;
mod server;
mod state;
mod tokens;
mod upo;
mod wire;
mod workers;

pub use clock::SimClock;
pub use config::{
    Faults, RateLimitProfile, ScriptedRejection, SeedToken, SessionLimits, SimConfig, WindowLimits,
};
pub use routes::app;
pub use server::{SimHandle, StartError, serve, spawn};
pub use state::{Outage, OutageKind, SimState};
