//! Authentication with a KSeF token (auth-and-certificates.md §3, §5–§10).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use ksef_client::models::auth::{
    AuthenticationChallengeResponse, AuthenticationInitResponse, AuthenticationListItem,
    AuthenticationListResponse, AuthenticationMethod, AuthenticationMethodCategory,
    AuthenticationMethodInfo, AuthenticationOperationStatusResponse,
    AuthenticationTokenRefreshResponse, AuthenticationTokensResponse,
    InitTokenAuthenticationRequest,
};
use ksef_client::models::common::{StatusInfo, TokenInfo};
use ksef_core::crypto::{PublicKeyUsage, unwrap_with_key};
use ksef_core::ids::ContextIdentifier;

use super::extract::{AnySessionBearer, Caller, ClientIp, OperationBearer, RefreshBearer};
use crate::error::{ApiError, ApiResult};
use crate::state::{AuthOp, SimState};
use crate::tokens::{Claims, TokenType};
use crate::wire::{ApiJson, dt, refno, status_info};

pub fn routes() -> Router<SimState> {
    Router::new()
        .route("/auth/challenge", post(challenge))
        .route("/auth/ksef-token", post(ksef_token))
        .route("/auth/token/redeem", post(redeem))
        .route("/auth/token/refresh", post(refresh))
        .route("/auth/sessions", get(list_sessions))
        .route("/auth/sessions/current", delete(revoke_current))
        .route("/auth/sessions/{referenceNumber}", delete(revoke_session))
        .route("/auth/{referenceNumber}", get(status))
}

const CHALLENGE_LIFETIME_MIN: i64 = 10;
const OPERATION_TOKEN_LIFETIME_MIN: i64 = 45;

async fn challenge(
    State(state): State<SimState>,
    ClientIp(ip): ClientIp,
) -> Json<AuthenticationChallengeResponse> {
    let now = state.now();
    let challenge = state.next_ref("CR");
    state
        .db()
        .challenges
        .insert(challenge.clone(), (now, false));
    Json(AuthenticationChallengeResponse {
        challenge,
        timestamp: dt(now),
        timestamp_ms: now.timestamp_millis(),
        client_ip: ip,
    })
}

pub(crate) fn sign(
    state: &SimState,
    token_type: TokenType,
    op: &AuthOp,
    valid_until: DateTime<Utc>,
) -> TokenInfo {
    let now = state.now();
    let claims = Claims {
        token_type,
        auth_ref: op.reference.clone(),
        context_type: op.context.type_name().to_owned(),
        context_value: op.context.value().to_owned(),
        permissions: op.permissions.clone(),
        exp: valid_until.timestamp(),
        iat: now.timestamp(),
        iss: "ksef-sim".into(),
        jti: hex::encode(rand::random::<[u8; 8]>()),
    };
    TokenInfo {
        token: state.0.signer.sign(&claims),
        valid_until: dt(valid_until),
    }
}

