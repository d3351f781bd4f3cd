//! The report of a check: problems, their rules and places.

use std::fmt;

use super::InvoiceFields;

/// The answer of [`super::InvoiceChecker::check`]: every problem found, and the key fields
/// when they could be read.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    /// Every problem, in the order the rules ran (see [`Rule`]).
    pub problems: Vec<Problem>,
    /// The key fields, when they could be read (also when there are problems). Boxed to keep
    /// the report small as the error of [`super::InvoiceChecker::inspect`].
    pub fields: Option<Box<InvoiceFields>>,
}

impl CheckReport {
    /// Whether the invoice passed every rule.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// Whether some problem was found under `rule`.
    pub fn has(&self, rule: Rule) -> bool {
        self.problems.iter().any(|p| p.rule == rule)
    }

    /// The problems found under `rule`.
    pub fn of(&self, rule: Rule) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(move |p| p.rule == rule)
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.problems.is_empty() {
            return f.write_str("no problems");
        }
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// One broken rule at one place.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// The rule.
    pub rule: Rule,
    /// Where in the file.
    pub location: Location,
    /// What is wrong, for people.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(rule: Rule, location: Location, message: impl Into<String>) -> Self {
        Problem {
            rule,
            location,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    /// `line 12, column 5 (/Faktura/Fa/P_1): [xsd] message`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: [{}] {}",
            self.location,
            self.rule.code(),
            self.message
        )
    }
}

/// The rules KSeF applies to an invoice file (`weryfikacja-faktury`), and the reading of the
/// key fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// The file is larger than 1 000 000 bytes, or 3 000 000 bytes with attachments.
    Size,
    /// The file starts with the UTF-8 byte order mark `EF BB BF`.
    Bom,
    /// The file is not valid UTF-8.
    Utf8,
    /// The XML declaration names an encoding other than UTF-8.
    PrologEncoding,
    /// The XML declaration names a version other than 1.0.
    PrologVersion,
    /// A processing instruction other than the XML declaration.
    ProcessingInstruction,
    /// A character XML 1.0 forbids or discourages (W3C XML §2.2).
    ForbiddenCharacter,
    /// The file is not well-formed XML 1.0.
    WellFormed,
    /// The file does not conform to the FA(3) schema.
    Xsd,
    /// A NIP whose check digit is wrong.
    NipChecksum,
    /// The issue date `P_1` is after the date of acceptance.
    IssueDateInFuture,
    /// A key field is missing.
    MissingField,
    /// A key field is present but cannot be read (bad NIP format, date, amount, kind).
    InvalidField,
    /// The schema could not be compiled on this thread, so the schema rule could not run.
    SchemaUnavailable,
}

impl Rule {
    /// A stable kebab-case code, e.g. `xsd`, `nip-checksum`; the same as in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Rule::Size => "size",
            Rule::Bom => "bom",
            Rule::Utf8 => "utf8",
            Rule::PrologEncoding => "prolog-encoding",
            Rule::PrologVersion => "prolog-version",
            Rule::ProcessingInstruction => "processing-instruction",
            Rule::ForbiddenCharacter => "forbidden-character",
            Rule::WellFormed => "well-formed",
            Rule::Xsd => "xsd",
            Rule::NipChecksum => "nip-checksum",
            Rule::IssueDateInFuture => "issue-date-in-future",
            Rule::MissingField => "missing-field",
            Rule::InvalidField => "invalid-field",
            Rule::SchemaUnavailable => "schema-unavailable",
        }
    }

    /// Every rule, in the order they run.
    pub const ALL: [Rule; 14] = [
        Rule::Size,
        Rule::Bom,
        Rule::Utf8,
        Rule::PrologEncoding,
        Rule::PrologVersion,
        Rule::ProcessingInstruction,
        Rule::ForbiddenCharacter,
        Rule::WellFormed,
        Rule::Xsd,
        Rule::NipChecksum,
        Rule::IssueDateInFuture,
        Rule::MissingField,
        Rule::InvalidField,
        Rule::SchemaUnavailable,
    ];
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A place in the invoice file. Every part is optional: a size problem has no place, an
/// encoding problem has a byte offset, a schema problem a line and an element path.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// Line, from 1.
    pub line: Option<u32>,
    /// Column in characters, from 1.
    pub column: Option<u32>,
    /// Path of the element, local names, e.g. `/Faktura/Fa/FaWiersz[3]/P_7` (an index is shown
    /// from the second element of the same name on).
    pub xpath: Option<String>,
    /// Offset in bytes from the start of the file.
    pub byte_offset: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::with_capacity(3);
        if let Some(line) = self.line {
            parts.push(format!("line {line}"));
        }
        if let Some(column) = self.column {
            parts.push(format!("column {column}"));
        }
        if let Some(offset) = self.byte_offset {
            parts.push(format!("byte {offset}"));
        }
        let place = if parts.is_empty() {
            "document".to_owned()
        } else {
            parts.join(", ")
        };
        match &self.xpath {
            Some(xpath) => write!(f, "{place} ({xpath})"),
            None => f.write_str(&place),
        }
    }
}
