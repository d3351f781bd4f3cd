//! Batch sessions: open, close, then decrypt, join, unpack and process every invoice
//! (crypto-and-sessions.md §5).

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use chrono::Duration;
use ksef_client::models::sessions::{
    CompressionType, OpenBatchSessionRequest, OpenBatchSessionResponse, PartUploadRequest,
};
use ksef_core::crypto::Sha256Hash;

use super::base_url;
use super::extract::Caller;
use super::online::{
    SESSION_LIFETIME_H, check_form, finalize, session_of, session_status, unwrap_session_key,
};
use crate::archive::{self, UnpackLimits};
use crate::error::{ApiError, ApiResult};
use crate::invoice_check::Rejection;
use crate::pipeline::{SessionView, Submission};
use crate::state::{BatchInfo, Part, Phase, Session, SessionKind, SimState};
use crate::wire::{ApiJson, refno};

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/sessions/batch", post(open))
        .route("/sessions/batch/{referenceNumber}/close", post(close))
}

/// The signed upload link of one part.
pub(crate) fn part_url(
    state: &SimState,
    base: &str,
    reference: &str,
    ordinal: u32,
    expires: i64,
) -> String {
    let sig = state
        .0
        .signer
        .mac_b64(&format!("PUT:{reference}:{ordinal}:{expires}"));
    format!("{base}/storage/batch/{reference}/{ordinal}?se={expires}&sig={sig}")
}

async fn open(
    State(state): State<SimState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(req): ApiJson<OpenBatchSessionRequest>,
) -> ApiResult<(StatusCode, Json<OpenBatchSessionResponse>)> {
    caller.require(&["InvoiceWrite", "EnforcementOperations"])?;
    check_form(&req.form_code)?;
    let limits = state.config().limits;
    let file = &req.batch_file;
    if file.file_parts.is_empty() {
        return Err(ApiError::validation(
            "fileParts: wymagana co najmniej 1 część.",
        ));
    }
    if file.file_parts.len() > limits.max_parts {
        return Err(ApiError::bad_request(
            21161,
            format!(
                "Liczba części {} przekracza dozwoloną liczbę {}.",
                file.file_parts.len(),
                limits.max_parts
            ),
        ));
    }
    if file.file_size < 1 || file.file_size > limits.max_package_size {
        return Err(ApiError::validation(format!(
            "fileSize musi mieścić się w zakresie 1..{}.",
            limits.max_package_size
        )));
    }
    let tar_gz = match &file.compression_type {
        None | Some(CompressionType::Zip) => false,
        Some(CompressionType::TarGz) => true,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "compressionType {other:?} nie jest wspierany."
            )));
        }
    };
    let file_hash = file.file_hash;
    let mut parts = Vec::new();
    let mut seen = HashSet::new();
    for p in &file.file_parts {
        if p.ordinal_number < 1 || !seen.insert(p.ordinal_number) {
            return Err(ApiError::validation(format!(
                "ordinalNumber {} jest nieprawidłowy lub powtórzony.",
                p.ordinal_number
            )));
        }
        // Parts are at most 100 MB before encryption: one block more after.
        if p.file_size < 1 || p.file_size > limits.max_part_size + 16 {
            return Err(ApiError::bad_request(
                21157,
                format!(
                    "Rozmiar części {} przekroczył dozwolony rozmiar 100MB.",
                    p.ordinal_number
                ),
            ));
        }
        parts.push(Part {
            ordinal: p.ordinal_number,
            size: p.file_size,
            hash: p.file_hash,
            data: None,
        });
    }
    let key = unwrap_session_key(&state, &req.encryption)?;
    let now = state.now();
    let reference = state.next_ref("SB");
    let upload_deadline = now + Duration::minutes(20 * parts.len() as i64);
    let base = base_url(&headers);
    let uploads: Vec<PartUploadRequest> = parts
        .iter()
        .map(|p| PartUploadRequest {
            ordinal_number: p.ordinal,
            method: "PUT".into(),
            url: part_url(
                &state,
                &base,
                &reference,
                p.ordinal,
                upload_deadline.timestamp(),
            ),
            headers: [("x-ms-blob-type".to_owned(), Some("BlockBlob".to_owned()))].into(),
        })
        .collect();
    let (token_ref, auth_ref) = {
        let db = state.db();
        let op = db.auth_ops.get(&caller.claims.auth_ref);
        (
            op.and_then(|o| o.token_ref.clone()),
            caller.claims.auth_ref.clone(),
        )
    };
    let session = Session {
        reference: reference.clone(),
        kind: SessionKind::Batch,
        context: caller.context.clone(),
        auth_ref,
        token_ref,
        form: req.form_code,
        key,
        created: now,
        updated: now,
        valid_until: now + Duration::hours(SESSION_LIFETIME_H),
        closed: None,
        phase: Phase::Open,
        ready_at: state.ready_at(),
        invoices: Vec::new(),
        offline_mode: req.offline_mode,
        batch: Some(BatchInfo {
            file_size: file.file_size,
            file_hash,
            tar_gz,
            parts,
            upload_deadline,
        }),
        upo_pages: Vec::new(),
    };
    let mut db = state.db();
    db.insert_session(reference.clone(), session);
    Ok((
        StatusCode::CREATED,
        Json(OpenBatchSessionResponse {
            reference_number: refno(&reference),
            part_upload_requests: uploads,
        }),
    ))
}

