//! Throughput figures (run with `cargo test --release -p ksef-sim --test perf -- --ignored --nocapture`).
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use ksef_sim::fixtures::InvoiceBuilder;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement, not a check"]
async fn interactive_sends_per_second() {
    let ctx = std::sync::Arc::new(start().await);
    let (session, key) = ctx.open_online().await;
    let n = 2000usize;
    let tasks = 16;
    let bodies: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let xml = InvoiceBuilder::new(NIP, today(), &format!("FV/P/{i}"))
                .lines(40)
                .build();
            Ctx::send_body(&key, &xml, false, None)
        })
        .collect();
    let bodies = std::sync::Arc::new(bodies);
    let started = std::time::Instant::now();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let ctx = ctx.clone();
        let bodies = bodies.clone();
        let session = session.clone();
        handles.push(tokio::spawn(async move {
            for i in (t..n).step_by(tasks) {
                assert_eq!(ctx.send_raw(&session, &bodies[i]).await.status(), 202);
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{n} interactive sends of ~10 KB in {secs:.2} s: {:.0}/s",
        n as f64 / secs
    );
}
