//! UPO (*Urzędowe Poświadczenie Odbioru*), KSeF's official acknowledgement of receipt, schema
//! v4-3: validation against the official XSD (embedded) and the facts it confirms.
//!
//! A UPO is the taxpayer's proof that an invoice reached KSeF. Before one is kept, check that
//! it is a valid UPO and that it confirms *this* invoice: [`Upo::confirmation`] finds the
//! document entry with the expected KSeF number and compares the hash of the invoice file.
//!
//! ```
//! # let xml = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/upo-example.xml")).unwrap();
//! use ksef_core::upo::Upo;
//! let upo = Upo::parse(&xml)?;
//! let doc = upo.confirmation(
//!     "5265877635-20250916-0200A0D6723E-C2",
//!     "GZMGNVzs3krF6URKgvaw77OOeG3nJ+WGziT5xguliQ8=",
//! )?;
//! assert_eq!(doc.sending_mode, "Online");
//! # Ok::<(), ksef_core::Error>(())
//! ```

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;

use libxml::error::XmlErrorLevel;
use libxml::parser::{Parser, ParserOptions};
use libxml::schemas::{SchemaParserContext, SchemaValidationContext};
use quick_xml::Reader;
use quick_xml::events::Event;

use crate::Error;

const XSD: &[u8] = include_bytes!("../schemas/upo/upo-v4-3.xsd");

thread_local! {
    static VALIDATOR: RefCell<Option<SchemaValidationContext>> = const { RefCell::new(None) };
}

fn upo_error(reason: impl Into<String>) -> Error {
    Error::Upo {
        reason: reason.into(),
    }
}

/// One invoice a UPO confirms (`Potwierdzenie/Dokument`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpoDocument {
    /// `NipSprzedawcy`.
    pub seller_nip: String,
    /// `NumerKSeFDokumentu`.
    pub ksef_number: String,
    /// `NumerFaktury` (`P_2`).
    pub invoice_number: String,
    /// `DataWystawieniaFaktury` (`P_1`), as written.
    pub issue_date: String,
    /// `DataPrzeslaniaDokumentu`, as written.
    pub sent_at: String,
    /// `DataNadaniaNumeruKSeF`, as written.
    pub numbered_at: String,
    /// `SkrotDokumentu`: SHA-256 of the invoice file, Base64.
    pub hash: String,
    /// `TrybWysylki`: `Online` or `Offline`.
    pub sending_mode: String,
}

/// A UPO, validated against `upo-v4-3.xsd`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upo {
    /// `NumerReferencyjnySesji`.
    pub session_reference: String,
    /// The invoices it confirms.
    pub documents: Vec<UpoDocument>,
}

impl Upo {
    /// Validates `xml` against the UPO v4-3 schema and reads the documents it confirms.
    ///
    /// # Errors
    /// [`Error::Upo`] when the XML is not well-formed or not a valid UPO (with libxml2's
    /// first schema errors and their lines).
    pub fn parse(xml: &[u8]) -> crate::Result<Upo> {
        validate(xml)?;
        read(xml)
    }

    /// The document entry for `ksef_number`, checked against the invoice's hash.
    ///
    /// # Errors
    /// [`Error::Upo`] when the UPO does not mention the number, or confirms another file.
    pub fn confirmation(
        &self,
        ksef_number: &str,
        hash_base64: &str,
    ) -> crate::Result<&UpoDocument> {
        let doc = self
            .documents
            .iter()
            .find(|d| d.ksef_number == ksef_number)
            .ok_or_else(|| {
                upo_error(format!(
                    "it does not confirm KSeF number {ksef_number} (session {})",
                    self.session_reference
                ))
            })?;
        if doc.hash != hash_base64 {
            return Err(upo_error(format!(
                "it confirms {ksef_number} with file hash {}, but the invoice's hash is {hash_base64}",
                doc.hash
            )));
        }
        Ok(doc)
    }
}

fn options() -> ParserOptions<'static> {
    ParserOptions {
        recover: false,
        no_def_dtd: false,
        no_error: true,
        no_warning: true,
        pedantic: false,
        no_blanks: false,
        no_net: true,
        no_implied: false,
        compact: true,
        ignore_enc: false,
        encoding: None,
    }
}