async fn ksef_token(
    State(state): State<SimState>,
    ApiJson(req): ApiJson<InitTokenAuthenticationRequest>,
) -> ApiResult<(StatusCode, Json<AuthenticationInitResponse>)> {
    let now = state.now();
    let context = ContextIdentifier::parse(
        req.context_identifier.kind.as_str(),
        &req.context_identifier.value,
    )
    .map_err(|e| ApiError::validation(format!("contextIdentifier: {e}")))?;
    let challenge_ts = {
        let mut db = state.db();
        match db.challenges.get_mut(&req.challenge) {
            Some((ts, used))
                if !*used && now - *ts <= Duration::minutes(CHALLENGE_LIFETIME_MIN) =>
            {
                *used = true;
                *ts
            }
            _ => {
                return Err(ApiError::bad_request(
                    21111,
                    format!(
                        "Wyzwanie {} jest nieznane, wygasło lub zostało użyte.",
                        req.challenge
                    ),
                ));
            }
        }
    };
    let cipher = STANDARD
        .decode(req.encrypted_token.trim())
        .map_err(|e| ApiError::validation(format!("encryptedToken nie jest w Base64: {e}")))?;
    let plain = {
        let keys = state.keys();
        let candidates = keys.keys_for(
            PublicKeyUsage::KsefTokenEncryption,
            req.public_key_id.as_deref(),
        )?;
        candidates
            .iter()
            .find_map(|k| unwrap_with_key(k, &cipher).ok())
    };
    let reference = state.next_ref("AU");
    let mut db = state.db();
    let mut op = AuthOp {
        reference: reference.clone(),
        context: context.clone(),
        start: now,
        status: (200, Vec::new()),
        token_ref: None,
        permissions: Vec::new(),
        redeemed: false,
        revoked: false,
        refresh_valid_until: None,
        last_refresh: None,
        ready_at: state.ready_at(),
    };
    let fail = |why: &str| (450u16, vec![why.to_owned()]);
    op.status = match plain
        .as_deref()
        .map(|p| String::from_utf8_lossy(p).into_owned())
    {
        None => fail("Nieprawidłowy token"),
        Some(text) => match text.rsplit_once('|') {
            None => fail("Nieprawidłowy token"),
            Some((token, ts)) if ts != challenge_ts.timestamp_millis().to_string() => {
                let _ = token;
                fail("Nieprawidłowy czas tokena")
            }
            Some((token, _)) => match db.ksef_tokens.iter_mut().find(|t| t.secret == token) {
                None => fail("Nieprawidłowy token"),
                Some(t) if t.revoked => fail("Token unieważniony"),
                Some(t) if t.context != context => {
                    (415, vec!["Brak przypisanych uprawnień".to_owned()])
                }
                Some(t) => {
                    t.last_use = Some(now);
                    op.token_ref = Some(t.reference.clone());
                    op.permissions = t.permissions.clone();
                    (200, Vec::new())
                }
            },
        },
    };
    let token = sign(
        &state,
        TokenType::OperationToken,
        &op,
        now + Duration::minutes(OPERATION_TOKEN_LIFETIME_MIN),
    );
    db.auth_ops.insert(reference.clone(), op);
    Ok((
        StatusCode::ACCEPTED,
        Json(AuthenticationInitResponse {
            reference_number: refno(&reference),
            authentication_token: token,
        }),
    ))
}

fn auth_status_description(code: u16) -> &'static str {
    match code {
        100 => "Uwierzytelnianie w toku",
        200 => "Uwierzytelnianie zakończone sukcesem",
        415 => "Uwierzytelnianie zakończone niepowodzeniem",
        425 => "Uwierzytelnienie unieważnione",
        450 => "Uwierzytelnianie zakończone niepowodzeniem z powodu błędnego tokenu",
        _ => "Nieznany błąd",
    }
}

/// The operation's status as shown now.
fn op_status(op: &AuthOp) -> StatusInfo {
    let (code, details) = if std::time::Instant::now() < op.ready_at {
        (100, Vec::new())
    } else if op.revoked {
        (
            425,
            vec![
                "Uwierzytelnienie i powiązane tokeny odświeżające zostały unieważnione.".to_owned(),
            ],
        )
    } else {
        op.status.clone()
    };
    status_info(code, auth_status_description(code), &details)
}

fn method_info() -> AuthenticationMethodInfo {
    AuthenticationMethodInfo {
        category: AuthenticationMethodCategory::Token,
        code: "token.ksef".into(),
        display_name: "Token KSeF".into(),
    }
}

fn op_response(op: &AuthOp) -> AuthenticationOperationStatusResponse {
    AuthenticationOperationStatusResponse {
        start_date: dt(op.start),
        authentication_method: Some(AuthenticationMethod::Token),
        authentication_method_info: method_info(),
        status: op_status(op),
        is_token_redeemed: Some(op.redeemed),
        last_token_refresh_date: op.last_refresh.map(dt),
        refresh_token_valid_until: op.refresh_valid_until.map(dt),
    }
}

fn op_list_item(op: &AuthOp, current: &str) -> AuthenticationListItem {
    AuthenticationListItem {
        start_date: dt(op.start),
        authentication_method: Some(AuthenticationMethod::Token),
        authentication_method_info: method_info(),
        status: op_status(op),
        is_token_redeemed: Some(op.redeemed),
        last_token_refresh_date: op.last_refresh.map(dt),
        refresh_token_valid_until: op.refresh_valid_until.map(dt),
        reference_number: refno(&op.reference),
        is_current: Some(op.reference == current),
    }
}

