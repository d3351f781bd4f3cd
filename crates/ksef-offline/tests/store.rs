//! The store suite: every case runs on SQLite (a temporary file) and on PostgreSQL when
//! `KSEF_TEST_DATABASE_URL` is set (a fresh schema per test, dropped at the end).
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ksef_core::calendar::{OfflineMode, Outage, OutageKind};
use ksef_core::crypto::{CertificateRole, PrivateKey, Sha256Hash, self_signed};
use ksef_core::ids::ContextIdentifier;
use ksef_core::invoice::SampleInvoice;
use ksef_core::{FixedClock, KsefNumber, Nip};
use ksef_offline::{
    Error, InvoiceFilter, InvoiceState, MasterKey, NewTenant, ObligationSummary,
    OfflineCredentials, Outcome, Store, connect,
};

mod common;
use common::*;

// ---------------------------------------------------------------------------------------

async fn issue_get_bytes_round_trip(db: &Db) {
    let now = at(2026, 2, 10, 10);
    let store = store_with_tenant(db, now).await;
    let xml = invoice(day(2026, 2, 10), "FV/1/2026");
    let issued = store
        .issue(&acme(), &xml, OfflineMode::Offline24, &FixedClock(now))
        .await
        .unwrap();
    let inv = store.get(issued.invoice.id).await.unwrap();
    assert_eq!(inv.hash, Sha256Hash::of(&xml).to_base64());
    assert_eq!(inv.state, InvoiceState::Queued);
    assert_eq!(inv.number, "FV/1/2026");
    assert_eq!(inv.seller_nip, SELLER);
    assert_eq!(inv.size as usize, xml.len());
    assert!(
        matches!(inv.obligation, ObligationSummary::Due { due_date, .. } if due_date == day(2026, 2, 11))
    );
    let kod1 = inv.kod1.as_deref().unwrap();
    assert_eq!(
        kod1,
        format!(
            "{QR}/invoice/{SELLER}/10-02-2026/{}",
            Sha256Hash::of(&xml).to_base64url()
        )
    );
    let kod2: ksef_core::qr::CertificateLink = inv.kod2.as_deref().unwrap().parse().unwrap();
    let tenant = store.tenant(&acme()).await.unwrap();
    kod2.verify(tenant.offline_certificate.as_ref().unwrap())
        .unwrap();
    assert_eq!(
        store.invoice_bytes(inv.id).await.unwrap(),
        xml,
        "exact bytes"
    );
    assert_eq!(
        store.ksef_token(&acme()).await.unwrap().unwrap().as_str(),
        "secret-token"
    );
    let history = store.history(inv.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].what, "issued");
    assert_eq!(history[0].actor, "test");

    // Total failure: no QR codes, no submission.
    let tf = store
        .issue(
            &acme(),
            &invoice(day(2026, 2, 10), "FV/2/2026"),
            OfflineMode::TotalFailure,
            &FixedClock(now),
        )
        .await
        .unwrap()
        .invoice;
    assert_eq!(tf.state, InvoiceState::NotRequired);
    assert_eq!(tf.obligation, ObligationSummary::NotRequired);
    assert!(tf.kod1.is_none() && tf.kod2.is_none());
    let h = store.history(tf.id).await.unwrap();
    assert_eq!(h[0].details["submission"], "no submission required");
}

