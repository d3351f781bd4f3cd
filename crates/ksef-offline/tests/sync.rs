//! End to end: the engine's workers against the in-process simulator, on SQLite and on
//! PostgreSQL (when `KSEF_TEST_DATABASE_URL` is set).
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use ksef_client::Client;
use ksef_client::models::common::{ContextIdentifier as WireContext, ReferenceNumber};
use ksef_core::calendar::OfflineMode;
use ksef_core::crypto::Sha256Hash;
use ksef_core::invoice::SampleInvoice;
use ksef_core::upo::Upo;
use ksef_core::{Environment, EnvironmentUrls, FixedClock, SystemClock};
use ksef_offline::sync::{CrashPoint, SyncOptions, Syncer, TenantReport};
use ksef_offline::{Error, InvoiceFilter, InvoiceId, InvoiceState, ObligationSummary, Store};
use ksef_sim::{ScriptedRejection, SimHandle};
use secrecy::SecretString;

mod common;
use common::*;

const TOKEN: &str = "secret-token";

/// A simulator that knows the tenant's token, and a store with the tenant.
struct World {
    sim: SimHandle,
    env: Environment,
    store: Arc<dyn Store>,
}

impl World {
    async fn new(db: &Db) -> World {
        let mut config = ksef_sim::SimConfig::default();
        config
            .tokens
            .push(format!("{SELLER}={TOKEN}").parse().unwrap());
        let sim = ksef_sim::spawn(config).await.unwrap();
        let env = Environment::Custom(EnvironmentUrls::new(
            &sim.api_base,
            &sim.qr_base,
            Some(&sim.lighthouse_base),
        ));
        let store: Arc<dyn Store> = Arc::from(store_with_tenant(db, now()).await);
        World { sim, env, store }
    }

    fn syncer(&self, worker: &str) -> Syncer {
        Syncer::new(self.store.clone(), self.env.clone(), options(worker))
    }

    async fn issue(&self, numbers: impl IntoIterator<Item = String>) -> Vec<InvoiceId> {
        let xmls: Vec<Vec<u8>> = numbers.into_iter().map(|n| today_invoice(&n)).collect();
        let refs: Vec<&[u8]> = xmls.iter().map(Vec::as_slice).collect();
        self.store
            .issue_many(&acme(), &refs, OfflineMode::Offline24, &SystemClock)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.invoice.id)
            .collect()
    }

    /// A client logged in as the tenant, to look at KSeF's side.
    async fn ksef(&self) -> Client {
        let client = Client::new(self.env.clone()).unwrap();
        let ctx =
            WireContext::from(&ksef_core::ids::ContextIdentifier::parse("Nip", SELLER).unwrap());
        client
            .auth()
            .login_with_ksef_token(&ctx, &SecretString::from(TOKEN.to_owned()))
            .await
            .unwrap();
        client
    }

    /// How many invoices each hash has in KSeF over the given sessions, successful or not.
    async fn registrations(&self, sessions: &[String]) -> Vec<(String, Option<String>)> {
        let client = self.ksef().await;
        let mut out = Vec::new();
        for s in sessions.iter().collect::<HashSet<_>>() {
            let r: ReferenceNumber = s.parse().unwrap();
            let list: Vec<_> = client
                .sessions()
                .invoices(&r, Some(1000))
                .try_collect()
                .await
                .unwrap();
            out.extend(list.into_iter().map(|i| {
                (
                    i.invoice_hash.to_base64(),
                    i.ksef_number.map(|n| n.to_string()),
                )
            }));
        }
        out
    }
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn options(worker: &str) -> SyncOptions {
    SyncOptions {
        worker: worker.into(),
        processing_timeout: Duration::from_secs(60),
        ..SyncOptions::default()
    }
}

fn today_invoice(number: &str) -> Vec<u8> {
    SampleInvoice::new(nip(SELLER), ksef_core::calendar::warsaw_date(now()), number).to_xml()
}

/// Every invoice accepted once, with a KSeF number of its seller and a UPO that confirms it.
async fn assert_all_accepted_with_upo(store: &dyn Store, ids: &[InvoiceId]) {
    let mut numbers = HashSet::new();
    for &id in ids {
        let inv = store.get(id).await.unwrap();
        assert_eq!(inv.state, InvoiceState::Accepted, "{id}: {inv:?}");
        let number = inv.ksef_number.clone().unwrap();
        assert!(number.starts_with(SELLER));
        assert!(numbers.insert(number.clone()), "KSeF number {number} twice");
        let upo = store.upo(id).await.unwrap().expect("UPO stored");
        Upo::parse(&upo)
            .unwrap()
            .confirmation(&number, &inv.hash)
            .unwrap();
    }
}

// ---------------------------------------------------------------------------------------

