//! The Lighthouse poller: KSeF's status service announces failures, total failures and
//! maintenance; each becomes an outage in the store, with the message ids as evidence, and
//! the deadlines of the invoices still to send follow (offline-and-correction.md §2.1).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use ksef_client::models::lighthouse::{
    LighthouseCategory, LighthouseMessage, LighthouseMessageType,
};
use ksef_core::Clock;
use ksef_core::calendar::{Outage, OutageKind};

use super::{Syncer, ksef};
use crate::Result;
use crate::model::OutageReport;

impl Syncer {
    /// Reads the Lighthouse messages and records every announced outage that the store does
    /// not hold yet (or holds with another end). Returns what each recording changed.
    ///
    /// # Errors
    /// [`crate::Error::Ksef`] when the status service cannot be read, store errors.
    pub async fn poll_lighthouse(&self, clock: &dyn Clock) -> Result<Vec<OutageReport>> {
        if self.environment.urls().lighthouse.is_none() {
            return Ok(Vec::new());
        }
        let messages = self
            .anonymous_client()?
            .lighthouse()
            .messages()
            .await
            .map_err(ksef("reading the KSeF status service"))?;
        let known = self.store.outages().await?;
        let mut reports = Vec::new();
        for (outage, evidence) in outages(&messages) {
            let same = known.iter().any(|k| {
                k.outage.kind == outage.kind
                    && k.outage.start == outage.start
                    && k.outage.end == outage.end
            });
            if same {
                continue;
            }
            tracing::info!(kind = %outage.kind, start = %outage.start, "outage announced by the Lighthouse");
            reports.push(
                self.store
                    .record_outage(outage, &evidence, clock.now())
                    .await?,
            );
        }
        Ok(reports)
    }
}

/// The outages the messages announce, one per event, with their evidence.
pub(crate) fn outages(messages: &[LighthouseMessage]) -> Vec<(Outage, String)> {
    let mut events: BTreeMap<String, Vec<&LighthouseMessage>> = BTreeMap::new();
    for m in messages {
        let Some(key) = m.event_id.clone().or_else(|| m.id.clone()) else {
            continue;
        };
        events.entry(key).or_default().push(m);
    }
    let mut out = Vec::new();
    for (event, msgs) in events {
        let Some(kind) = msgs.iter().find_map(|m| match m.category.as_ref()? {
            LighthouseCategory::Failure => Some(OutageKind::Failure),
            LighthouseCategory::TotalFailure => Some(OutageKind::TotalFailure),
            LighthouseCategory::Maintenance => Some(OutageKind::Unavailability),
            _ => None,
        }) else {
            continue;
        };
        let Some(start) = msgs
            .iter()
            .filter_map(|m| m.start.as_ref())
            .map(instant)
            .min()
        else {
            continue;
        };
        // A failure has ended when a FAILURE_END says so; maintenance is announced with its
        // planned end.
        let ended = kind == OutageKind::Unavailability
            || msgs
                .iter()
                .any(|m| m.kind == Some(LighthouseMessageType::FailureEnd));
        let end = ended
            .then(|| {
                msgs.iter()
                    .filter_map(|m| m.end.as_ref())
                    .map(instant)
                    .max()
            })
            .flatten()
            .filter(|e| *e > start);
        let ids: Vec<&str> = msgs.iter().filter_map(|m| m.id.as_deref()).collect();
        let title = msgs.first().map(|m| m.title.as_str()).unwrap_or_default();
        let evidence = format!(
            "KSeF status service (Lighthouse), event {event}, messages {}: {title}",
            ids.join(", ")
        );
        out.push((Outage::new(kind, start, end), evidence));
    }
    out
}

/// To the millisecond, as the store keeps instants.
fn instant(d: &ksef_client::models::common::DateTime) -> DateTime<Utc> {
    let utc = d.with_timezone(&Utc);
    DateTime::from_timestamp_millis(utc.timestamp_millis()).unwrap_or(utc)
}
