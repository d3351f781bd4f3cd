//! The router: API areas under `/v2`, QR pages, Lighthouse, storage links and control.

mod auth;
mod batch;
mod control;
mod extract;
mod invoices;
mod lighthouse;
mod limits;
mod middleware;
mod online;
mod qr;
mod security;
mod status;
mod storage;
mod tokens;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;

use crate::error::ApiError;
use crate::state::SimState;

pub(crate) use middleware::rfc3339;

/// Largest JSON body the API reads: a 3 MB invoice, encrypted and in Base64, with room.
const API_BODY_LIMIT: usize = 6 * 1024 * 1024;

/// The whole simulator as an `axum` router.
///
/// - `/v2/...`: the KSeF API (paths as in `open-api.json`);
/// - `/qr/invoice/...`, `/qr/certificate/...`: the verification pages of KOD I and KOD II;
/// - `/lighthouse/status`, `/lighthouse/messages`: the status service;
/// - `/storage/...`: pre-signed part uploads and UPO downloads (no bearer token);
/// - `/sim/...`: control for tests and demos (clock, outages, faults, state, reset).
pub fn app(state: SimState) -> Router {
    crate::workers::start();
    let api = Router::new()
        .merge(security::routes())
        .merge(auth::routes())
        .merge(tokens::routes())
        .merge(online::routes())
        .merge(batch::routes())
        .merge(status::routes())
        .merge(invoices::routes())
        .merge(limits::routes())
        .route_layer(from_fn_with_state(state.clone(), middleware::rate_limit))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::faults_and_outages,
        ))
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT))
        .fallback(not_found);
    let part_limit = state.config().limits.max_part_size as usize + 64;
    Router::new()
        .nest("/v2", api)
        .nest("/qr", qr::routes())
        .nest("/lighthouse", lighthouse::routes())
        .nest(
            "/storage",
            storage::routes().layer(DefaultBodyLimit::max(part_limit)),
        )
        .nest("/sim", control::routes())
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), middleware::error_format))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::plain(StatusCode::NOT_FOUND, "Nie znaleziono zasobu.")
}

/// `http://{Host}`: links the simulator hands out use the host the client called.
pub(crate) fn base_url(headers: &axum::http::HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b".-:[]".contains(&c))
        })
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}
