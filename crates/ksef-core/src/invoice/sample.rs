//! Sample FA(3) invoices for tests, demos and benchmarks.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::Nip;
use crate::invoice::InvoiceKind;

/// A valid FA(3) invoice with `lines` lines at 23% VAT, built from a few facts.
///
/// Amounts are exact: each line is `quantity × unit price` in grosze, summed per invoice.
/// The XML is deterministic for the same facts, so its hash is too.
///
/// Besides seller, date, number and lines: the buyer ([`Self::with_buyer`]), the kind
/// `RodzajFaktury` ([`Self::with_kind`]; only `VAT` makes a complete invoice without
/// correction or advance data), an attachment `Zalacznik` ([`Self::with_attachment`]) and a
/// note in `SystemInfo` ([`Self::with_note`]) that changes the bytes and the hash but not
/// the data, as a technical correction does.
///
/// ```
/// use ksef_core::invoice::{CheckOptions, InvoiceChecker, SampleInvoice};
/// let xml = SampleInvoice::new("5265877635".parse()?, "2026-02-10".parse().unwrap(), "FV/1/2026").to_xml();
/// assert!(InvoiceChecker::new()?.check(&xml, &CheckOptions::default()).is_ok());
/// # Ok::<(), ksef_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SampleInvoice {
    /// Seller NIP (`Podmiot1`).
    pub seller_nip: Nip,
    /// Buyer NIP (`Podmiot2`).
    pub buyer_nip: Nip,
    /// Issue date (`P_1`).
    pub issue_date: NaiveDate,
    /// Invoice number (`P_2`).
    pub number: String,
    /// Number of lines (`FaWiersz`), at least 1.
    pub lines: u32,
    /// Kind of invoice (`RodzajFaktury`), `VAT` by default.
    pub kind: InvoiceKind,
    /// Text of `Naglowek/SystemInfo` (`ksef-offline` when `None`).
    pub note: Option<String>,
    /// Whether to add an attachment block (`Zalacznik`).
    pub attachment: bool,
}

impl SampleInvoice {
    /// One line, buyer `7762811692`.
    pub fn new(seller_nip: Nip, issue_date: NaiveDate, number: &str) -> Self {
        SampleInvoice {
            seller_nip,
            buyer_nip: Nip::parse_unchecked("7762811692").unwrap_or(seller_nip),
            issue_date,
            number: number.to_owned(),
            lines: 1,
            kind: InvoiceKind::Vat,
            note: None,
            attachment: false,
        }
    }

    /// With another buyer (`Podmiot2` NIP).
    pub fn with_buyer(mut self, buyer_nip: Nip) -> Self {
        self.buyer_nip = buyer_nip;
        self
    }

    /// With another kind (`RodzajFaktury`).
    pub fn with_kind(mut self, kind: InvoiceKind) -> Self {
        self.kind = kind;
        self
    }

    /// With `note` in `SystemInfo`: other bytes and hash, same invoice data.
    pub fn with_note(mut self, note: &str) -> Self {
        self.note = Some(note.to_owned());
        self
    }

    /// With an attachment block (`Zalacznik`), which KSeF accepts in batch sessions only.
    pub fn with_attachment(mut self) -> Self {
        self.attachment = true;
        self
    }

    /// With `lines` lines (about 290 bytes each; 35 lines make a 10 KB invoice).
    pub fn with_lines(mut self, lines: u32) -> Self {
        self.lines = lines.max(1);
        self
    }

