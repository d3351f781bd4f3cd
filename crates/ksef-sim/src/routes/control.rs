//! `/sim/...`: control for tests and demos. Not part of KSeF.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use ksef_core::Clock;
use ksef_core::crypto::Certificate;
use ksef_core::ids::ContextIdentifier;
use serde::Deserialize;
use serde_json::{Value, json};

use super::online::session_status;
use super::rfc3339;
use crate::config::{Faults, RateLimitProfile};
use crate::error::{ApiError, ApiResult};
use crate::state::{Outage, SimState};
use crate::wire::ApiJson;
use ksef_client::models::ContextIdentifier as ContextIdentifierBody;

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/clock", get(clock).post(set_clock))
        .route(
            "/outages",
            get(outages).post(add_outage).delete(clear_outages),
        )
        .route("/faults", get(faults).post(set_faults))
        .route("/state", get(state_dump))
        .route("/reset", post(reset))
        .route("/rotate-keys", post(rotate))
        .route("/certificates", post(register_certificate))
        .route("/certificates/{serial}/revoke", post(revoke_certificate))
        .route("/tokens", post(add_token))
        .route("/grants", post(grant))
        .route("/rate-limits", post(rate_limits))
}

fn ctx(b: &ContextIdentifierBody) -> ApiResult<ContextIdentifier> {
    ContextIdentifier::parse(b.kind.as_str(), &b.value)
        .map_err(|e| ApiError::validation(e.to_string()))
}