async fn duplicate_refused_nothing_stored(db: &Db) {
    let now = at(2026, 2, 10, 10);
    let store = store_with_tenant(db, now).await;
    let clock = FixedClock(now);
    let first = store
        .issue(
            &acme(),
            &invoice(day(2026, 2, 10), "FV/7/2026"),
            OfflineMode::Offline24,
            &clock,
        )
        .await
        .unwrap();
    // Same key, different content (other date).
    let err = store
        .issue(
            &acme(),
            &invoice(day(2026, 2, 9), "FV/7/2026"),
            OfflineMode::Offline24,
            &clock,
        )
        .await
        .unwrap_err();
    match &err {
        Error::Duplicate { key, existing } => {
            assert_eq!(key, &format!("{SELLER}|VAT|FV/7/2026"));
            assert_eq!(*existing, Some(first.invoice.id));
        }
        other => panic!("expected Duplicate, got {other:?}"),
    }
    assert!(err.to_string().contains("FV/7/2026"));
    // A batch with a duplicate inside stores nothing.
    let a = invoice(day(2026, 2, 10), "FV/8/2026");
    let b = invoice(day(2026, 2, 10), "FV/8/2026");
    let c = invoice(day(2026, 2, 10), "FV/9/2026");
    let err = store
        .issue_many(&acme(), &[&c, &a, &b], OfflineMode::Offline24, &clock)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Duplicate { .. }), "{err:?}");
    let all = store.list(&InvoiceFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1, "only the first invoice is stored");
    let events = store.export_history().await.unwrap();
    assert_eq!(events.iter().filter(|e| e.what == "issued").count(), 1);
}

async fn bad_input_clear_errors_nothing_stored(db: &Db) {
    let now = at(2026, 2, 10, 10);
    let store = store_with_tenant(db, now).await;
    let clock = FixedClock(now);
    let malformed = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Faktura><Fa>".to_vec();
    let err = store
        .issue(&acme(), &malformed, OfflineMode::Offline24, &clock)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInvoice { .. }), "{err:?}");
    assert!(err.to_string().contains("not valid"), "{err}");

    // A seller NIP whose checksum is wrong.
    let bad_nip = SampleInvoice::new(
        Nip::parse_unchecked("5265877636").unwrap(),
        day(2026, 2, 10),
        "FV/1",
    )
    .to_xml();
    let err = store
        .issue(&acme(), &bad_nip, OfflineMode::Offline24, &clock)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nip-checksum"), "{err}");

    // Issue date after today in Warsaw.
    let future = invoice(day(2026, 2, 11), "FV/2");
    let err = store
        .issue(&acme(), &future, OfflineMode::Offline24, &clock)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("issue-date"), "{err}");

    // Another seller than the context's NIP.
    let other = SampleInvoice::new(nip(OTHER_SELLER), day(2026, 2, 10), "FV/3").to_xml();
    let err = store
        .issue(&acme(), &other, OfflineMode::Offline24, &clock)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SellerNotPermitted { .. }), "{err:?}");
    assert!(err.to_string().contains(OTHER_SELLER));

    // Offline mode without a recorded unavailability.
    let err = store
        .issue(
            &acme(),
            &invoice(day(2026, 2, 10), "FV/4"),
            OfflineMode::Offline,
            &clock,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Core(_)), "{err:?}");

    // Unknown tenant.
    let err = store
        .issue(
            &"nobody".parse().unwrap(),
            &invoice(day(2026, 2, 10), "FV/5"),
            OfflineMode::Offline24,
            &clock,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnknownTenant(_)), "{err:?}");
    assert_eq!(err.to_string(), "unknown tenant nobody");

    assert!(
        store
            .list(&InvoiceFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    let events = store.export_history().await.unwrap();
    assert_eq!(events.len(), 1, "only tenant_added: {events:?}");
}

async fn wrong_master_key_refused_nothing_changed(db: &Db) {
    let now = at(2026, 2, 10, 10);
    let store = store_with_tenant(db, now).await;
    let xml = invoice(day(2026, 2, 10), "FV/1/2026");
    let id = store
        .issue(&acme(), &xml, OfflineMode::Offline24, &FixedClock(now))
        .await
        .unwrap()
        .invoice
        .id;
    drop(store);
    let err = connect(&db.url, &MasterKey::from_bytes([7; 32]), options())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongMasterKey), "{err:?}");
    assert!(
        err.to_string()
            .contains("the master key does not open this store")
    );
    let store = open(db).await;
    assert_eq!(store.invoice_bytes(id).await.unwrap(), xml);
    assert_eq!(store.export_history().await.unwrap().len(), 2);
}

