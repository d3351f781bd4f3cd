//! Wire models of the KSeF API 2.0 JSON bodies, one module per API area.
//!
//! Field names, types, enums and required-ness follow `open-api.json`. Conventions:
//! * unknown fields are ignored when decoding;
//! * a field that the spec does not require, or marks `nullable`, is an `Option` and is left
//!   out when `None`;
//! * string enums are `#[non_exhaustive]` and keep unknown server values in `Other(String)`;
//! * date-times are [`common::DateTime`] (`chrono::DateTime<FixedOffset>`), dates
//!   `chrono::NaiveDate`;
//! * Base64 binary fields are `String`, SHA-256 hashes (`Sha256HashBase64`) are
//!   [`ksef_core::crypto::Sha256Hash`], KSeF numbers [`ksef_core::KsefNumber`];
//! * NIPs are `String`: the test environment uses NIPs whose checksum fails, which
//!   [`ksef_core::Nip`] refuses.

pub mod auth;
pub mod certificates;
pub mod common;
pub mod errors;
pub mod invoices;
pub mod lighthouse;
pub mod limits;
pub mod security;
pub mod sessions;
pub mod tokens;

pub use common::{ContextIdentifier, DateTime, FormCode, ReferenceNumber, StatusInfo};
