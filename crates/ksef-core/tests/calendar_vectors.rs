//! Test vectors for the calendar: `vectors/holidays.json` and `vectors/deadlines.json` (each
//! says in its `source` field where its cases come from), and the classification examples of
//! the KSeF documentation.
#![allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Warsaw;
use ksef_core::calendar::{
    Classification, Obligation, OfflineMode, Outage, OutageKind, SendingChannel, classify,
    deadline, easter_sunday, holidays, is_business_day,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(
        v["source"].as_str().is_some_and(|s| !s.is_empty()),
        "{name} must say where its cases come from"
    );
    v
}

fn date(v: &Value) -> NaiveDate {
    v.as_str().unwrap().parse().unwrap()
}

fn instant(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .to_utc()
}

#[test]
fn holiday_vectors() {
    let v = load("holidays.json");
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    for case in cases {
        let year = i32::try_from(case["year"].as_i64().unwrap()).unwrap();
        assert_eq!(easter_sunday(year), date(&case["easter_sunday"]), "{year}");
        let want = case["holidays"].as_array().unwrap();
        let got = holidays(year);
        assert_eq!(got.len(), want.len(), "number of holidays in {year}");
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.date, date(&w["date"]), "{year}: {w}");
            assert_eq!(g.name, w["name"].as_str().unwrap(), "{year}: {w}");
            assert_eq!(g.name_en, w["name_en"].as_str().unwrap(), "{year}: {w}");
            assert_eq!(
                g.date.weekday().to_string(),
                w["weekday"].as_str().unwrap()[..3],
                "{year}: {w}"
            );
            assert!(!is_business_day(g.date), "{year}: {w}");
        }
    }
}

fn outage(v: &Value) -> Outage {
    let kind = match v["kind"].as_str().unwrap() {
        "unavailability" => OutageKind::Unavailability,
        "failure" => OutageKind::Failure,
        "total-failure" => OutageKind::TotalFailure,
        other => panic!("unknown outage kind {other}"),
    };
    if v.get("from").is_some() {
        let to = (!v["to"].is_null()).then(|| date(&v["to"]));
        Outage::from_dates(kind, date(&v["from"]), to)
    } else {
        let end = (!v["end"].is_null()).then(|| instant(&v["end"]));
        Outage::new(kind, instant(&v["start"]), end)
    }
}

#[test]
fn deadline_vectors() {
    let v = load("deadlines.json");
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mode: OfflineMode = case["mode"].as_str().unwrap().parse().unwrap();
        let issued = date(&case["issued"]);
        let outages: Vec<Outage> = case["outages"]
            .as_array()
            .unwrap()
            .iter()
            .map(outage)
            .collect();
        let expect = &case["expect"];
        let result = deadline(mode, issued, &outages);
        if let Some(msg) = expect["error_contains"].as_str() {
            let err = result.expect_err(name).to_string();
            assert!(err.contains(msg), "{name}: {err}");
            continue;
        }
        let dl = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!dl.reasoning.is_empty(), "{name}");
        if expect["pending"].as_bool() == Some(true) {
            assert!(
                matches!(dl.obligation, Obligation::Pending { .. }),
                "{name}: {dl:?}"
            );
            assert_eq!(dl.due_date(), None, "{name}");
        } else if expect["not_required"].as_bool() == Some(true) {
            assert!(
                matches!(dl.obligation, Obligation::NotRequired { .. }),
                "{name}: {dl:?}"
            );
        } else {
            let due = date(&expect["due"]);
            assert_eq!(dl.due_date(), Some(due), "{name}: {:#?}", dl.reasoning);
            let Obligation::Due { deadline: at, .. } = &dl.obligation else {
                panic!("{name}: {dl:?}")
            };
            assert_eq!(
                at.to_rfc3339(),
                expect["deadline"].as_str().unwrap(),
                "{name}"
            );
            let last = instant(&expect["deadline"]);
            assert_eq!(dl.deadline(), Some(last), "{name}");
            assert!(dl.is_on_time(last), "{name}");
            assert!(
                !dl.is_on_time(last + chrono::TimeDelta::milliseconds(1)),
                "{name}"
            );
        }
    }
}

fn warsaw(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap();
    Warsaw
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .to_utc()
}

#[test]
fn classification_cases() {
    let p1 = |s: &str| s.parse::<NaiveDate>().unwrap();
    // (P_1, offlineMode declared, channel, session opened (Warsaw), invoice sent (Warsaw), want)
    let cases = [
        // The documentation's examples.
        (
            "2025-10-03",
            false,
            SendingChannel::Interactive,
            "2025-10-03T23:59:59",
            "2025-10-04T00:00:01",
            "Offline",
        ),
        (
            "2025-10-03",
            false,
            SendingChannel::Batch,
            "2025-10-03T23:59:59",
            "2025-10-04T00:00:01",
            "Online",
        ),
        // Same day, either channel.
        (
            "2025-10-03",
            false,
            SendingChannel::Interactive,
            "2025-10-03T08:00:00",
            "2025-10-03T23:59:59",
            "Online",
        ),
        // Declared offline stays offline on the same day.
        (
            "2025-10-03",
            true,
            SendingChannel::Interactive,
            "2025-10-03T08:00:00",
            "2025-10-03T09:00:00",
            "Offline",
        ),
        // P_1 after the acceptance day: rejected, declared or not.
        (
            "2025-10-04",
            false,
            SendingChannel::Batch,
            "2025-10-03T23:59:59",
            "2025-10-04T00:00:01",
            "Rejected",
        ),
        (
            "2025-10-04",
            true,
            SendingChannel::Batch,
            "2025-10-03T23:59:59",
            "2025-10-04T00:00:01",
            "Rejected",
        ),
        (
            "2025-10-04",
            false,
            SendingChannel::Interactive,
            "2025-10-03T23:59:59",
            "2025-10-04T00:00:01",
            "Online",
        ),
        // Winter time: midnight boundary at 23:00 UTC.
        (
            "2026-01-15",
            false,
            SendingChannel::Interactive,
            "2026-01-15T10:00:00",
            "2026-01-16T00:00:00",
            "Offline",
        ),
        // A week late, interactive.
        (
            "2025-07-08",
            false,
            SendingChannel::Interactive,
            "2025-07-15T10:00:00",
            "2025-07-15T10:00:05",
            "Offline",
        ),
    ];
    for (issue, declared, channel, opened, sent, want) in cases {
        let at = channel.invoicing_instant(warsaw(sent), warsaw(opened));
        let got = classify(p1(issue), declared, at);
        let name = match &got {
            Classification::Online => "Online",
            Classification::Offline => "Offline",
            Classification::Rejected { .. } => "Rejected",
        };
        assert_eq!(
            name, want,
            "P_1 {issue}, declared {declared}, {channel:?}, opened {opened}, sent {sent}: {got:?}"
        );
    }
    // The UTC day must not be used: 23:30 UTC on 3 October is 4 October in Warsaw.
    let at = Utc.with_ymd_and_hms(2025, 10, 3, 23, 30, 0).unwrap();
    assert_eq!(
        classify(p1("2025-10-04"), false, at),
        Classification::Online
    );
}