async fn corrupted_ciphertext_names_the_record(db: &Db) {
    let now = at(2026, 2, 10, 10);
    let store = store_with_tenant(db, now).await;
    let clock = FixedClock(now);
    let a = store
        .issue(
            &acme(),
            &invoice(day(2026, 2, 10), "FV/1"),
            OfflineMode::Offline24,
            &clock,
        )
        .await
        .unwrap()
        .invoice
        .id;
    let b = store
        .issue(
            &acme(),
            &invoice(day(2026, 2, 10), "FV/2"),
            OfflineMode::Offline24,
            &clock,
        )
        .await
        .unwrap()
        .invoice
        .id;
    let raw = db.raw().await;
    let (mut content,): (Vec<u8>,) = sqlx::query_as("SELECT content FROM invoices WHERE id = $1")
        .bind(a.to_string())
        .fetch_one(&raw)
        .await
        .unwrap();
    // Moving a's ciphertext into b must not open either.
    sqlx::query("UPDATE invoices SET content = $1 WHERE id = $2")
        .bind(content.clone())
        .bind(b.to_string())
        .execute(&raw)
        .await
        .unwrap();
    let n = content.len();
    content[n / 2] ^= 0x01;
    sqlx::query("UPDATE invoices SET content = $1 WHERE id = $2")
        .bind(content)
        .bind(a.to_string())
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;
    for id in [a, b] {
        let err = store.invoice_bytes(id).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Corrupted {
                    kind: "invoice",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains(&id.to_string()), "{err}");
    }
}

async fn outages_extend_deadlines_with_events(db: &Db) {
    // The worked example of the KSeF documentation moved to 2026 (FA(3) starts in
    // September 2025): offline24 on Tue 03-03, failure announced 03-04, ended Sat 03-07 ->
    // due on the 7th business day after, Tue 03-17.
    let now = at(2026, 3, 3, 10);
    let store = store_with_tenant(db, now).await;
    let inv = store
        .issue(
            &acme(),
            &invoice(day(2026, 3, 3), "FV/1"),
            OfflineMode::Offline24,
            &FixedClock(now),
        )
        .await
        .unwrap()
        .invoice;
    assert!(
        matches!(inv.obligation, ObligationSummary::Due { due_date, .. } if due_date == day(2026, 3, 4))
    );
    // Failure announced, still going on: the deadline is pending.
    let ongoing = Outage::from_dates(OutageKind::Failure, day(2026, 3, 4), None);
    let report = store
        .record_outage(ongoing, "lighthouse msg 17", at(2026, 3, 4, 8))
        .await
        .unwrap();
    assert_eq!(report.changed.len(), 1);
    assert_eq!(
        store.get(inv.id).await.unwrap().obligation,
        ObligationSummary::Pending
    );
    // Its end becomes known: the same outage is updated, not duplicated.
    let ended = Outage::from_dates(OutageKind::Failure, day(2026, 3, 4), Some(day(2026, 3, 7)));
    let report2 = store
        .record_outage(ended, "lighthouse msg 18", at(2026, 3, 7, 20))
        .await
        .unwrap();
    assert_eq!(report2.outage_id, report.outage_id);
    assert_eq!(store.outages().await.unwrap().len(), 1);
    let got = store.get(inv.id).await.unwrap();
    assert!(
        matches!(got.obligation, ObligationSummary::Due { due_date, .. } if due_date == day(2026, 3, 17)),
        "{:?}",
        got.obligation
    );
    let history = store.history(inv.id).await.unwrap();
    let changes: Vec<_> = history
        .iter()
        .filter(|e| e.what == "deadline_changed")
        .collect();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1].details["to"]["due_date"], "2026-03-17");
    assert!(
        changes[1].details["reasoning"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );

    // Due before: the invoice is due by the end of 03-17 (Warsaw).
    assert!(
        store
            .due_before(at(2026, 3, 16, 12))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.due_before(at(2026, 3, 18, 0)).await.unwrap().len(), 1);

    // Offline mode is accepted once an unavailability is recorded.
    let unavail = Outage::from_dates(
        OutageKind::Unavailability,
        day(2026, 3, 9),
        Some(day(2026, 3, 9)),
    );
    store
        .record_outage(unavail, "BIP", at(2026, 3, 9, 9))
        .await
        .unwrap();
    let off = store
        .issue(
            &acme(),
            &invoice(day(2026, 3, 9), "FV/2"),
            OfflineMode::Offline,
            &FixedClock(at(2026, 3, 9, 10)),
        )
        .await
        .unwrap()
        .invoice;
    assert!(
        matches!(off.obligation, ObligationSummary::Due { due_date, .. } if due_date == day(2026, 3, 10)),
        "{:?}",
        off.obligation
    );

    // A total failure lifts the obligation of queued invoices.
    let total = Outage::from_dates(
        OutageKind::TotalFailure,
        day(2026, 3, 10),
        Some(day(2026, 3, 11)),
    );
    let report = store
        .record_outage(total, "radio announcement", at(2026, 3, 11, 9))
        .await
        .unwrap();
    assert_eq!(report.changed.len(), 2);
    for id in [inv.id, off.id] {
        let got = store.get(id).await.unwrap();
        assert_eq!(got.state, InvoiceState::NotRequired);
        assert_eq!(got.obligation, ObligationSummary::NotRequired);
    }
}

