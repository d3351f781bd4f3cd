//! Announced KSeF outages: unavailability, failure ("awaria") and total failure.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::warsaw::{end_of_warsaw_day, start_of_warsaw_day, warsaw_date};
use crate::{Error, Result};

/// The kind of an announced outage of KSeF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutageKind {
    /// KSeF unavailability ("niedostępność"), announced in BIP MF and the interface software;
    /// invoices issued during it use the `offline` mode.
    Unavailability,
    /// KSeF failure ("awaria"), announced in BIP MF and the interface software; invoices
    /// issued during it use the `emergency` mode.
    Failure,
    /// Total failure ("awaria całkowita"), announced in the mass media; lifts the obligation
    /// to send invoices to KSeF.
    TotalFailure,
}

impl OutageKind {
    /// The English word used in reasoning and messages: `unavailability`, `failure`,
    /// `total failure`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutageKind::Unavailability => "unavailability",
            OutageKind::Failure => "failure",
            OutageKind::TotalFailure => "total failure",
        }
    }
}

impl fmt::Display for OutageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One announced outage of KSeF, from `start` to `end`.
///
/// Only the Warsaw calendar dates of the instants matter for deadlines: the day an outage
/// ends is the Warsaw date of `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Outage {
    /// What kind of outage was announced.
    pub kind: OutageKind,
    /// When it began.
    pub start: DateTime<Utc>,
    /// When it ended; `None` while it is still going on.
    pub end: Option<DateTime<Utc>>,
}

impl Outage {
    /// An outage given as instants. Not validated here; [`Outage::validate`] and
    /// [`crate::calendar::deadline()`] refuse an end before the start.
    pub fn new(kind: OutageKind, start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> Self {
        Outage { kind, start, end }
    }

    /// An outage given as Warsaw calendar dates, each meaning that whole Warsaw day: it
    /// starts at Warsaw midnight of `from` and ends at 23:59:59.999 Warsaw time of `to`
    /// (`None`: still going on).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use ksef_core::calendar::{Outage, OutageKind};
    /// let d = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    /// let o = Outage::from_dates(OutageKind::Failure, d(7, 9), Some(d(7, 12)));
    /// assert_eq!(o.start_date(), d(7, 9));
    /// assert_eq!(o.end_date(), Some(d(7, 12)));
    /// ```
    pub fn from_dates(kind: OutageKind, from: NaiveDate, to: Option<NaiveDate>) -> Self {
        Outage {
            kind,
            start: start_of_warsaw_day(from).to_utc(),
            end: to.map(|t| end_of_warsaw_day(t).to_utc()),
        }
    }

    /// The Warsaw date on which the outage began.
    pub fn start_date(&self) -> NaiveDate {
        warsaw_date(self.start)
    }

    /// The Warsaw date on which the outage ended, `None` while it is still going on.
    pub fn end_date(&self) -> Option<NaiveDate> {
        self.end.map(warsaw_date)
    }

    /// Whether the outage is still going on (no end known).
    pub fn is_ongoing(&self) -> bool {
        self.end.is_none()
    }

    /// Whether the outage covers the Warsaw date `d`: it began on or before `d` and ended on
    /// or after it (or is still going on).
    pub fn covers(&self, d: NaiveDate) -> bool {
        self.start_date() <= d && self.end_date().is_none_or(|e| e >= d)
    }

    /// Refuses an outage that ends before it starts.
    pub fn validate(&self) -> Result<()> {
        match self.end {
            Some(end) if end < self.start => Err(Error::Calendar {
                reason: format!(
                    "the {} window from {} to {} ends before it starts",
                    self.kind,
                    self.start.to_rfc3339(),
                    end.to_rfc3339()
                ),
            }),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Outage {
    /// `failure from 2025-07-09 to 2025-07-12` (Warsaw dates), or `... from 2025-07-09, still
    /// going on`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end_date() {
            Some(end) => write!(f, "{} from {} to {}", self.kind, self.start_date(), end),
            None => write!(
                f,
                "{} from {}, still going on",
                self.kind,
                self.start_date()
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn from_dates_covers_whole_warsaw_days() {
        let o = Outage::from_dates(OutageKind::Failure, d(2025, 7, 9), Some(d(2025, 7, 12)));
        assert_eq!(o.start.to_rfc3339(), "2025-07-08T22:00:00+00:00");
        assert_eq!(o.end.unwrap().to_rfc3339(), "2025-07-12T21:59:59.999+00:00");
        assert!(o.covers(d(2025, 7, 9)));
        assert!(o.covers(d(2025, 7, 12)));
        assert!(!o.covers(d(2025, 7, 8)));
        assert!(!o.covers(d(2025, 7, 13)));
        assert_eq!(o.to_string(), "failure from 2025-07-09 to 2025-07-12");
    }

    #[test]
    fn ongoing_outage() {
        let o = Outage::from_dates(OutageKind::Unavailability, d(2025, 1, 2), None);
        assert!(o.is_ongoing());
        assert!(o.covers(d(2030, 1, 1)));
        assert_eq!(
            o.to_string(),
            "unavailability from 2025-01-02, still going on"
        );
        assert!(o.validate().is_ok());
    }

    #[test]
    fn end_before_start_is_refused() {
        let start = Utc.with_ymd_and_hms(2025, 7, 10, 8, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2025, 7, 10, 7, 0, 0).unwrap();
        let o = Outage::new(OutageKind::Failure, start, Some(end));
        let err = o.validate().unwrap_err().to_string();
        assert!(err.contains("failure window"), "{err}");
        assert!(err.contains("ends before it starts"), "{err}");
        assert!(
            Outage::new(OutageKind::Failure, start, Some(start))
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn instants_are_read_as_warsaw_dates() {
        // 22:30 UTC on 10 July is 00:30 on 11 July in Warsaw.
        let o = Outage::new(
            OutageKind::Failure,
            Utc.with_ymd_and_hms(2025, 7, 9, 8, 0, 0).unwrap(),
            Some(Utc.with_ymd_and_hms(2025, 7, 10, 22, 30, 0).unwrap()),
        );
        assert_eq!(o.end_date(), Some(d(2025, 7, 11)));
    }

    #[test]
    fn serde_kind_names() {
        let json = serde_json::to_string(&OutageKind::TotalFailure).unwrap();
        assert_eq!(json, "\"total-failure\"");
    }
}
