//! Interactive sessions: open, send invoice, close (crypto-and-sessions.md §4), and the session
//! life cycle shared with batch sessions.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use ksef_client::models::common::EncryptionInfo;
use ksef_client::models::sessions::{
    OpenOnlineSessionRequest, OpenOnlineSessionResponse, SendInvoiceRequest, SendInvoiceResponse,
};
use ksef_core::crypto::{PublicKeyUsage, Sha256Hash, SymmetricKey, unwrap_with_key};

use super::extract::Caller;
use crate::error::{ApiError, ApiResult};
use crate::pipeline::{SessionView, Submission, check_technical_correction};
use crate::state::{Db, FormCode, Phase, Session, SessionKind, SimState};
use crate::upo::PAGE_SIZE;
use crate::wire::{ApiJson, dt, refno};

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/sessions/online", post(open))
        .route("/sessions/online/{referenceNumber}/invoices", post(send))
        .route("/sessions/online/{referenceNumber}/close", post(close))
}

/// Lifetime of a session (12 h).
pub(crate) const SESSION_LIFETIME_H: i64 = 12;

pub(crate) const WRITE: &[&str] = &["InvoiceWrite", "PefInvoiceWrite", "EnforcementOperations"];

/// Only FA(3) is simulated (the form the offline workflow uses).
pub(crate) fn check_form(form: &FormCode) -> ApiResult<()> {
    if form.system_code == "FA (3)" && form.schema_version == "1-0E" && form.value == "FA" {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "Wskazany kod formularza nie jest wspierany: {} {} {}.",
            form.system_code, form.schema_version, form.value
        )))
    }
}

/// Reads the encryption block: `Ok(None)` when the key does not decrypt (status 415 later).
pub(crate) fn unwrap_session_key(
    state: &SimState,
    enc: &EncryptionInfo,
) -> ApiResult<Option<SymmetricKey>> {
    let wrapped = STANDARD
        .decode(enc.encrypted_symmetric_key.trim())
        .map_err(|e| {
            ApiError::validation(format!("encryptedSymmetricKey nie jest w Base64: {e}"))
        })?;
    let iv = STANDARD
        .decode(enc.initialization_vector.trim())
        .map_err(|e| {
            ApiError::validation(format!("initializationVector nie jest w Base64: {e}"))
        })?;
    if iv.len() != 16 {
        return Err(ApiError::validation(
            "initializationVector musi mieć 16 bajtów.",
        ));
    }
    let keys = state.keys();
    let candidates = keys.keys_for(
        PublicKeyUsage::SymmetricKeyEncryption,
        enc.public_key_id.as_deref(),
    )?;
    Ok(candidates
        .iter()
        .find_map(|k| unwrap_with_key(k, &wrapped).ok())
        .and_then(|key| SymmetricKey::from_parts(&key, &iv).ok()))
}

/// The session's status as shown now: (code, description, details).
pub(crate) fn session_status(s: &Session) -> (u16, &'static str, Vec<String>) {
    let ready = std::time::Instant::now() >= s.ready_at;
    match (&s.kind, &s.phase) {
        (SessionKind::Online, Phase::Open) => (100, "Sesja interaktywna otwarta", vec![]),
        (SessionKind::Online, Phase::Final { .. }) if !ready => {
            (170, "Sesja interaktywna zamknięta", vec![])
        }
        (SessionKind::Batch, Phase::Open) => (100, "Sesja wsadowa rozpoczęta", vec![]),
        (SessionKind::Batch, Phase::Processing) => (150, "Trwa przetwarzanie", vec![]),
        (SessionKind::Batch, Phase::Final { .. }) if !ready => (150, "Trwa przetwarzanie", vec![]),
        (_, Phase::Final { code, details }) => {
            (*code, final_description(s.kind, *code), details.clone())
        }
        (SessionKind::Online, Phase::Processing) => (170, "Sesja interaktywna zamknięta", vec![]),
    }
}

fn final_description(kind: SessionKind, code: u16) -> &'static str {
    match (kind, code) {
        (SessionKind::Online, 200) => "Sesja interaktywna przetworzona pomyślnie",
        (SessionKind::Batch, 200) => "Sesja wsadowa przetworzona pomyślnie",
        (_, 405) => "Błąd weryfikacji poprawności dostarczonych elementów paczki",
        (_, 415) => "Błąd odszyfrowania dostarczonego klucza",
        (_, 420) => "Przekroczony limit faktur w sesji",
        (_, 430) => "Błąd dekompresji pierwotnego archiwum",
        (_, 435) => "Błąd odszyfrowania zaszyfrowanych części archiwum",
        (_, 440) => "Sesja anulowana",
        (_, 445) => "Błąd weryfikacji, brak poprawnych faktur",
        _ => "Nieznany błąd",
    }
}