/// Issues `n` invoices in batches.
async fn issue_n(store: &dyn Store, n: usize, now: DateTime<Utc>) {
    let xmls: Vec<Vec<u8>> = (0..n)
        .map(|i| invoice(now.date_naive(), &format!("FV/{i}")))
        .collect();
    for chunk in xmls.chunks(250) {
        let refs: Vec<&[u8]> = chunk.iter().map(Vec::as_slice).collect();
        store
            .issue_many(&acme(), &refs, OfflineMode::Offline24, &FixedClock(now))
            .await
            .unwrap();
    }
}

async fn concurrent_claimers_never_share(db: &Db) {
    let now = at(2026, 2, 10, 10);
    let store = store_with_tenant(db, now).await;
    let n = if db.schema.is_some() { 2_000 } else { 400 };
    issue_n(store.as_ref(), n, now).await;
    drop(store);
    // Two stores = two pools, as two engine processes would have.
    let a: Arc<dyn Store> = Arc::from(open(db).await);
    let b: Arc<dyn Store> = Arc::from(open(db).await);
    let run = |store: Arc<dyn Store>, worker: &'static str| {
        tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let claimed = store
                    .claim_due(&acme(), 25, Duration::from_secs(600), worker, now)
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    break;
                }
                assert!(
                    claimed
                        .iter()
                        .all(|i| i.lease_owner.as_deref() == Some(worker))
                );
                got.extend(claimed.into_iter().map(|i| i.id));
            }
            got
        })
    };
    let (ga, gb) = tokio::join!(run(a, "worker-a"), run(b, "worker-b"));
    let (ga, gb) = (ga.unwrap(), gb.unwrap());
    let mut seen = HashSet::new();
    let mut dups = 0;
    for id in ga.iter().chain(gb.iter()) {
        if !seen.insert(*id) {
            dups += 1;
        }
    }
    eprintln!(
        "claimed: worker-a {}, worker-b {}, duplicates {dups}",
        ga.len(),
        gb.len()
    );
    assert_eq!(dups, 0);
    assert_eq!(seen.len(), n);
}

