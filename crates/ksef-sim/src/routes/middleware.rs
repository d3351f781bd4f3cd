//! Cross-cutting behaviour: error format, faults and outages, rate limits.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::ApiError;
use crate::state::SimState;
use crate::tokens::TokenType;

/// Date-times as the API writes them.
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, false)
}

/// Re-renders errors with the request's format (`X-Error-Format: problem-details`), its path
/// as `instance`, and the simulated time; echoes `X-Test-System-Warning` as `X-System-Warning`.
pub async fn error_format(State(state): State<SimState>, req: Request, next: Next) -> Response {
    let problem = req
        .headers()
        .get("x-error-format")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"problem-details"));
    let warning = req.headers().get("x-test-system-warning").cloned();
    let instance = req.uri().path().to_owned();
    let mut resp = next.run(req).await;
    if let Some(err) = resp.extensions_mut().remove::<ApiError>() {
        let retry = resp.headers().get(header::RETRY_AFTER).cloned();
        resp = err.render(problem, &instance, state.now());
        if let Some(r) = retry {
            resp.headers_mut().insert(header::RETRY_AFTER, r);
        }
    }
    if let Some(w) = warning
        && resp.status().is_success()
    {
        resp.headers_mut().insert("x-system-warning", w);
    }
    resp
}

/// Injected latency, outages (503), 429 bursts and random 500s, for `/v2` only.
pub async fn faults_and_outages(
    State(state): State<SimState>,
    req: Request,
    next: Next,
) -> Response {
    let (latency, burst, fail) = {
        let mut f = state.faults();
        let burst = f.too_many_requests_burst > 0;
        if burst {
            f.too_many_requests_burst -= 1;
        }
        let fail = f.error_5xx_rate > 0.0 && rand::random::<f64>() < f.error_5xx_rate;
        (f.latency_ms, burst, fail)
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let now = state.now();
    if let Some(o) = state.outages().iter().find(|o| o.covers(now)) {
        return ApiError::unavailable(format!(
            "KSeF jest niedostępny ({:?}) od {}.",
            o.kind,
            rfc3339(o.start)
        ))
        .into_response();
    }
    if burst {
        return ApiError::too_many_requests(
            1,
            "Przekroczono limit żądań (symulacja). Spróbuj ponownie po 1 sekundach.",
        )
        .into_response();
    }
    if fail {
        return ApiError::plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Nieznany błąd (symulacja).",
        )
        .into_response();
    }
    next.run(req).await
}

/// The endpoint group of a route (limits-and-errors.md §1.2, §1.4).
pub fn group_of(method: &Method, path: &str) -> &'static str {
    let p = path.strip_prefix("/v2").unwrap_or(path);
    let m = method.as_str();
    match (m, p) {
        (_, "/security/public-key-certificates")
        | (_, "/auth/challenge")
        | (_, "/auth/ksef-token")
        | (_, "/auth/xades-signature")
        | (_, "/auth/token/redeem")
        | (_, "/auth/token/refresh")
        | ("GET", "/auth/{referenceNumber}") => "public",
        ("POST", "/sessions/online") | ("POST", "/sessions/online/{referenceNumber}/close") => {
            "onlineSession"
        }
        ("POST", "/sessions/online/{referenceNumber}/invoices") => "invoiceSend",
        ("POST", "/sessions/batch") | ("POST", "/sessions/batch/{referenceNumber}/close") => {
            "batchSession"
        }
        ("GET", "/sessions") => "sessionList",
        ("GET", "/sessions/{referenceNumber}/invoices")
        | ("GET", "/sessions/{referenceNumber}/invoices/failed") => "sessionInvoiceList",
        ("GET", "/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}") => "invoiceStatus",
        ("GET", p) if p.starts_with("/sessions/") => "sessionMisc",
        ("POST", "/invoices/query/metadata") => "invoiceMetadata",
        ("GET", "/invoices/ksef/{ksefNumber}") => "invoiceDownload",
        _ => "other",
    }
}

fn client_ip(req: &Request) -> String {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "127.0.0.1".to_owned())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// Sliding-window limits per (context, IP) and group; per IP for public endpoints.
pub async fn rate_limit(State(state): State<SimState>, req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| req.uri().path().to_owned());
    let group = group_of(req.method(), &path);
    let ip = client_ip(&req);
    let key = match group {
        "public" => format!("ip:{ip}"),
        _ => bearer(req.headers())
            .and_then(|t| state.0.signer.verify(t, state.now()).ok())
            .filter(|c| c.token_type == TokenType::ContextToken)
            .map(|c| format!("{}:{}@{ip}", c.context_type, c.context_value))
            .unwrap_or_else(|| format!("ip:{ip}")),
    };
    if let Some(limits) = state.rate_profile().get(group)
        && let Err(r) = state.0.limiter.check(&key, group, limits, Instant::now())
    {
        return ApiError::too_many_requests(r.retry_after, r.detail).into_response();
    }
    next.run(req).await
}
