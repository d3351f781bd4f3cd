//! `GET /limits/context`, `GET /rate-limits` and the rate-limit test endpoints.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use ksef_client::models::limits::{
    EffectiveApiRateLimits, EffectiveContextLimits, SessionContextLimits,
};
use serde_json::{Value, json};

use super::extract::Caller;
use crate::config::RateLimitProfile;
use crate::error::{ApiError, ApiResult};
use crate::state::SimState;
use crate::wire::ApiJson;

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/limits/context", get(context))
        .route("/rate-limits", get(rate_limits))
        .route("/testdata/rate-limits", post(set).delete(reset))
        .route("/testdata/rate-limits/production", post(production))
}

async fn context(State(state): State<SimState>, _caller: Caller) -> Json<EffectiveContextLimits> {
    let l = state.config().limits;
    let mb = |b: u64| u32::try_from(b / 1_000_000).unwrap_or(u32::MAX);
    let one = SessionContextLimits {
        max_invoice_size_in_mb: mb(l.max_invoice_size),
        max_invoice_with_attachment_size_in_mb: mb(l.max_invoice_with_attachment_size),
        max_invoices: u32::try_from(l.max_invoices).unwrap_or(u32::MAX),
    };
    Json(EffectiveContextLimits {
        online_session: one,
        batch_session: one,
    })
}

fn profile_json(p: &RateLimitProfile) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in &p.groups {
        if k != "public" {
            m.insert(k.clone(), json!(v));
        }
    }
    Value::Object(m)
}

async fn rate_limits(
    State(state): State<SimState>,
    _caller: Caller,
) -> ApiResult<Json<EffectiveApiRateLimits>> {
    // The profile is a map keyed by the group names of `EffectiveApiRateLimits`.
    serde_json::from_value(profile_json(&state.rate_profile()))
        .map(Json)
        .map_err(|e| {
            ApiError::plain(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                format!("Profil limitów jest niekompletny: {e}"),
            )
        })
}

async fn set(
    State(state): State<SimState>,
    _caller: Caller,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Value>> {
    let groups = body
        .get("rateLimits")
        .cloned()
        .ok_or_else(|| ApiError::validation("rateLimits: wymagane."))?;
    let mut p = state.rate_profile();
    let parsed: std::collections::BTreeMap<String, crate::config::WindowLimits> =
        serde_json::from_value(groups).map_err(|e| ApiError::validation(e.to_string()))?;
    p.groups.extend(parsed);
    state.set_rate_profile(p);
    Ok(Json(json!({})))
}

async fn reset(State(state): State<SimState>, _caller: Caller) -> Json<Value> {
    state.set_rate_profile(state.config().rate_limits.clone());
    Json(json!({}))
}

async fn production(State(state): State<SimState>, _caller: Caller) -> Json<Value> {
    state.set_rate_profile(RateLimitProfile::production());
    Json(json!({}))
}
