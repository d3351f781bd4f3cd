//! KSeF Latarnia ("lighthouse"), the status service of KSeF, which is not part of
//! `open-api.json`: GET `{base}/status` and GET `{base}/messages`.
//!
//! The upstream shape is not in our specification; these models are our best reading of it
//! and are deliberately lenient: every field but `status` may be missing, ids may be numbers
//! or strings, dates without a UTC offset are taken as UTC, unparseable dates become `None`
//! and unknown enum values are kept in `Other`.

use chrono::{NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::common::{DateTime, wire_enum};

wire_enum! {
    /// Overall state of KSeF.
    pub enum LighthouseStatus {
        /// KSeF works.
        Available => "AVAILABLE",
        /// Planned maintenance (*prace serwisowe*).
        Maintenance => "MAINTENANCE",
        /// Failure (*awaria*).
        Failure => "FAILURE",
        /// Total failure (*awaria całkowita*): the offline24 regime applies.
        TotalFailure => "TOTAL_FAILURE",
    }
}

wire_enum! {
    /// Category of a message.
    pub enum LighthouseCategory {
        /// Failure.
        Failure => "FAILURE",
        /// Total failure.
        TotalFailure => "TOTAL_FAILURE",
        /// Maintenance.
        Maintenance => "MAINTENANCE",
    }
}

wire_enum! {
    /// Type of a message.
    pub enum LighthouseMessageType {
        /// A failure started.
        FailureStart => "FAILURE_START",
        /// A failure ended.
        FailureEnd => "FAILURE_END",
        /// Maintenance announced.
        MaintenanceAnnouncement => "MAINTENANCE_ANNOUNCEMENT",
    }
}

/// One message of the status service.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LighthouseMessage {
    /// Message id.
    #[serde(
        default,
        deserialize_with = "string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Id of the event (failure or maintenance) the message belongs to.
    #[serde(
        default,
        deserialize_with = "string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_id: Option<String>,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<LighthouseCategory>,
    /// Type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<LighthouseMessageType>,
    /// Title (Polish).
    #[serde(default)]
    pub title: String,
    /// Text (Polish).
    #[serde(default)]
    pub text: String,
    /// Start of the event.
    #[serde(
        default,
        deserialize_with = "lenient_date_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub start: Option<DateTime>,
    /// End of the event; `null` while it lasts.
    #[serde(
        default,
        deserialize_with = "lenient_date_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub end: Option<DateTime>,
    /// Version of the message (messages get updated).
    #[serde(
        default,
        deserialize_with = "lenient_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<i64>,
    /// Publication time.
    #[serde(
        default,
        deserialize_with = "lenient_date_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<DateTime>,
}

/// Response of GET `{base}/status`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LighthouseStatusResponse {
    /// Overall state.
    pub status: LighthouseStatus,
    /// Current messages (empty when absent or `null`).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub messages: Vec<LighthouseMessage>,
}

/// Response of GET `{base}/messages`.
pub type LighthouseMessagesResponse = Vec<LighthouseMessage>;

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_date_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime>, D::Error> {
    let serde_json::Value::String(s) = serde_json::Value::deserialize(d)? else {
        return Ok(None);
    };
    Ok(parse_lenient_date_time(&s))
}

/// Parses RFC 3339, or a date-time without offset taken as UTC.
fn parse_lenient_date_time(s: &str) -> Option<DateTime> {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
        .ok()?;
    Some(Utc.from_utc_datetime(&naive).fixed_offset())
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<LighthouseMessage>, D::Error> {
    Ok(Option::<Vec<LighthouseMessage>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_with_messages_decodes() {
        let body = r#"{"status": "FAILURE", "messages": [{
            "id": 17, "eventId": "e-1", "category": "FAILURE", "type": "FAILURE_START",
            "title": "Awaria", "text": "KSeF nie działa",
            "start": "2026-02-02T10:00:00+01:00", "end": null, "version": 2,
            "published": "2026-02-02T10:05:00", "extra": true}]}"#;
        let s: LighthouseStatusResponse = serde_json::from_str(body).unwrap();
        assert_eq!(s.status, LighthouseStatus::Failure);
        let m = &s.messages[0];
        assert_eq!(m.id.as_deref(), Some("17"));
        assert_eq!(m.kind, Some(LighthouseMessageType::FailureStart));
        assert_eq!(m.end, None);
        assert_eq!(
            m.published.unwrap().to_rfc3339(),
            "2026-02-02T10:05:00+00:00"
        );
        let back: LighthouseStatusResponse =
            serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn unknown_values_and_missing_fields_are_tolerated() {
        let s: LighthouseStatusResponse =
            serde_json::from_str(r#"{"status": "DEGRADED", "messages": null}"#).unwrap();
        assert_eq!(s.status, LighthouseStatus::Other("DEGRADED".into()));
        assert_eq!(serde_json::to_value(&s.status).unwrap(), "DEGRADED");
        assert!(s.messages.is_empty());
        let m: LighthouseMessagesResponse = serde_json::from_str(
            r#"[{"category": "PLANNED", "type": "X", "start": "not a date"}]"#,
        )
        .unwrap();
        assert_eq!(
            m[0].category,
            Some(LighthouseCategory::Other("PLANNED".into()))
        );
        assert_eq!(m[0].start, None);
    }
}
