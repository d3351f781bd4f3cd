//! The deadline watchdog: thresholds, one alert each, delivery to a command and a webhook.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use chrono::{DateTime, Utc};
use ksef_core::FixedClock;
use ksef_core::calendar::OfflineMode;
use ksef_offline::watchdog::{Alert, AlertSink, Watchdog, WatchdogOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;
use common::*;

async fn thresholds_each_alert_once(db: &Db) {
    let issued = at(2026, 2, 10, 10);
    let store = store_with_tenant(db, issued).await;
    let inv = store
        .issue(
            &acme(),
            &invoice(day(2026, 2, 10), "FV/D/1"),
            OfflineMode::Offline24,
            &FixedClock(issued),
        )
        .await
        .unwrap()
        .invoice;
    let deadline = inv.obligation.deadline().unwrap();
    let dog = Watchdog::new(WatchdogOptions::default());
    let check = |t: DateTime<Utc>| {
        let (dog, store) = (&dog, &store);
        async move { dog.check(&**store, &FixedClock(t)).await.unwrap() }
    };
    assert!(
        check(deadline - chrono::Duration::hours(3))
            .await
            .is_empty()
    );
    let a = check(deadline - chrono::Duration::minutes(50)).await;
    assert!(
        matches!(
            &a[..],
            [Alert::DeadlineNear {
                threshold_minutes: 60,
                ..
            }]
        ),
        "{a:?}"
    );
    assert!(
        check(deadline - chrono::Duration::minutes(40))
            .await
            .is_empty(),
        "once"
    );
    let a = check(deadline - chrono::Duration::minutes(10)).await;
    assert!(
        matches!(
            &a[..],
            [Alert::DeadlineNear {
                threshold_minutes: 15,
                minutes_left: 9..=10,
                ..
            }]
        ),
        "{a:?}"
    );
    let a = check(deadline + chrono::Duration::minutes(1)).await;
    assert!(matches!(&a[..], [Alert::DeadlinePassed { .. }]), "{a:?}");
    assert!(a[0].to_string().contains("missed its deadline"));
    assert!(
        check(deadline + chrono::Duration::minutes(2))
            .await
            .is_empty()
    );

    // The Offline certificate (valid for a year from 30 days before issuing) nears its end.
    let cert_end = issued + chrono::Duration::days(365);
    let a = check(cert_end - chrono::Duration::days(20)).await;
    assert!(
        a.iter().any(|a| matches!(
            a,
            Alert::CertificateExpiring {
                days_left: 19..=20,
                ..
            }
        )),
        "{a:?}"
    );
}

async fn delivered_to_command_and_webhook(db: &Db) {
    let issued = at(2026, 2, 10, 10);
    let store = store_with_tenant(db, issued).await;
    let inv = store
        .issue(
            &acme(),
            &invoice(day(2026, 2, 10), "FV/D/2"),
            OfflineMode::Offline24,
            &FixedClock(issued),
        )
        .await
        .unwrap()
        .invoice;
    let deadline = inv.obligation.deadline().unwrap();

    // A one-shot HTTP server that answers 500 first, then 200, and keeps the bodies.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/alerts", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let mut bodies = Vec::new();
        for status in ["500 Internal Server Error", "200 OK"] {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 65536];
            let mut got = 0;
            loop {
                let n = sock.read(&mut buf[got..]).await.unwrap();
                got += n;
                let text = String::from_utf8_lossy(&buf[..got]).to_string();
                if let Some(h) = text.find("\r\n\r\n") {
                    let len: usize = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if got >= h + 4 + len {
                        bodies.push(text[h + 4..h + 4 + len].to_owned());
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            let reply =
                format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            sock.write_all(reply.as_bytes()).await.unwrap();
        }
        bodies
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("alerts.json");
    let dog = Watchdog::new(WatchdogOptions {
        sinks: vec![
            AlertSink::Log,
            AlertSink::Command(vec![
                "sh".into(),
                "-c".into(),
                format!("cat > {}", out.display()),
            ]),
            AlertSink::Webhook(url),
        ],
        ..WatchdogOptions::default()
    });
    let alerts = dog
        .run_once(
            &*store,
            &FixedClock(deadline - chrono::Duration::minutes(5)),
        )
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1);
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(written["alerts"][0]["kind"], "deadline_near");
    assert_eq!(written["alerts"][0]["number"], "FV/D/2");
    let bodies = tokio::time::timeout(Duration::from_secs(20), server)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bodies.len(), 2, "retried after the 500");
    let posted: serde_json::Value = serde_json::from_str(&bodies[1]).unwrap();
    assert_eq!(posted["alerts"][0]["invoice"], inv.id.to_string());
}

on_both_backends!(thresholds_each_alert_once, delivered_to_command_and_webhook);
