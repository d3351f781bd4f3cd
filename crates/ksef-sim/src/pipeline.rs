//! What KSeF does with each invoice after accepting the request: the checks of
//! crypto-and-sessions.md §10 and offline-and-correction.md §4–§6, then the KSeF number.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ksef_core::KsefNumber;
use ksef_core::calendar::{Classification, classify};
use ksef_core::crypto::Sha256Hash;
use ksef_core::ids::ContextIdentifier;

use crate::error::ApiError;
use crate::invoice_check::{self, CheckOptions, InvoiceFacts, Rejection};
use crate::state::{Db, InvoiceRecord, SessionKind, SimState};

pub use ksef_core::calendar::warsaw_date;

/// Invoice status descriptions (crypto-and-sessions.md §7.7).
pub fn invoice_status_description(code: u16) -> &'static str {
    match code {
        100 => "Faktura przyjęta do dalszego przetwarzania",
        150 => "Trwa przetwarzanie",
        200 => "Sukces",
        405 => "Przetwarzanie anulowane z powodu błędu sesji",
        410 => "Nieprawidłowy zakres uprawnień",
        415 => "Brak możliwości wysyłania faktury z załącznikiem",
        430 => "Błąd weryfikacji pliku faktury",
        435 => "Błąd odszyfrowania pliku",
        440 => "Duplikat faktury",
        450 => "Błąd weryfikacji semantyki dokumentu faktury",
        550 => "Operacja została anulowana przez system",
        _ => "Nieznany błąd",
    }
}

/// One invoice on its way in.
#[derive(Debug)]
pub(crate) struct Submission {
    /// The decrypted file, or why it could not be decrypted.
    pub plain: Result<Arc<Vec<u8>>, String>,
    /// SHA-256 of the file (declared and checked for interactive sends; computed for batch).
    pub hash: Sha256Hash,
    pub file_name: Option<String>,
    pub offline_declared: bool,
    pub hash_of_corrected: Option<Sha256Hash>,
    pub invoicing_date: DateTime<Utc>,
    /// The checks made outside the lock.
    pub checked: Option<Result<InvoiceFacts, Rejection>>,
}

impl Submission {
    /// Runs the file checks (slow part, no lock held).
    pub fn check(mut self, state: &SimState) -> Self {
        if let Ok(bytes) = &self.plain {
            let cfg = state.config();
            let has_attachment_limit = cfg.limits.max_invoice_with_attachment_size;
            let result = if bytes.len() as u64 > has_attachment_limit {
                Err(Rejection {
                    code: 430,
                    details: vec![format!(
                        "Rozmiar faktury {} B przekracza dozwolony rozmiar {} B.",
                        bytes.len(),
                        has_attachment_limit
                    )],
                })
            } else {
                invoice_check::inspect(
                    bytes,
                    CheckOptions {
                        nip_checksums: cfg.nip_checksums,
                        xsd: cfg.xsd,
                    },
                )
                .and_then(|f| {
                    if !f.has_attachment && bytes.len() as u64 > cfg.limits.max_invoice_size {
                        Err(Rejection {
                            code: 430,
                            details: vec![format!(
                                "Rozmiar faktury {} B przekracza dozwolony rozmiar {} B.",
                                bytes.len(),
                                cfg.limits.max_invoice_size
                            )],
                        })
                    } else {
                        Ok(f)
                    }
                })
            };
            let scripted = result.is_ok().then(|| {
                let hash = self.hash.to_base64();
                state
                    .faults()
                    .reject_hashes
                    .iter()
                    .find(|r| r.hash == hash)
                    .cloned()
            });
            self.checked = Some(match scripted.flatten() {
                Some(r) => Err(Rejection {
                    code: r.code,
                    details: vec![r.details],
                }),
                None => result,
            });
        }
        self
    }
}

