//! Pre-signed links: batch part uploads (`PUT`, no bearer, not rate-limited) and UPO
//! downloads (`GET`, header `x-ms-meta-hash`).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use ksef_core::crypto::Sha256Hash;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::state::{Phase, SimState};

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/batch/{reference}/{ordinal}", put(upload))
        .route("/upo/{session}/{kind}/{id}", get(download_upo))
}

#[derive(Debug, Deserialize)]
struct Signed {
    se: i64,
    sig: String,
}

fn check(state: &SimState, data: &str, q: &Signed) -> ApiResult<()> {
    if !state
        .0
        .signer
        .check_mac_b64(&format!("{data}:{}", q.se), &q.sig)
    {
        return Err(ApiError::unauthorized("Nieprawidłowy podpis adresu."));
    }
    if state.now().timestamp() > q.se {
        return Err(ApiError::forbidden(
            "insufficient-resource-access",
            "Adres wygasł.",
        ));
    }
    Ok(())
}

async fn upload(
    State(state): State<SimState>,
    Path((reference, ordinal)): Path<(String, u32)>,
    Query(q): Query<Signed>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    check(&state, &format!("PUT:{reference}:{ordinal}"), &q)?;
    let mut db = state.db();
    let s = db
        .sessions
        .get_mut(&reference)
        .ok_or_else(|| ApiError::validation("Nieznana sesja."))?;
    if s.phase != Phase::Open {
        return Err(ApiError::forbidden(
            "insufficient-resource-access",
            "Sesja nie przyjmuje już części.",
        ));
    }
    let part = s
        .batch
        .as_mut()
        .and_then(|b| b.parts.iter_mut().find(|p| p.ordinal == ordinal))
        .ok_or_else(|| ApiError::validation("Nieznana część."))?;
    part.data = Some(Arc::new(body.to_vec()));
    Ok(StatusCode::CREATED)
}

/// The signed download link of a UPO: `kind` is `invoice` (id = invoice reference) or `page`
/// (id = UPO page reference).
pub(crate) fn upo_url(
    state: &SimState,
    base: &str,
    session: &str,
    kind: &str,
    id: &str,
    expires: i64,
) -> String {
    let sig = state
        .0
        .signer
        .mac_b64(&format!("GET:{session}:{kind}:{id}:{expires}"));
    format!("{base}/storage/upo/{session}/{kind}/{id}?se={expires}&sig={sig}")
}

/// An XML document with `x-ms-meta-hash`.
pub(crate) fn xml_response(xml: String) -> Response {
    let hash = Sha256Hash::of(xml.as_bytes()).to_base64();
    let mut resp = xml.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    if let Ok(h) = HeaderValue::from_str(&hash) {
        resp.headers_mut().insert("x-ms-meta-hash", h);
    }
    resp
}

async fn download_upo(
    State(state): State<SimState>,
    Path((session, kind, id)): Path<(String, String, String)>,
    Query(q): Query<Signed>,
) -> ApiResult<Response> {
    check(&state, &format!("GET:{session}:{kind}:{id}"), &q)?;
    let xml = match kind.as_str() {
        "invoice" => {
            super::status::invoice_upo_xml(&state, &session, super::status::UpoOf::Reference(&id))
        }
        "page" => super::status::session_upo_xml(&state, &session, &id),
        _ => None,
    };
    xml.map(xml_response)
        .ok_or_else(|| ApiError::plain(StatusCode::NOT_FOUND, "UPO nie istnieje."))
}