async fn lease_expiry_and_outcomes(db: &Db) {
    let now = at(2026, 2, 10, 10);
    let store = store_with_tenant(db, now).await;
    let clock = FixedClock(now);
    let first = store
        .issue(
            &acme(),
            &invoice(day(2026, 2, 10), "FV/1"),
            OfflineMode::Offline24,
            &clock,
        )
        .await
        .unwrap()
        .invoice
        .id;
    let lease = Duration::from_secs(60);
    let got = store.claim_due(&acme(), 10, lease, "a", now).await.unwrap();
    assert_eq!(got.len(), 1);
    store.mark_sending(&[first], "a", "S-1", now).await.unwrap();
    // Worker a dies. Before the lease ends nobody else gets the invoice...
    let t30 = now + chrono::Duration::seconds(30);
    assert!(
        store
            .claim_due(&acme(), 10, lease, "b", t30)
            .await
            .unwrap()
            .is_empty()
    );
    // ...after it, b does, and sees that it was being sent (look it up before resending).
    let t61 = now + chrono::Duration::seconds(61);
    let got = store.claim_due(&acme(), 10, lease, "b", t61).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].state, InvoiceState::Sending);
    assert_eq!(got[0].attempts, 2);
    let err = store
        .record_outcome(
            first,
            "a",
            Outcome::Sent {
                reference: "R1".into(),
            },
            t61,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LeaseLost { .. }), "{err:?}");
    let inv = store
        .record_outcome(
            first,
            "b",
            Outcome::Sent {
                reference: "R1".into(),
            },
            t61,
        )
        .await
        .unwrap();
    assert_eq!(inv.state, InvoiceState::Sent);
    assert_eq!(inv.ksef_reference.as_deref(), Some("R1"));
    // A KSeF number of another seller is refused.
    let wrong = KsefNumber::generate(nip(OTHER_SELLER), day(2026, 2, 10), 1);
    let err = store
        .record_outcome(first, "b", Outcome::Accepted { ksef_number: wrong }, t61)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::KsefNumberMismatch { .. }), "{err:?}");
    let number = KsefNumber::generate(nip(SELLER), day(2026, 2, 10), 1);
    let inv = store
        .record_outcome(
            first,
            "b",
            Outcome::Accepted {
                ksef_number: number,
            },
            t61,
        )
        .await
        .unwrap();
    assert_eq!(inv.state, InvoiceState::Accepted);
    assert_eq!(inv.ksef_number.as_deref(), Some(number.as_str()));
    assert!(inv.lease_owner.is_none());
    store.store_upo(first, b"<UPO/>", t61).await.unwrap();
    assert_eq!(store.upo(first).await.unwrap().unwrap(), b"<UPO/>");
    assert!(store.get(first).await.unwrap().has_upo);
    // Accepted invoices are not due any more.
    assert!(
        store
            .due_before(at(2030, 1, 1, 0))
            .await
            .unwrap()
            .is_empty()
    );

    // Rejected: needs a technical correction; no lease.
    let second = store
        .issue(
            &acme(),
            &invoice(day(2026, 2, 10), "FV/2"),
            OfflineMode::Offline24,
            &clock,
        )
        .await
        .unwrap()
        .invoice
        .id;
    store.claim_due(&acme(), 10, lease, "c", t61).await.unwrap();
    let err = store
        .record_outcome(
            second,
            "c",
            Outcome::Rejected {
                code: "450".into(),
                description: "schema".into(),
            },
            t61,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidState {
                state: InvoiceState::Queued,
                ..
            }
        ),
        "{err:?}"
    );
    store
        .mark_sending(&[second], "c", "S-2", t61)
        .await
        .unwrap();
    let inv = store
        .record_outcome(
            second,
            "c",
            Outcome::Rejected {
                code: "450".into(),
                description: "schema".into(),
            },
            t61,
        )
        .await
        .unwrap();
    assert_eq!(inv.state, InvoiceState::Rejected);
    assert_eq!(inv.error_code.as_deref(), Some("450"));
    assert!(
        store
            .claim_due(&acme(), 10, lease, "d", t61 + chrono::Duration::hours(1))
            .await
            .unwrap()
            .is_empty()
    );
    let whats: Vec<String> = store
        .history(first)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.what)
        .collect();
    assert_eq!(
        whats,
        [
            "issued",
            "claimed",
            "sending",
            "claimed",
            "sent",
            "accepted",
            "upo_stored"
        ]
    );
}

