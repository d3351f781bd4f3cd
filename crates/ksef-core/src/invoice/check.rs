//! The order of the rules, and the rules on the key fields.

use chrono::NaiveDate;

use super::rules::{self, MAX_PER_RULE};
use super::scan::{self, Scan};
use super::schema::{self, Outcome};
use super::{
    Amount, CheckOptions, CheckReport, InvoiceFields, InvoiceKind, Location, Problem, Rule,
};
use crate::Nip;

/// Every rule; see [`super::InvoiceChecker::check`].
pub(crate) fn check(bytes: &[u8], opts: &CheckOptions) -> CheckReport {
    let mut problems = Vec::new();

    // Rule 2: UTF-8 without BOM. Later rules run on the decoded text.
    let (text, shift, exact) = rules::decode(bytes, &mut problems);

    // One streaming pass: prolog, processing instructions, element tree, key fields.
    let scan = scan::scan(&text);

    // Rule 1: size (the limit depends on the attachment).
    let has_attachment =
        scan.fields.has_attachment || (scan.malformed.is_some() && contains(bytes, b"Zalacznik"));
    let mut size = Vec::new();
    rules::check_size(bytes.len(), has_attachment, &mut size);
    problems.splice(0..0, size);

    // Rules 3 and 4: prolog and processing instructions (found by the pass).
    for mut p in scan.problems.iter().cloned() {
        p.location.byte_offset = if exact {
            p.location.byte_offset.map(|o| o + shift)
        } else {
            None
        };
        problems.push(p);
    }

    // Rule 5: forbidden and discouraged characters.
    let illegal = rules::check_characters(&text, shift, exact, &mut problems);

    // Rules 6 and 7: well-formed (libxml2 decides, the pass locates) and the schema.
    match schema::parse_and_validate(&text, opts.xsd) {
        Outcome::NotWellFormed => match &scan.malformed {
            Some(p) => problems.push(p.clone()),
            None if !illegal && exact => problems.push(Problem::new(
                Rule::WellFormed,
                Location::default(),
                "libxml2 found the file not well-formed XML 1.0",
            )),
            None => {} // already explained by the character or UTF-8 problem
        },
        Outcome::Parsed(errors) => {
            let count = errors.len();
            for e in errors.into_iter().take(MAX_PER_RULE) {
                problems.push(xsd_problem(&scan, e));
            }
            if count > MAX_PER_RULE {
                problems.push(Problem::new(
                    Rule::Xsd,
                    Location::default(),
                    format!("{} more schema errors not listed", count - MAX_PER_RULE),
                ));
            }
        }
        Outcome::Unavailable(reason) => problems.push(Problem::new(
            Rule::SchemaUnavailable,
            Location::default(),
            format!("the FA(3) schema could not be used: {reason}"),
        )),
    }

    // Rule 8: NIP checksums.
    if opts.nip_checksums {
        nip_checksums(&scan, &mut problems);
    }

    // Rule 10 (and 9, which needs the issue date): the key fields.
    let fields = read_fields(&scan, bytes.len(), scan.malformed.is_none(), &mut problems);
    if let (Some(accepted), Some(f)) = (opts.accepted_on, &fields)
        && f.issue_date > accepted
    {
        let location = scan
            .fields
            .issue_date
            .as_ref()
            .map(|(_, e)| scan.element_location(*e))
            .unwrap_or_default();
        problems.push(Problem::new(
            Rule::IssueDateInFuture,
            location,
            format!(
                "the issue date P_1 {} is after the date of acceptance {accepted}",
                f.issue_date
            ),
        ));
    }

    CheckReport {
        problems,
        fields: fields.map(Box::new),
    }
}

