//! Throughput figures (run with `cargo test --release -p ksef-sim --test perf -- --ignored --nocapture`).
//!
//! The client runs in the same process, so the CPU time reported is the simulator's and the
//! test client's together (an upper bound for the simulator).
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

/// CPU time (user + system) of this process so far, in seconds (`/proc/self/stat`, in clock
/// ticks of 1/100 s, the `USER_HZ` of Linux).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement, not a check"]
async fn interactive_sends_per_second() {
    let ctx = std::sync::Arc::new(start().await);
    let (session, key) = ctx.open_online().await;
    let n = 4000usize;
    let tasks = 16;
    let xml_len = sample(NIP, today(), "FV/P/0").with_lines(35).to_xml().len();
    let bodies: Vec<String> = (0..n)
        .map(|i| {
            let xml = sample(NIP, today(), &format!("FV/P/{i}"))
                .with_lines(35)
                .to_xml();
            Ctx::send_body(&key, &xml, false, None).to_string()
        })
        .collect();
    let bodies = std::sync::Arc::new(bodies);
    let cpu0 = cpu_seconds();
    let started = std::time::Instant::now();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let ctx = ctx.clone();
        let bodies = bodies.clone();
        let session = session.clone();
        handles.push(tokio::spawn(async move {
            for i in (t..n).step_by(tasks) {
                let r = ctx
                    .http
                    .post(format!("{}/sessions/online/{session}/invoices", ctx.api()))
                    .bearer_auth(&ctx.access)
                    .header("content-type", "application/json")
                    .body(bodies[i].clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 202);
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    eprintln!(
        "{n} interactive sends of {xml_len} B in {secs:.2} s: {:.0}/s wall; CPU {cpu:.2} s \
         (simulator + client), {:.0} µs per send, {:.0} sends per CPU-second",
        n as f64 / secs,
        cpu * 1e6 / n as f64,
        n as f64 / cpu
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement, not a check"]
async fn batch_of_10000() {
    let ctx = start().await;
    let files: Vec<(String, Vec<u8>)> = (0..10_000)
        .map(|i| {
            (
                format!("fv-{i}.xml"),
                sample(NIP, today(), &format!("FV/B10K/{i}")).to_xml(),
            )
        })
        .collect();
    let archive = zip_of(&files);
    let cpu0 = cpu_seconds();
    let started = std::time::Instant::now();
    let (_, s) = run_batch(&ctx, archive, false, 2).await;
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    assert_eq!(s["status"]["code"], 200, "{s}");
    assert_eq!(s["successfulInvoiceCount"], 10_000);
    eprintln!(
        "10,000-invoice batch (upload, close, processing, status polls): {secs:.2} s wall, \
         CPU {cpu:.2} s"
    );
}
