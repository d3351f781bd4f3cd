//! Wire models of the KSeF API 2.0 JSON bodies.

pub mod common;