/// The cheap path; see [`super::InvoiceChecker::inspect`].
pub(crate) fn inspect(bytes: &[u8]) -> Result<InvoiceFields, CheckReport> {
    let mut problems = Vec::new();
    let (text, _, exact) = rules::decode(bytes, &mut problems);
    if !exact {
        problems.retain(|p| p.rule == Rule::Utf8);
        return Err(CheckReport {
            problems,
            fields: None,
        });
    }
    let scan = scan::scan(&text);
    let mut problems = Vec::new();
    if let Some(p) = &scan.malformed {
        problems.push(p.clone());
    }
    let fields = read_fields(&scan, bytes.len(), true, &mut problems);
    match fields {
        Some(fields) if problems.is_empty() => Ok(fields),
        _ => Err(CheckReport {
            problems,
            fields: None,
        }),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A libxml2 schema error with the element's path and column where the pass knows them.
fn xsd_problem(scan: &Scan<'_>, e: schema::XsdError) -> Problem {
    let mut location = Location {
        line: e.line,
        column: e.column,
        xpath: None,
        byte_offset: None,
    };
    if let (Some(line), Some(name)) = (e.line, element_in_message(&e.message))
        && let Some(index) = scan.find_on_line(line as usize, name)
    {
        let found = scan.element_location(index);
        location.column = location.column.or(found.column);
        location.xpath = found.xpath;
    }
    Problem::new(Rule::Xsd, location, e.message)
}

/// `Element 'P_2': ...` → `P_2`; `Element '{ns}X', attribute ...` → `X`.
fn element_in_message(message: &str) -> Option<&str> {
    let rest = &message[message.find("Element '")? + "Element '".len()..];
    let name = &rest[..rest.find('\'')?];
    Some(match name.find('}') {
        Some(i) if name.starts_with('{') => &name[i + 1..],
        _ => name,
    })
}

fn nip_checksums(scan: &Scan<'_>, problems: &mut Vec<Problem>) {
    let f = &scan.fields;
    let mut nips: Vec<(&str, &str, usize)> = Vec::new();
    if let Some((v, e)) = &f.seller_nip {
        nips.push(("seller (Podmiot1)", v.as_str(), *e));
    }
    if let Some((v, e)) = &f.buyer_nip {
        nips.push(("buyer (Podmiot2)", v.as_str(), *e));
    }
    for (v, e) in &f.third_nips {
        nips.push(("third party (Podmiot3)", v.as_str(), *e));
    }
    if let Some((v, e)) = &f.authorised_nip {
        nips.push(("authorised entity (PodmiotUpowazniony)", v.as_str(), *e));
    }
    for (v, e) in &f.third_internal_ids {
        let nip = v.trim().split_once('-').map_or(v.trim(), |(nip, _)| nip);
        nips.push(("internal id of the third party (Podmiot3/IDWew)", nip, *e));
    }
    nips.sort_by_key(|&(_, _, e)| e);
    for (whose, value, element) in nips {
        // A NIP of the wrong format is the schema's (and the fields') business.
        if let Ok(nip) = Nip::parse_unchecked(value.trim())
            && !nip.has_valid_checksum()
        {
            problems.push(Problem::new(
                Rule::NipChecksum,
                scan.element_location(element),
                format!("NIP {nip} of the {whose} has a wrong check digit"),
            ));
        }
    }
}

/// Reads the key fields; missing ones are reported when `report_missing`, malformed always.
fn read_fields(
    scan: &Scan<'_>,
    size: usize,
    report_missing: bool,
    problems: &mut Vec<Problem>,
) -> Option<InvoiceFields> {
    let f = &scan.fields;
    // A missing field is located at its parent, when the parent is there.
    let missing = |path: &str, what: &str, problems: &mut Vec<Problem>| {
        if report_missing {
            let names: Vec<&str> = path.split('/').filter(|n| !n.is_empty()).collect();
            let location = (1..names.len())
                .rev()
                .find_map(|n| scan.find_path(&names[..n]))
                .map(|i| scan.element_location(i))
                .unwrap_or_default();
            problems.push(Problem::new(
                Rule::MissingField,
                location,
                format!("{what} {path} is missing"),
            ));
        }
    };
    let invalid = |element: usize, message: String, problems: &mut Vec<Problem>| {
        problems.push(Problem::new(
            Rule::InvalidField,
            scan.element_location(element),
            message,
        ));
    };

    let seller_nip = match &f.seller_nip {
        None => {
            missing(
                "/Faktura/Podmiot1/DaneIdentyfikacyjne/NIP",
                "the seller NIP",
                problems,
            );
            None
        }
        Some((v, e)) => match Nip::parse_unchecked(v.trim()) {
            Ok(nip) => Some(nip),
            Err(err) => {
                invalid(*e, format!("the seller NIP: {err}"), problems);
                None
            }
        },
    };
    let buyer_nip = match &f.buyer_nip {
        None => None,
        Some((v, e)) => match Nip::parse_unchecked(v.trim()) {
            Ok(nip) => Some(nip),
            Err(err) => {
                invalid(*e, format!("the buyer NIP: {err}"), problems);
                None
            }
        },
    };
    let currency = match &f.currency {
        None => {
            missing("/Faktura/Fa/KodWaluty", "the currency", problems);
            None
        }
        Some((v, e)) => {
            let v = v.trim();
            if v.len() == 3 && v.bytes().all(|b| b.is_ascii_uppercase()) {
                Some(v.to_owned())
            } else {
                invalid(
                    *e,
                    format!("the currency KodWaluty {v:?} is not a 3-letter code"),
                    problems,
                );
                None
            }
        }
    };
    let issue_date = match &f.issue_date {
        None => {
            missing("/Faktura/Fa/P_1", "the issue date", problems);
            None
        }
        Some((v, e)) => match parse_date(v.trim()) {
            Some(d) => Some(d),
            None => {
                invalid(
                    *e,
                    format!("the issue date P_1 {v:?} is not a date YYYY-MM-DD"),
                    problems,
                );
                None
            }
        },
    };
    let number = match &f.number {
        None => {
            missing("/Faktura/Fa/P_2", "the invoice number", problems);
            None
        }
        Some((v, e)) => {
            if v.trim().is_empty() {
                invalid(*e, "the invoice number P_2 is empty".to_owned(), problems);
                None
            } else {
                Some(v.clone())
            }
        }
    };
    let total = match &f.total {
        None => None,
        Some((v, e)) => match v.trim().parse::<Amount>() {
            Ok(a) => Some(a),
            Err(err) => {
                invalid(*e, format!("the total P_15: {err}"), problems);
                None
            }
        },
    };
    let kind = match &f.kind {
        None => {
            missing("/Faktura/Fa/RodzajFaktury", "the kind of invoice", problems);
            None
        }
        Some((v, e)) => match v.trim().parse::<InvoiceKind>() {
            Ok(k) => Some(k),
            Err(err) => {
                invalid(*e, err.to_string(), problems);
                None
            }
        },
    };
    Some(InvoiceFields {
        seller_nip: seller_nip?,
        buyer_nip,
        issue_date: issue_date?,
        number: number?,
        kind: kind?,
        currency: currency?,
        total,
        has_attachment: f.has_attachment,
        size,
    })
}

/// `xsd:date` as FA(3) uses it: `YYYY-MM-DD`, optionally with a time zone, which does not
/// change the calendar date.
fn parse_date(v: &str) -> Option<NaiveDate> {
    let date = v.get(..10)?;
    let zone = v.get(10..)?;
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || (zone.len() == 6
            && (zone.starts_with('+') || zone.starts_with('-'))
            && zone.as_bytes()[3] == b':');
    if !zone_ok || date.len() != 10 || date.as_bytes()[4] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn element_names_in_libxml_messages() {
        assert_eq!(
            element_in_message("Element 'P_2': This element is not expected."),
            Some("P_2")
        );
        assert_eq!(
            element_in_message("Element '{urn:x}KodFormularza', attribute 'kodSystemowy': x"),
            Some("KodFormularza")
        );
        assert_eq!(element_in_message("No matching global declaration"), None);
    }

    #[test]
    fn dates() {
        assert!(parse_date("2026-02-10").is_some());
        assert!(parse_date("2026-02-10Z").is_some());
        assert!(parse_date("2026-02-10+01:00").is_some());
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("2026-2-10").is_none());
        assert!(parse_date("10.02.2026").is_none());
        assert!(parse_date("").is_none());
        assert!(parse_date("2026-02-ąą").is_none());
    }
}
