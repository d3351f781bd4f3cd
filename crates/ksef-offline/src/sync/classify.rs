//! What KSeF's answers mean for an offline invoice.

use ksef_client::models::sessions::SessionInvoiceStatusResponse;

use crate::model::Outcome;

/// The outcome of one invoice's processing status (`SessionInvoiceStatusResponse`):
///
/// | status | outcome |
/// |---|---|
/// | 200 with a KSeF number | accepted |
/// | 100, 150 (received, processing) | sent, result pending |
/// | 410 (permissions) | failed: a technical correction cannot fix it |
/// | 440 (duplicate) | failed, unless the caller finds the original is this very file |
/// | 5xx, e.g. 550 (cancelled by the system) | not received: send again later |
/// | other 4xx (430 file, 435 decryption, 450 semantics, ...) | rejected: needs a technical correction |
pub fn classify_result(r: &SessionInvoiceStatusResponse) -> Outcome {
    let status = &r.status;
    let description = match status.details.as_deref() {
        Some(details) if !details.is_empty() => {
            format!("{}: {}", status.description, details.join("; "))
        }
        _ => status.description.clone(),
    };
    match status.code {
        200 => match &r.ksef_number {
            Some(n) => Outcome::Accepted { ksef_number: *n },
            None => Outcome::Sent {
                reference: r.reference_number.to_string(),
            },
        },
        100 | 150 => Outcome::Sent {
            reference: r.reference_number.to_string(),
        },
        410 | 440 => Outcome::Failed {
            code: status.code.to_string(),
            description,
        },
        500..=599 => Outcome::NotReceived {
            evidence: format!(
                "KSeF could not process it ({} {description}); it is sent again",
                status.code
            ),
        },
        _ => Outcome::Rejected {
            code: status.code.to_string(),
            description,
        },
    }
}

/// What a failed send request means.
#[derive(Debug)]
pub(crate) enum SendFailure {
    /// KSeF refused this invoice for good (a 400 with exception codes): recorded as is.
    Refused(Outcome),
    /// KSeF did not take the request (401, 403, 429 after the retries): queued again, and
    /// the session stops.
    NotTaken(String),
    /// The answer was lost (5xx, timeout, broken connection): KSeF may or may not have the
    /// invoice; it stays `sending`, to be looked up by hash.
    Unknown(String),
}

/// Technical correction unavailable: the invoice already has an accepted correction.
pub(crate) const CORRECTION_EXISTS: i32 = 21166;
/// Invoice status does not allow a technical correction.
pub(crate) const CORRECTION_NOT_ALLOWED: i32 = 21167;

pub(crate) fn classify_send_error(e: &ksef_client::Error) -> SendFailure {
    let Some(api) = e.api() else {
        return SendFailure::Unknown(e.to_string());
    };
    match api.status {
        400 => {
            let codes = api.codes();
            let code = codes
                .first()
                .map(ToString::to_string)
                .unwrap_or_else(|| "400".into());
            if api.has_code(CORRECTION_EXISTS) || api.has_code(CORRECTION_NOT_ALLOWED) {
                SendFailure::Refused(Outcome::Failed {
                    code,
                    description: api.to_string(),
                })
            } else {
                SendFailure::Refused(Outcome::Rejected {
                    code,
                    description: api.to_string(),
                })
            }
        }
        401 | 403 | 429 => SendFailure::NotTaken(api.to_string()),
        _ => SendFailure::Unknown(api.to_string()),
    }
}
