//! `GET /limits/context`, `GET /rate-limits` and the rate-limit test endpoints.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
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

async fn context(State(state): State<SimState>, _caller: Caller) -> Json<Value> {
    let l = state.config().limits;
    let one = json!({
        "maxInvoiceSizeInMB": l.max_invoice_size / 1_000_000,
        "maxInvoiceWithAttachmentSizeInMB": l.max_invoice_with_attachment_size / 1_000_000,
        "maxInvoices": l.max_invoices,
    });
    Json(json!({"onlineSession": one, "batchSession": one}))
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

async fn rate_limits(State(state): State<SimState>, _caller: Caller) -> Json<Value> {
    Json(profile_json(&state.rate_profile()))
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
