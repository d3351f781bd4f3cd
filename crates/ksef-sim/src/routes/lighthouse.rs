//! The KSeF status service (Lighthouse, "Latarnia"): `/status` and `/messages`, driven by the
//! outage windows of `/sim/outages`. The public docs we hold do not describe its format; this
//! shape is the simulator's own: a status word and messages with FAILURE_START / FAILURE_END.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use ksef_client::models::lighthouse::{
    LighthouseCategory, LighthouseMessage, LighthouseMessageType, LighthouseStatus,
    LighthouseStatusResponse,
};

use crate::state::{Outage, OutageKind, SimState};
use crate::wire::dt;

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/status", get(status))
        .route("/messages", get(messages))
}

fn category(k: OutageKind) -> LighthouseCategory {
    match k {
        OutageKind::Maintenance => LighthouseCategory::Maintenance,
        OutageKind::Failure => LighthouseCategory::Failure,
        OutageKind::TotalFailure => LighthouseCategory::TotalFailure,
    }
}

fn status_of(k: OutageKind) -> LighthouseStatus {
    match k {
        OutageKind::Maintenance => LighthouseStatus::Maintenance,
        OutageKind::Failure => LighthouseStatus::Failure,
        OutageKind::TotalFailure => LighthouseStatus::TotalFailure,
    }
}

fn message(
    o: &Outage,
    kind: LighthouseMessageType,
    published: chrono::DateTime<chrono::Utc>,
) -> LighthouseMessage {
    let title = match (o.kind, &kind) {
        (OutageKind::Maintenance, _) => "Planowana niedostępność KSeF",
        (_, LighthouseMessageType::FailureEnd) => "Zakończenie awarii KSeF",
        (OutageKind::TotalFailure, _) => "Awaria całkowita KSeF",
        _ => "Awaria KSeF",
    };
    LighthouseMessage {
        id: Some(format!("{}-{}", o.id, kind)),
        event_id: Some(o.id.to_string()),
        category: Some(category(o.kind)),
        kind: Some(kind),
        title: title.to_owned(),
        text: o.message.clone().unwrap_or_default(),
        start: Some(dt(o.start)),
        end: o.end.map(dt),
        version: None,
        published: Some(dt(published)),
    }
}

fn start_type(k: OutageKind) -> LighthouseMessageType {
    if k == OutageKind::Maintenance {
        LighthouseMessageType::MaintenanceAnnouncement
    } else {
        LighthouseMessageType::FailureStart
    }
}

fn all_messages(state: &SimState) -> Vec<LighthouseMessage> {
    let now = state.now();
    let mut out = Vec::new();
    for o in state.outages().iter() {
        // Maintenance is announced in advance; failures when they start.
        if o.kind == OutageKind::Maintenance || o.start <= now {
            out.push(message(o, start_type(o.kind), o.start.min(now)));
        }
        if let Some(end) = o.end
            && end <= now
            && o.kind != OutageKind::Maintenance
        {
            out.push(message(o, LighthouseMessageType::FailureEnd, end));
        }
    }
    out
}

async fn status(State(state): State<SimState>) -> Json<LighthouseStatusResponse> {
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
        .map_or(LighthouseStatus::Available, status_of);
    let messages = active
        .iter()
        .map(|o| message(o, start_type(o.kind), o.start))
        .collect();
    Json(LighthouseStatusResponse { status, messages })
}

async fn messages(State(state): State<SimState>) -> Json<Vec<LighthouseMessage>> {
    Json(all_messages(&state))
}
