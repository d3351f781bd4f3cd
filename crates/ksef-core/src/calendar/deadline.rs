//! The legal deadline for sending an offline invoice to KSeF.
//!
//! # The rules
//!
//! - `offline24`: due the next business day after the issue date (`P_1`).
//! - `offline` (announced KSeF unavailability): due the next business day after the day the
//!   unavailability ends.
//! - `emergency` ("tryb awaryjny", announced KSeF failure): due the 7th business day after the
//!   day the failure ends; a further failure announced while the invoice is waiting restarts
//!   the counter from the day that failure ends.
//! - Cascade: a failure announced while an `offline24` or `offline` invoice is waiting moves
//!   its deadline to the 7th business day after the day the (last) failure ends.
//! - A total failure announced while the invoice is waiting lifts the obligation to send it;
//!   an invoice issued in `total-failure` mode is never sent and carries no QR codes.
//! - While a relevant outage is still going on (no end known) the deadline is not known:
//!   [`Obligation::Pending`], never a guess.
//!
//! "The n-th business day after D" counts from the first business day strictly after D (that
//! one is number 1). Dates are Warsaw calendar dates; a deadline ends at 23:59:59.999
//! Europe/Warsaw of the due date.
//!
//! # Decisions on edge cases
//!
//! - **Which window governs** an `offline` (`emergency`) invoice: among the unavailability
//!   (failure) windows that began on or before the issue date, one that covers the issue date;
//!   if several do, the one ending last (a window still going on ends last). If none covers
//!   it, the one that began last. If there is none at all, the call fails with
//!   [`Error::Calendar`]. If the chosen window ended before the issue date, the deadline is
//!   still counted from its end and the reasoning says so.
//! - **"While the invoice is waiting"** means the outage overlaps the period from the issue
//!   date to the deadline in force, both days included: it began on or before the current
//!   due date (a failure beginning on the due date itself counts) and had not ended before
//!   the issue date. A failure already going on when the invoice was issued therefore counts
//!   too. Outages are taken in order of their start, so a failure that begins within a
//!   deadline already moved by an earlier failure moves it again.
//! - **A deadline never moves earlier.** If the 7 business days after a failure end before
//!   the deadline already in force (possible only with overlapping windows), the deadline in
//!   force stays. This reads "no longer than 7 business days" in the documentation as the
//!   length of the new window, not as a cut of a longer one.
//! - Unavailability windows other than the governing one do not move any deadline; the
//!   documentation names only failures for that.
//! - A total failure lifts the obligation whenever it overlaps the waiting period, also when
//!   the deadline is still pending.
//! - An invoice issued on a Saturday, Sunday or holiday in `offline24` mode is due the next
//!   business day after that day, like any other.
//! - `total-failure` mode ignores the outages (after validating them): nothing is ever due.
//! - Outages may be given in any order; windows that ended before the issue date are ignored.
//! - Every outage is validated first, also those that turn out not to matter: one that ends
//!   before it starts is an error naming it.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::holidays::{holidays_between, try_next_business_day, try_nth_business_day_after};
use super::outage::{Outage, OutageKind};
use super::warsaw::{end_of_warsaw_day, start_of_next_warsaw_day, warsaw_date};
use crate::{Error, Result};

/// Business days granted after the end of a KSeF failure.
pub const FAILURE_BUSINESS_DAYS: u32 = 7;

/// The mode in which an invoice was issued outside KSeF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OfflineMode {
    /// At the taxpayer's discretion; due the next business day after the issue date.
    Offline24,
    /// During an announced KSeF unavailability; due the next business day after it ends.
    Offline,
    /// "Tryb awaryjny", during an announced KSeF failure; due the 7th business day after it
    /// ends.
    #[serde(alias = "awaryjny")]
    Emergency,
    /// During a total failure announced in the mass media; never sent to KSeF.
    TotalFailure,
}

impl OfflineMode {
    /// The name used by [`fmt::Display`] and [`FromStr`]: `offline24`, `offline`,
    /// `emergency`, `total-failure`.
    pub fn as_str(self) -> &'static str {
        match self {
            OfflineMode::Offline24 => "offline24",
            OfflineMode::Offline => "offline",
            OfflineMode::Emergency => "emergency",
            OfflineMode::TotalFailure => "total-failure",
        }
    }

    /// Whether the invoice must eventually be sent to KSeF (false only for total failure).
    pub fn requires_submission(self) -> bool {
        !matches!(self, OfflineMode::TotalFailure)
    }

    /// Whether the invoice carries KOD I and KOD II (false only for total failure).
    pub fn has_qr_codes(self) -> bool {
        self.requires_submission()
    }
}

