//! The FA(3) schema, embedded, compiled with libxml2 once per thread.
//!
//! The FA(3) schema imports its base types by absolute URL. libxml2 must never fetch it, and
//! rust-libxml offers no safe resolver hook, so the schemas are written to a private temporary
//! directory with the import's `schemaLocation` rewritten to the relative
//! `bazowe/StrukturyDanych_v10-0E.xsd`, compiled from there, and the directory is removed.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::sync::Once;

use libxml::error::{StructuredError, XmlErrorLevel};
use libxml::parser::{Parser, ParserOptions};
use libxml::schemas::{SchemaParserContext, SchemaValidationContext};

use crate::Error;

const SCHEMA_NAME: &str = "FA(3)";

const MAIN_FILE: &str = "schemat_FA(3)_v1-0E.xsd";
const MAIN: &[u8] = include_bytes!("../../schemas/fa3/schemat_FA(3)_v1-0E.xsd");
const BASE: [(&str, &[u8]); 3] = [
    (
        "StrukturyDanych_v10-0E.xsd",
        include_bytes!("../../schemas/fa3/bazowe/StrukturyDanych_v10-0E.xsd"),
    ),
    (
        "ElementarneTypyDanych_v10-0E.xsd",
        include_bytes!("../../schemas/fa3/bazowe/ElementarneTypyDanych_v10-0E.xsd"),
    ),
    (
        "KodyKrajow_v10-0E.xsd",
        include_bytes!("../../schemas/fa3/bazowe/KodyKrajow_v10-0E.xsd"),
    ),
];

const IMPORT_URL: &str = "schemaLocation=\"http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/StrukturyDanych_v10-0E.xsd\"";
const IMPORT_LOCAL: &str = "schemaLocation=\"bazowe/StrukturyDanych_v10-0E.xsd\"";

/// The FA(3) target namespace, dropped from libxml2's messages for readability.
pub(crate) const FA3_NAMESPACE: &str = "{http://crd.gov.pl/wzor/2025/06/25/13775/}";

thread_local! {
    static VALIDATOR: RefCell<Option<SchemaValidationContext>> = const { RefCell::new(None) };
}

static LIBXML_INIT: Once = Once::new();

/// libxml2 must initialise its globals once before threads use it; a first parse does that.
fn init_libxml() {
    LIBXML_INIT.call_once(|| {
        let _ = Parser::default().parse_string_with_options(b"<a/>", parser_options());
    });
}

fn schema_error(reason: impl Into<String>) -> Error {
    Error::Schema {
        schema: SCHEMA_NAME,
        reason: reason.into(),
    }
}

/// Options for parsing invoices: strict, no network, nothing printed, the declared encoding
/// ignored (the encoding rule is checked separately and the text given is UTF-8).
pub(crate) fn parser_options() -> ParserOptions<'static> {
    ParserOptions {
        recover: false,
        // For XML documents rust-libxml maps this flag to XML_PARSE_DTDLOAD: keep it off.
        no_def_dtd: false,
        no_error: true,
        no_warning: true,
        pedantic: false,
        no_blanks: false,
        no_net: true,
        no_implied: false,
        compact: true,
        ignore_enc: true,
        encoding: None,
    }
}

fn compile() -> crate::Result<SchemaValidationContext> {
    init_libxml();
    let main = std::str::from_utf8(MAIN).map_err(|e| schema_error(e.to_string()))?;
    if main.matches(IMPORT_URL).count() != 1 {
        return Err(schema_error(
            "the import of StrukturyDanych_v10-0E.xsd is not where it was expected",
        ));
    }
    let main = main.replace(IMPORT_URL, IMPORT_LOCAL);
    let dir = tempfile::Builder::new()
        .prefix("ksef-fa3-xsd")
        .tempdir()
        .map_err(|e| schema_error(format!("cannot make a temporary directory: {e}")))?;
    let base = dir.path().join("bazowe");
    let write = |path: &std::path::Path, bytes: &[u8]| {
        std::fs::write(path, bytes)
            .map_err(|e| schema_error(format!("cannot write {}: {e}", path.display())))
    };
    std::fs::create_dir(&base)
        .map_err(|e| schema_error(format!("cannot create {}: {e}", base.display())))?;
    for (name, bytes) in BASE {
        write(&base.join(name), bytes)?;
    }
    let main_path = dir.path().join(MAIN_FILE);
    write(&main_path, main.as_bytes())?;
    let path = main_path
        .to_str()
        .filter(|p| !p.contains('\0'))
        .ok_or_else(|| schema_error("the temporary path is not valid UTF-8"))?;
    let mut parser = SchemaParserContext::from_file(path);
    let compiled = SchemaValidationContext::from_parser(&mut parser)
        .map_err(|errors| schema_error(errors.iter().map(describe).collect::<Vec<_>>().join("; ")));
    drop(parser);
    // The compiled schema no longer needs the files.
    let _ = dir.close();
    compiled
}