async fn interactive_then_batch_all_registered_with_upos(db: &Db) {
    let w = World::new(db).await;
    let few = w.issue((0..3).map(|i| format!("FV/I/{i}"))).await;
    let report = w
        .syncer("w1")
        .sync_tenant(&acme(), &SystemClock)
        .await
        .unwrap();
    assert_eq!(report.sent_interactive, 3, "{report:?}");
    assert_eq!((report.accepted, report.upos, report.sent_batch), (3, 3, 0));
    assert_all_accepted_with_upo(&*w.store, &few).await;

    let many = w.issue((0..150).map(|i| format!("FV/B/{i}"))).await;
    let report = w
        .syncer("w1")
        .sync_tenant(&acme(), &SystemClock)
        .await
        .unwrap();
    assert_eq!(report.sent_batch, 150, "{report:?}");
    assert_eq!((report.accepted, report.upos), (150, 150));
    assert_all_accepted_with_upo(&*w.store, &many).await;

    // Nothing left: a new pass claims nothing.
    let report = w
        .syncer("w1")
        .sync_tenant(&acme(), &SystemClock)
        .await
        .unwrap();
    assert_eq!(report.claimed, 0);
    // KSeF holds each invoice once.
    let all: Vec<_> = w.store.list(&InvoiceFilter::default()).await.unwrap();
    let sessions: Vec<String> = all.iter().filter_map(|i| i.ksef_session.clone()).collect();
    let regs = w.registrations(&sessions).await;
    assert_eq!(regs.len(), 153);
    w.sim.shutdown().await;
}

async fn rejection_correction_and_second_correction_refused(db: &Db) {
    let w = World::new(db).await;
    let ids = w.issue(["FV/R/1".to_owned(), "FV/R/2".to_owned()]).await;
    let broken = w.store.get(ids[0]).await.unwrap();
    w.sim.state.update_faults(|f| {
        f.reject_hashes.push(ScriptedRejection {
            hash: broken.hash.clone(),
            code: 450,
            details: "Błąd weryfikacji semantyki (symulowany)".into(),
        })
    });
    let report = w
        .syncer("w1")
        .sync_tenant(&acme(), &SystemClock)
        .await
        .unwrap();
    assert_eq!((report.accepted, report.rejected), (1, 1), "{report:?}");
    let rejected = w.store.get(ids[0]).await.unwrap();
    assert_eq!(rejected.state, InvoiceState::Rejected);
    assert_eq!(rejected.error_code.as_deref(), Some("450"));
    // Still due: the correction must make it by the same deadline.
    let due = w
        .store
        .due_before(now() + chrono::Duration::days(10))
        .await
        .unwrap();
    assert_eq!(due.iter().map(|i| i.id).collect::<Vec<_>>(), vec![ids[0]]);

    // Refused corrections: of an accepted invoice, changing P_2, identical bytes.
    let e = w
        .store
        .correct(ids[1], &today_invoice("FV/R/2"), &SystemClock)
        .await;
    assert!(matches!(e, Err(Error::NotCorrectable { .. })), "{e:?}");
    let e = w
        .store
        .correct(ids[0], &today_invoice("FV/R/9"), &SystemClock)
        .await;
    assert!(
        matches!(
            e,
            Err(Error::CorrectionChangesKey {
                field: "Fa/P_2",
                ..
            })
        ),
        "{e:?}"
    );
    let original_bytes = w.store.invoice_bytes(ids[0]).await.unwrap();
    let e = w.store.correct(ids[0], &original_bytes, &SystemClock).await;
    assert!(e.unwrap_err().to_string().contains("nothing was fixed"));

    // The fix: same business content, another form.
    let fixed = SampleInvoice::new(
        nip(SELLER),
        ksef_core::calendar::warsaw_date(now()),
        "FV/R/1",
    )
    .with_note("korekta techniczna")
    .to_xml();
    let correction = w.store.correct(ids[0], &fixed, &SystemClock).await.unwrap();
    assert!(
        correction.differences.is_empty(),
        "{:?}",
        correction.differences
    );
    let cid = correction.issued.invoice.id;
    assert_eq!(correction.issued.invoice.corrects, Some(ids[0]));
    assert_eq!(correction.original.corrected_by, Some(cid));
    assert!(correction.issued.invoice.kod1.is_some() && correction.issued.invoice.kod2.is_some());
    // A second one while the first is on its way: refused.
    let e = w.store.correct(ids[0], &fixed, &SystemClock).await;
    assert!(matches!(e, Err(Error::CorrectionPending { .. })), "{e:?}");

    let report = w
        .syncer("w1")
        .sync_tenant(&acme(), &SystemClock)
        .await
        .unwrap();
    assert_eq!(
        (report.sent_interactive, report.accepted),
        (1, 1),
        "{report:?}"
    );
    assert_all_accepted_with_upo(&*w.store, &[cid]).await;
    // The original is covered by its correction: no longer due.
    let due = w
        .store
        .due_before(now() + chrono::Duration::days(10))
        .await
        .unwrap();
    assert!(due.is_empty(), "{due:?}");
    let e = w.store.correct(ids[0], &fixed, &SystemClock).await;
    assert!(matches!(e, Err(Error::AlreadyCorrected { .. })), "{e:?}");
    let history: Vec<String> = w
        .store
        .history(ids[0])
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.what)
        .collect();
    assert!(
        history.contains(&"correction_issued".to_owned()),
        "{history:?}"
    );
    w.sim.shutdown().await;
}