impl fmt::Display for OfflineMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OfflineMode {
    type Err = Error;

    /// Accepts `offline24`, `offline`, `emergency` (also `awaryjny`) and `total-failure`,
    /// ignoring ASCII case and surrounding white space.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "offline24" => Ok(OfflineMode::Offline24),
            "offline" => Ok(OfflineMode::Offline),
            "emergency" | "awaryjny" => Ok(OfflineMode::Emergency),
            "total-failure" => Ok(OfflineMode::TotalFailure),
            _ => Err(Error::Calendar {
                reason: format!(
                    "unknown offline mode {s:?}; expected offline24, offline, emergency \
                     (or awaryjny) or total-failure"
                ),
            }),
        }
    }
}

/// What the law requires for one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Obligation {
    /// The invoice must be sent to KSeF by the end of `due_date` (Warsaw time).
    Due {
        /// The last Warsaw calendar day on which the invoice may be sent.
        due_date: NaiveDate,
        /// The end of `due_date`: 23:59:59.999 Europe/Warsaw.
        deadline: DateTime<Tz>,
    },
    /// The invoice need not be sent to KSeF at all (total failure).
    NotRequired {
        /// Why, in English.
        reason: String,
    },
    /// The deadline is not known yet because an outage that governs it is still going on.
    Pending {
        /// Why, in English.
        reason: String,
    },
}

impl fmt::Display for Obligation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Obligation::Due { deadline, .. } => {
                write!(f, "due by {}", deadline.to_rfc3339())
            }
            Obligation::NotRequired { reason } => write!(f, "not required: {reason}"),
            Obligation::Pending { reason } => write!(f, "not known yet: {reason}"),
        }
    }
}

/// The result of [`deadline`]: the obligation and the steps that led to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// What is required.
    pub obligation: Obligation,
    /// English sentences, one per step, in the order they were applied.
    pub reasoning: Vec<String>,
}

impl Deadline {
    /// The last Warsaw day on which the invoice may be sent, if a deadline is known.
    pub fn due_date(&self) -> Option<NaiveDate> {
        match &self.obligation {
            Obligation::Due { due_date, .. } => Some(*due_date),
            _ => None,
        }
    }

    /// The deadline instant (23:59:59.999 Warsaw time of the due date), if one is known.
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        match &self.obligation {
            Obligation::Due { deadline, .. } => Some(deadline.to_utc()),
            _ => None,
        }
    }

    /// Whether sending at `at` meets the obligation: `at` is before the Warsaw midnight that
    /// follows the due date.
    ///
    /// Also `true` when no sending is required ([`Obligation::NotRequired`]) and when the
    /// deadline is not known yet ([`Obligation::Pending`]): a deadline that starts counting
    /// only after an outage ends cannot have passed while it is going on. Recompute with the
    /// outage's end once it is known.
    pub fn is_on_time(&self, at: DateTime<Utc>) -> bool {
        match &self.obligation {
            Obligation::Due { due_date, .. } => match start_of_next_warsaw_day(*due_date) {
                Some(limit) => at < limit.to_utc(),
                None => warsaw_date(at) <= *due_date,
            },
            Obligation::NotRequired { .. } | Obligation::Pending { .. } => true,
        }
    }
}

/// Where the computation stands while outages are applied.
#[derive(Debug, Clone, Copy)]
enum State {
    Due(NaiveDate),
    Pending,
}

fn out_of_range(what: &str) -> Error {
    Error::Calendar {
        reason: format!("{what} is beyond the supported date range"),
    }
}

fn next_bd(d: NaiveDate) -> Result<NaiveDate> {
    try_next_business_day(d).ok_or_else(|| out_of_range(&format!("the business day after {d}")))
}

fn failure_due(end: NaiveDate) -> Result<NaiveDate> {
    try_nth_business_day_after(end, FAILURE_BUSINESS_DAYS).ok_or_else(|| {
        out_of_range(&format!(
            "the {FAILURE_BUSINESS_DAYS}th business day after {end}"
        ))
    })
}

