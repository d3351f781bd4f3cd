//! Authentication (auth-and-certificates.md §3–§8): challenge, KSeF-token login, status
//! polling, redeem, refresh.

use std::time::Duration;

use base64::Engine;
use ksef_core::crypto::{PublicKeyUsage, wrap_with_certificate};
use secrecy::{ExposeSecret, SecretString};

use crate::auth_state::{AuthTokens, BearerToken};
use crate::client::{Client, Request};
use crate::error::{Error, Result};
use crate::keys::UNKNOWN_KEY;
use crate::models::auth::{
    AuthenticationChallengeResponse, AuthenticationInitResponse,
    AuthenticationOperationStatusResponse, AuthenticationTokensResponse,
    InitTokenAuthenticationRequest,
};
use crate::models::common::{ContextIdentifier, ReferenceNumber, TokenInfo};

/// Authentication calls; see [`Client::auth`].
#[derive(Debug, Clone, Copy)]
pub struct AuthApi<'a> {
    pub(crate) client: &'a Client,
}

/// How long a login waits for a final authentication status.
const LOGIN_DEADLINE: Duration = Duration::from_secs(120);

pub(crate) fn bearer(t: &TokenInfo) -> BearerToken {
    BearerToken::new(t.token.clone(), t.valid_until.to_utc())
}

