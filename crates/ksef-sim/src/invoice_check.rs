//! The invoice checks, behind one small function: `ksef_core::invoice::InvoiceChecker`
//! decides (XML rules, FA(3) XSD, NIP checksums), then a streaming reading takes the fields
//! the simulator shows (names and amounts for the metadata).

use chrono::NaiveDate;
use ksef_core::Nip;
use quick_xml::events::Event;

/// What the simulator needs to know about an accepted invoice.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceFacts {
    /// `Podmiot1/DaneIdentyfikacyjne/NIP`.
    pub seller_nip: Nip,
    /// `Podmiot1/DaneIdentyfikacyjne/Nazwa`.
    pub seller_name: Option<String>,
    /// `Podmiot2/DaneIdentyfikacyjne/NIP`.
    pub buyer_nip: Option<String>,
    /// `Podmiot2/DaneIdentyfikacyjne/Nazwa`.
    pub buyer_name: Option<String>,
    /// `P_1`.
    pub issue_date: NaiveDate,
    /// `P_2`.
    pub number: String,
    /// `RodzajFaktury`.
    pub kind: String,
    /// `KodWaluty`.
    pub currency: String,
    /// `P_15`.
    pub gross: f64,
    /// Sum of `P_13_*`.
    pub net: f64,
    /// Sum of `P_14_*` (without `P_14_*W`).
    pub vat: f64,
    /// Whether `Zalacznik` is present.
    pub has_attachment: bool,
}

/// Why an invoice is rejected: its invoice status code (430 file verification, 450 semantics)
/// and the details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Invoice status code.
    pub code: u16,
    /// What is wrong.
    pub details: Vec<String>,
}

impl Rejection {
    fn file(d: impl Into<String>) -> Self {
        Rejection {
            code: 430,
            details: vec![d.into()],
        }
    }
    fn semantic(d: impl Into<String>) -> Self {
        Rejection {
            code: 450,
            details: vec![d.into()],
        }
    }
}

/// How strictly to check.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// NIP checksums (production only).
    pub nip_checksums: bool,
    /// FA(3) XSD validation.
    pub xsd: bool,
}

fn checker() -> Option<&'static ksef_core::invoice::InvoiceChecker> {
    static CHECKER: std::sync::OnceLock<Option<ksef_core::invoice::InvoiceChecker>> =
        std::sync::OnceLock::new();
    CHECKER
        .get_or_init(|| ksef_core::invoice::InvoiceChecker::new().ok())
        .as_ref()
}

/// Compiles the FA(3) schema on this thread (worker threads call it when they start).
pub fn warm_up() {
    let _ = checker();
    let _ = ksef_core::invoice::InvoiceChecker::new();
}

/// Checks an FA(3) invoice and reads its key fields. NIP checksum failures are semantic
/// (450); every other rule is a file verification error (430).
pub fn inspect(bytes: &[u8], opts: CheckOptions) -> Result<InvoiceFacts, Rejection> {
    use ksef_core::invoice::Rule;
    let Some(checker) = checker() else {
        return Err(Rejection::file(
            "Schemat FA(3) jest niedostępny w symulatorze.",
        ));
    };
    let core = ksef_core::invoice::CheckOptions {
        accepted_on: None,
        nip_checksums: opts.nip_checksums,
        xsd: opts.xsd,
    };
    let report = checker.check(bytes, &core);
    if !report.is_ok() {
        let semantic = report.problems.iter().all(|p| p.rule == Rule::NipChecksum);
        return Err(Rejection {
            code: if semantic { 450 } else { 430 },
            details: report
                .problems
                .iter()
                .take(20)
                .map(ToString::to_string)
                .collect(),
        });
    }
    match report.fields {
        // The checker read the key fields already: only the names and amounts of the
        // header are left, which come before the lines (`FaWiersz`).
        Some(fields) => read_fields(bytes, opts, Some(fields.has_attachment)),
        None => read_fields(bytes, opts, None),
    }
}