async fn history_export_is_ordered_and_append_only(db: &Db) {
    let now = at(2026, 2, 10, 10);
    let store = store_with_tenant(db, now).await;
    let clock = FixedClock(now);
    store
        .issue(
            &acme(),
            &invoice(day(2026, 2, 10), "FV/1"),
            OfflineMode::Offline24,
            &clock,
        )
        .await
        .unwrap();
    store
        .record_outage(
            Outage::from_dates(
                OutageKind::Failure,
                day(2026, 2, 10),
                Some(day(2026, 2, 10)),
            ),
            "msg 1",
            now,
        )
        .await
        .unwrap();
    let events = store.export_history().await.unwrap();
    let whats: Vec<&str> = events.iter().map(|e| e.what.as_str()).collect();
    assert_eq!(
        whats,
        [
            "tenant_added",
            "issued",
            "outage_recorded",
            "deadline_changed"
        ]
    );
    assert!(events.windows(2).all(|w| w[0].seq < w[1].seq));
    let json = serde_json::to_string(&events).unwrap();
    assert!(!json.contains("secret-token"));
    assert!(
        !json.contains("Towar testowy"),
        "no invoice content in the history"
    );
    let raw = db.raw().await;
    let err = sqlx::query("UPDATE events SET actor = 'mallory'")
        .execute(&raw)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = sqlx::query("DELETE FROM events")
        .execute(&raw)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    raw.close().await;
}

async fn tenants_listed_and_refused_twice(db: &Db) {
    let now = at(2026, 2, 10, 10);
    let store = store_with_tenant(db, now).await;
    let again = NewTenant::new(
        acme(),
        ContextIdentifier::parse("Nip", OTHER_SELLER).unwrap(),
    );
    let err = store.add_tenant(again, &FixedClock(now)).await.unwrap_err();
    assert!(matches!(err, Error::TenantExists { .. }), "{err:?}");
    // An Authentication certificate cannot sign KOD II.
    let k = PrivateKey::generate_ec_p256().unwrap();
    let auth = self_signed(
        &k,
        &[("CN", "auth")],
        CertificateRole::Authentication,
        now - chrono::Duration::days(1),
        now + chrono::Duration::days(1),
    )
    .unwrap();
    let mut t = NewTenant::new(
        "beta".parse().unwrap(),
        ContextIdentifier::parse("Nip", OTHER_SELLER).unwrap(),
    );
    t.offline = Some(OfflineCredentials {
        certificate: auth,
        key: k,
    });
    assert!(store.add_tenant(t, &FixedClock(now)).await.is_err());
    let mut t = NewTenant::new(
        "gamma".parse().unwrap(),
        ContextIdentifier::parse("Nip", OTHER_SELLER).unwrap(),
    );
    t.permitted_sellers = vec![nip(SELLER)];
    store.add_tenant(t, &FixedClock(now)).await.unwrap();
    let list = store.list_tenants().await.unwrap();
    let ids: Vec<&str> = list.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["acme", "gamma"]);
    assert!(list[0].has_ksef_token && list[0].offline_certificate.is_some());
    assert_eq!(list[1].permitted_sellers, vec![nip(SELLER)]);
    // gamma may issue for SELLER, but has no Offline certificate: KOD II impossible.
    let err = store
        .issue(
            &"gamma".parse().unwrap(),
            &invoice(day(2026, 2, 10), "G/1"),
            OfflineMode::Offline24,
            &FixedClock(now),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NoOfflineCertificate(_)), "{err:?}");
    store
        .issue(
            &"gamma".parse().unwrap(),
            &invoice(day(2026, 2, 10), "G/1"),
            OfflineMode::TotalFailure,
            &FixedClock(now),
        )
        .await
        .unwrap();
}

on_both_backends!(
    issue_get_bytes_round_trip,
    duplicate_refused_nothing_stored,
    bad_input_clear_errors_nothing_stored,
    wrong_master_key_refused_nothing_changed,
    corrupted_ciphertext_names_the_record,
    outages_extend_deadlines_with_events,
    concurrent_claimers_never_share,
    lease_expiry_and_outcomes,
    history_export_is_ordered_and_append_only,
    tenants_listed_and_refused_twice,
);
