//! The KSeF status service (Lighthouse, "Latarnia"): `/status` and `/messages`, driven by the
//! outage windows of `/sim/outages`. The public docs we hold do not describe its format; this
//! shape is the simulator's own: a status word and messages with FAILURE_START / FAILURE_END.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::rfc3339;
use crate::state::{Outage, OutageKind, SimState};

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/status", get(status))
        .route("/messages", get(messages))
}

fn category(k: OutageKind) -> &'static str {
    match k {
        OutageKind::Maintenance => "MAINTENANCE",
        OutageKind::Failure => "FAILURE",
        OutageKind::TotalFailure => "TOTAL_FAILURE",
    }
}

fn message(o: &Outage, kind: &str, published: chrono::DateTime<chrono::Utc>) -> Value {
    json!({
        "id": format!("{}-{}", o.id, kind),
        "eventId": o.id,
        "category": category(o.kind),
        "type": kind,
        "title": match (o.kind, kind) {
            (OutageKind::Maintenance, _) => "Planowana niedostępność KSeF",
            (_, "FAILURE_END") => "Zakończenie awarii KSeF",
            (OutageKind::TotalFailure, _) => "Awaria całkowita KSeF",
            _ => "Awaria KSeF",
        },
        "text": o.message.clone().unwrap_or_default(),
        "start": rfc3339(o.start),
        "end": o.end.map(rfc3339),
        "published": rfc3339(published),
    })
}

fn all_messages(state: &SimState) -> Vec<Value> {
    let now = state.now();
    let mut out = Vec::new();
    for o in state.outages().iter() {
        let start_type = if o.kind == OutageKind::Maintenance {
            "MAINTENANCE_ANNOUNCEMENT"
        } else {
            "FAILURE_START"
        };
        // Maintenance is announced in advance; failures when they start.
        if o.kind == OutageKind::Maintenance || o.start <= now {
            out.push(message(o, start_type, o.start.min(now)));
        }
        if let Some(end) = o.end
            && end <= now
            && o.kind != OutageKind::Maintenance
        {
            out.push(message(o, "FAILURE_END", end));
        }
    }
    out
}

async fn status(State(state): State<SimState>) -> Json<Value> {
    let now = state.now();
    let active: Vec<Outage> = state
        .outages()
        .iter()
        .filter(|o| o.covers(now))
        .cloned()
        .collect();
    let status = active
        .iter()
        .map(|o| o.kind)
        .max_by_key(|k| match k {
            OutageKind::Maintenance => 1,
            OutageKind::Failure => 2,
            OutageKind::TotalFailure => 3,
        })
        .map_or("AVAILABLE", category);
    let msgs: Vec<Value> = active
        .iter()
        .map(|o| {
            message(
                o,
                if o.kind == OutageKind::Maintenance {
                    "MAINTENANCE_ANNOUNCEMENT"
                } else {
                    "FAILURE_START"
                },
                o.start,
            )
        })
        .collect();
    Json(json!({"status": status, "messages": msgs}))
}

async fn messages(State(state): State<SimState>) -> Json<Value> {
    Json(Value::Array(all_messages(&state)))
}