/// The streaming reading of the fields (and the simulator's own first-line XML rules).
///
/// `checked_attachment`: the invoice passed `InvoiceChecker::check`, which found (or not) a
/// `Zalacznik`; the character rules are then known to hold and the reading stops at the
/// first invoice line.
fn read_fields(
    bytes: &[u8],
    opts: CheckOptions,
    checked_attachment: Option<bool>,
) -> Result<InvoiceFacts, Rejection> {
    if checked_attachment.is_none() && bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(Rejection::file(
            "Plik zawiera znacznik BOM (UTF-8 bez BOM jest wymagany).",
        ));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Rejection::file(format!("Plik nie jest poprawnym UTF-8: {e}")))?;
    if checked_attachment.is_none()
        && let Some(c) = text.chars().find(|c| is_discouraged(*c))
    {
        return Err(Rejection::file(format!(
            "Niedozwolony znak U+{:04X} w dokumencie.",
            c as u32
        )));
    }
    let mut reader = quick_xml::Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut f = Partial::default();
    let mut root_seen = false;
    loop {
        match reader.read_event() {
            Err(e) => {
                return Err(Rejection::file(format!(
                    "Dokument XML jest niepoprawny: {e}"
                )));
            }
            Ok(Event::Eof) => break,
            Ok(Event::Decl(d)) => {
                if let Some(Ok(enc)) = d.encoding() {
                    let enc = String::from_utf8_lossy(&enc).to_ascii_lowercase();
                    if enc != "utf-8" && enc != "utf8" {
                        return Err(Rejection::file(format!(
                            "Deklaracja XML wskazuje kodowanie {enc}; wymagane UTF-8."
                        )));
                    }
                }
            }
            Ok(Event::PI(_)) => {
                return Err(Rejection::file(
                    "Dokument zawiera instrukcje przetwarzania.",
                ));
            }
            Ok(Event::DocType(_)) => {
                return Err(Rejection::file("Dokument zawiera deklarację DOCTYPE."));
            }
            Ok(Event::Start(e)) => {
                let name = local(e.name().as_ref());
                if checked_attachment.is_some()
                    && name == "FaWiersz"
                    && path.len() == 2
                    && path[1] == "Fa"
                {
                    break;
                }
                if path.is_empty() {
                    if root_seen || name != "Faktura" {
                        return Err(Rejection::file(format!(
                            "Element główny {name} zamiast Faktura."
                        )));
                    }
                    root_seen = true;
                }
                path.push(name);
                f.on_element(&path, &e);
            }
            Ok(Event::Empty(e)) => {
                let name = local(e.name().as_ref());
                path.push(name);
                f.on_element(&path, &e);
                path.pop();
            }
            Ok(Event::End(_)) => {
                path.pop();
            }
            Ok(Event::Text(t)) => {
                let v = t
                    .decode()
                    .map_err(|e| Rejection::file(format!("Niepoprawny tekst: {e}")))?;
                f.on_text(&path, &v);
            }
            Ok(Event::GeneralRef(r)) => {
                let v = match r.as_ref() {
                    b"amp" => "&",
                    b"lt" => "<",
                    b"gt" => ">",
                    b"quot" => "\"",
                    b"apos" => "'",
                    _ => "",
                };
                f.on_text(&path, v);
            }
            Ok(_) => {}
        }
    }
    if let Some(a) = checked_attachment {
        f.attachment = a;
    }
    f.finish(opts)
}

fn local(name: &[u8]) -> String {
    let n = String::from_utf8_lossy(name);
    match n.rsplit_once(':') {
        Some((_, l)) => l.to_owned(),
        None => n.into_owned(),
    }
}

fn is_discouraged(c: char) -> bool {
    let u = c as u32;
    (0x7F..=0x84).contains(&u)
        || (0x86..=0x9F).contains(&u)
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u >= 0x1FFFE && (u & 0xFFFE) == 0xFFFE)
}

#[derive(Default)]
struct Partial {
    system_code: Option<String>,
    schema_version: Option<String>,
    seller_nip: Option<String>,
    seller_name: Option<String>,
    buyer_nip: Option<String>,
    buyer_name: Option<String>,
    p1: Option<String>,
    p2: Option<String>,
    kind: Option<String>,
    currency: Option<String>,
    p15: Option<String>,
    net: f64,
    vat: f64,
    attachment: bool,
    fa_seen: bool,
}

impl Partial {
    fn on_element(&mut self, path: &[String], e: &quick_xml::events::BytesStart<'_>) {
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        match p.as_slice() {
            ["Faktura", "Naglowek", "KodFormularza"] => {
                for a in e.attributes().flatten() {
                    let v = String::from_utf8_lossy(&a.value).into_owned();
                    match a.key.as_ref() {
                        b"kodSystemowy" => self.system_code = Some(v),
                        b"wersjaSchemy" => self.schema_version = Some(v),
                        _ => {}
                    }
                }
            }
            ["Faktura", "Zalacznik"] => self.attachment = true,
            ["Faktura", "Fa"] => self.fa_seen = true,
            _ => {}
        }
    }

