//! An async client for the KSeF API 2.0 (Krajowy System e-Faktur).
//!
//! - [`batch`]: batch packages — archive, split, encrypt and hash in one streaming pass, with a
//!   manifest to match results back to local invoices.
//! - [`Error`]: the one error type, with every exception code KSeF returned.
#![deny(missing_docs)]

pub mod batch;
mod error;

pub use error::{ApiError, Error, ExceptionDetail, Result};