fn describe(e: &StructuredError) -> String {
    let message = e.message.as_deref().unwrap_or("unknown error").trim();
    match (&e.filename, e.line) {
        (Some(file), Some(line)) => format!("{file}:{line}: {message}"),
        _ => message.to_owned(),
    }
}

/// Compiles the schema on this thread if not yet done.
pub(crate) fn ensure_compiled() -> crate::Result<()> {
    let compiled = VALIDATOR.try_with(|cell| {
        let mut slot = cell
            .try_borrow_mut()
            .map_err(|e| schema_error(e.to_string()))?;
        if slot.is_none() {
            *slot = Some(compile()?);
        }
        Ok(())
    });
    compiled.unwrap_or_else(|e| Err(schema_error(e.to_string())))
}

/// One schema error from libxml2.
#[derive(Debug)]
pub(crate) struct XsdError {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// The result of handing the text to libxml2.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// libxml2 refused to parse the document (not well-formed).
    NotWellFormed,
    /// Parsed; the schema errors, if the schema was asked for.
    Parsed(Vec<XsdError>),
    /// The schema could not be compiled or used on this thread.
    Unavailable(String),
}

/// Parses `text` with libxml2 (the well-formedness rule) and, if `validate`, validates it
/// against FA(3).
pub(crate) fn parse_and_validate(text: &str, validate: bool) -> Outcome {
    init_libxml();
    let Ok(doc) = Parser::default().parse_string_with_options(text, parser_options()) else {
        return Outcome::NotWellFormed;
    };
    if !validate {
        return Outcome::Parsed(Vec::new());
    }
    let outcome = VALIDATOR.try_with(|cell| {
        let Ok(mut slot) = cell.try_borrow_mut() else {
            return Outcome::Unavailable("the validator is busy on this thread".to_owned());
        };
        if slot.is_none() {
            match compile() {
                Ok(v) => *slot = Some(v),
                Err(e) => return Outcome::Unavailable(e.to_string()),
            }
        }
        let Some(validator) = slot.as_mut() else {
            return Outcome::Unavailable("no validator".to_owned());
        };
        // rust-libxml panics when libxml2 reports an internal error (-1); keep the thread
        // alive and drop the validator, which is compiled again on next use.
        let result =
            std::panic::catch_unwind(AssertUnwindSafe(|| validator.validate_document(&doc)));
        match result {
            Ok(Ok(())) => Outcome::Parsed(Vec::new()),
            Ok(Err(errors)) => Outcome::Parsed(
                errors
                    .into_iter()
                    .filter(|e| matches!(e.level, XmlErrorLevel::Error | XmlErrorLevel::Fatal))
                    .map(|e| XsdError {
                        message: e
                            .message
                            .as_deref()
                            .unwrap_or("schema validation error")
                            .trim()
                            .replace(FA3_NAMESPACE, ""),
                        // libxml2 2.9 stores element lines in 16 bits unless told
                        // XML_PARSE_BIG_LINES (not reachable through rust-libxml): 65535
                        // means "65535 or later", so it is left out.
                        line: e
                            .line
                            .and_then(|l| u32::try_from(l).ok())
                            .filter(|&l| l > 0 && l < 65_535),
                        column: e.col.and_then(|c| u32::try_from(c).ok()).filter(|&c| c > 0),
                    })
                    .collect(),
            ),
            Err(_) => {
                *slot = None;
                Outcome::Unavailable("libxml2 reported an internal error".to_owned())
            }
        }
    });
    outcome.unwrap_or_else(|e| Outcome::Unavailable(e.to_string()))
}
