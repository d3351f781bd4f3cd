//! The client and its HTTP layer: base URLs, bearer tokens with transparent refresh, retries,
//! `X-System-Warning`, error decoding.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use ksef_core::{Environment, EnvironmentUrls};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth_state::{AuthTokens, BearerToken};
use crate::config::{ClientBuilder, trimmed};
use crate::error::{ApiError, Error, Result};
use crate::keys::KeyCache;

/// A technical warning KSeF attached to an answer (`X-System-Warning`, limits-and-errors.md §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemWarning {
    /// The code between brackets.
    pub code: String,
    /// The message (ASCII-folded by KSeF).
    pub message: String,
    /// The call that got it, e.g. `POST /sessions/online`.
    pub endpoint: String,
}

impl SystemWarning {
    /// Splits a header value `[code]: message | [code]: message`.
    pub fn parse_header(value: &str, endpoint: &str) -> Vec<SystemWarning> {
        value
            .split('|')
            .filter_map(|w| {
                let w = w.trim();
                if w.is_empty() {
                    return None;
                }
                let (code, message) = w
                    .strip_prefix('[')
                    .and_then(|r| r.split_once("]:"))
                    .map(|(c, m)| (c.to_owned(), m.trim().to_owned()))
                    .unwrap_or_else(|| (String::new(), w.to_owned()));
                Some(SystemWarning {
                    code,
                    message,
                    endpoint: endpoint.to_owned(),
                })
            })
            .collect()
    }
}

/// The KSeF API 2.0 client. Cheap to clone; clones share tokens, keys and connections.
///
/// ```no_run
/// use ksef_client::Client;
/// use ksef_core::Environment;
/// # async fn run() -> ksef_client::Result<()> {
/// let client = Client::builder(Environment::Test).build()?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) urls: EnvironmentUrls,
    pub(crate) config: ClientBuilder,
    pub(crate) auth: tokio::sync::Mutex<Option<AuthTokens>>,
    pub(crate) keys: KeyCache,
    warnings: Mutex<Vec<SystemWarning>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api", &self.inner.urls.api)
            .finish_non_exhaustive()
    }
}

/// Which bearer token a request carries.
#[derive(Clone)]
pub(crate) enum Auth {
    /// None: public endpoints and pre-signed URLs.
    None,
    /// The current access token, refreshed when needed.
    Access,
    /// A specific token (authentication operation token, refresh token).
    Bearer(SecretString),
}

/// One API request, described before it is sent so it can be repeated.
#[derive(Clone)]
pub(crate) struct Request {
    pub method: Method,
    pub path: String,
    pub endpoint: &'static str,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Bytes>,
    pub headers: Vec<(&'static str, String)>,
    pub auth: Auth,
    pub idempotent: bool,
    /// Another base than the API's (Lighthouse).
    pub base: Option<String>,
}

impl Request {
    /// A GET (idempotent) with the access token.
    pub fn get(endpoint: &'static str, path: impl Into<String>) -> Self {
        Request::new(Method::GET, endpoint, path, true)
    }

    /// A POST (not idempotent unless said) with the access token.
    pub fn post(endpoint: &'static str, path: impl Into<String>) -> Self {
        Request::new(Method::POST, endpoint, path, false)
    }

    /// A DELETE (idempotent) with the access token.
    pub fn delete(endpoint: &'static str, path: impl Into<String>) -> Self {
        Request::new(Method::DELETE, endpoint, path, true)
    }

    fn new(method: Method, endpoint: &'static str, path: impl Into<String>, idem: bool) -> Self {
        Request {
            method,
            path: path.into(),
            endpoint,
            query: Vec::new(),
            body: None,
            headers: Vec::new(),
            auth: Auth::Access,
            idempotent: idem,
            base: None,
        }
    }

    /// Sets a JSON body.
    pub fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Config(format!("encoding {}: {e}", self.endpoint)))?;
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// Sets the query parameters.
    pub fn with_query(mut self, pairs: Vec<(&'static str, String)>) -> Self {
        self.query = pairs;
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// No bearer token.
    pub fn public(mut self) -> Self {
        self.auth = Auth::None;
        self
    }

    /// A specific bearer token.
    pub fn bearer(mut self, token: &SecretString) -> Self {
        self.auth = Auth::Bearer(token.clone());
        self
    }

    /// Marks a call safe to repeat (a read-only POST such as a query).
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }
}

/// A success answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub endpoint: &'static str,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// Decodes the JSON body; errors name the field that did not fit.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        decode(self.endpoint, &self.body)
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Decodes JSON, naming the failing field (`partUploadRequests[0].url`).
pub(crate) fn decode<T: DeserializeOwned>(endpoint: &str, body: &[u8]) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        Error::Decode {
            endpoint: endpoint.to_owned(),
            field,
            message: e.into_inner().to_string(),
        }
    })
}

