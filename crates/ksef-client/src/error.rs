//! The client's one error type.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// Everything that can go wrong in a call to KSeF.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// KSeF answered with an error status (4xx or 5xx).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request could not be sent or its answer not received (connection, TLS, timeout).
    #[error("HTTP transport error on {method} {path}: {source}")]
    Transport {
        /// HTTP method.
        method: String,
        /// Path relative to the API base, or the pre-signed URL's path.
        path: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// A success answer whose body does not match the expected shape.
    #[error("cannot decode the answer of {endpoint}: field `{field}`: {message}")]
    Decode {
        /// Method and path template, e.g. `POST /sessions/batch`.
        endpoint: String,
        /// Path of the offending field, e.g. `partUploadRequests[0].url` (`.` for the root).
        field: String,
        /// What was wrong.
        message: String,
    },
    /// A local cryptographic operation failed (key wrapping, encryption, certificate parsing).
    #[error("crypto: {0}")]
    Crypto(#[from] ksef_core::Error),
    /// Reading or writing a local file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A batch package cannot be built as asked (too many parts, a bad file name, ...).
    #[error("batch package: {0}")]
    Batch(String),
    /// Authentication ended with a final non-success status, or no credentials are available.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// A downloaded document does not match the hash KSeF announced (`x-ms-meta-hash`).
    #[error("hash mismatch for {what}: announced {expected}, got {actual}")]
    HashMismatch {
        /// What was downloaded.
        what: String,
        /// Base64 SHA-256 from the header.
        expected: String,
        /// Base64 SHA-256 of the bytes received.
        actual: String,
    },
    /// A wait for a final status passed its deadline.
    #[error("timed out waiting for {0}")]
    Timeout(String),
    /// The client was configured wrongly (bad URL, bad header value).
    #[error("configuration: {0}")]
    Config(String),
}

/// A result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One entry of `exceptionDetailList` (or of Problem Details `errors[]`), limits-and-errors.md §3.2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionDetail {
    /// `exceptionCode`, e.g. 21405 (the table in limits-and-errors.md §5).
    pub code: i32,
    /// `exceptionDescription`: the generic description of the code.
    pub description: Option<String>,
    /// `details`: the specific messages.
    pub details: Vec<String>,
}

/// An error answer from KSeF, with everything it said.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// HTTP method of the request.
    pub method: String,
    /// Path of the request relative to the API base.
    pub path: String,
    /// Every exception code with its description and details.
    pub exceptions: Vec<ExceptionDetail>,
    /// `exception.referenceNumber` (or Problem Details `traceId`): quote it to KSeF support.
    pub reference_number: Option<String>,
    /// `exception.serviceCode`.
    pub service_code: Option<String>,
    /// Problem Details `title` and `detail` (401, 403, 410, opt-in 400/429), or the 429 description.
    pub detail: Option<String>,
    /// Problem Details `reasonCode` (403).
    pub reason_code: Option<String>,
    /// `Retry-After` in seconds (429).
    pub retry_after: Option<Duration>,
    /// The raw body when it was not a known error shape.
    pub body: Option<String>,
}

impl ApiError {
    /// Builds the error from a status and the raw answer body.
    pub fn from_body(
        status: u16,
        method: &str,
        path: &str,
        retry_after: Option<Duration>,
        body: &[u8],
    ) -> Self {
        let mut e = ApiError {
            status,
            method: method.to_owned(),
            path: path.to_owned(),
            exceptions: Vec::new(),
            reference_number: None,
            service_code: None,
            detail: None,
            reason_code: None,
            retry_after,
            body: None,
        };
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(parsed) if parsed.is_known() => parsed.fill(&mut e),
            _ if body.is_empty() => {}
            _ => e.body = Some(String::from_utf8_lossy(body).into_owned()),
        }
        e
    }

    /// The exception codes, in order.
    pub fn codes(&self) -> Vec<i32> {
        self.exceptions.iter().map(|x| x.code).collect()
    }

    /// Whether the answer carries this exception code.
    pub fn has_code(&self, code: i32) -> bool {
        self.exceptions.iter().any(|x| x.code == code)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "KSeF answered {} to {} {}",
            self.status, self.method, self.path
        )?;
        for x in &self.exceptions {
            write!(f, "; {}", x.code)?;
            if let Some(d) = &x.description {
                write!(f, " {d}")?;
            }
            if !x.details.is_empty() {
                write!(f, " ({})", x.details.join("; "))?;
            }
        }
        if let Some(d) = &self.detail {
            write!(f, "; {d}")?;
        }
        if let Some(r) = &self.reason_code {
            write!(f, " [{r}]")?;
        }
        if let Some(r) = &self.reference_number {
            write!(f, " (reference {r})")?;
        }
        if let Some(b) = &self.body {
            let short: String = b.chars().take(500).collect();
            write!(f, "; body: {short}")?;
        }
        Ok(())
    }
}

