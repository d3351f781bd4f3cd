//! FA(3) test invoices: valid against `schemat_FA(3)_v1-0E.xsd`, with a chosen seller NIP,
//! issue date (`P_1`) and number (`P_2`). For this crate's tests and for other crates' tests.
//!
//! ```
//! use ksef_sim::fixtures::InvoiceBuilder;
//! let xml = InvoiceBuilder::new("5265877635", chrono::NaiveDate::from_ymd_opt(2026, 2, 2).unwrap(), "FV/1/2026")
//!     .lines(3)
//!     .build();
//! assert!(std::str::from_utf8(&xml).unwrap().contains("<P_2>FV/1/2026</P_2>"));
//! ```

use std::fmt::Write as _;

use chrono::NaiveDate;

/// Builds one FA(3) invoice.
#[derive(Debug, Clone)]
pub struct InvoiceBuilder {
    seller_nip: String,
    buyer_nip: String,
    issue_date: NaiveDate,
    number: String,
    kind: String,
    lines: usize,
    note: Option<String>,
    attachment: bool,
}

/// A valid invoice with one line.
pub fn invoice(seller_nip: &str, issue_date: NaiveDate, number: &str) -> Vec<u8> {
    InvoiceBuilder::new(seller_nip, issue_date, number).build()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl InvoiceBuilder {
    /// A VAT invoice from `seller_nip` to NIP 7762811692, one line.
    pub fn new(seller_nip: &str, issue_date: NaiveDate, number: &str) -> Self {
        InvoiceBuilder {
            seller_nip: seller_nip.to_owned(),
            buyer_nip: "7762811692".to_owned(),
            issue_date,
            number: number.to_owned(),
            kind: "VAT".to_owned(),
            lines: 1,
            note: None,
            attachment: false,
        }
    }

    /// The buyer's NIP.
    pub fn buyer(mut self, nip: &str) -> Self {
        self.buyer_nip = nip.to_owned();
        self
    }

    /// `RodzajFaktury` (only `VAT` makes a complete invoice without correction data).
    pub fn kind(mut self, kind: &str) -> Self {
        self.kind = kind.to_owned();
        self
    }

    /// Number of invoice lines (`FaWiersz`); about 330 bytes each, so 30 lines make ~10 KB.
    pub fn lines(mut self, n: usize) -> Self {
        self.lines = n.max(1);
        self
    }

    /// Free text in `SystemInfo`: changes the bytes (and the hash) without changing the data,
    /// as a technical correction does.
    pub fn note(mut self, note: &str) -> Self {
        self.note = Some(note.to_owned());
        self
    }

    /// Adds a `Zalacznik` (attachment) block.
    pub fn attachment(mut self) -> Self {
        self.attachment = true;
        self
    }

    /// The XML bytes.
    pub fn build(&self) -> Vec<u8> {
        let d = self.issue_date.format("%Y-%m-%d");
        let mut lines = String::new();
        for i in 1..=self.lines {
            let _ = write!(
                lines,
                "\n    <FaWiersz>\n      <NrWierszaFa>{i}</NrWierszaFa>\n      <P_7>Usługa testowa numer {i}</P_7>\n      <P_8A>szt.</P_8A>\n      <P_8B>1</P_8B>\n      <P_9A>100.00</P_9A>\n      <P_11>100.00</P_11>\n      <P_12>23</P_12>\n    </FaWiersz>"
            );
        }
        let net = 100 * self.lines;
        let vat = 23 * self.lines;
        let attachment = if self.attachment {
            "\n  <Zalacznik>\n    <BlokDanych>\n      <ZNaglowek>Dane dodatkowe</ZNaglowek>\n      <MetaDane>\n        <ZKlucz>Projekt</ZKlucz>\n        <ZWartosc>Test</ZWartosc>\n      </MetaDane>\n      <Tekst>\n        <Akapit>Załącznik testowy.</Akapit>\n      </Tekst>\n    </BlokDanych>\n  </Zalacznik>"
        } else {
            ""
        };
        let system_info = esc(self.note.as_deref().unwrap_or("ksef-sim fixtures"));
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Faktura xmlns="http://crd.gov.pl/wzor/2025/06/25/13775/" xmlns:etd="http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/">
  <Naglowek>
    <KodFormularza kodSystemowy="FA (3)" wersjaSchemy="1-0E">FA</KodFormularza>
    <WariantFormularza>3</WariantFormularza>
    <DataWytworzeniaFa>{d}T08:00:00Z</DataWytworzeniaFa>
    <SystemInfo>{system_info}</SystemInfo>
  </Naglowek>
  <Podmiot1>
    <DaneIdentyfikacyjne>
      <NIP>{seller}</NIP>
      <Nazwa>Sprzedawca Testowy sp. z o.o.</Nazwa>
    </DaneIdentyfikacyjne>
    <Adres>
      <KodKraju>PL</KodKraju>
      <AdresL1>ul. Testowa 1</AdresL1>
      <AdresL2>00-001 Warszawa</AdresL2>
    </Adres>
  </Podmiot1>
  <Podmiot2>
    <DaneIdentyfikacyjne>
      <NIP>{buyer}</NIP>
      <Nazwa>Nabywca Testowy S.A.</Nazwa>
    </DaneIdentyfikacyjne>
    <Adres>
      <KodKraju>PL</KodKraju>
      <AdresL1>ul. Odbiorcza 2</AdresL1>
      <AdresL2>30-001 Kraków</AdresL2>
    </Adres>
    <JST>2</JST>
    <GV>2</GV>
  </Podmiot2>
  <Fa>
    <KodWaluty>PLN</KodWaluty>
    <P_1>{d}</P_1>
    <P_2>{number}</P_2>
    <P_13_1>{net}.00</P_13_1>
    <P_14_1>{vat}.00</P_14_1>
    <P_15>{gross}.00</P_15>
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
    <RodzajFaktury>{kind}</RodzajFaktury>{lines}
  </Fa>{attachment}
</Faktura>
"#,
            seller = esc(&self.seller_nip),
            buyer = esc(&self.buyer_nip),
            number = esc(&self.number),
            kind = esc(&self.kind),
            gross = net + vat,
        )
        .into_bytes()
    }
}
