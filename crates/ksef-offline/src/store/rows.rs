//! Rows as both backends return them (same column names and encodings), and their
//! conversion to the domain records.

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::{Event, Invoice, InvoiceId, ObligationSummary, RecordedOutage, TenantId};
use crate::{Error, Result};
use ksef_core::calendar::{Outage, OutageKind};

/// The invoice columns, in the order of [`InvoiceRow`]; the content and the UPO stay out.
pub(crate) const INVOICE_COLUMNS: &str = "id, tenant_id, seller_nip, kind, number, issue_date, \
    mode, hash, size, state, obligation, due_date, deadline_ms, kod1, kod2, ksef_number, \
    ksef_reference, ksef_session, error_code, error_description, has_attachment, \
    CAST(CASE WHEN upo IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_upo, lease_owner, \
    lease_until_ms, attempts, corrects, corrected_by, issued_ms, updated_ms";

/// [`INVOICE_COLUMNS`] qualified with the table name, for statements that join.
pub(crate) const INVOICE_COLUMNS_QUALIFIED: &str = "invoices.id, invoices.tenant_id, \
    invoices.seller_nip, invoices.kind, invoices.number, invoices.issue_date, invoices.mode, \
    invoices.hash, invoices.size, invoices.state, invoices.obligation, invoices.due_date, \
    invoices.deadline_ms, invoices.kod1, invoices.kod2, invoices.ksef_number, \
    invoices.ksef_reference, invoices.ksef_session, invoices.error_code, \
    invoices.error_description, invoices.has_attachment, \
    CAST(CASE WHEN invoices.upo IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_upo, \
    invoices.lease_owner, invoices.lease_until_ms, invoices.attempts, invoices.corrects, \
    invoices.corrected_by, invoices.issued_ms, invoices.updated_ms";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct InvoiceRow {
    id: String,
    tenant_id: String,
    seller_nip: String,
    kind: String,
    number: String,
    issue_date: String,
    mode: String,
    hash: String,
    size: i64,
    state: String,
    obligation: String,
    due_date: Option<String>,
    deadline_ms: Option<i64>,
    kod1: Option<String>,
    kod2: Option<String>,
    ksef_number: Option<String>,
    ksef_reference: Option<String>,
    ksef_session: Option<String>,
    error_code: Option<String>,
    error_description: Option<String>,
    has_attachment: i64,
    has_upo: i64,
    lease_owner: Option<String>,
    lease_until_ms: Option<i64>,
    attempts: i64,
    corrects: Option<String>,
    corrected_by: Option<String>,
    issued_ms: i64,
    updated_ms: i64,
}

fn bad(what: &'static str, value: &str) -> Error {
    Error::Invalid {
        what,
        reason: format!("the store holds {value:?}"),
    }
}

impl InvoiceRow {
    /// The invoice id as stored.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

pub(crate) fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub(crate) fn date(s: &str) -> Result<NaiveDate> {
    s.parse().map_err(|_| bad("date", s))
}

pub(crate) fn obligation(
    code: &str,
    due: Option<&str>,
    deadline_ms: Option<i64>,
) -> Result<ObligationSummary> {
    Ok(match (code, due, deadline_ms) {
        ("due", Some(d), Some(ms)) => ObligationSummary::Due {
            due_date: date(d)?,
            deadline: instant(ms),
        },
        ("pending", _, _) => ObligationSummary::Pending,
        ("not_required", _, _) => ObligationSummary::NotRequired,
        _ => return Err(bad("obligation", code)),
    })
}

impl TryFrom<InvoiceRow> for Invoice {
    type Error = Error;