/// Whether the context may issue invoices for the seller (crypto-and-sessions.md §10.7;
/// qr-codes.md §4.7 point 4): its own NIP, the NIP of its internal id or VAT-UE pair, or a
/// grant made through `/sim/grants`.
pub(crate) fn may_invoice_for(db: &Db, context: &ContextIdentifier, seller_nip: &str) -> bool {
    let own = match context {
        ContextIdentifier::Nip(n) => n.as_str() == seller_nip,
        ContextIdentifier::InternalId(i) => i.nip().as_str() == seller_nip,
        ContextIdentifier::NipVatUe(v) => v.nip().as_str() == seller_nip,
        ContextIdentifier::PeppolId(_) => false,
    };
    own || db
        .grants
        .contains(&(context.to_string(), seller_nip.to_owned()))
}

/// The synchronous rules for `hashOfCorrectedInvoice` (offline-and-correction.md §5.4):
/// 21167 when the corrected invoice was accepted, 21166 when a correction of it already was.
pub(crate) fn check_technical_correction(
    db: &Db,
    offline_mode: bool,
    corrected: &Sha256Hash,
) -> Result<(), ApiError> {
    if !offline_mode {
        return Err(ApiError::validation(
            "Korekta techniczna (hashOfCorrectedInvoice) wymaga offlineMode = true.",
        ));
    }
    if db.corrections.contains_key(corrected.as_bytes()) {
        return Err(ApiError::bad_request(
            21166,
            "Faktura posiada już prawidłowo przetworzoną korektę techniczną.",
        ));
    }
    let refs = db.by_hash.get(corrected.as_bytes());
    let records = refs
        .into_iter()
        .flatten()
        .filter_map(|r| db.invoices.get(r))
        .collect::<Vec<_>>();
    if records.iter().any(|r| r.code == 200) {
        return Err(ApiError::bad_request(
            21167,
            "Nie można wysłać korekty technicznej do faktury przetworzonej poprawnie.",
        ));
    }
    if records.is_empty() {
        return Err(ApiError::validation(format!(
            "Nie znaleziono odrzuconej faktury o skrócie {} (hashOfCorrectedInvoice).",
            corrected.to_base64()
        )));
    }
    Ok(())
}

/// Session facts the pipeline needs.
#[derive(Debug, Clone)]
pub(crate) struct SessionView {
    pub reference: String,
    pub kind: SessionKind,
    pub context: ContextIdentifier,
    pub form: crate::state::FormCode,
}

impl SimState {
    /// Registers a checked submission: the rules that need the tables, then the KSeF number.
    /// Returns the invoice reference number.
    pub(crate) fn register_invoice(
        &self,
        db: &mut Db,
        session: &SessionView,
        ordinal: u32,
        sub: Submission,
    ) -> String {
        let reference = self.next_ref("EE");
        let now = self.now();
        let mut record = InvoiceRecord {
            reference: reference.clone(),
            session_ref: session.reference.clone(),
            ordinal,
            hash: sub.hash,
            file_name: sub.file_name,
            invoicing_date: sub.invoicing_date,
            acquisition_date: None,
            permanent_storage_date: None,
            ksef_number: None,
            mode: None,
            code: 500,
            details: Vec::new(),
            extensions: BTreeMap::new(),
            ready_at: self.ready_at(),
            facts: None,
            invoice_number: None,
            content: None,
            hash_of_corrected: sub.hash_of_corrected,
            form: session.form.clone(),
        };
        let outcome = decide(
            db,
            session,
            &sub.plain,
            sub.checked,
            sub.offline_declared,
            sub.invoicing_date,
            sub.hash_of_corrected.is_some(),
        );
        match outcome {
            Err(failure) => {
                let (code, details, extensions, facts) = *failure;
                record.code = code;
                record.details = details;
                record.extensions = extensions;
                record.invoice_number = facts.as_ref().map(|f| f.number.clone());
                record.facts = facts;
            }
            Ok((facts, mode)) => {
                let number = KsefNumber::generate(
                    facts.seller_nip,
                    warsaw_date(sub.invoicing_date),
                    self.0.refs.technical(),
                );
                record.code = 200;
                record.ksef_number = Some(number.as_str().to_owned());
                record.mode = Some(mode);
                record.acquisition_date = Some(now.max(sub.invoicing_date));
                record.permanent_storage_date =
                    Some(now.max(sub.invoicing_date) + chrono::Duration::milliseconds(5));
                record.invoice_number = Some(facts.number.clone());
                record.content = sub.plain.ok();
                db.duplicates.insert(
                    (
                        facts.seller_nip.as_str().to_owned(),
                        facts.kind.clone(),
                        facts.number.clone(),
                    ),
                    reference.clone(),
                );
                db.by_ksef
                    .insert(number.as_str().to_owned(), reference.clone());
                if let Some(orig) = sub.hash_of_corrected {
                    db.corrections.insert(*orig.as_bytes(), reference.clone());
                }
                record.facts = Some(facts);
            }
        }
        db.by_hash
            .entry(*record.hash.as_bytes())
            .or_default()
            .push(reference.clone());
        db.invoices.insert(reference.clone(), record);
        reference
    }
}