async fn close(
    State(state): State<SimState>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(&["InvoiceWrite", "EnforcementOperations"])?;
    let now = state.now();
    {
        let mut db = state.db();
        let s = session_of(&state, &mut db, &caller, &reference)?;
        if s.kind != SessionKind::Batch || s.phase != Phase::Open {
            let (code, _, _) = session_status(s);
            return Err(ApiError::bad_request(
                21180,
                format!("Status sesji {code} uniemożliwia jej zamknięcie."),
            ));
        }
        let Some(batch) = &s.batch else {
            return Err(ApiError::bad_request(21180, "To nie jest sesja wsadowa."));
        };
        if now > batch.upload_deadline {
            s.phase = Phase::Final {
                code: 440,
                details: vec!["Przekroczono czas wysyłki".into()],
            };
            s.closed = Some(now);
            return Err(ApiError::bad_request(
                21208,
                "Sesja anulowana, przekroczono czas wysyłki.",
            ));
        }
        for p in &batch.parts {
            match &p.data {
                None => {
                    return Err(ApiError::bad_request(
                        21205,
                        format!("Zadeklarowana część '{}' nie została przesłana.", p.ordinal),
                    ));
                }
                Some(d) if d.len() as u64 != p.size => {
                    return Err(ApiError::bad_request(
                        21157,
                        format!(
                            "Zadeklarowany rozmiar części '{}' nie zgadza się z rzeczywistym.",
                            p.ordinal
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        s.phase = Phase::Processing;
        s.closed = Some(now);
        s.updated = now;
    }
    let worker = state.clone();
    tokio::task::spawn_blocking(move || process(&worker, &reference));
    Ok(StatusCode::NO_CONTENT)
}

fn fail(state: &SimState, reference: &str, code: u16, detail: String) {
    let now = state.now();
    let ready = state.ready_at();
    if let Some(s) = state.db().sessions.get_mut(reference) {
        s.phase = Phase::Final {
            code,
            details: vec![detail],
        };
        s.updated = now;
        s.ready_at = ready;
    }
}

/// Decrypts, joins, unpacks and processes a closed batch session.
pub(crate) fn process(state: &SimState, reference: &str) {
    let Some((session, batch)) = ({
        let db = state.db();
        db.sessions
            .get(reference)
            .and_then(|s| s.batch.clone().map(|b| (s.clone(), b)))
    }) else {
        return;
    };
    let Some(key) = session.key.clone() else {
        return fail(
            state,
            reference,
            415,
            "Nie udało się odszyfrować klucza symetrycznego.".into(),
        );
    };
    let mut parts = batch.parts.clone();
    parts.sort_by_key(|p| p.ordinal);
    let mut archive = Vec::with_capacity(batch.file_size.min(1 << 30) as usize);
    for p in &parts {
        let Some(data) = &p.data else {
            return fail(state, reference, 405, format!("Brak części {}.", p.ordinal));
        };
        if Sha256Hash::of(data) != p.hash {
            return fail(
                state,
                reference,
                405,
                format!(
                    "Skrót części {} nie zgadza się z zadeklarowanym.",
                    p.ordinal
                ),
            );
        }
        match key.decrypt(data) {
            Ok(plain) => archive.extend_from_slice(&plain),
            Err(_) => {
                return fail(
                    state,
                    reference,
                    435,
                    format!("Nie udało się odszyfrować części {}.", p.ordinal),
                );
            }
        }
    }
    if archive.len() as u64 != batch.file_size || Sha256Hash::of(&archive) != batch.file_hash {
        return fail(
            state,
            reference,
            405,
            "Rozmiar lub skrót paczki nie zgadza się z zadeklarowanym.".into(),
        );
    }
    let limits = state.config().limits;
    let unpack = UnpackLimits {
        max_entries: limits.max_invoices,
        max_entry_size: limits.max_invoice_with_attachment_size,
        max_total_size: limits.max_unpacked_size,
    };
    let entries = if batch.tar_gz {
        archive::untar_gz(&archive, unpack)
    } else {
        archive::unzip(&archive, unpack)
    };
    drop(archive);
    let entries = match entries {
        Ok(e) => e,
        Err(e) => return fail(state, reference, e.code, e.detail),
    };
    if entries.is_empty() {
        return fail(state, reference, 440, "Nie przesłano faktur".into());
    }
    let invoicing_date = session.created;
    let subs = check_parallel(state, entries, session.offline_mode, invoicing_date);
    let view = SessionView {
        reference: session.reference.clone(),
        kind: SessionKind::Batch,
        context: session.context.clone(),
        form: session.form.clone(),
    };
    let mut db = state.db();
    let mut refs = Vec::with_capacity(subs.len());
    for (i, sub) in subs.into_iter().enumerate() {
        refs.push(state.register_invoice(&mut db, &view, i as u32 + 1, sub));
    }
    if let Some(s) = db.sessions.get_mut(reference) {
        s.invoices = refs;
    }
    let now = state.now();
    finalize(state, &mut db, reference, now);
}

fn check_parallel(
    state: &SimState,
    entries: Vec<archive::Entry>,
    offline: bool,
    invoicing_date: chrono::DateTime<chrono::Utc>,
) -> Vec<Submission> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = entries.len().div_ceil(threads).max(1);
    let mut entries = entries;
    let mut chunks = Vec::new();
    while !entries.is_empty() {
        let rest = entries.split_off(chunk.min(entries.len()));
        chunks.push(std::mem::replace(&mut entries, rest));
    }
    // On the check workers, which keep their compiled schema between batches.
    let pending: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let state = state.clone();
            crate::workers::spawn(move || {
                chunk
                    .into_iter()
                    .map(|(name, data)| {
                        let (bytes, too_large) = match data {
                            Ok(b) => (b, None),
                            Err(why) => (Vec::new(), Some(why)),
                        };
                        let sub = Submission {
                            hash: Sha256Hash::of(&bytes),
                            plain: Ok(Arc::new(bytes)),
                            file_name: Some(name),
                            offline_declared: offline,
                            hash_of_corrected: None,
                            invoicing_date,
                            checked: None,
                        };
                        match too_large {
                            None => sub.check(&state),
                            Some(why) => Submission {
                                checked: Some(Err(Rejection {
                                    code: 430,
                                    details: vec![why],
                                })),
                                ..sub
                            },
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    pending
        .into_iter()
        .flat_map(|rx| rx.recv().unwrap_or_default())
        .collect()
}
