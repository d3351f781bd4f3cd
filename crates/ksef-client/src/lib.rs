//! Client for the KSeF API 2.0 (Krajowy System e-Faktur, the Polish national e-invoicing
//! system).
//!
//! For now this crate holds the **wire models** ([`models`]): the JSON request and response
//! bodies of the API, named and typed exactly as `open-api.json` says. The HTTP client itself
//! will live beside them.
#![deny(missing_docs)]

pub mod models;
