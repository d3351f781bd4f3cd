//! `ksef deadline`: the legal deadline of an offline invoice.

use anyhow::{Context as _, bail};
use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use chrono_tz::Europe::Warsaw;
use ksef_core::calendar::{self, Obligation, OfflineMode, Outage, OutageKind};
use serde_json::json;

use crate::Outcome;
use crate::args::DeadlineArgs;

pub fn run(a: DeadlineArgs) -> anyhow::Result<Outcome> {
    let mode: OfflineMode = a.mode.parse()?;
    let issued = parse_date(&a.issued).with_context(|| format!("--issued {:?}", a.issued))?;
    let mut outages = Vec::new();
    for (kind, flag, values) in [
        (OutageKind::Unavailability, "--unavailable", &a.unavailable),
        (OutageKind::Failure, "--failure", &a.failure),
        (
            OutageKind::TotalFailure,
            "--total-failure",
            &a.total_failure,
        ),
    ] {
        for v in values {
            outages.push(parse_window(kind, v).with_context(|| format!("{flag} {v:?}"))?);
        }
    }
    let d = calendar::deadline(mode, issued, &outages)?;
    if a.json {
        let (obligation, due, deadline, reason) = match &d.obligation {
            Obligation::Due { due_date, deadline } => (
                "due",
                Some(due_date.to_string()),
                Some(deadline.to_rfc3339()),
                None,
            ),
            Obligation::NotRequired { reason } => {
                ("not-required", None, None, Some(reason.clone()))
            }
            Obligation::Pending { reason } => ("pending", None, None, Some(reason.clone())),
            #[allow(unreachable_patterns)]
            _ => ("unknown", None, None, None),
        };
        let out = json!({
            "mode": mode.to_string(),
            "issued": issued.to_string(),
            "obligation": obligation,
            "dueDate": due,
            "deadline": deadline,
            "reason": reason,
            "reasoning": d.reasoning,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        match &d.obligation {
            Obligation::Due { due_date, deadline } => {
                println!("due date: {due_date} (send before the end of that day in Warsaw)");
                println!("deadline: {}", deadline.to_rfc3339());
            }
            Obligation::NotRequired { reason } => println!("no obligation to send: {reason}"),
            Obligation::Pending { reason } => println!("deadline not known yet: {reason}"),
            #[allow(unreachable_patterns)]
            _ => {}
        }
        println!("because:");
        for step in &d.reasoning {
            println!("  - {step}");
        }
    }
    Ok(Outcome::Ok)
}

fn parse_date(s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").context("not a date YYYY-MM-DD")
}

/// `FROM..TO`: each side a date (that whole Warsaw day) or an RFC 3339 instant; TO may be empty.
fn parse_window(kind: OutageKind, s: &str) -> anyhow::Result<Outage> {
    let Some((from, to)) = s.split_once("..") else {
        bail!("expected FROM..TO, e.g. 2025-07-09..2025-07-12 or 2025-07-09T10:00:00+02:00..");
    };
    let start = parse_instant(from, false)?;
    let end = if to.trim().is_empty() {
        None
    } else {
        Some(parse_instant(to, true)?)
    };
    Ok(Outage { kind, start, end })
}

pub(crate) fn parse_instant(s: &str, end_of_day: bool) -> anyhow::Result<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = parse_date(s)
        .with_context(|| format!("{s:?} is neither a date YYYY-MM-DD nor an RFC 3339 instant"))?;
    Ok(if end_of_day {
        calendar::end_of_warsaw_day(d).with_timezone(&Utc)
    } else {
        let midnight = d.and_hms_opt(0, 0, 0).context("date out of range")?;
        Warsaw
            .from_local_datetime(&midnight)
            .earliest()
            .context("no such local time in Warsaw")?
            .with_timezone(&Utc)
    })
}
