//! Automatic offline classification: the mode KSeF assigns to an invoice it accepts.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::warsaw::warsaw_date;

/// How an invoice reaches KSeF; it decides which instant is the acceptance date
/// (`invoicingDate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SendingChannel {
    /// Interactive (online) session: `invoicingDate` is the instant the invoice was sent.
    Interactive,
    /// Batch session: `invoicingDate` is the instant the session was opened (its
    /// `dateCreated`), for every invoice in the package, however late it is uploaded.
    Batch,
}

impl SendingChannel {
    /// The acceptance instant for this channel: `invoice_sent` for an interactive session,
    /// `session_opened` for a batch session.
    pub fn invoicing_instant(
        self,
        invoice_sent: DateTime<Utc>,
        session_opened: DateTime<Utc>,
    ) -> DateTime<Utc> {
        match self {
            SendingChannel::Interactive => invoice_sent,
            SendingChannel::Batch => session_opened,
        }
    }
}

/// The mode KSeF assigns to an invoice, or why it refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classification {
    /// `invoicingMode = Online`.
    Online,
    /// `invoicingMode = Offline`, declared or determined automatically.
    Offline,
    /// Refused by the date rule: `P_1` must not be later than the acceptance date.
    Rejected {
        /// Why, in English, with both dates.
        reason: String,
    },
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Classification::Online => f.write_str("Online"),
            Classification::Offline => f.write_str("Offline"),
            Classification::Rejected { reason } => write!(f, "rejected: {reason}"),
        }
    }
}

/// Classifies an invoice the way KSeF does on acceptance.
///
/// `invoicing_instant` is KSeF's `invoicingDate`: for an **interactive** session the instant
/// the invoice was sent, for a **batch** session the instant the session was opened (see
/// [`SendingChannel::invoicing_instant`]). Only calendar days are compared, never times of
/// day; the day of `invoicing_instant` is its Europe/Warsaw date.
///
/// - `issue_date` (`P_1`) later than that day: [`Classification::Rejected`], whatever was
///   declared.
/// - `offline_mode_declared` (`offlineMode: true`): [`Classification::Offline`].
/// - otherwise `P_1` earlier than that day: [`Classification::Offline`] (automatic);
///   the same day: [`Classification::Online`].
///
/// ```
/// use chrono::{NaiveDate, TimeZone};
/// use chrono_tz::Europe::Warsaw;
/// use ksef_core::calendar::{classify, Classification};
/// let p1 = NaiveDate::from_ymd_opt(2025, 10, 3).unwrap();
/// // Interactive: sent at 00:00:01 on 4 October, Warsaw time.
/// let sent = Warsaw.with_ymd_and_hms(2025, 10, 4, 0, 0, 1).unwrap().to_utc();
/// assert_eq!(classify(p1, false, sent), Classification::Offline);
/// // Batch: session opened at 23:59:59 on 3 October, Warsaw time.
/// let opened = Warsaw.with_ymd_and_hms(2025, 10, 3, 23, 59, 59).unwrap().to_utc();
/// assert_eq!(classify(p1, false, opened), Classification::Online);
/// ```
pub fn classify(
    issue_date: NaiveDate,
    offline_mode_declared: bool,
    invoicing_instant: DateTime<Utc>,
) -> Classification {
    let accepted = warsaw_date(invoicing_instant);
    if issue_date > accepted {
        return Classification::Rejected {
            reason: format!(
                "the issue date P_1 {issue_date} is later than the acceptance date {accepted} \
                 (Europe/Warsaw day of {})",
                invoicing_instant.to_rfc3339()
            ),
        };
    }
    if offline_mode_declared || issue_date < accepted {
        Classification::Offline
    } else {
        Classification::Online
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Warsaw;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn warsaw(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Warsaw
            .with_ymd_and_hms(y, m, day, h, min, s)
            .unwrap()
            .to_utc()
    }

    #[test]
    fn documentation_examples() {
        let p1 = d(2025, 10, 3);
        // Interactive session opened 23:59:59, invoice sent after midnight.
        let opened = warsaw(2025, 10, 3, 23, 59, 59);
        let sent = warsaw(2025, 10, 4, 0, 0, 1);
        let i = SendingChannel::Interactive.invoicing_instant(sent, opened);
        assert_eq!(classify(p1, false, i), Classification::Offline);
        // Batch session opened 23:59:59, package uploaded after midnight.
        let b = SendingChannel::Batch.invoicing_instant(sent, opened);
        assert_eq!(classify(p1, false, b), Classification::Online);
    }

    #[test]
    fn declared_offline_and_rejection() {
        let at = warsaw(2025, 10, 3, 12, 0, 0);
        assert_eq!(classify(d(2025, 10, 3), true, at), Classification::Offline);
        assert_eq!(classify(d(2025, 10, 1), true, at), Classification::Offline);
        for declared in [false, true] {
            let c = classify(d(2025, 10, 4), declared, at);
            let Classification::Rejected { reason } = &c else {
                panic!("{c:?}")
            };
            assert!(reason.contains("P_1 2025-10-04"), "{reason}");
            assert!(reason.contains("acceptance date 2025-10-03"), "{reason}");
        }
    }

    #[test]
    fn warsaw_day_not_utc_day() {
        // 23:30 UTC on 3 October is 01:30 on 4 October in Warsaw.
        let at = Utc.with_ymd_and_hms(2025, 10, 3, 23, 30, 0).unwrap();
        assert_eq!(classify(d(2025, 10, 4), false, at), Classification::Online);
        assert_eq!(classify(d(2025, 10, 3), false, at), Classification::Offline);
        // Winter: 23:00 UTC on 3 January is midnight on 4 January in Warsaw.
        let at = Utc.with_ymd_and_hms(2026, 1, 3, 22, 59, 59).unwrap();
        assert_eq!(classify(d(2026, 1, 3), false, at), Classification::Online);
        let at = Utc.with_ymd_and_hms(2026, 1, 3, 23, 0, 0).unwrap();
        assert_eq!(classify(d(2026, 1, 3), false, at), Classification::Offline);
    }

    #[test]
    fn display() {
        assert_eq!(Classification::Online.to_string(), "Online");
        assert_eq!(Classification::Offline.to_string(), "Offline");
    }
}