    fn on_text(&mut self, path: &[String], v: &str) {
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        let put = |slot: &mut Option<String>| slot.get_or_insert_with(String::new).push_str(v);
        match p.as_slice() {
            ["Faktura", "Podmiot1", "DaneIdentyfikacyjne", "NIP"] => put(&mut self.seller_nip),
            ["Faktura", "Podmiot1", "DaneIdentyfikacyjne", "Nazwa"] => put(&mut self.seller_name),
            ["Faktura", "Podmiot2", "DaneIdentyfikacyjne", "NIP"] => put(&mut self.buyer_nip),
            ["Faktura", "Podmiot2", "DaneIdentyfikacyjne", "Nazwa"] => put(&mut self.buyer_name),
            ["Faktura", "Fa", "P_1"] => put(&mut self.p1),
            ["Faktura", "Fa", "P_2"] => put(&mut self.p2),
            ["Faktura", "Fa", "RodzajFaktury"] => put(&mut self.kind),
            ["Faktura", "Fa", "KodWaluty"] => put(&mut self.currency),
            ["Faktura", "Fa", "P_15"] => put(&mut self.p15),
            ["Faktura", "Fa", field] if field.starts_with("P_13_") => {
                self.net += v.trim().parse::<f64>().unwrap_or(0.0)
            }
            ["Faktura", "Fa", field] if field.starts_with("P_14_") && !field.ends_with('W') => {
                self.vat += v.trim().parse::<f64>().unwrap_or(0.0)
            }
            _ => {}
        }
    }

    fn finish(self, opts: CheckOptions) -> Result<InvoiceFacts, Rejection> {
        match (self.system_code.as_deref(), self.schema_version.as_deref()) {
            (Some("FA (3)"), Some("1-0E")) => {}
            (s, v) => {
                return Err(Rejection::file(format!(
                    "Dokument nie jest zgodny ze schemą FA (3) 1-0E (kodSystemowy {s:?}, wersjaSchemy {v:?})."
                )));
            }
        }
        let need = |v: Option<String>, what: &str| {
            v.map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| Rejection::file(format!("Brak wymaganego elementu {what}.")))
        };
        let nip_text = need(self.seller_nip, "Podmiot1/DaneIdentyfikacyjne/NIP")?;
        let seller_nip = Nip::parse_unchecked(&nip_text)
            .map_err(|e| Rejection::file(format!("Nieprawidłowy NIP sprzedawcy: {e}")))?;
        if opts.nip_checksums {
            if !seller_nip.has_valid_checksum() {
                return Err(Rejection::semantic(format!(
                    "Nieprawidłowa suma kontrolna NIP {seller_nip} (Podmiot1)."
                )));
            }
            if let Some(b) = &self.buyer_nip
                && !Nip::parse_unchecked(b.trim()).is_ok_and(|n| n.has_valid_checksum())
            {
                return Err(Rejection::semantic(format!(
                    "Nieprawidłowa suma kontrolna NIP {b} (Podmiot2)."
                )));
            }
        }
        if !self.fa_seen {
            return Err(Rejection::file("Brak wymaganego elementu Fa."));
        }
        let p1 = need(self.p1, "Fa/P_1")?;
        let issue_date = NaiveDate::parse_from_str(&p1, "%Y-%m-%d")
            .map_err(|_| Rejection::file(format!("Nieprawidłowa data P_1 {p1:?}.")))?;
        let number = need(self.p2, "Fa/P_2")?;
        if number.chars().count() > 256 {
            return Err(Rejection::file("P_2 jest dłuższe niż 256 znaków."));
        }
        let kind = need(self.kind, "Fa/RodzajFaktury")?;
        if !["VAT", "KOR", "ZAL", "ROZ", "UPR", "KOR_ZAL", "KOR_ROZ"].contains(&kind.as_str()) {
            return Err(Rejection::file(format!(
                "Nieprawidłowy RodzajFaktury {kind:?}."
            )));
        }
        let currency = need(self.currency, "Fa/KodWaluty")?;
        let p15 = need(self.p15, "Fa/P_15")?;
        let gross = p15
            .parse::<f64>()
            .map_err(|_| Rejection::file(format!("Nieprawidłowa kwota P_15 {p15:?}.")))?;
        Ok(InvoiceFacts {
            seller_nip,
            seller_name: self.seller_name.map(|s| s.trim().to_owned()),
            buyer_nip: self.buyer_nip.map(|s| s.trim().to_owned()),
            buyer_name: self.buyer_name.map(|s| s.trim().to_owned()),
            issue_date,
            number,
            kind,
            currency,
            gross,
            net: self.net,
            vat: self.vat,
            has_attachment: self.attachment,
        })
    }
}
