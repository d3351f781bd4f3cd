//! API errors in the KSeF shapes: `ExceptionResponse` (400 by default), Problem Details
//! (401, 403, 410 always; 400 and 429 when asked with `X-Error-Format: problem-details`),
//! `TooManyRequestsResponse` with `Retry-After` (limits-and-errors.md §3).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use ksef_client::models::errors::{
    ApiError as ProblemError, BadRequestProblemDetails, ExceptionDetails, ExceptionInfo,
    ExceptionResponse, ForbiddenProblemDetails, GoneProblemDetails, TooManyRequestsProblemDetails,
    TooManyRequestsResponse, TooManyRequestsStatus, UnauthorizedProblemDetails,
};
use serde_json::{Value, json};

/// One failed request, as the API reports it.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// `ExceptionResponse` entries: (code, details).
    Exception(Vec<(u32, Vec<String>)>),
    Unauthorized(String),
    Forbidden {
        reason_code: &'static str,
        detail: String,
    },
    Gone(String),
    TooManyRequests {
        retry_after: u64,
        detail: String,
    },
    Unavailable(String),
    Plain(String),
}

/// The Polish description of an exception code (limits-and-errors.md §5).
pub fn describe(code: u32) -> &'static str {
    match code {
        21111 => "Nieprawidłowe wyzwanie autoryzacyjne.",
        21155 => "Przekroczono dozwoloną liczbę faktur w sesji.",
        21157 => "Nieprawidłowy rozmiar części pakietu.",
        21161 => "Przekroczono dozwoloną liczbę części pakietu.",
        21164 => "Faktura o podanym identyfikatorze nie istnieje.",
        21165 => "Faktura o podanym numerze KSeF nie jest jeszcze dostępna.",
        21166 => "Korekta techniczna niedostępna.",
        21167 => "Status faktury nie pozwala na korektę techniczną.",
        21173 => "Brak sesji o wskazanym numerze referencyjnym.",
        21178 => "Nie znaleziono UPO dla podanych kryteriów.",
        21180 => "Status sesji nie pozwala na wykonanie operacji.",
        21205 => "Pakiet nie może być pusty.",
        21208 => "Czas oczekiwania na requesty upload lub finish został przekroczony.",
        21301 => "Brak autoryzacji.",
        21304 => "Brak uwierzytelnienia.",
        21402 => "Nieprawidłowy rozmiar pliku.",
        21403 => "Nieprawidłowy skrót pliku.",
        21405 => "Błąd walidacji danych wejściowych.",
        21418 => "Przekazany token kontynuacji ma nieprawidłowy format.",
        21470 => "Przesłany identyfikator klucza jest nieznany lub wskazuje na wycofany klucz.",
        26002 => "Nie można wygenerować tokena dla obecnego typu kontekstu.",
        _ => "Błąd.",
    }
}