/// A rejected invoice: status code, details, extensions, and the fields read if any.
type Failure = Box<(
    u16,
    Vec<String>,
    BTreeMap<String, String>,
    Option<InvoiceFacts>,
)>;

fn decide(
    db: &Db,
    session: &SessionView,
    plain: &Result<Arc<Vec<u8>>, String>,
    checked: Option<Result<InvoiceFacts, Rejection>>,
    offline_declared: bool,
    invoicing_date: DateTime<Utc>,
    technical_correction: bool,
) -> Result<(InvoiceFacts, &'static str), Failure> {
    let fail = |code, d: String, f: Option<InvoiceFacts>| {
        Err(Box::new((code, vec![d], BTreeMap::new(), f)))
    };
    if let Err(e) = plain {
        return fail(435, e.clone(), None);
    }
    let facts = match checked {
        Some(Ok(f)) => f,
        Some(Err(r)) => return Err(Box::new((r.code, r.details, BTreeMap::new(), None))),
        None => return fail(500, "Faktura nie została sprawdzona.".into(), None),
    };
    // P_1 not after the acceptance date (crypto-and-sessions.md §10.3) and the automatic
    // offline classification (offline-and-correction.md §4), days in Warsaw.
    let mode = match classify(facts.issue_date, offline_declared, invoicing_date) {
        Classification::Online => "Online",
        Classification::Offline => "Offline",
        Classification::Rejected { .. } => {
            let d = format!(
                "Data wystawienia faktury (P_1) {} jest późniejsza niż data przyjęcia {}.",
                facts.issue_date,
                warsaw_date(invoicing_date)
            );
            return fail(450, d, Some(facts));
        }
    };
    // Attachments only in batch, except technical corrections (§10.6).
    if facts.has_attachment && session.kind == SessionKind::Online && !technical_correction {
        return fail(
            415,
            "Faktury z załącznikiem można wysyłać tylko w sesji wsadowej.".into(),
            Some(facts),
        );
    }
    if !may_invoice_for(db, &session.context, facts.seller_nip.as_str()) {
        let d = format!(
            "Kontekst {} nie ma uprawnień do wystawiania faktur w imieniu NIP {}.",
            session.context, facts.seller_nip
        );
        return fail(410, d, Some(facts));
    }
    let key = (
        facts.seller_nip.as_str().to_owned(),
        facts.kind.clone(),
        facts.number.clone(),
    );
    if let Some(orig) = db.duplicates.get(&key).and_then(|r| db.invoices.get(r)) {
        let ksef = orig.ksef_number.clone().unwrap_or_default();
        let mut ext = BTreeMap::new();
        ext.insert(
            "originalSessionReferenceNumber".to_owned(),
            orig.session_ref.clone(),
        );
        ext.insert("originalKsefNumber".to_owned(), ksef.clone());
        let d = format!(
            "Duplikat faktury. Faktura o numerze KSeF: {ksef} została już prawidłowo przesłana do systemu w sesji: {}",
            orig.session_ref
        );
        return Err(Box::new((440, vec![d], ext, Some(facts))));
    }
    Ok((facts, mode))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    use chrono::NaiveDate;

    #[test]
    fn warsaw_days() {
        let late = Utc.with_ymd_and_hms(2025, 10, 3, 22, 30, 0).unwrap();
        assert_eq!(
            warsaw_date(late),
            NaiveDate::from_ymd_opt(2025, 10, 4).unwrap()
        );
        let winter = Utc.with_ymd_and_hms(2025, 12, 31, 22, 59, 0).unwrap();
        assert_eq!(
            warsaw_date(winter),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
    }
}
