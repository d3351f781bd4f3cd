//! KSeF tokens: `POST/GET /tokens`, `GET/DELETE /tokens/{referenceNumber}`
//! (auth-and-certificates.md §13).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use ksef_core::ids::ContextIdentifier;
use serde_json::{Value, json};

use super::extract::Caller;
use super::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::state::{KsefToken, SimState};
use crate::wire::{ApiJson, GenerateTokenRequest};

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/tokens", get(list).post(generate))
        .route("/tokens/{referenceNumber}", get(one).delete(revoke))
}

const PERMISSIONS: [&str; 7] = [
    "InvoiceRead",
    "InvoiceWrite",
    "CredentialsRead",
    "CredentialsManage",
    "SubunitManage",
    "EnforcementOperations",
    "Introspection",
];

async fn generate(
    State(state): State<SimState>,
    caller: Caller,
    ApiJson(req): ApiJson<GenerateTokenRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    if !matches!(
        caller.context,
        ContextIdentifier::Nip(_) | ContextIdentifier::InternalId(_)
    ) {
        return Err(ApiError::bad_request(
            26002,
            format!(
                "Bieżący typ kontekstu: {}; dozwolone: Nip, InternalId.",
                caller.context.type_name()
            ),
        ));
    }
    let len = req.description.chars().count();
    if !(5..=256).contains(&len) {
        return Err(ApiError::validation("description: od 5 do 256 znaków."));
    }
    if req.permissions.is_empty()
        || req
            .permissions
            .iter()
            .any(|p| !PERMISSIONS.contains(&p.as_str()))
    {
        return Err(ApiError::validation("permissions: nieznane uprawnienie."));
    }
    if let Some(missing) = req
        .permissions
        .iter()
        .find(|p| !caller.claims.permissions.contains(p))
    {
        return Err(ApiError::bad_request(
            26001,
            format!("Brak uprawnienia {missing}."),
        ));
    }
    let now = state.now();
    let reference = state.next_ref("EC");
    let secret = format!(
        "{reference}|{}-{}|{}",
        caller.context.type_name().to_ascii_lowercase(),
        caller.context.value(),
        hex::encode(rand::random::<[u8; 32]>())
    );
    state.db().ksef_tokens.push(KsefToken {
        reference: reference.clone(),
        context: caller.context.clone(),
        secret: secret.clone(),
        description: req.description,
        permissions: req.permissions,
        created: now,
        last_use: None,
        revoked: false,
    });
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"referenceNumber": reference, "token": secret})),
    ))
}

fn token_json(t: &KsefToken) -> Value {
    let id = |c: &ContextIdentifier| json!({"type": c.type_name(), "value": c.value()});
    json!({
        "referenceNumber": t.reference,
        "authorIdentifier": match &t.context {
            ContextIdentifier::Nip(n) => json!({"type": "Nip", "value": n.as_str()}),
            other => json!({"type": "Nip", "value": ksef_nip(other)}),
        },
        "contextIdentifier": id(&t.context),
        "description": t.description,
        "requestedPermissions": t.permissions,
        "dateCreated": rfc3339(t.created),
        "lastUseDate": t.last_use.map(rfc3339),
        "status": if t.revoked { "Revoked" } else { "Active" },
        "statusDetails": [],
    })
}

fn ksef_nip(c: &ContextIdentifier) -> String {
    match c {
        ContextIdentifier::Nip(n) => n.as_str().to_owned(),
        ContextIdentifier::InternalId(i) => i.nip().as_str().to_owned(),
        ContextIdentifier::NipVatUe(v) => v.nip().as_str().to_owned(),
        ContextIdentifier::PeppolId(p) => p.as_str().to_owned(),
    }
}

async fn list(State(state): State<SimState>, caller: Caller) -> Json<Value> {
    let db = state.db();
    let mut tokens: Vec<&KsefToken> = db
        .ksef_tokens
        .iter()
        .filter(|t| t.context == caller.context)
        .collect();
    tokens.sort_by_key(|t| std::cmp::Reverse(t.created));
    Json(json!({"tokens": tokens.into_iter().map(token_json).collect::<Vec<_>>()}))
}

async fn one(
    State(state): State<SimState>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<Json<Value>> {
    let db = state.db();
    db.ksef_tokens
        .iter()
        .find(|t| t.reference == reference && t.context == caller.context)
        .map(|t| Json(token_json(t)))
        .ok_or_else(|| ApiError::validation(format!("Token {reference} nie istnieje.")))
}

async fn revoke(
    State(state): State<SimState>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<StatusCode> {
    let mut db = state.db();
    let t = db
        .ksef_tokens
        .iter_mut()
        .find(|t| t.reference == reference && t.context == caller.context)
        .ok_or_else(|| ApiError::validation(format!("Token {reference} nie istnieje.")))?;
    t.revoked = true;
    Ok(StatusCode::NO_CONTENT)
}