fn validate(xml: &[u8]) -> crate::Result<()> {
    let text = std::str::from_utf8(xml).map_err(|e| upo_error(format!("not UTF-8: {e}")))?;
    let doc = Parser::default()
        .parse_string_with_options(text, options())
        .map_err(|_| upo_error("not well-formed XML"))?;
    VALIDATOR
        .try_with(|cell| {
            let mut slot = cell
                .try_borrow_mut()
                .map_err(|_| upo_error("the validator is busy on this thread"))?;
            if slot.is_none() {
                let mut parser = SchemaParserContext::from_buffer(XSD);
                let compiled = SchemaValidationContext::from_parser(&mut parser).map_err(|_| {
                    Error::Schema {
                        schema: "UPO v4-3",
                        reason: "libxml2 cannot compile it".into(),
                    }
                })?;
                *slot = Some(compiled);
            }
            let Some(validator) = slot.as_mut() else {
                return Err(upo_error("no validator"));
            };
            // rust-libxml panics on libxml2's internal errors: drop the validator then.
            match std::panic::catch_unwind(AssertUnwindSafe(|| validator.validate_document(&doc))) {
                Ok(Ok(())) => Ok(()),
                Ok(Err(errors)) => {
                    let first: Vec<String> = errors
                        .iter()
                        .filter(|e| matches!(e.level, XmlErrorLevel::Error | XmlErrorLevel::Fatal))
                        .filter(|e| !is_environment_name(e.message.as_deref().unwrap_or("")))
                        .take(3)
                        .map(|e| {
                            let msg = e.message.as_deref().unwrap_or("schema error").trim();
                            match e.line {
                                Some(line) => format!("line {line}: {msg}"),
                                None => msg.to_owned(),
                            }
                        })
                        .collect();
                    if first.is_empty() {
                        Ok(())
                    } else {
                        Err(upo_error(format!(
                            "not a valid UPO v4-3: {}",
                            first.join("; ")
                        )))
                    }
                }
                Err(_) => {
                    *slot = None;
                    Err(upo_error("libxml2 failed while validating"))
                }
            }
        })
        .unwrap_or_else(|_| Err(upo_error("the validator is gone on this thread")))
}

/// The schema fixes `NazwaPodmiotuPrzyjmujacego` to `Ministerstwo Finansów`, but the test
/// environment writes `Ministerstwo Finansów - środowisko testowe (TE)` (the official example
/// UPOs do): that one deviation is accepted, nothing else.
fn is_environment_name(message: &str) -> bool {
    message.contains("NazwaPodmiotuPrzyjmujacego")
        && message.contains("The actual value 'Ministerstwo Finansów")
        && message.contains("fixed value constraint 'Ministerstwo Finansów'")
}

fn read(xml: &[u8]) -> crate::Result<Upo> {
    let mut reader = Reader::from_reader(xml);
    let mut upo = Upo::default();
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_vec();
                if name == b"Dokument" {
                    upo.documents.push(UpoDocument::default());
                }
                path.push(name);
            }
            Ok(Event::End(_)) => {
                path.pop();
            }
            Ok(Event::Text(t)) => {
                let text = t
                    .decode()
                    .map_err(|e| upo_error(format!("bad text: {e}")))?
                    .trim()
                    .to_owned();
                let (Some(leaf), parent) =
                    (path.last(), path.len().checked_sub(2).map(|i| &path[i]))
                else {
                    continue;
                };
                if parent.map(Vec::as_slice) == Some(b"Dokument") {
                    if let Some(doc) = upo.documents.last_mut() {
                        let field = match leaf.as_slice() {
                            b"NipSprzedawcy" => &mut doc.seller_nip,
                            b"NumerKSeFDokumentu" => &mut doc.ksef_number,
                            b"NumerFaktury" => &mut doc.invoice_number,
                            b"DataWystawieniaFaktury" => &mut doc.issue_date,
                            b"DataPrzeslaniaDokumentu" => &mut doc.sent_at,
                            b"DataNadaniaNumeruKSeF" => &mut doc.numbered_at,
                            b"SkrotDokumentu" => &mut doc.hash,
                            b"TrybWysylki" => &mut doc.sending_mode,
                            _ => continue,
                        };
                        *field = text;
                    }
                } else if leaf.as_slice() == b"NumerReferencyjnySesji" && path.len() == 2 {
                    upo.session_reference = text;
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(upo_error(format!("cannot read it: {e}"))),
        }
        buf.clear();
    }
    Ok(upo)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &[u8] = include_bytes!("../tests/data/upo-example.xml");

    #[test]
    fn official_example_validates_and_reads() {
        let upo = Upo::parse(EXAMPLE).unwrap();
        assert_eq!(
            upo.session_reference,
            "36950822-93-9D5A28BFDA-47C899773E-5C"
        );
        assert_eq!(upo.documents.len(), 1);
        let d = &upo.documents[0];
        assert_eq!(d.seller_nip, "5265877635");
        assert_eq!(d.invoice_number, "FA/XVQUD-9997622510/04/2027");
        assert_eq!(d.issue_date, "2025-09-16");
        assert!(
            upo.confirmation("5265877635-20250916-0200A0D6723E-C2", "wrong")
                .unwrap_err()
                .to_string()
                .contains("hash")
        );
        assert!(upo.confirmation("other", &d.hash).is_err());
    }

    #[test]
    fn other_receiver_names_are_refused() {
        let text = String::from_utf8(EXAMPLE.to_vec()).unwrap();
        let bad = text.replace(
            "Ministerstwo Finansów - środowisko testowe (TE)",
            "Someone else",
        );
        assert!(Upo::parse(bad.as_bytes()).is_err());
    }

    #[test]
    fn invalid_upo_refused_with_line() {
        let text = String::from_utf8(EXAMPLE.to_vec()).unwrap();
        let bad = text.replace(
            "<TrybWysylki>Online</TrybWysylki>",
            "<TrybWysylki>Maybe</TrybWysylki>",
        );
        let e = Upo::parse(bad.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("not a valid UPO") && e.contains("line"), "{e}");
        assert!(Upo::parse(b"<Potwierdzenie").is_err());
    }
}
