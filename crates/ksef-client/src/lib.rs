//! An async client for the KSeF API 2.0 (Krajowy System e-Faktur).
//!
//! - [`Client`]: configuration ([`ClientBuilder`]), bearer tokens with transparent refresh,
//!   retries ([`RetryPolicy`]), `X-System-Warning` ([`SystemWarning`]).
//! - [`batch`]: batch packages — archive, split, encrypt and hash in one streaming pass, with a
//!   manifest to match results back to local invoices.
//! - [`Error`]: the one error type, with every exception code KSeF returned.
#![deny(missing_docs)]

mod auth_state;
pub mod batch;
mod client;
mod config;
mod error;
mod keys;
mod retry;

pub use auth_state::{AuthTokens, BearerToken};
pub use client::{Client, SystemWarning};
pub use config::{ClientBuilder, WarningHook};
pub use error::{ApiError, Error, ExceptionDetail, Result};
pub use keys::UNKNOWN_KEY;
pub use retry::RetryPolicy;