async fn status(
    State(state): State<SimState>,
    OperationBearer(claims): OperationBearer,
    Path(reference): Path<String>,
) -> ApiResult<Json<AuthenticationOperationStatusResponse>> {
    let mut db = state.db();
    let op = &*db.auth_op_mut(&reference)?;
    if claims.auth_ref != reference {
        return Err(ApiError::forbidden(
            "insufficient-resource-access",
            "Token nie dotyczy tej operacji uwierzytelnienia.",
        ));
    }
    if state.now() - op.start > Duration::days(7) {
        return Err(ApiError::gone("Operacja wygasła i nie jest już dostępna."));
    }
    Ok(Json(op_response(op)))
}

async fn redeem(
    State(state): State<SimState>,
    OperationBearer(claims): OperationBearer,
) -> ApiResult<Json<AuthenticationTokensResponse>> {
    let now = state.now();
    let mut db = state.db();
    let op = db.auth_op_mut(&claims.auth_ref)?;
    if std::time::Instant::now() < op.ready_at || op.status.0 != 200 {
        let code = if std::time::Instant::now() < op.ready_at {
            100
        } else {
            op.status.0
        };
        return Err(ApiError::bad_request(
            21301,
            format!("Status uwierzytelniania ({code}) nie pozwala na pobranie tokenów."),
        ));
    }
    if op.redeemed {
        return Err(ApiError::bad_request(
            21301,
            format!("Tokeny dla operacji {} zostały już pobrane.", op.reference),
        ));
    }
    op.redeemed = true;
    let refresh_until = now + state.config().refresh_token_lifetime;
    op.refresh_valid_until = Some(refresh_until);
    let op = op.clone();
    drop(db);
    let access = sign(
        &state,
        TokenType::ContextToken,
        &op,
        now + state.config().access_token_lifetime,
    );
    let refresh = sign(&state, TokenType::RefreshToken, &op, refresh_until);
    Ok(Json(AuthenticationTokensResponse {
        access_token: access,
        refresh_token: refresh,
    }))
}

async fn refresh(
    State(state): State<SimState>,
    RefreshBearer(claims): RefreshBearer,
) -> ApiResult<Json<AuthenticationTokenRefreshResponse>> {
    let now = state.now();
    let mut db = state.db();
    let op = db.auth_op_mut(&claims.auth_ref)?;
    if op.revoked {
        return Err(ApiError::bad_request(
            21301,
            "Status uwierzytelniania nie pozwala na odświeżenie tokenu dostępowego.",
        ));
    }
    op.last_refresh = Some(now);
    let op = op.clone();
    let token_revoked = op.token_ref.as_ref().is_some_and(|r| {
        db.ksef_tokens
            .iter()
            .any(|t| &t.reference == r && t.revoked)
    });
    drop(db);
    if token_revoked {
        return Err(ApiError::bad_request(
            21301,
            "Token KSeF został unieważniony.",
        ));
    }
    let access = sign(
        &state,
        TokenType::ContextToken,
        &op,
        now + state.config().access_token_lifetime,
    );
    Ok(Json(AuthenticationTokenRefreshResponse {
        access_token: access,
    }))
}

async fn list_sessions(
    State(state): State<SimState>,
    caller: Caller,
) -> Json<AuthenticationListResponse> {
    let db = state.db();
    let mut items: Vec<&AuthOp> = db
        .auth_ops
        .values()
        .filter(|o| o.context == caller.context && o.status.0 == 200 && !o.revoked)
        .collect();
    items.sort_by_key(|o| std::cmp::Reverse(o.start));
    Json(AuthenticationListResponse {
        continuation_token: None,
        items: items
            .iter()
            .map(|o| op_list_item(o, &caller.claims.auth_ref))
            .collect(),
    })
}

fn revoke(state: &SimState, context_of_caller: &str, reference: &str) -> ApiResult<StatusCode> {
    let mut db = state.db();
    match db.auth_ops.get_mut(reference) {
        Some(op) if op.context.to_string() == context_of_caller => {
            op.revoked = true;
            Ok(StatusCode::NO_CONTENT)
        }
        _ => Err(ApiError::validation(format!(
            "Sesja uwierzytelnienia {reference} nie została znaleziona."
        ))),
    }
}

async fn revoke_current(
    State(state): State<SimState>,
    AnySessionBearer(claims): AnySessionBearer,
) -> ApiResult<StatusCode> {
    let ctx = format!("{}:{}", claims.context_type, claims.context_value);
    revoke(&state, &ctx, &claims.auth_ref)
}

async fn revoke_session(
    State(state): State<SimState>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<StatusCode> {
    revoke(&state, &caller.context.to_string(), &reference)
}
