//! The KSeF domain core: everything about offline invoicing for KSeF (Krajowy System e-Faktur,
//! API 2.0) that needs no network, no database and no clock of its own.
//!
//! - [`ids`]: NIP, PESEL, internal identifiers, EU VAT and Peppol ids, context identifiers and
//!   KSeF numbers, which parse and validate.
//! - [`crypto`]: SHA-256 in the encodings KSeF uses, AES-256-CBC, RSA-OAEP key wrapping, key and
//!   certificate loading, the public-key certificate selection rule.
//! - [`qr`]: KOD I and KOD II verification links, their signatures, and QR images.
//! - [`calendar`]: Polish business days and the legal deadlines of every offline mode.
//! - [`invoice`]: the checks KSeF makes on an invoice file, and inspection of its key fields.
//!
//! Time is injected through [`Clock`]; nothing here reads the system time itself.
//!
//! ```
//! use ksef_core::{Nip, KsefNumber};
//! let nip: Nip = "5265877635".parse()?;
//! let number: KsefNumber = "5265877635-20250826-0100001AF629-AF".parse()?;
//! assert_eq!(number.seller_nip(), nip);
//! # Ok::<(), ksef_core::Error>(())
//! ```
#![deny(missing_docs)]

pub mod calendar;
mod clock;
pub mod crypto;
mod environment;
mod error;
pub mod ids;
pub mod invoice;
pub mod qr;
pub mod upo;

pub use clock::{Clock, FixedClock, SystemClock};
pub use environment::{Environment, EnvironmentUrls};
pub use error::{Error, Result};
pub use ids::{KsefNumber, Nip};