    fn try_from(r: InvoiceRow) -> Result<Self> {
        let id_opt = |s: Option<String>| s.map(|s| s.parse::<InvoiceId>()).transpose();
        Ok(Invoice {
            id: r.id.parse()?,
            tenant: r.tenant_id.parse()?,
            kind: r.kind.parse().map_err(|_| bad("invoice kind", &r.kind))?,
            issue_date: date(&r.issue_date)?,
            mode: r.mode.parse().map_err(|_| bad("offline mode", &r.mode))?,
            size: u64::try_from(r.size).unwrap_or(0),
            state: r.state.parse()?,
            obligation: obligation(&r.obligation, r.due_date.as_deref(), r.deadline_ms)?,
            seller_nip: r.seller_nip,
            number: r.number,
            hash: r.hash,
            kod1: r.kod1,
            kod2: r.kod2,
            ksef_number: r.ksef_number,
            ksef_reference: r.ksef_reference,
            ksef_session: r.ksef_session,
            error_code: r.error_code,
            error_description: r.error_description,
            has_attachment: r.has_attachment != 0,
            has_upo: r.has_upo != 0,
            lease_owner: r.lease_owner,
            lease_until: r.lease_until_ms.map(instant),
            attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
            corrects: id_opt(r.corrects)?,
            corrected_by: id_opt(r.corrected_by)?,
            issued_at: instant(r.issued_ms),
            updated_at: instant(r.updated_ms),
        })
    }
}

pub(crate) fn invoices(rows: Vec<InvoiceRow>) -> Result<Vec<Invoice>> {
    rows.into_iter().map(Invoice::try_from).collect()
}

/// The columns an outage recomputation needs.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DeadlineRow {
    pub(crate) id: String,
    pub(crate) mode: String,
    pub(crate) issue_date: String,
    pub(crate) state: String,
    pub(crate) obligation: String,
    pub(crate) due_date: Option<String>,
    pub(crate) deadline_ms: Option<i64>,
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct TenantRow {
    pub(crate) id: String,
    pub(crate) context_type: String,
    pub(crate) context_value: String,
    pub(crate) permitted_sellers: String,
    pub(crate) ksef_token: Option<Vec<u8>>,
    pub(crate) offline_cert: Option<Vec<u8>>,
    pub(crate) offline_key: Option<Vec<u8>>,
    pub(crate) created_ms: i64,
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct OutageRow {
    id: i64,
    kind: String,
    start_ms: i64,
    end_ms: Option<i64>,
    evidence: String,
    recorded_ms: i64,
}

pub(crate) fn outage_kind_code(kind: OutageKind) -> &'static str {
    match kind {
        OutageKind::Unavailability => "unavailability",
        OutageKind::Failure => "failure",
        OutageKind::TotalFailure => "total-failure",
    }
}

impl TryFrom<OutageRow> for RecordedOutage {
    type Error = Error;

    fn try_from(r: OutageRow) -> Result<Self> {
        let kind = match r.kind.as_str() {
            "unavailability" => OutageKind::Unavailability,
            "failure" => OutageKind::Failure,
            "total-failure" => OutageKind::TotalFailure,
            other => return Err(bad("outage kind", other)),
        };
        Ok(RecordedOutage {
            id: r.id,
            outage: Outage::new(kind, instant(r.start_ms), r.end_ms.map(instant)),
            evidence: r.evidence,
            recorded_at: instant(r.recorded_ms),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EventRow {
    seq: i64,
    invoice_id: Option<String>,
    tenant_id: Option<String>,
    at_ms: i64,
    actor: String,
    what: String,
    details: String,
}

impl TryFrom<EventRow> for Event {
    type Error = Error;

    fn try_from(r: EventRow) -> Result<Self> {
        Ok(Event {
            seq: r.seq,
            invoice: r.invoice_id.map(|s| s.parse()).transpose()?,
            tenant: r.tenant_id.map(|s| s.parse::<TenantId>()).transpose()?,
            at: instant(r.at_ms),
            actor: r.actor,
            what: r.what,
            details: serde_json::from_str(&r.details)
                .unwrap_or(serde_json::Value::String(r.details)),
        })
    }
}
