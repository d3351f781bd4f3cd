//! The checks KSeF makes on an invoice file, and inspection of its key fields.
//!
//! [`InvoiceChecker::check`] applies every rule KSeF applies to an FA(3) invoice before it is
//! accepted (`weryfikacja-faktury`): size, UTF-8 without BOM, the XML prolog, no processing
//! instructions, no discouraged characters, well-formed XML 1.0, the FA(3) schema, NIP checksums
//! and the issue date. An invoice that breaks rules is not an error: the answer is a
//! [`CheckReport`] listing every [`Problem`] with its [`Location`].
//!
//! | Rule | Code | Located by |
//! | --- | --- | --- |
//! | size: 1 000 000 bytes, 3 000 000 with `Zalacznik` | `size` | — |
//! | UTF-8 without BOM | `bom`, `utf8` | byte offset (and line/column) of the BOM or of the first invalid sequence |
//! | prolog: encoding UTF-8 (any case), version 1.0 | `prolog-encoding`, `prolog-version` | line, column, byte offset of the pseudo-attribute |
//! | no processing instructions | `processing-instruction` | line, column, byte offset, enclosing element path |
//! | no characters XML 1.0 forbids or discourages (§2.2) | `forbidden-character` | line, column, byte offset; the code point as U+XXXX |
//! | well-formed XML 1.0 (libxml2 decides) | `well-formed` | line, column, element path from the streaming pass |
//! | FA(3) schema (libxml2) | `xsd` | libxml2's line; column and element path from the streaming pass |
//! | NIP checksums: Podmiot1, 2, 3, PodmiotUpowazniony, Podmiot3 IDWew | `nip-checksum` | the element |
//! | `P_1` not after the date of acceptance | `issue-date-in-future` | the `P_1` element |
//! | key fields present and readable | `missing-field`, `invalid-field` | the parent element / the element |
//!
//! Invalid UTF-8 does not stop the check: the other rules run on the text with the invalid
//! sequences replaced by U+FFFD (byte offsets are then left out).
//!
//! [`InvoiceChecker::inspect`] is the cheap path: it reads the key fields ([`InvoiceFields`])
//! with a streaming parser, without the schema.
//!
//! ```
//! use ksef_core::invoice::{CheckOptions, InvoiceChecker};
//! let checker = InvoiceChecker::new()?;
//! let report = checker.check(b"<Faktura>", &CheckOptions::default());
//! assert!(!report.is_ok());
//! println!("{}", report.problems[0]);
//! # Ok::<(), ksef_core::Error>(())
//! ```

mod check;
mod fields;
mod report;
mod rules;
mod sample;
mod scan;
mod schema;

use chrono::NaiveDate;

pub use fields::{Amount, DuplicateKey, InvoiceFields, InvoiceKind};
pub use report::{CheckReport, Location, Problem, Rule};
pub use sample::SampleInvoice;

/// Largest invoice without attachments: 1 MB = 1 000 000 bytes (KSeF counts MB in SI units).
pub const MAX_SIZE: usize = 1_000_000;

/// Largest invoice with attachments (`Zalacznik`): 3 MB = 3 000 000 bytes.
pub const MAX_SIZE_WITH_ATTACHMENT: usize = 3_000_000;

/// What [`InvoiceChecker::check`] checks besides the rules that always apply.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckOptions {
    /// The date (in Warsaw) KSeF accepts the invoice; an issue date `P_1` after it is a
    /// problem. `None` skips the rule.
    pub accepted_on: Option<NaiveDate>,
    /// Check NIP checksums (KSeF does so on the production environment only). Default `true`.
    pub nip_checksums: bool,
    /// Validate against the FA(3) schema. Default `true`.
    pub xsd: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            accepted_on: None,
            nip_checksums: true,
            xsd: true,
        }
    }
}

/// Checks FA(3) invoices the way KSeF does.
///
/// The FA(3) schema is compiled once per thread, lazily, and kept for the life of the thread
/// (libxml2's compiled schemas cannot move between threads). The checker itself is `Send` and
/// `Sync` and cheap to clone; [`InvoiceChecker::new`] compiles the schema on the calling thread
/// so that a broken build shows at once.
#[derive(Debug, Clone)]
pub struct InvoiceChecker {
    _private: (),
}

impl InvoiceChecker {
    /// Makes a checker, compiling the FA(3) schema on this thread.
    ///
    /// # Errors
    /// [`crate::Error::Schema`] when the embedded schema cannot be compiled (a defect of the
    /// build, not of any input).
    pub fn new() -> crate::Result<Self> {
        schema::ensure_compiled()?;
        Ok(InvoiceChecker { _private: () })
    }

    /// Applies every rule to the invoice file `bytes` and lists every problem found.
    ///
    /// Never panics; rules that cannot run because an earlier one failed (for example the
    /// schema on a document that is not well-formed) are skipped.
    pub fn check(&self, bytes: &[u8], opts: &CheckOptions) -> CheckReport {
        check::check(bytes, opts)
    }

    /// Reads the key fields without the schema and without the character rules.
    ///
    /// # Errors
    /// A report with the problems that stopped the reading: invalid UTF-8, XML that is not
    /// well-formed, a missing or malformed field.
    pub fn inspect(&self, bytes: &[u8]) -> Result<InvoiceFields, CheckReport> {
        check::inspect(bytes)
    }
}
