//! UPO v4-3 documents (`data/upo/upo-v4-3.xsd`), per invoice and per session page.
//!
//! `NazwaPodmiotuPrzyjmujacego` carries the production value `Ministerstwo Finansów`: the XSD
//! fixes it, and the test environments' suffix makes their UPOs schema-invalid
//! (crypto-and-sessions.md §8.2). The simulator prefers schema-valid documents.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Europe::Warsaw;
use ksef_core::crypto::Sha256Hash;
use ksef_core::ids::ContextIdentifier;

use crate::state::{InvoiceRecord, Session};

/// Entries on one session UPO page (`Dokument maxOccurs="10000"`).
pub const PAGE_SIZE: usize = 10_000;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Warsaw)
        .to_rfc3339_opts(SecondsFormat::Millis, false)
}

fn header(out: &mut String, session: &Session) {
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Potwierdzenie xmlns=\"http://upo.schematy.mf.gov.pl/KSeF/v4-3\">\n");
    out.push_str(
        "\t<NazwaPodmiotuPrzyjmujacego>Ministerstwo Finansów</NazwaPodmiotuPrzyjmujacego>\n",
    );
    let _ = writeln!(
        out,
        "\t<NumerReferencyjnySesji>{}</NumerReferencyjnySesji>",
        session.reference
    );
    let (tag, value) = match &session.context {
        ContextIdentifier::Nip(n) => ("Nip", n.as_str().to_owned()),
        ContextIdentifier::InternalId(i) => ("IdWewnetrzny", i.as_str().to_owned()),
        ContextIdentifier::NipVatUe(v) => ("IdZlozonyVatUE", v.as_str().to_owned()),
        ContextIdentifier::PeppolId(p) => ("IdDostawcyUslugPeppol", p.as_str().to_owned()),
    };
    let _ = write!(
        out,
        "\t<Uwierzytelnienie>\n\t\t<IdKontekstu>\n\t\t\t<{tag}>{}</{tag}>\n\t\t</IdKontekstu>\n",
        esc(&value)
    );
    match &session.token_ref {
        Some(t) => {
            let _ = writeln!(
                out,
                "\t\t<NumerReferencyjnyTokenaKSeF>{t}</NumerReferencyjnyTokenaKSeF>"
            );
        }
        None => {
            let _ = writeln!(
                out,
                "\t\t<SkrotDokumentuUwierzytelniajacego>{}</SkrotDokumentuUwierzytelniajacego>",
                Sha256Hash::of(session.auth_ref.as_bytes()).to_base64()
            );
        }
    }
    out.push_str("\t</Uwierzytelnienie>\n");
}

fn structure(out: &mut String, session: &Session) {
    let system = &session.form.system_code;
    let _ = writeln!(
        out,
        "\t<NazwaStrukturyLogicznej>Schemat_{}_v{}.xsd</NazwaStrukturyLogicznej>",
        esc(&system.replace(' ', "")),
        esc(&session.form.schema_version)
    );
    let _ = writeln!(out, "\t<KodFormularza>{}</KodFormularza>", esc(system));
}

fn document(out: &mut String, r: &InvoiceRecord) {
    let Some(facts) = &r.facts else { return };
    let ksef = r.ksef_number.as_deref().unwrap_or_default();
    let acquired = r.acquisition_date.unwrap_or(r.invoicing_date);
    let _ = write!(
        out,
        "\t<Dokument>\n\t\t<NipSprzedawcy>{}</NipSprzedawcy>\n\t\t<NumerKSeFDokumentu>{ksef}</NumerKSeFDokumentu>\n\t\t<NumerFaktury>{}</NumerFaktury>\n\t\t<DataWystawieniaFaktury>{}</DataWystawieniaFaktury>\n\t\t<DataPrzeslaniaDokumentu>{}</DataPrzeslaniaDokumentu>\n\t\t<DataNadaniaNumeruKSeF>{}</DataNadaniaNumeruKSeF>\n\t\t<SkrotDokumentu>{}</SkrotDokumentu>\n\t\t<TrybWysylki>{}</TrybWysylki>\n\t</Dokument>\n",
        facts.seller_nip,
        esc(&facts.number),
        facts.issue_date.format("%Y-%m-%d"),
        local_time(r.invoicing_date),
        local_time(acquired),
        r.hash.to_base64(),
        r.mode.unwrap_or("Online"),
    );
}

/// The UPO of one accepted invoice.
pub fn invoice_upo(session: &Session, record: &InvoiceRecord) -> String {
    let mut out = String::with_capacity(2048);
    header(&mut out, session);
    structure(&mut out, session);
    document(&mut out, record);
    out.push_str("</Potwierdzenie>\n");
    out
}

/// Page `page` (0-based) of the session UPO over the accepted invoices `accepted`.
pub fn session_upo_page(session: &Session, accepted: &[&InvoiceRecord], page: usize) -> String {
    let total = accepted.len().max(1);
    let pages = total.div_ceil(PAGE_SIZE);
    let from = page * PAGE_SIZE;
    let to = (from + PAGE_SIZE).min(accepted.len());
    let mut out = String::with_capacity(512 + (to.saturating_sub(from)) * 600);
    header(&mut out, session);
    let _ = write!(
        out,
        "\t<OpisPotwierdzenia>\n\t\t<Strona>{}</Strona>\n\t\t<LiczbaStron>{pages}</LiczbaStron>\n\t\t<ZakresDokumentowOd>{}</ZakresDokumentowOd>\n\t\t<ZakresDokumentowDo>{}</ZakresDokumentowDo>\n\t\t<CalkowitaLiczbaDokumentow>{}</CalkowitaLiczbaDokumentow>\n\t</OpisPotwierdzenia>\n",
        page + 1,
        from + 1,
        to.max(from + 1),
        total
    );
    structure(&mut out, session);
    for r in accepted.get(from..to).unwrap_or_default() {
        document(&mut out, r);
    }
    out.push_str("</Potwierdzenie>\n");
    out
}