/// Closes a session's books: the final status and the session UPO pages.
pub(crate) fn finalize(state: &SimState, db: &mut Db, reference: &str, now: DateTime<Utc>) {
    let Some(session) = db.sessions.get(reference) else {
        return;
    };
    let mut ready = state.ready_at();
    let mut ok = 0usize;
    for r in session.invoices.iter().filter_map(|r| db.invoices.get(r)) {
        ready = ready.max(r.ready_at);
        if r.code == 200 {
            ok += 1;
        }
    }
    let total = session.invoices.len();
    let phase = if total == 0 {
        Phase::Final {
            code: 440,
            details: vec!["Nie przesłano faktur".into()],
        }
    } else if ok == 0 {
        Phase::Final {
            code: 445,
            details: vec![],
        }
    } else {
        Phase::Final {
            code: 200,
            details: vec![],
        }
    };
    let pages: Vec<String> = if ok > 0 {
        (0..ok.div_ceil(PAGE_SIZE))
            .map(|_| state.next_ref("EU"))
            .collect()
    } else {
        Vec::new()
    };
    for (i, p) in pages.iter().enumerate() {
        db.upo_pages.insert(p.clone(), (reference.to_owned(), i));
    }
    if let Some(s) = db.sessions.get_mut(reference) {
        s.phase = phase;
        s.ready_at = ready;
        s.closed.get_or_insert(now);
        s.updated = now;
        s.upo_pages = pages;
    }
}

/// Applies the passage of time: an interactive session past `validUntil` closes itself; a
/// batch session not closed within 12 h is cancelled (440).
pub(crate) fn settle(state: &SimState, db: &mut Db, reference: &str) {
    let now = state.now();
    let Some(s) = db.sessions.get_mut(reference) else {
        return;
    };
    if s.phase != Phase::Open || now < s.valid_until {
        return;
    }
    match s.kind {
        SessionKind::Online => finalize(state, db, reference, now),
        SessionKind::Batch => {
            s.phase = Phase::Final {
                code: 440,
                details: vec!["Przekroczono czas wysyłki".into()],
            };
            s.closed = Some(now);
            s.updated = now;
        }
    }
}

/// The caller's session, settled; 21173 when there is none in the caller's context.
pub(crate) fn session_of<'a>(
    state: &SimState,
    db: &'a mut Db,
    caller: &Caller,
    reference: &str,
) -> ApiResult<&'a mut Session> {
    if !crate::refs::is_reference_number(reference) {
        return Err(ApiError::validation(format!(
            "Nieprawidłowy numer referencyjny {reference:?}."
        )));
    }
    settle(state, db, reference);
    match db.sessions.get_mut(reference) {
        Some(s) if s.context == caller.context => Ok(s),
        _ => Err(ApiError::bad_request(
            21173,
            format!("Sesja {reference} nie została znaleziona."),
        )),
    }
}

async fn open(
    State(state): State<SimState>,
    caller: Caller,
    ApiJson(req): ApiJson<OpenOnlineSessionRequest>,
) -> ApiResult<(StatusCode, Json<OpenOnlineSessionResponse>)> {
    caller.require(WRITE)?;
    check_form(&req.form_code)?;
    let key = unwrap_session_key(&state, &req.encryption)?;
    let now = state.now();
    let reference = state.next_ref("SO");
    let valid_until = now + Duration::hours(SESSION_LIFETIME_H);
    let (token_ref, auth_ref) = {
        let db = state.db();
        let op = db.auth_ops.get(&caller.claims.auth_ref);
        (
            op.and_then(|o| o.token_ref.clone()),
            caller.claims.auth_ref.clone(),
        )
    };
    let phase = if key.is_some() {
        Phase::Open
    } else {
        Phase::Final {
            code: 415,
            details: vec!["Nie udało się odszyfrować klucza symetrycznego.".into()],
        }
    };
    let session = Session {
        reference: reference.clone(),
        kind: SessionKind::Online,
        context: caller.context.clone(),
        auth_ref,
        token_ref,
        form: req.form_code,
        key,
        created: now,
        updated: now,
        valid_until,
        closed: None,
        phase,
        ready_at: state.ready_at(),
        invoices: Vec::new(),
        offline_mode: false,
        batch: None,
        upo_pages: Vec::new(),
    };
    let mut db = state.db();
    db.insert_session(reference.clone(), session);
    Ok((
        StatusCode::CREATED,
        Json(OpenOnlineSessionResponse {
            reference_number: refno(&reference),
            valid_until: dt(valid_until),
        }),
    ))
}