    /// The invoice XML bytes (UTF-8, no BOM).
    pub fn to_xml(&self) -> Vec<u8> {
        let mut rows = String::new();
        let mut net_grosze: i64 = 0;
        for i in 1..=self.lines {
            let qty = i64::from(i % 7 + 1);
            let unit = 1_000 + i64::from(i) * 137 % 90_000;
            let net = qty * unit;
            net_grosze += net;
            let _ = write!(
                rows,
                "\n    <FaWiersz>\n      <NrWierszaFa>{i}</NrWierszaFa>\n      <P_7>Towar testowy nr {i} – długopis żelowy</P_7>\
                 \n      <P_8A>szt.</P_8A>\n      <P_8B>{qty}</P_8B>\n      <P_9A>{}</P_9A>\n      <P_11>{}</P_11>\
                 \n      <P_12>23</P_12>\n    </FaWiersz>",
                money(unit),
                money(net)
            );
        }
        // VAT rounded half up on the total net amount, as art. 106e allows.
        let vat = (net_grosze * 23 + 50) / 100;
        let attachment = if self.attachment {
            "\n  <Zalacznik>\n    <BlokDanych>\n      <ZNaglowek>Dane dodatkowe</ZNaglowek>\
             \n      <MetaDane>\n        <ZKlucz>Projekt</ZKlucz>\n        <ZWartosc>Test</ZWartosc>\
             \n      </MetaDane>\n      <Tekst>\n        <Akapit>Załącznik testowy.</Akapit>\
             \n      </Tekst>\n    </BlokDanych>\n  </Zalacznik>"
        } else {
            ""
        };
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Faktura xmlns="http://crd.gov.pl/wzor/2025/06/25/13775/">
  <Naglowek>
    <KodFormularza kodSystemowy="FA (3)" wersjaSchemy="1-0E">FA</KodFormularza>
    <WariantFormularza>3</WariantFormularza>
    <DataWytworzeniaFa>{date}T08:00:00Z</DataWytworzeniaFa>
    <SystemInfo>{system_info}</SystemInfo>
  </Naglowek>
  <Podmiot1>
    <DaneIdentyfikacyjne>
      <NIP>{seller}</NIP>
      <Nazwa>Sklep Testowy Sp. z o.o.</Nazwa>
    </DaneIdentyfikacyjne>
    <Adres>
      <KodKraju>PL</KodKraju>
      <AdresL1>ul. Marszałkowska 1, 00-001 Warszawa</AdresL1>
    </Adres>
  </Podmiot1>
  <Podmiot2>
    <DaneIdentyfikacyjne>
      <NIP>{buyer}</NIP>
      <Nazwa>Nabywca Testowy S.A.</Nazwa>
    </DaneIdentyfikacyjne>
    <JST>2</JST>
    <GV>2</GV>
  </Podmiot2>
  <Fa>
    <KodWaluty>PLN</KodWaluty>
    <P_1>{date}</P_1>
    <P_2>{number}</P_2>
    <P_13_1>{net}</P_13_1>
    <P_14_1>{vat}</P_14_1>
    <P_15>{gross}</P_15>
    <Adnotacje>
      <P_16>2</P_16>
      <P_17>2</P_17>
      <P_18>2</P_18>
      <P_18A>2</P_18A>
      <Zwolnienie>
        <P_19N>1</P_19N>
      </Zwolnienie>
      <NoweSrodkiTransportu>
        <P_22N>1</P_22N>
      </NoweSrodkiTransportu>
      <P_23>2</P_23>
      <PMarzy>
        <P_PMarzyN>1</P_PMarzyN>
      </PMarzy>
    </Adnotacje>
    <RodzajFaktury>{kind}</RodzajFaktury>{rows}
  </Fa>{attachment}
</Faktura>
"#,
            date = self.issue_date.format("%Y-%m-%d"),
            seller = self.seller_nip,
            buyer = self.buyer_nip,
            number = xml_escape(&self.number),
            system_info = xml_escape(self.note.as_deref().unwrap_or("ksef-offline")),
            kind = self.kind,
            net = money(net_grosze),
            vat = money(vat),
            gross = money(net_grosze + vat),
        )
        .into_bytes()
    }
}

fn money(grosze: i64) -> String {
    format!("{}.{:02}", grosze / 100, grosze % 100)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoice::{CheckOptions, InvoiceChecker};

    #[test]
    fn samples_pass_every_check_and_carry_their_facts() {
        let checker = InvoiceChecker::new().unwrap();
        for lines in [1, 35, 200] {
            let s = SampleInvoice::new(
                "5265877635".parse().unwrap(),
                NaiveDate::from_ymd_opt(2026, 2, 10).unwrap(),
                "FV/<&>/1",
            )
            .with_lines(lines);
            let xml = s.to_xml();
            let report = checker.check(&xml, &CheckOptions::default());
            assert!(report.is_ok(), "{lines} lines: {report}");
            let f = report.fields.unwrap();
            assert_eq!(
                (f.number.as_str(), f.issue_date),
                ("FV/<&>/1", s.issue_date)
            );
            if lines == 35 {
                assert!((9_000..12_000).contains(&xml.len()), "{}", xml.len());
            }
        }
    }

    #[test]
    fn buyer_note_attachment_and_kind() {
        let checker = InvoiceChecker::new().unwrap();
        let base = SampleInvoice::new(
            "5265877635".parse().unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 10).unwrap(),
            "FV/2/2026",
        )
        .with_buyer(Nip::parse_unchecked("5213017228").unwrap());
        let plain = base.to_xml();
        let noted = base.clone().with_note("<poprawka & 2>").to_xml();
        assert_ne!(plain, noted);
        let (a, b) = (
            checker.check(&plain, &CheckOptions::default()),
            checker.check(&noted, &CheckOptions::default()),
        );
        assert!(a.is_ok() && b.is_ok(), "{a}\n{b}");
        let (fields, mut other) = (a.fields.unwrap(), b.fields.unwrap());
        other.size = fields.size;
        assert_eq!(fields, other);
        assert_eq!(fields.buyer_nip.unwrap().as_str(), "5213017228");
        assert!(!fields.has_attachment);

        let with_attachment = base.clone().with_attachment().to_xml();
        let report = checker.check(&with_attachment, &CheckOptions::default());
        assert!(report.is_ok(), "{report}");
        assert!(report.fields.unwrap().has_attachment);

        // Any kind goes into RodzajFaktury (schema validity needs more data than VAT has).
        let kor = base.with_kind(InvoiceKind::Kor).to_xml();
        let report = checker.inspect(&kor).unwrap();
        assert_eq!(report.kind, InvoiceKind::Kor);
    }
}
