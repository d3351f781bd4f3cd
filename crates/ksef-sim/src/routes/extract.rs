//! Extractors: the bearer tokens of each kind, and the client's IP.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use ksef_core::ids::ContextIdentifier;

use crate::error::ApiError;
use crate::state::SimState;
use crate::tokens::{Claims, TokenError, TokenType};

fn verify(parts: &Parts, state: &SimState, want: TokenType) -> Result<Claims, ApiError> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::unauthorized("Wymagane jest uwierzytelnienie."))?;
    let claims = state
        .0
        .signer
        .verify(token.trim(), state.now())
        .map_err(|e| match e {
            TokenError::Expired => ApiError::unauthorized("Token wygasł."),
            TokenError::Invalid => ApiError::unauthorized("Nieprawidłowy token."),
        })?;
    if claims.token_type != want {
        return Err(ApiError::unauthorized(format!(
            "Nieprawidłowy rodzaj tokenu ({:?}); wymagany {want:?}.",
            claims.token_type
        )));
    }
    Ok(claims)
}

/// A caller with a valid access token: its context and permissions.
#[derive(Debug, Clone)]
pub struct Caller {
    pub claims: Claims,
    pub context: ContextIdentifier,
}

impl Caller {
    /// 403 `missing-permissions` unless the caller holds one of `any_of`.
    pub fn require(&self, any_of: &[&str]) -> Result<(), ApiError> {
        if any_of
            .iter()
            .any(|p| self.claims.permissions.iter().any(|h| h == p))
        {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "missing-permissions",
                "Brak wymaganych uprawnień do wykonania operacji w bieżącym kontekście.",
            ))
        }
    }
}

impl FromRequestParts<SimState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SimState) -> Result<Self, ApiError> {
        let claims = verify(parts, state, TokenType::ContextToken)?;
        let context = ContextIdentifier::parse(&claims.context_type, &claims.context_value)
            .map_err(|_| ApiError::unauthorized("Nieprawidłowy token."))?;
        Ok(Caller { claims, context })
    }
}

/// The `authenticationToken` of an authentication operation.
#[derive(Debug, Clone)]
pub struct OperationBearer(pub Claims);

impl FromRequestParts<SimState> for OperationBearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SimState) -> Result<Self, ApiError> {
        verify(parts, state, TokenType::OperationToken).map(OperationBearer)
    }
}

/// A refresh token.
#[derive(Debug, Clone)]
pub struct RefreshBearer(pub Claims);

impl FromRequestParts<SimState> for RefreshBearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SimState) -> Result<Self, ApiError> {
        verify(parts, state, TokenType::RefreshToken).map(RefreshBearer)
    }
}

/// An access or a refresh token (`DELETE /auth/sessions/current` takes either).
#[derive(Debug, Clone)]
pub struct AnySessionBearer(pub Claims);

impl FromRequestParts<SimState> for AnySessionBearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SimState) -> Result<Self, ApiError> {
        verify(parts, state, TokenType::ContextToken)
            .or_else(|_| verify(parts, state, TokenType::RefreshToken))
            .map(AnySessionBearer)
    }
}

/// The client's IP address, as KSeF registers it.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "127.0.0.1".to_owned()),
        ))
    }
}