impl AuthApi<'_> {
    /// POST `/auth/challenge`.
    ///
    /// ```no_run
    /// # async fn run(client: ksef_client::Client) -> ksef_client::Result<()> {
    /// let challenge = client.auth().challenge().await?;
    /// println!("{} at {}", challenge.challenge, challenge.timestamp_ms);
    /// # Ok(()) }
    /// ```
    pub async fn challenge(&self) -> Result<AuthenticationChallengeResponse> {
        let req = Request::post("POST /auth/challenge", "/auth/challenge").public();
        self.client.execute(req).await?.json()
    }

    /// POST `/auth/ksef-token`: starts a login with a KSeF token. The token and the challenge
    /// time are encrypted with the `KsefTokenEncryption` key (auth-and-certificates.md §5.1).
    ///
    /// On `21470` (the cached key was withdrawn) the key cache is refreshed and the error
    /// returned: the challenge may already be spent, so repeat with a new challenge.
    /// [`login_with_ksef_token`](Self::login_with_ksef_token) does that by itself.
    ///
    /// ```no_run
    /// # use ksef_client::models::common::{ContextIdentifier, ContextIdentifierType};
    /// # async fn run(client: ksef_client::Client, token: secrecy::SecretString) -> ksef_client::Result<()> {
    /// let context = ContextIdentifier { kind: ContextIdentifierType::Nip, value: "5265877635".into() };
    /// let challenge = client.auth().challenge().await?;
    /// let started = client.auth().start_ksef_token(&challenge, &context, &token).await?;
    /// # let _ = started; Ok(()) }
    /// ```
    pub async fn start_ksef_token(
        &self,
        challenge: &AuthenticationChallengeResponse,
        context: &ContextIdentifier,
        ksef_token: &SecretString,
    ) -> Result<AuthenticationInitResponse> {
        let usage = PublicKeyUsage::KsefTokenEncryption;
        let key = self.client.public_key(usage, false).await?;
        let plain = SecretString::from(format!(
            "{}|{}",
            ksef_token.expose_secret(),
            challenge.timestamp_ms
        ));
        let encrypted = wrap_with_certificate(&key.certificate, plain.expose_secret().as_bytes())?;
        let body = InitTokenAuthenticationRequest {
            challenge: challenge.challenge.clone(),
            context_identifier: context.clone(),
            encrypted_token: base64::engine::general_purpose::STANDARD.encode(encrypted),
            public_key_id: Some(key.public_key_id.to_base64()),
            authorization_policy: None,
        };
        let req = Request::post("POST /auth/ksef-token", "/auth/ksef-token")
            .public()
            .json(&body)?;
        match self.client.execute(req).await {
            Ok(reply) => reply.json(),
            Err(e) if e.has_code(UNKNOWN_KEY) => {
                tracing::info!("21470: the token-encryption key was withdrawn; fetching keys");
                self.client.public_key(usage, true).await?;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// GET `/auth/{referenceNumber}` with the operation's authentication token.
    ///
    /// ```no_run
    /// # async fn run(client: ksef_client::Client, started: ksef_client::models::auth::AuthenticationInitResponse) -> ksef_client::Result<()> {
    /// let token = secrecy::SecretString::from(started.authentication_token.token.clone());
    /// let status = client.auth().status(&started.reference_number, &token).await?;
    /// println!("{} {}", status.status.code, status.status.description);
    /// # Ok(()) }
    /// ```
    pub async fn status(
        &self,
        reference: &ReferenceNumber,
        authentication_token: &SecretString,
    ) -> Result<AuthenticationOperationStatusResponse> {
        let req = Request::get("GET /auth/{referenceNumber}", format!("/auth/{reference}"))
            .bearer(authentication_token);
        self.client.execute(req).await?.json()
    }

    /// Polls the status with backoff until it is final (not 100); error unless 200.
    pub async fn wait_until_authenticated(
        &self,
        reference: &ReferenceNumber,
        authentication_token: &SecretString,
        deadline: Duration,
    ) -> Result<AuthenticationOperationStatusResponse> {
        let start = std::time::Instant::now();
        let mut wait = Duration::from_millis(100);
        loop {
            let s = self.status(reference, authentication_token).await?;
            match s.status.code {
                100 => {}
                200 => return Ok(s),
                code => {
                    return Err(Error::Auth(format!(
                        "status {code} {}{}",
                        s.status.description,
                        s.status
                            .details
                            .as_ref()
                            .map(|d| format!(": {}", d.join("; ")))
                            .unwrap_or_default()
                    )));
                }
            }
            if start.elapsed() + wait > deadline {
                return Err(Error::Timeout(format!("authentication {reference}")));
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(2));
        }
    }

    /// POST `/auth/token/redeem`: the access and refresh tokens (once per authentication).
    pub async fn redeem(&self, authentication_token: &SecretString) -> Result<AuthTokens> {
        let req = Request::post("POST /auth/token/redeem", "/auth/token/redeem")
            .bearer(authentication_token);
        let r: AuthenticationTokensResponse = self.client.execute(req).await?.json()?;
        Ok(AuthTokens {
            access: bearer(&r.access_token),
            refresh: Some(bearer(&r.refresh_token)),
        })
    }

    /// POST `/auth/token/refresh` now, replacing the client's access token.
    ///
    /// ```no_run
    /// # async fn run(client: ksef_client::Client) -> ksef_client::Result<()> {
    /// let tokens = client.auth().refresh().await?;
    /// println!("valid until {}", tokens.access.valid_until);
    /// # Ok(()) }
    /// ```
    pub async fn refresh(&self) -> Result<AuthTokens> {
        let mut guard = self.client.inner.auth.lock().await;
        let Some(tokens) = guard.as_mut() else {
            return Err(Error::Auth("not authenticated".into()));
        };
        let Some(refresh) = tokens.refresh.clone() else {
            return Err(Error::Auth("no refresh token".into()));
        };
        tokens.access = self.client.refresh_with(&refresh.token).await?;
        Ok(tokens.clone())
    }

    /// The whole KSeF-token login: challenge, encrypted token, status until final, redeem.
    /// The client keeps the tokens and refreshes them by itself from then on. On `21470` the
    /// keys are fetched again and the login repeated once with a new challenge.
    ///
    /// ```no_run
    /// # use ksef_client::models::common::{ContextIdentifier, ContextIdentifierType};
    /// # async fn run(client: ksef_client::Client) -> ksef_client::Result<()> {
    /// let token = secrecy::SecretString::from(std::env::var("KSEF_TOKEN").unwrap_or_default());
    /// let context = ContextIdentifier { kind: ContextIdentifierType::Nip, value: "5265877635".into() };
    /// let tokens = client.auth().login_with_ksef_token(&context, &token).await?;
    /// println!("access token valid until {}", tokens.access.valid_until);
    /// # Ok(()) }
    /// ```
    pub async fn login_with_ksef_token(
        &self,
        context: &ContextIdentifier,
        ksef_token: &SecretString,
    ) -> Result<AuthTokens> {
        // A 21470 refreshes the keys; the second try needs a new challenge too.
        let mut tries = 0;
        let started = loop {
            tries += 1;
            let challenge = self.challenge().await?;
            match self.start_ksef_token(&challenge, context, ksef_token).await {
                Err(e) if e.has_code(UNKNOWN_KEY) && tries == 1 => continue,
                other => break other?,
            }
        };
        let op = SecretString::from(started.authentication_token.token.clone());
        self.wait_until_authenticated(&started.reference_number, &op, LOGIN_DEADLINE)
            .await?;
        let tokens = self.redeem(&op).await?;
        self.client.set_tokens(tokens.clone()).await;
        Ok(tokens)
    }

    /// DELETE `/auth/sessions/current`: ends the current authentication session.
    pub async fn logout(&self) -> Result<()> {
        let req = Request::delete("DELETE /auth/sessions/current", "/auth/sessions/current");
        self.client.execute(req).await?;
        self.client.clear_tokens().await;
        Ok(())
    }
}