async fn lost_responses_give_exactly_one_registration(db: &Db) {
    let w = World::new(db).await;
    let ids = w.issue((0..6).map(|i| format!("FV/L/{i}"))).await;
    w.sim
        .state
        .update_faults(|f| f.drop_responses_after_accept = 3);
    let report = w
        .syncer("w1")
        .sync_tenant(&acme(), &SystemClock)
        .await
        .unwrap();
    assert_eq!(report.accepted, 6, "{report:?}");
    assert_all_accepted_with_upo(&*w.store, &ids).await;
    let regs = w.registrations(&report.sessions).await;
    let mut hashes: Vec<&String> = regs.iter().map(|(h, _)| h).collect();
    hashes.sort();
    let before = hashes.len();
    hashes.dedup();
    assert_eq!(before, hashes.len(), "an invoice was sent twice: {regs:?}");
    assert_eq!(hashes.len(), 6);
    w.sim.shutdown().await;
}

async fn crash_after_sending_is_reconciled_not_resent(db: &Db) {
    let w = World::new(db).await;
    let ids = w.issue((0..4).map(|i| format!("FV/C/{i}"))).await;
    let mut crashing = options("w1");
    crashing.crash_at = Some(CrashPoint::AfterSend);
    let e = Syncer::new(w.store.clone(), w.env.clone(), crashing)
        .sync_tenant(&acme(), &SystemClock)
        .await;
    assert!(matches!(e, Err(Error::SimulatedCrash(_))), "{e:?}");
    for &id in &ids {
        assert_eq!(w.store.get(id).await.unwrap().state, InvoiceState::Sending);
    }
    // Another worker, after the lease expired.
    let later = FixedClock(now() + chrono::Duration::minutes(16));
    let report = w.syncer("w2").sync_tenant(&acme(), &later).await.unwrap();
    assert_eq!(
        (report.reconciled, report.sent_interactive),
        (4, 0),
        "{report:?}"
    );
    assert_eq!(report.accepted, 4);
    assert_all_accepted_with_upo(&*w.store, &ids).await;

    // A crash before the request left: found absent, queued again and sent once.
    let more = w.issue((0..2).map(|i| format!("FV/C2/{i}"))).await;
    let mut crashing = options("w3");
    crashing.crash_at = Some(CrashPoint::BeforeSend);
    let e = Syncer::new(w.store.clone(), w.env.clone(), crashing)
        .sync_tenant(&acme(), &SystemClock)
        .await;
    assert!(matches!(e, Err(Error::SimulatedCrash(_))));
    let report = w.syncer("w4").sync_tenant(&acme(), &later).await.unwrap();
    assert_eq!(
        (report.requeued, report.sent_interactive, report.accepted),
        (2, 2, 2),
        "{report:?}"
    );
    assert_all_accepted_with_upo(&*w.store, &more).await;
    let events: Vec<String> = w
        .store
        .history(more[0])
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.what)
        .collect();
    assert!(events.contains(&"requeued".to_owned()), "{events:?}");
    w.sim.shutdown().await;
}

async fn attachments_go_in_batch_sessions(db: &Db) {
    let w = World::new(db).await;
    let mut ids = w.issue(["FV/Z/1".to_owned()]).await;
    let xml = SampleInvoice::new(
        nip(SELLER),
        ksef_core::calendar::warsaw_date(now()),
        "FV/Z/2",
    )
    .with_attachment()
    .to_xml();
    let issued = w
        .store
        .issue(&acme(), &xml, OfflineMode::Offline24, &SystemClock)
        .await
        .unwrap()
        .invoice;
    assert!(issued.has_attachment);
    ids.push(issued.id);
    let report = w
        .syncer("w1")
        .sync_tenant(&acme(), &SystemClock)
        .await
        .unwrap();
    assert_eq!(
        (report.sent_interactive, report.sent_batch),
        (1, 1),
        "{report:?}"
    );
    assert_all_accepted_with_upo(&*w.store, &ids).await;
    w.sim.shutdown().await;
}