/// `" (skipping the public holiday 2025-12-24 Wigilia Bożego Narodzenia)"` for the holidays on
/// weekdays strictly after `from` up to `to`; empty when there are none.
fn skipped_holidays(from: NaiveDate, to: NaiveDate) -> String {
    let names: Vec<String> = holidays_between(from, to)
        .into_iter()
        .filter(|h| h.date.weekday().num_days_from_monday() < 5)
        .map(|h| format!("{} {} ({})", h.date, h.name, h.name_en))
        .collect();
    match names.len() {
        0 => String::new(),
        1 => format!(" (skipping the public holiday {})", names[0]),
        _ => format!(" (skipping the public holidays {})", names.join(", ")),
    }
}

/// Picks the window of `kind` that governs an invoice issued on `issued`; see the module
/// documentation.
fn governing(outages: &[Outage], kind: OutageKind, issued: NaiveDate) -> Option<usize> {
    let candidates = || {
        outages
            .iter()
            .enumerate()
            .filter(move |(_, o)| o.kind == kind && o.start_date() <= issued)
    };
    candidates()
        .filter(|(_, o)| o.covers(issued))
        .max_by_key(|(_, o)| (o.end.is_none(), o.end, o.start))
        .or_else(|| candidates().max_by_key(|(_, o)| (o.start, o.end.is_none(), o.end)))
        .map(|(i, _)| i)
}

