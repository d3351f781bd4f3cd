//! KSeF tokens: `POST/GET /tokens`, `GET/DELETE /tokens/{referenceNumber}`
//! (auth-and-certificates.md §13).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use ksef_client::models::tokens::{
    AuthenticationTokenStatus, GenerateTokenRequest, GenerateTokenResponse, QueryTokensResponse,
    TokenAuthorIdentifier, TokenAuthorIdentifierType, TokenStatusResponse,
};
use ksef_core::ids::ContextIdentifier;

use super::extract::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::{KsefToken, SimState};
use crate::wire::{ApiJson, dt, refno};

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
) -> ApiResult<(StatusCode, Json<GenerateTokenResponse>)> {
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
    let permissions: Vec<String> = req
        .permissions
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    if permissions.is_empty()
        || permissions
            .iter()
            .any(|p| !PERMISSIONS.contains(&p.as_str()))
    {
        return Err(ApiError::validation("permissions: nieznane uprawnienie."));
    }
    if let Some(missing) = permissions
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
        permissions,
        created: now,
        last_use: None,
        revoked: false,
    });
    Ok((
        StatusCode::ACCEPTED,
        Json(GenerateTokenResponse {
            reference_number: refno(&reference),
            token: secret,
        }),
    ))
}

fn token_response(t: &KsefToken) -> TokenStatusResponse {
    TokenStatusResponse {
        reference_number: refno(&t.reference),
        author_identifier: TokenAuthorIdentifier {
            kind: TokenAuthorIdentifierType::Nip,
            value: ksef_nip(&t.context),
        },
        context_identifier: (&t.context).into(),
        description: t.description.clone(),
        requested_permissions: t
            .permissions
            .iter()
            .map(|p| p.parse())
            .collect::<Result<_, std::convert::Infallible>>()
            .unwrap_or_else(|e| match e {}),
        date_created: dt(t.created),
        last_use_date: t.last_use.map(dt),
        status: if t.revoked {
            AuthenticationTokenStatus::Revoked
        } else {
            AuthenticationTokenStatus::Active
        },
        status_details: Some(Vec::new()),
    }
}

fn ksef_nip(c: &ContextIdentifier) -> String {
    match c {
        ContextIdentifier::Nip(n) => n.as_str().to_owned(),
        ContextIdentifier::InternalId(i) => i.nip().as_str().to_owned(),
        ContextIdentifier::NipVatUe(v) => v.nip().as_str().to_owned(),
        ContextIdentifier::PeppolId(p) => p.as_str().to_owned(),
    }
}

async fn list(State(state): State<SimState>, caller: Caller) -> Json<QueryTokensResponse> {
    let db = state.db();
    let mut tokens: Vec<&KsefToken> = db
        .ksef_tokens
        .iter()
        .filter(|t| t.context == caller.context)
        .collect();
    tokens.sort_by_key(|t| std::cmp::Reverse(t.created));
    Json(QueryTokensResponse {
        continuation_token: None,
        tokens: tokens.into_iter().map(token_response).collect(),
    })
}

async fn one(
    State(state): State<SimState>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<Json<TokenStatusResponse>> {
    let db = state.db();
    db.ksef_tokens
        .iter()
        .find(|t| t.reference == reference && t.context == caller.context)
        .map(|t| Json(token_response(t)))
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
