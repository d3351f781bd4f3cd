//! Error bodies: the legacy `ExceptionResponse` (400), the Problem Details shapes
//! (`application/problem+json`: 400, 401, 403, 410, 429) and the legacy 429 body.
//!
//! Timestamps of error bodies are kept as text: the official `ExceptionResponse` example has
//! no UTC offset (`2025-10-11T12:23:56.0154302`), and an error body must never fail to decode.

use serde::{Deserialize, Serialize};

/// One exception (`ExceptionDetails`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionDetails {
    /// Exception code (e.g. 21405 validation error, 21470 unknown public key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception_code: Option<i32>,
    /// Generic description of the code (Polish).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception_description: Option<String>,
    /// Specific messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<String>>,
}

/// The exception (`ExceptionInfo`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionInfo {
    /// The errors (several may be reported at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception_detail_list: Option<Vec<ExceptionDetails>>,
    /// Reference number of the failed request. Text, not
    /// [`super::common::ReferenceNumber`]: the official example is a GUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_number: Option<String>,
    /// Service code (looks like a W3C `traceparent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    /// Service context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_ctx: Option<String>,
    /// Service name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    /// Time of the error (text; see the module docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// Legacy error body of HTTP 400, `application/json` (`ExceptionResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionResponse {
    /// The exception.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<ExceptionInfo>,
}

impl ExceptionResponse {
    /// All exception codes in the body.
    pub fn codes(&self) -> Vec<i32> {
        self.exception
            .iter()
            .flat_map(|e| e.exception_detail_list.iter().flatten())
            .filter_map(|d| d.exception_code)
            .collect()
    }
}

/// One error of a Problem Details 400 body (`ApiError`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    /// Error code (same numbers as `exceptionCode`).
    pub code: i32,
    /// Description (Polish).
    pub description: String,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<String>>,
}

/// HTTP 400 as Problem Details (`BadRequestProblemDetails`), sent when the request carries
/// `X-Error-Format: problem-details`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BadRequestProblemDetails {
    /// Title (`Bad Request`).
    pub title: String,
    /// HTTP status (400).
    pub status: u16,
    /// URI of the occurrence.
    pub instance: String,
    /// General description.
    pub detail: String,
    /// One entry per error.
    pub errors: Vec<ApiError>,
    /// Time (text; see the module docs).
    pub timestamp: String,
    /// Trace id.
    pub trace_id: String,
}

/// HTTP 401 (`UnauthorizedProblemDetails`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnauthorizedProblemDetails {
    /// Title (`Unauthorized`).
    pub title: String,
    /// HTTP status (401).
    pub status: u16,
    /// Description.
    pub detail: String,
    /// URI of the occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Time (text; see the module docs).
    pub timestamp: String,
}

/// HTTP 403 (`ForbiddenProblemDetails`).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForbiddenProblemDetails {
    /// Title (`Forbidden`).
    pub title: String,
    /// HTTP status (403).
    pub status: u16,
    /// Description.
    pub detail: String,
    /// URI of the occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Reason, e.g. `missing-permissions`, `ip-not-allowed`, `insufficient-resource-access`,
    /// `auth-method-not-allowed`, `security-service-blocked`, `context-type-not-allowed`.
    pub reason_code: String,
    /// Reason-specific data (e.g. `requiredAnyOfPermissions`, `presentPermissions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<serde_json::Map<String, serde_json::Value>>,
    /// Trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Time (text; see the module docs).
    pub timestamp: String,
}

/// HTTP 410, an expired asynchronous operation status (`GoneProblemDetails`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoneProblemDetails {
    /// Title (`Gone`).
    pub title: String,
    /// HTTP status (410).
    pub status: u16,
    /// URI of the occurrence.
    pub instance: String,
    /// Description.
    pub detail: String,
    /// Time (text; see the module docs).
    pub timestamp: String,
    /// Trace id.
    pub trace_id: String,
}

/// HTTP 429 as Problem Details (`TooManyRequestsProblemDetails`); wait for `Retry-After`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TooManyRequestsProblemDetails {
    /// Title (`Too Many Requests`).
    pub title: String,
    /// HTTP status (429).
    pub status: u16,
    /// URI of the occurrence.
    pub instance: String,
    /// Which limit was exceeded and when to retry (Polish).
    pub detail: String,
    /// Time (text; see the module docs).
    pub timestamp: String,
    /// Trace id.
    pub trace_id: String,
}

/// Status object of the legacy 429 body.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TooManyRequestsStatus {
    /// Always 429.
    pub code: i32,
    /// `Too Many Requests`.
    pub description: String,
    /// Which limit was exceeded and when to retry (Polish).
    pub details: Vec<String>,
}

/// Legacy body of HTTP 429, `application/json` (`TooManyRequestsResponse`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TooManyRequestsResponse {
    /// The status.
    pub status: TooManyRequestsStatus,
}