impl ApiError {
    /// HTTP 400 with one `ExceptionResponse` entry.
    pub fn bad_request(code: u32, detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind: Kind::Exception(vec![(code, vec![detail.into()])]),
        }
    }

    /// HTTP 400, code 21405 (input validation).
    pub fn validation(detail: impl Into<String>) -> Self {
        Self::bad_request(21405, detail)
    }

    /// HTTP 401 (always Problem Details).
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            kind: Kind::Unauthorized(detail.into()),
        }
    }

    /// HTTP 403 with a `reasonCode`.
    pub fn forbidden(reason_code: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            kind: Kind::Forbidden {
                reason_code,
                detail: detail.into(),
            },
        }
    }

    /// HTTP 410 (an expired asynchronous operation).
    pub fn gone(detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::GONE,
            kind: Kind::Gone(detail.into()),
        }
    }

    /// HTTP 429 with `Retry-After`.
    pub fn too_many_requests(retry_after: u64, detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            kind: Kind::TooManyRequests {
                retry_after,
                detail: detail.into(),
            },
        }
    }

    /// HTTP 503 (an outage window).
    pub fn unavailable(detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            kind: Kind::Unavailable(detail.into()),
        }
    }

    /// Any other status with a short problem body (404, 413, 500).
    pub fn plain(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            kind: Kind::Plain(detail.into()),
        }
    }

    /// The response body and content type, in the format the request asked for.
    pub fn render(&self, problem_details: bool, instance: &str, now: DateTime<Utc>) -> Response {
        let ts = now.to_rfc3339_opts(SecondsFormat::Millis, true);
        let trace = trace_id();
        let title = self.status.canonical_reason().unwrap_or("Error");
        let status = self.status.as_u16();
        let to_value = |v: Result<Value, serde_json::Error>| v.unwrap_or(Value::Null);
        let (body, problem, retry_after): (Value, bool, Option<u64>) = match &self.kind {
            Kind::Exception(list) if problem_details => (
                to_value(serde_json::to_value(BadRequestProblemDetails {
                    title: title.to_owned(),
                    status,
                    instance: instance.to_owned(),
                    detail: "Żądanie jest nieprawidłowe.".to_owned(),
                    errors: list
                        .iter()
                        .map(|(c, d)| ProblemError {
                            code: i32::try_from(*c).unwrap_or(i32::MAX),
                            description: describe(*c).to_owned(),
                            details: Some(d.clone()),
                        })
                        .collect(),
                    timestamp: ts,
                    trace_id: trace,
                })),
                true,
                None,
            ),
            Kind::Exception(list) => (
                to_value(serde_json::to_value(ExceptionResponse {
                    exception: Some(ExceptionInfo {
                        exception_detail_list: Some(
                            list.iter()
                                .map(|(c, d)| ExceptionDetails {
                                    exception_code: i32::try_from(*c).ok(),
                                    exception_description: Some(describe(*c).to_owned()),
                                    details: Some(d.clone()),
                                })
                                .collect(),
                        ),
                        reference_number: None,
                        service_code: Some(format!("00-{trace}-0000000000000000-00")),
                        service_ctx: Some("srvKSEFSIM".to_owned()),
                        service_name: Some("ksef-sim".to_owned()),
                        timestamp: Some(ts),
                    }),
                })),
                false,
                None,
            ),
            Kind::Unauthorized(d) => (
                to_value(serde_json::to_value(UnauthorizedProblemDetails {
                    title: title.to_owned(),
                    status: 401,
                    detail: d.clone(),
                    instance: Some(instance.to_owned()),
                    trace_id: Some(trace),
                    timestamp: ts,
                })),
                true,
                None,
            ),
            Kind::Forbidden {
                reason_code,
                detail,
            } => (
                to_value(serde_json::to_value(ForbiddenProblemDetails {
                    title: title.to_owned(),
                    status: 403,
                    detail: detail.clone(),
                    instance: Some(instance.to_owned()),
                    reason_code: (*reason_code).to_owned(),
                    security: None,
                    trace_id: Some(trace),
                    timestamp: ts,
                })),
                true,
                None,
            ),
            Kind::Gone(d) => (
                to_value(serde_json::to_value(GoneProblemDetails {
                    title: title.to_owned(),
                    status: 410,
                    instance: instance.to_owned(),
                    detail: d.clone(),
                    timestamp: ts,
                    trace_id: trace,
                })),
                true,
                None,
            ),
            Kind::TooManyRequests {
                retry_after,
                detail,
            } if problem_details => (
                to_value(serde_json::to_value(TooManyRequestsProblemDetails {
                    title: title.to_owned(),
                    status: 429,
                    instance: instance.to_owned(),
                    detail: detail.clone(),
                    timestamp: ts,
                    trace_id: trace,
                })),
                true,
                Some(*retry_after),
            ),
            Kind::TooManyRequests {
                retry_after,
                detail,
            } => (
                to_value(serde_json::to_value(TooManyRequestsResponse {
                    status: TooManyRequestsStatus {
                        code: 429,
                        description: "Too Many Requests".to_owned(),
                        details: vec![detail.clone()],
                    },
                })),
                false,
                Some(*retry_after),
            ),
            // 404, 413, 500, 503: the spec gives these no body schema (and the client no
            // model); a problem-details body in the shape of the others.
            Kind::Unavailable(d) | Kind::Plain(d) => (
                json!({"title": title, "status": status, "detail": d, "instance": instance, "traceId": trace, "timestamp": ts}),
                true,
                None,
            ),
        };
        let mut resp = (self.status, body.to_string()).into_response();
        let ct = if problem {
            "application/problem+json"
        } else {
            "application/json"
        };
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        if let Some(s) = retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        resp
    }
}

fn trace_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

impl IntoResponse for ApiError {
    /// Renders the default format now; the error-format middleware re-renders it with the
    /// request's preferences, the path and the simulated time.
    fn into_response(self) -> Response {
        let mut resp = self.render(false, "", Utc::now());
        resp.extensions_mut().insert(self);
        resp
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?}", self.status, self.kind)
    }
}

impl std::error::Error for ApiError {}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