async fn send(
    State(state): State<SimState>,
    caller: Caller,
    Path(reference): Path<String>,
    ApiJson(req): ApiJson<SendInvoiceRequest>,
) -> ApiResult<Response> {
    caller.require(WRITE)?;
    let invoice_hash = req.invoice_hash;
    let encrypted_hash = req.encrypted_invoice_hash;
    let corrected = req.hash_of_corrected_invoice;
    if req.invoice_size < 1 || req.encrypted_invoice_size < 1 {
        return Err(ApiError::validation(
            "invoiceSize i encryptedInvoiceSize muszą być dodatnie.",
        ));
    }
    let limits = state.config().limits;
    let cipher = STANDARD
        .decode(req.encrypted_invoice_content.trim())
        .map_err(|e| {
            ApiError::validation(format!("encryptedInvoiceContent nie jest w Base64: {e}"))
        })?;
    let (key, view) = {
        let mut db = state.db();
        let s = session_of(&state, &mut db, &caller, &reference)?;
        if s.kind != SessionKind::Online || s.phase != Phase::Open {
            let (code, _, _) = session_status(s);
            return Err(ApiError::bad_request(
                21180,
                format!("Status sesji {code} uniemożliwia wysyłkę faktur."),
            ));
        }
        if s.invoices.len() >= limits.max_invoices {
            return Err(ApiError::bad_request(
                21155,
                format!(
                    "Sesja {reference} osiągnęła dozwolony limit faktur {}.",
                    limits.max_invoices
                ),
            ));
        }
        let view = SessionView {
            reference: s.reference.clone(),
            kind: s.kind,
            context: s.context.clone(),
            form: s.form.clone(),
        };
        let key = s.key.clone();
        if let Some(c) = &corrected {
            check_technical_correction(&db, req.offline_mode, c)?;
        }
        (key, view)
    };
    // The CPU-bound part (hashes, AES, XML and XSD checks) on a worker, no lock held.
    let offline_mode = req.offline_mode;
    let (invoice_size, encrypted_size) = (req.invoice_size, req.encrypted_invoice_size);
    let worker_state = state.clone();
    let now = state.now();
    let sub = crate::workers::run(move || -> ApiResult<Submission> {
        if cipher.len() as u64 != encrypted_size {
            return Err(ApiError::bad_request(
                21402,
                "Długość treści nie zgadza się z rozmiarem pliku (encryptedInvoiceSize).",
            ));
        }
        if Sha256Hash::of(&cipher) != encrypted_hash {
            return Err(ApiError::bad_request(
                21403,
                "Skrót treści nie zgadza się ze skrótem pliku (encryptedInvoiceHash).",
            ));
        }
        let plain = match key.as_ref().map(|k| k.decrypt(&cipher)) {
            Some(Ok(p)) => Ok(Arc::new(p)),
            _ => Err("Nie udało się odszyfrować faktury kluczem sesji.".to_owned()),
        };
        if let Ok(p) = &plain {
            if p.len() as u64 != invoice_size {
                return Err(ApiError::bad_request(
                    21402,
                    "Długość treści nie zgadza się z rozmiarem pliku (invoiceSize).",
                ));
            }
            if Sha256Hash::of(p) != invoice_hash {
                return Err(ApiError::bad_request(
                    21403,
                    "Skrót treści nie zgadza się ze skrótem pliku (invoiceHash).",
                ));
            }
        }
        Ok(Submission {
            plain,
            hash: invoice_hash,
            file_name: None,
            offline_declared: offline_mode,
            hash_of_corrected: corrected,
            invoicing_date: now,
            checked: None,
        }
        .check(&worker_state))
    })
    .await??;
    let invoice_ref = {
        let mut db = state.db();
        let s = session_of(&state, &mut db, &caller, &reference)?;
        if s.phase != Phase::Open {
            return Err(ApiError::bad_request(
                21180,
                "Sesja została zamknięta w trakcie wysyłki.",
            ));
        }
        let ordinal = s.invoices.len() as u32 + 1;
        // Recheck the correction under the lock: two concurrent corrections of one invoice.
        if let Some(c) = &corrected {
            check_technical_correction(&db, offline_mode, c)?;
        }
        let r = state.register_invoice(&mut db, &view, ordinal, sub);
        if let Some(s) = db.sessions.get_mut(&reference) {
            s.invoices.push(r.clone());
            s.updated = now;
        }
        r
    };
    let drop_response = {
        let mut f = state.faults();
        let d = f.drop_responses_after_accept > 0;
        if d {
            f.drop_responses_after_accept -= 1;
        }
        d
    };
    if drop_response {
        // The invoice is registered; the client sees a broken response.
        let body = Body::from_stream(futures_util::stream::once(async {
            Err::<Vec<u8>, _>(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "ksef-sim: response dropped after the invoice was accepted",
            ))
        }));
        return Ok((StatusCode::ACCEPTED, body).into_response());
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(SendInvoiceResponse {
            reference_number: refno(&invoice_ref),
        }),
    )
        .into_response())
}

async fn close(
    State(state): State<SimState>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(WRITE)?;
    let now = state.now();
    let mut db = state.db();
    let s = session_of(&state, &mut db, &caller, &reference)?;
    if s.kind != SessionKind::Online || s.phase != Phase::Open {
        let (code, _, _) = session_status(s);
        return Err(ApiError::bad_request(
            21180,
            format!("Status sesji {code} uniemożliwia jej zamknięcie."),
        ));
    }
    finalize(&state, &mut db, &reference, now);
    Ok(StatusCode::NO_CONTENT)
}