impl Error {
    /// The API error, when KSeF answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        self.api().map(|e| e.status)
    }

    /// Whether KSeF answered with this exception code (e.g. 21470 for an unknown key).
    pub fn has_code(&self, code: i32) -> bool {
        self.api().is_some_and(|e| e.has_code(code))
    }

    /// Whether repeating the same request later may succeed: 429, 5xx, and transport errors.
    ///
    /// This says nothing about whether repeating is *safe*: the retry policy repeats 5xx and
    /// transport failures only for idempotent calls.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.status == 429 || (500..600).contains(&e.status),
            Error::Transport { source, .. } => {
                source.is_connect() || source.is_timeout() || source.is_request()
            }
            _ => false,
        }
    }

    /// How long KSeF asked to wait (`Retry-After` on 429).
    pub fn retry_after(&self) -> Option<Duration> {
        self.api().and_then(|e| e.retry_after)
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

/// Every error body shape of limits-and-errors.md §3, read tolerantly.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ErrorBody {
    exception: Option<ExceptionInfo>,
    // Problem Details (§3.3–3.7).
    title: Option<String>,
    detail: Option<String>,
    errors: Option<Vec<ApiErrorEntry>>,
    reason_code: Option<String>,
    trace_id: Option<String>,
    // Legacy 429 `TooManyRequestsResponse`.
    status: Option<serde_json::Value>,
}

impl ErrorBody {
    fn is_known(&self) -> bool {
        self.exception.is_some()
            || self.title.is_some()
            || self.detail.is_some()
            || self.errors.is_some()
            || self.status.as_ref().is_some_and(|s| s.is_object())
    }

    fn fill(self, e: &mut ApiError) {
        if let Some(x) = self.exception {
            e.reference_number = x.reference_number;
            e.service_code = x.service_code;
            e.exceptions.extend(
                x.exception_detail_list
                    .unwrap_or_default()
                    .into_iter()
                    .map(|d| ExceptionDetail {
                        code: d.exception_code,
                        description: d.exception_description,
                        details: d.details.unwrap_or_default(),
                    }),
            );
        }
        e.exceptions.extend(
            self.errors
                .unwrap_or_default()
                .into_iter()
                .map(|d| ExceptionDetail {
                    code: d.code,
                    description: d.description,
                    details: d.details.unwrap_or_default(),
                }),
        );
        e.detail = match (self.title, self.detail) {
            (Some(t), Some(d)) => Some(format!("{t}: {d}")),
            (t, d) => d.or(t),
        };
        if let Some(serde_json::Value::Object(s)) = self.status {
            let desc = s.get("description").and_then(|v| v.as_str());
            let details: Vec<&str> = s
                .get("details")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            let mut text = desc.unwrap_or("").to_owned();
            if !details.is_empty() {
                text.push_str(": ");
                text.push_str(&details.join("; "));
            }
            e.detail = Some(text);
        }
        e.reason_code = self.reason_code;
        if e.reference_number.is_none() {
            e.reference_number = self.trace_id;
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExceptionInfo {
    #[serde(default)]
    exception_detail_list: Option<Vec<ExceptionDetailBody>>,
    #[serde(default)]
    reference_number: Option<String>,
    #[serde(default)]
    service_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExceptionDetailBody {
    exception_code: i32,
    #[serde(default)]
    exception_description: Option<String>,
    #[serde(default)]
    details: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct ApiErrorEntry {
    code: i32,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    details: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_response_keeps_every_code_and_the_reference() {
        let body = br#"{"exception":{"exceptionDetailList":[
            {"exceptionCode":21405,"exceptionDescription":"B\u0142\u0105d walidacji danych wej\u015bciowych.","details":["a"]},
            {"exceptionCode":21157,"exceptionDescription":"Nieprawid\u0142owy rozmiar cz\u0119\u015bci pakietu.","details":null}],
            "referenceNumber":"a1b2c3d4-e5f6-4789-ab12-cd34ef567890","serviceCode":"00-x-00","timestamp":"2025-10-11T12:23:56.0154302"}}"#;
        let e = ApiError::from_body(400, "POST", "/sessions/batch", None, body);
        assert_eq!(e.codes(), vec![21405, 21157]);
        assert_eq!(e.exceptions[0].details, vec!["a"]);
        assert_eq!(
            e.reference_number.as_deref(),
            Some("a1b2c3d4-e5f6-4789-ab12-cd34ef567890")
        );
        assert!(e.body.is_none());
        let text = Error::from(e).to_string();
        assert!(text.contains("21157"), "{text}");
    }

    #[test]
    fn problem_details_and_legacy_429_are_read() {
        let pd = br#"{"title":"Forbidden","status":403,"detail":"Brak","reasonCode":"missing-permissions","traceId":"t1","timestamp":"x"}"#;
        let e = ApiError::from_body(403, "GET", "/x", None, pd);
        assert_eq!(e.reason_code.as_deref(), Some("missing-permissions"));
        assert_eq!(e.reference_number.as_deref(), Some("t1"));
        let bad = br#"{"title":"Bad Request","status":400,"errors":[{"code":21405,"description":"d"}],"traceId":"t"}"#;
        assert_eq!(
            ApiError::from_body(400, "GET", "/x", None, bad).codes(),
            vec![21405]
        );
        let legacy = br#"{"status":{"code":429,"description":"Too Many Requests","details":["Przekroczono limit"]}}"#;
        let e = ApiError::from_body(429, "GET", "/x", Some(Duration::from_secs(30)), legacy);
        assert!(e.detail.unwrap().contains("Przekroczono"));
        let err = Error::from(ApiError::from_body(
            429,
            "GET",
            "/x",
            Some(Duration::from_secs(3)),
            b"",
        ));
        assert!(err.is_retryable());
        assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    }

    #[test]
    fn unparsable_bodies_are_kept_raw() {
        let e = ApiError::from_body(502, "GET", "/x", None, b"<html>Bad gateway</html>");
        assert_eq!(e.body.as_deref(), Some("<html>Bad gateway</html>"));
        assert!(Error::from(e).is_retryable());
        let e = ApiError::from_body(400, "GET", "/x", None, br#"{"foo":1}"#);
        assert!(e.body.is_some());
    }
}
