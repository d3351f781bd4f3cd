//! `GET /security/public-key-certificates`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::rfc3339;
use crate::state::SimState;

pub fn routes() -> Router<SimState> {
    Router::new().route("/security/public-key-certificates", get(list))
}

async fn list(State(state): State<SimState>) -> Json<Value> {
    let keys = state.keys();
    Json(Value::Array(
        keys.current
            .iter()
            .map(|k| {
                let p = &k.published;
                json!({
                    "certificate": STANDARD.encode(p.certificate.der()),
                    "certificateId": p.certificate.certificate_id().to_base64(),
                    "publicKeyId": p.public_key_id.to_base64(),
                    "validFrom": rfc3339(p.valid_from),
                    "validTo": rfc3339(p.valid_to),
                    "usage": p.usage,
                })
            })
            .collect(),
    ))
}