async fn rate_limited_then_drained(db: &Db) {
    let w = World::new(db).await;
    let ids = w.issue((0..3).map(|i| format!("FV/T/{i}"))).await;
    w.sim.state.update_faults(|f| f.too_many_requests_burst = 3);
    let report = w
        .syncer("w1")
        .sync_tenant(&acme(), &SystemClock)
        .await
        .unwrap();
    assert_eq!(report.accepted, 3, "{report:?}");
    assert_all_accepted_with_upo(&*w.store, &ids).await;
    w.sim.shutdown().await;
}

async fn unreachable_ksef_defers_and_touches_nothing(db: &Db) {
    let w = World::new(db).await;
    let ids = w.issue(["FV/U/1".to_owned()]).await;
    // A port nobody listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let base = format!("http://127.0.0.1:{port}");
    let env = Environment::Custom(EnvironmentUrls::new(&format!("{base}/v2"), &base, None));
    let report: TenantReport = Syncer::new(w.store.clone(), env, options("w1"))
        .sync_tenant(&acme(), &SystemClock)
        .await
        .unwrap();
    assert!(
        report
            .deferred
            .as_deref()
            .unwrap_or("")
            .contains("cannot be reached"),
        "{report:?}"
    );
    let inv = w.store.get(ids[0]).await.unwrap();
    assert_eq!((inv.state, inv.attempts), (InvoiceState::Queued, 0));

    // The Lighthouse announces a failure: nothing is sent, the deadline moves.
    let start = now() - chrono::Duration::hours(1);
    let end = now() + chrono::Duration::hours(2);
    w.sim.state.add_outage(ksef_sim::Outage {
        id: String::new(),
        start,
        end: Some(end),
        kind: ksef_sim::OutageKind::Failure,
        message: Some("Awaria".into()),
    });
    let syncer = w.syncer("w1");
    let report = syncer.sync_tenant(&acme(), &SystemClock).await.unwrap();
    assert!(
        report.deferred.as_deref().unwrap_or("").contains("FAILURE"),
        "{report:?}"
    );
    let recorded = syncer.poll_lighthouse(&SystemClock).await.unwrap();
    assert_eq!(recorded.len(), 1);
    // Still going on: the deadline waits for the end of the failure.
    assert_eq!(
        w.store.get(ids[0]).await.unwrap().obligation,
        ObligationSummary::Pending
    );
    assert!(
        syncer
            .poll_lighthouse(&SystemClock)
            .await
            .unwrap()
            .is_empty(),
        "recorded once"
    );
    let outages = w.store.outages().await.unwrap();
    assert!(outages[0].evidence.contains("Lighthouse"), "{outages:?}");
    w.sim.shutdown().await;
}

async fn two_workers_never_send_twice(db: &Db) {
    let w = World::new(db).await;
    let n = if db.schema.is_some() { 2_000 } else { 600 };
    let mut ids = Vec::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        ids.extend(w.issue(chunk.iter().map(|i| format!("FV/W/{i}"))).await);
    }
    let mut opts = options("a");
    opts.claim_limit = 250;
    let a = Syncer::new(w.store.clone(), w.env.clone(), opts.clone());
    opts.worker = "b".into();
    let b = Syncer::new(w.store.clone(), w.env.clone(), opts);
    let run = |s: Syncer| async move {
        let mut total = 0;
        loop {
            let r = s.sync_tenant(&acme(), &SystemClock).await.unwrap();
            total += r.accepted;
            if r.claimed == 0 {
                break total;
            }
        }
    };
    let (ra, rb) = tokio::join!(run(a), run(b));
    assert_eq!(ra + rb, n, "a {ra}, b {rb}");
    let all = w.store.list(&InvoiceFilter::default()).await.unwrap();
    let sessions: Vec<String> = all.iter().filter_map(|i| i.ksef_session.clone()).collect();
    let regs = w.registrations(&sessions).await;
    let distinct: HashSet<&String> = regs.iter().map(|(h, _)| h).collect();
    assert_eq!((regs.len(), distinct.len()), (n, n), "sent twice");
    for inv in &all {
        assert_eq!(inv.state, InvoiceState::Accepted);
        assert_eq!(
            Sha256Hash::of(&w.store.invoice_bytes(inv.id).await.unwrap()).to_base64(),
            inv.hash
        );
    }
    w.sim.shutdown().await;
}

on_both_backends!(
    interactive_then_batch_all_registered_with_upos,
    rejection_correction_and_second_correction_refused,
    lost_responses_give_exactly_one_registration,
    crash_after_sending_is_reconciled_not_resent,
    rate_limited_then_drained,
    attachments_go_in_batch_sessions,
    unreachable_ksef_defers_and_touches_nothing,
    two_workers_never_send_twice,
);