impl Client {
    /// Starts configuring a client for an environment.
    pub fn builder(environment: Environment) -> ClientBuilder {
        ClientBuilder::new(environment)
    }

    /// A client for an environment with default settings.
    pub fn new(environment: Environment) -> Result<Self> {
        ClientBuilder::new(environment).build()
    }

    pub(crate) fn from_parts(
        config: ClientBuilder,
        urls: EnvironmentUrls,
        http: reqwest::Client,
    ) -> Self {
        Client {
            inner: Arc::new(Inner {
                http,
                urls: trimmed(urls),
                keys: KeyCache::new(config.key_refresh_interval),
                config,
                auth: tokio::sync::Mutex::new(None),
                warnings: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The base addresses in use.
    pub fn urls(&self) -> &EnvironmentUrls {
        &self.inner.urls
    }

    /// Takes the `X-System-Warning`s received since the last call.
    pub fn take_system_warnings(&self) -> Vec<SystemWarning> {
        self.inner
            .warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }

    /// Uses saved tokens (see [`AuthTokens::to_json`]) instead of logging in.
    pub async fn set_tokens(&self, tokens: AuthTokens) {
        *self.inner.auth.lock().await = Some(tokens);
    }

    /// The current tokens, to save them.
    pub async fn auth_tokens(&self) -> Option<AuthTokens> {
        self.inner.auth.lock().await.clone()
    }

    /// Forgets the tokens.
    pub async fn clear_tokens(&self) {
        *self.inner.auth.lock().await = None;
    }

    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.config.clock.now()
    }

    /// The access token, refreshed first when it expires within the margin (or when forced).
    async fn access_token(&self, force_refresh: bool) -> Result<SecretString> {
        let mut guard = self.inner.auth.lock().await;
        let Some(tokens) = guard.as_mut() else {
            return Err(Error::Auth(
                "not authenticated: log in or set saved tokens first".into(),
            ));
        };
        let margin = chrono::Duration::from_std(self.inner.config.refresh_margin)
            .unwrap_or_else(|_| chrono::Duration::seconds(60));
        let stale = tokens.access.valid_until - margin <= self.now();
        if !(force_refresh || stale) {
            return Ok(tokens.access.token.clone());
        }
        let Some(refresh) = tokens.refresh.clone() else {
            if force_refresh {
                return Err(Error::Auth(
                    "the access token was refused and there is no refresh token".into(),
                ));
            }
            return Ok(tokens.access.token.clone());
        };
        tracing::debug!(forced = force_refresh, "refreshing the access token");
        let access = self.refresh_with(&refresh.token).await?;
        tokens.access = access;
        Ok(tokens.access.token.clone())
    }

    /// POST `/auth/token/refresh` with the refresh token.
    pub(crate) async fn refresh_with(&self, refresh: &SecretString) -> Result<BearerToken> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Token {
            token: String,
            valid_until: chrono::DateTime<chrono::Utc>,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Refreshed {
            access_token: Token,
        }
        // Not through `execute`: that may call back here for an access token.
        let req = Request::post("POST /auth/token/refresh", "/auth/token/refresh");
        let policy = &self.inner.config.retry;
        let mut retry = 0;
        let reply = loop {
            match self.send_once(&req, Some(refresh)).await {
                Ok(r) => break r,
                Err(e) => match policy.decide(retry, req.idempotent, &e) {
                    Some(wait) => {
                        self.log_retry(&req, retry, wait, &e);
                        tokio::time::sleep(wait).await;
                        retry += 1;
                    }
                    None => return Err(e),
                },
            }
        };
        let r: Refreshed = reply.json()?;
        Ok(BearerToken::new(
            r.access_token.token,
            r.access_token.valid_until,
        ))
    }

    /// Sends a request with retries, token refresh on 401, and warning collection.
    pub(crate) async fn execute(&self, req: Request) -> Result<Reply> {
        let policy = &self.inner.config.retry;
        let mut retry = 0u32;
        let mut refreshed = false;
        loop {
            match self.attempt(&req, false).await {
                Ok(r) => return Ok(r),
                Err(e) => {
                    if e.status() == Some(401) && matches!(req.auth, Auth::Access) && !refreshed {
                        refreshed = true;
                        tracing::info!(
                            endpoint = req.endpoint,
                            "401: refreshing the access token and repeating once"
                        );
                        match self.attempt(&req, true).await {
                            Ok(r) => return Ok(r),
                            Err(e2) => {
                                if let Some(wait) = policy.decide(retry, req.idempotent, &e2) {
                                    self.log_retry(&req, retry, wait, &e2);
                                    tokio::time::sleep(wait).await;
                                    retry += 1;
                                    continue;
                                }
                                return Err(e2);
                            }
                        }
                    }
                    let Some(wait) = policy.decide(retry, req.idempotent, &e) else {
                        return Err(e);
                    };
                    self.log_retry(&req, retry, wait, &e);
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
            }
        }
    }

    fn log_retry(&self, req: &Request, retry: u32, wait: Duration, e: &Error) {
        tracing::warn!(
            endpoint = req.endpoint,
            path = %req.path,
            retry = retry + 1,
            wait_ms = wait.as_millis() as u64,
            status = e.status(),
            error = %e,
            "retrying KSeF call"
        );
    }

    async fn attempt(&self, req: &Request, force_refresh: bool) -> Result<Reply> {
        let bearer = match &req.auth {
            Auth::None => None,
            Auth::Access => Some(self.access_token(force_refresh).await?),
            Auth::Bearer(t) => Some(t.clone()),
        };
        self.send_once(req, bearer.as_ref()).await
    }

    async fn send_once(&self, req: &Request, bearer: Option<&SecretString>) -> Result<Reply> {
        let base = req.base.as_deref().unwrap_or(&self.inner.urls.api);
        let url = format!("{base}{}", req.path);
        let mut b = self
            .inner
            .http
            .request(req.method.clone(), &url)
            .timeout(self.inner.config.timeout)
            .header("Accept", "application/json");
        if !req.query.is_empty() {
            b = b.query(&req.query);
        }
        if self.inner.config.problem_details {
            b = b.header("X-Error-Format", "problem-details");
        }
        for (k, v) in &req.headers {
            b = b.header(*k, v);
        }
        if let Some(t) = bearer {
            b = b.bearer_auth(t.expose_secret());
        }
        if let Some(body) = &req.body {
            b = b
                .header("Content-Type", "application/json")
                .body(body.clone());
        }
        let transport = |source| Error::Transport {
            method: req.method.to_string(),
            path: req.path.clone(),
            source,
        };
        let resp = b.send().await.map_err(transport)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        self.collect_warnings(&headers, req.endpoint);
        let body = resp.bytes().await.map_err(transport)?;
        if status.is_success() {
            return Ok(Reply {
                endpoint: req.endpoint,
                headers,
                body,
            });
        }
        Err(api_error(
            status,
            req.method.as_str(),
            &req.path,
            &headers,
            &body,
        ))
    }

    pub(crate) fn collect_warnings(&self, headers: &HeaderMap, endpoint: &str) {
        for value in headers.get_all("x-system-warning") {
            let Ok(text) = value.to_str() else { continue };
            for w in SystemWarning::parse_header(text, endpoint) {
                tracing::warn!(code = %w.code, endpoint = %w.endpoint, "KSeF system warning: {}", w.message);
                if let Some(hook) = &self.inner.config.warning_hook {
                    hook(&w);
                }
                if let Ok(mut list) = self.inner.warnings.lock() {
                    // Bounded, so a program that never reads them does not grow without end.
                    if list.len() < 1000 {
                        list.push(w);
                    }
                }
            }
        }
    }
}

pub(crate) fn api_error(
    status: StatusCode,
    method: &str,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Error {
    let retry_after = headers
        .get("retry-after")
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    ApiError::from_body(status.as_u16(), method, path, retry_after, body).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_split_on_pipes() {
        let w = SystemWarning::parse_header(
            "[W001]: Pole X zostanie wycofane | [W002]: Inne",
            "GET /x",
        );
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].code, "W001");
        assert_eq!(w[0].message, "Pole X zostanie wycofane");
        assert_eq!(w[1].code, "W002");
        let odd = SystemWarning::parse_header("free text", "GET /x");
        assert_eq!(odd[0].code, "");
        assert_eq!(odd[0].message, "free text");
    }

    #[test]
    fn decode_errors_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code)]
        struct Part {
            url: String,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code)]
        struct Open {
            part_upload_requests: Vec<Part>,
        }
        let e = decode::<Open>(
            "POST /sessions/batch",
            br#"{"partUploadRequests":[{"url":5}]}"#,
        )
        .unwrap_err();
        match e {
            Error::Decode { field, .. } => assert_eq!(field, "partUploadRequests[0].url"),
            other => panic!("{other}"),
        }
    }
}