/// The deadline for sending to KSeF an invoice issued on `issued` (its `P_1`) in `mode`,
/// given the announced outages known so far.
///
/// `outages` may be in any order and may contain windows that do not matter; the
/// [reasoning](Deadline::reasoning) says which ones did. See the [module
/// documentation](self) for the rules and the edge-case decisions.
///
/// # Errors
///
/// [`Error::Calendar`] if an outage ends before it starts, if `offline` (`emergency`) mode is
/// used without an unavailability (failure) window that began on or before the issue date,
/// or if a date falls beyond the range of [`NaiveDate`].
///
/// ```
/// use chrono::NaiveDate;
/// use ksef_core::calendar::{deadline, OfflineMode, Outage, OutageKind};
/// let d = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
/// // The worked example of the KSeF documentation.
/// let alone = deadline(OfflineMode::Offline24, d(7, 8), &[])?;
/// assert_eq!(alone.due_date(), Some(d(7, 9)));
/// let failure = Outage::from_dates(OutageKind::Failure, d(7, 9), Some(d(7, 12)));
/// let moved = deadline(OfflineMode::Offline24, d(7, 8), &[failure])?;
/// assert_eq!(moved.due_date(), Some(d(7, 22)));
/// assert_eq!(moved.deadline().unwrap().to_rfc3339(), "2025-07-22T21:59:59.999+00:00");
/// # Ok::<(), ksef_core::Error>(())
/// ```
pub fn deadline(mode: OfflineMode, issued: NaiveDate, outages: &[Outage]) -> Result<Deadline> {
    for o in outages {
        o.validate()?;
    }
    let mut reasoning = Vec::new();
    // Set whenever the state becomes `Pending`: the step that made the deadline unknown.
    let mut pending_reason = String::new();

    let (mut state, governing_idx) = match mode {
        OfflineMode::TotalFailure => {
            let reason = format!(
                "issued {issued} in total-failure mode: there is no obligation to send it to \
                 KSeF, and it carries no QR codes"
            );
            reasoning.push(reason.clone());
            return Ok(Deadline {
                obligation: Obligation::NotRequired { reason },
                reasoning,
            });
        }
        OfflineMode::Offline24 => {
            let due = next_bd(issued)?;
            reasoning.push(format!(
                "issued {issued} in offline24 mode: due the next business day, {due}{}",
                skipped_holidays(issued, due)
            ));
            (State::Due(due), None)
        }
        OfflineMode::Offline | OfflineMode::Emergency => {
            let (kind, name, rule) = if mode == OfflineMode::Offline {
                (
                    OutageKind::Unavailability,
                    "KSeF unavailability",
                    "the next business day after it ends",
                )
            } else {
                (
                    OutageKind::Failure,
                    "KSeF failure",
                    "the 7th business day after the day it ends",
                )
            };
            let Some(idx) = governing(outages, kind, issued) else {
                return Err(Error::Calendar {
                    reason: format!(
                        "{mode} mode needs a {name} that covers the issue date {issued}; none \
                         was given"
                    ),
                });
            };
            let window = outages[idx];
            let state = match window.end_date() {
                Some(end) => {
                    let due = if mode == OfflineMode::Offline {
                        next_bd(end)?
                    } else {
                        failure_due(end)?
                    };
                    reasoning.push(format!(
                        "issued {issued} in {mode} mode during the {name} from {} to {end}: due \
                         {rule}, {due}{}",
                        window.start_date(),
                        skipped_holidays(end, due)
                    ));
                    if end < issued {
                        reasoning.push(format!(
                            "note: that {name} ended on {end}, before the issue date; the \
                             deadline is still counted from its end"
                        ));
                    }
                    State::Due(due)
                }
                None => {
                    pending_reason = format!(
                        "issued {issued} in {mode} mode during the {name} that began on {} and \
                         is still going on: due {rule}, which is not known yet",
                        window.start_date()
                    );
                    reasoning.push(pending_reason.clone());
                    State::Pending
                }
            };
            (state, Some(idx))
        }
    };

    let mut order: Vec<usize> = (0..outages.len())
        .filter(|&i| Some(i) != governing_idx)
        .collect();
    order.sort_by_key(|&i| {
        let o = &outages[i];
        (o.start, o.end.is_none(), o.end)
    });

    for i in order {
        let o = outages[i];
        if o.end_date().is_some_and(|end| end < issued) {
            // Over before the invoice existed: irrelevant, and not worth a sentence.
            continue;
        }
        if let State::Due(due) = state
            && o.start_date() > due
        {
            if o.kind != OutageKind::Unavailability {
                reasoning.push(format!(
                    "the {o} began after the deadline {due}: it does not change it"
                ));
            }
            continue;
        }
        match o.kind {
            OutageKind::TotalFailure => {
                let reason = format!(
                    "{o} announced while the invoice was waiting to be sent: the obligation to \
                     send it to KSeF is lifted"
                );
                reasoning.push(reason.clone());
                return Ok(Deadline {
                    obligation: Obligation::NotRequired { reason },
                    reasoning,
                });
            }
            OutageKind::Unavailability => {
                reasoning.push(format!(
                    "the KSeF {o} does not move the deadline; only an announced failure does"
                ));
            }
            OutageKind::Failure => {
                let restart = if mode == OfflineMode::Emergency {
                    "the 7-business-day counter restarts from the day it ends"
                } else {
                    "the deadline becomes the 7th business day after the day it ends"
                };
                match (state, o.end_date()) {
                    (State::Due(due), None) => {
                        let reason = format!(
                            "{o}, announced while the invoice was waiting (it began on or before \
                             the deadline {due}): {restart}, which is not known yet"
                        );
                        reasoning.push(reason.clone());
                        pending_reason = reason;
                        state = State::Pending;
                    }
                    (State::Due(due), Some(end)) => {
                        let new_due = failure_due(end)?;
                        if new_due > due {
                            reasoning.push(format!(
                                "{o} announced while the invoice was waiting (it began on or \
                                 before the deadline {due}): {restart}, {new_due}{}",
                                skipped_holidays(end, new_due)
                            ));
                            state = State::Due(new_due);
                        } else {
                            reasoning.push(format!(
                                "{o} announced while the invoice was waiting: the 7th business \
                                 day after it ends, {new_due}, is not later than the deadline \
                                 in force, {due}, which stays"
                            ));
                        }
                    }
                    (State::Pending, _) => {
                        reasoning.push(format!(
                            "{o} announced while the invoice was waiting: the deadline is still \
                             not known, because an earlier outage is still going on"
                        ));
                    }
                }
            }
        }
    }

    let obligation = match state {
        State::Due(due_date) => {
            let deadline = end_of_warsaw_day(due_date);
            reasoning.push(format!(
                "deadline: the end of {due_date} ({}) in Europe/Warsaw, {}",
                due_date.weekday(),
                deadline.to_rfc3339()
            ));
            Obligation::Due { due_date, deadline }
        }
        State::Pending => {
            reasoning.push(
                "the deadline is not known yet; compute it again once the end of that outage \
                 is announced"
                    .to_string(),
            );
            Obligation::Pending {
                reason: pending_reason,
            }
        }
    };
    Ok(Deadline {
        obligation,
        reasoning,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn failure(from: NaiveDate, to: Option<NaiveDate>) -> Outage {
        Outage::from_dates(OutageKind::Failure, from, to)
    }

    #[test]
    fn mode_names_round_trip() {
        for m in [
            OfflineMode::Offline24,
            OfflineMode::Offline,
            OfflineMode::Emergency,
            OfflineMode::TotalFailure,
        ] {
            assert_eq!(m.to_string().parse::<OfflineMode>().unwrap(), m);
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{m}\""));
        }
        assert_eq!(
            "Awaryjny".parse::<OfflineMode>().unwrap(),
            OfflineMode::Emergency
        );
        let alias: OfflineMode = serde_json::from_str("\"awaryjny\"").unwrap();
        assert_eq!(alias, OfflineMode::Emergency);
        let err = "online".parse::<OfflineMode>().unwrap_err().to_string();
        assert!(err.contains("unknown offline mode \"online\""), "{err}");
        assert!(!OfflineMode::TotalFailure.has_qr_codes());
        assert!(OfflineMode::Offline24.requires_submission());
    }

    #[test]
    fn worked_example() {
        let base = deadline(OfflineMode::Offline24, d(2025, 7, 8), &[]).unwrap();
        assert_eq!(base.due_date(), Some(d(2025, 7, 9)));
        assert_eq!(
            base.reasoning[0],
            "issued 2025-07-08 in offline24 mode: due the next business day, 2025-07-09"
        );
        let f = failure(d(2025, 7, 9), Some(d(2025, 7, 12)));
        let moved = deadline(OfflineMode::Offline24, d(2025, 7, 8), &[f]).unwrap();
        assert_eq!(moved.due_date(), Some(d(2025, 7, 22)));
        let Obligation::Due { deadline: dl, .. } = &moved.obligation else {
            panic!("{moved:?}")
        };
        assert_eq!(dl.to_rfc3339(), "2025-07-22T23:59:59.999+02:00");
        assert_eq!(moved.reasoning.len(), 3, "{:?}", moved.reasoning);
        assert!(moved.reasoning[1].starts_with("failure from 2025-07-09 to 2025-07-12"));
        assert!(
            moved.reasoning[1].ends_with("2025-07-22"),
            "{}",
            moved.reasoning[1]
        );
    }

    #[test]
    fn is_on_time_is_warsaw_midnight() {
        let dl = deadline(OfflineMode::Offline24, d(2025, 7, 8), &[]).unwrap();
        // Deadline: end of 2025-07-09 in Warsaw = 21:59:59.999Z.
        let last = Utc.with_ymd_and_hms(2025, 7, 9, 21, 59, 59).unwrap()
            + chrono::TimeDelta::microseconds(999_999);
        assert!(dl.is_on_time(last));
        assert!(!dl.is_on_time(Utc.with_ymd_and_hms(2025, 7, 9, 22, 0, 0).unwrap()));
        assert_eq!(
            dl.deadline().unwrap().to_rfc3339(),
            "2025-07-09T21:59:59.999+00:00"
        );
    }

    #[test]
    fn failure_on_the_deadline_day_counts_and_after_does_not() {
        let on = failure(d(2025, 7, 9), Some(d(2025, 7, 9)));
        let dl = deadline(OfflineMode::Offline24, d(2025, 7, 8), &[on]).unwrap();
        // 7 business days after Wed 9 July: 10,11,14,15,16,17,18.
        assert_eq!(dl.due_date(), Some(d(2025, 7, 18)));
        let after = failure(d(2025, 7, 10), Some(d(2025, 7, 10)));
        let dl = deadline(OfflineMode::Offline24, d(2025, 7, 8), &[after]).unwrap();
        assert_eq!(dl.due_date(), Some(d(2025, 7, 9)));
        assert!(dl.reasoning[1].contains("began after the deadline"));
    }

    #[test]
    fn chained_failures_follow_the_moved_deadline() {
        let f1 = failure(d(2025, 7, 9), Some(d(2025, 7, 12)));
        // Begins on 2025-07-20, after the original 07-09 deadline but within the moved one.
        let f2 = failure(d(2025, 7, 20), Some(d(2025, 7, 21)));
        // Given in reverse order on purpose.
        let dl = deadline(OfflineMode::Offline24, d(2025, 7, 8), &[f2, f1]).unwrap();
        // 7 business days after Mon 21 July: 22,23,24,25,28,29,30.
        assert_eq!(dl.due_date(), Some(d(2025, 7, 30)));
    }

    #[test]
    fn overlapping_failure_never_shortens() {
        let long = failure(d(2025, 7, 1), Some(d(2025, 7, 31)));
        let short = failure(d(2025, 7, 2), Some(d(2025, 7, 3)));
        let dl = deadline(OfflineMode::Emergency, d(2025, 7, 2), &[long, short]).unwrap();
        // 7 business days after Thu 31 July: Aug 1,4,5,6,7,8,11.
        assert_eq!(dl.due_date(), Some(d(2025, 8, 11)));
        assert!(dl.reasoning.iter().any(|r| r.contains("which stays")));
    }

    #[test]
    fn governing_window_choice() {
        let old = failure(d(2025, 6, 1), Some(d(2025, 6, 2)));
        let newer = failure(d(2025, 6, 10), Some(d(2025, 6, 11)));
        // Issued 2025-06-20: no window covers it, the one that began last governs.
        let dl = deadline(OfflineMode::Emergency, d(2025, 6, 20), &[newer, old]).unwrap();
        // 7 business days after Wed 11 June 2025: 12,13,16,17,18,(19 Corpus Christi),20,23.
        assert_eq!(dl.due_date(), Some(d(2025, 6, 23)));
        assert!(dl.reasoning.iter().any(|r| r.starts_with("note:")));
        assert!(
            dl.reasoning[0].contains("dzień Bożego Ciała"),
            "{}",
            dl.reasoning[0]
        );
    }

    #[test]
    fn missing_window_is_an_error() {
        let err = deadline(OfflineMode::Offline, d(2025, 7, 8), &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "offline mode needs a KSeF unavailability that covers the issue date \
                 2025-07-08; none was given"
            ),
            "{err}"
        );
        // A failure does not stand in for an unavailability, nor one that starts later.
        let later = Outage::from_dates(OutageKind::Unavailability, d(2025, 7, 9), None);
        let f = failure(d(2025, 7, 1), None);
        assert!(deadline(OfflineMode::Offline, d(2025, 7, 8), &[later, f]).is_err());
        let err = deadline(OfflineMode::Emergency, d(2025, 7, 8), &[later])
            .unwrap_err()
            .to_string();
        assert!(err.contains("emergency mode needs a KSeF failure"), "{err}");
    }

    #[test]
    fn pending_then_total_failure() {
        let f = failure(d(2025, 7, 9), None);
        let dl = deadline(OfflineMode::Offline24, d(2025, 7, 8), &[f]).unwrap();
        assert!(matches!(dl.obligation, Obligation::Pending { .. }));
        assert_eq!(dl.due_date(), None);
        assert_eq!(dl.deadline(), None);
        assert!(dl.is_on_time(Utc.with_ymd_and_hms(2025, 8, 1, 0, 0, 0).unwrap()));
        let t = Outage::from_dates(OutageKind::TotalFailure, d(2025, 7, 30), None);
        let dl = deadline(OfflineMode::Offline24, d(2025, 7, 8), &[f, t]).unwrap();
        assert!(matches!(dl.obligation, Obligation::NotRequired { .. }));
    }

    #[test]
    fn total_failure_mode() {
        let dl = deadline(OfflineMode::TotalFailure, d(2025, 7, 8), &[]).unwrap();
        let Obligation::NotRequired { reason } = &dl.obligation else {
            panic!("{dl:?}")
        };
        assert!(reason.contains("no QR codes"));
        assert!(dl.is_on_time(Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()));
    }

    #[test]
    fn invalid_window_is_named() {
        let bad = Outage::new(
            OutageKind::Unavailability,
            Utc.with_ymd_and_hms(2025, 7, 10, 8, 0, 0).unwrap(),
            Some(Utc.with_ymd_and_hms(2025, 7, 9, 8, 0, 0).unwrap()),
        );
        let err = deadline(OfflineMode::Offline24, d(2025, 7, 8), &[bad])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unavailability window from 2025-07-10T08:00:00+00:00"),
            "{err}"
        );
    }

    #[test]
    fn date_range_end_is_an_error_not_a_panic() {
        let err = deadline(OfflineMode::Offline24, NaiveDate::MAX, &[]).unwrap_err();
        assert!(err.to_string().contains("beyond the supported date range"));
    }
}