async fn clock(State(state): State<SimState>) -> Json<Value> {
    Json(json!({"now": rfc3339(state.now()), "fixed": state.clock().is_fixed()}))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClockRequest {
    fixed: Option<DateTime<Utc>>,
    offset_seconds: Option<i64>,
    advance_seconds: Option<i64>,
}

async fn set_clock(
    State(state): State<SimState>,
    ApiJson(req): ApiJson<ClockRequest>,
) -> Json<Value> {
    if let Some(t) = req.fixed {
        state.clock().set_fixed(t);
    }
    if let Some(s) = req.offset_seconds {
        state.clock().set_offset(Duration::seconds(s));
    }
    if let Some(s) = req.advance_seconds {
        state.clock().advance(Duration::seconds(s));
    }
    Json(json!({"now": rfc3339(state.clock().now()), "fixed": state.clock().is_fixed()}))
}

async fn outages(State(state): State<SimState>) -> Json<Value> {
    Json(json!(*state.outages()))
}

async fn add_outage(
    State(state): State<SimState>,
    ApiJson(mut o): ApiJson<Outage>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    if o.end.is_some_and(|e| e <= o.start) {
        return Err(ApiError::validation("end musi być po start."));
    }
    o.id = state.add_outage(o.clone());
    Ok((StatusCode::CREATED, Json(json!(o))))
}

async fn clear_outages(State(state): State<SimState>) -> StatusCode {
    state.outages().clear();
    StatusCode::NO_CONTENT
}

async fn faults(State(state): State<SimState>) -> Json<Value> {
    Json(json!(*state.faults()))
}

async fn set_faults(State(state): State<SimState>, ApiJson(f): ApiJson<Faults>) -> Json<Value> {
    *state.faults() = f.clone();
    Json(json!(f))
}

async fn state_dump(State(state): State<SimState>) -> Json<Value> {
    let db = state.db();
    let sessions: Vec<Value> = db
        .session_order
        .iter()
        .filter_map(|r| db.sessions.get(r))
        .map(|s| {
            let (code, desc, _) = session_status(s);
            json!({
                "referenceNumber": s.reference,
                "kind": format!("{:?}", s.kind),
                "context": s.context.to_string(),
                "status": {"code": code, "description": desc},
                "dateCreated": rfc3339(s.created),
                "invoiceCount": s.invoices.len(),
            })
        })
        .collect();
    let mut invoices: Vec<Value> = db
        .invoices
        .values()
        .map(|r| {
            json!({
                "referenceNumber": r.reference,
                "sessionReferenceNumber": r.session_ref,
                "ordinalNumber": r.ordinal,
                "ksefNumber": r.ksef_number,
                "invoiceNumber": r.invoice_number,
                "invoiceHash": r.hash.to_base64(),
                "status": r.code,
                "invoicingMode": r.mode,
            })
        })
        .collect();
    invoices.sort_by(|a, b| {
        a["referenceNumber"]
            .as_str()
            .cmp(&b["referenceNumber"].as_str())
    });
    Json(json!({
        "now": rfc3339(state.now()),
        "sessions": sessions,
        "invoices": invoices,
        "authentications": db.auth_ops.len(),
        "tokens": db.ksef_tokens.iter().map(|t| json!({"referenceNumber": t.reference, "context": t.context.to_string(), "revoked": t.revoked})).collect::<Vec<_>>(),
    }))
}

async fn reset(State(state): State<SimState>) -> StatusCode {
    state.reset();
    StatusCode::NO_CONTENT
}

async fn rotate(State(state): State<SimState>) -> ApiResult<Json<Value>> {
    let now = state.now();
    state
        .keys_mut()
        .rotate(now)
        .map_err(|e| ApiError::plain(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let keys = state.keys();
    Ok(Json(json!({
        "publicKeyIds": keys.current.iter().map(|k| k.published.public_key_id.to_base64()).collect::<Vec<_>>(),
        "withdrawn": keys.withdrawn,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CertificateRequest {
    pem: String,
    #[serde(default)]
    contexts: Vec<ContextIdentifierBody>,
}

async fn register_certificate(
    State(state): State<SimState>,
    ApiJson(req): ApiJson<CertificateRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let cert = Certificate::from_pem_or_der(req.pem.as_bytes())
        .map_err(|e| ApiError::validation(e.to_string()))?;
    let contexts = req
        .contexts
        .iter()
        .map(ctx)
        .collect::<ApiResult<Vec<_>>>()?;
    let serial = cert.serial().to_owned();
    state.register_certificate(cert, contexts);
    Ok((
        StatusCode::CREATED,
        Json(json!({"certificateSerialNumber": serial})),
    ))
}

async fn revoke_certificate(
    State(state): State<SimState>,
    Path(serial): Path<String>,
) -> ApiResult<StatusCode> {
    let mut db = state.db();
    let c = db
        .certificates
        .get_mut(&serial.to_ascii_uppercase())
        .ok_or_else(|| {
            ApiError::bad_request(25008, "Certyfikat o podanym numerze seryjnym nie istnieje.")
        })?;
    c.revoked = true;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenRequest {
    context_identifier: ContextIdentifierBody,
    #[serde(default)]
    token: Option<String>,
}

async fn add_token(
    State(state): State<SimState>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let c = ctx(&req.context_identifier)?;
    let token = state.add_token(c, req.token);
    Ok((StatusCode::CREATED, Json(json!({"token": token}))))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrantRequest {
    context_identifier: ContextIdentifierBody,
    seller_nip: String,
}

async fn grant(
    State(state): State<SimState>,
    ApiJson(req): ApiJson<GrantRequest>,
) -> ApiResult<StatusCode> {
    let c = ctx(&req.context_identifier)?;
    state.grant_invoicing(&c, &req.seller_nip);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateLimitRequest {
    profile: Option<String>,
    #[serde(default)]
    groups: Option<RateLimitProfile>,
}

async fn rate_limits(
    State(state): State<SimState>,
    ApiJson(req): ApiJson<RateLimitRequest>,
) -> ApiResult<Json<Value>> {
    let p = match (req.profile.as_deref(), req.groups) {
        (Some("production"), _) => RateLimitProfile::production(),
        (Some("high"), _) => RateLimitProfile::high(),
        (None, Some(g)) => g,
        _ => {
            return Err(ApiError::validation(
                "profile: production | high, or groups",
            ));
        }
    };
    state.set_rate_profile(p.clone());
    Ok(Json(json!(p)))
}
