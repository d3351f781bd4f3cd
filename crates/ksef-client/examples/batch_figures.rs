//! Measurements of batch preparation and upload (the figures of the client issue).
//!
//! - `prepare [N]`: 10,000 invoices of about 10 KB, archived (ZIP stored), split, encrypted and
//!   hashed in memory, N rounds, with the hashes inline (one core) and on the hash thread.
//! - `upload-1gb [MB]`: a package of MB megabytes (default 1,000) built into temporary files and
//!   streamed to a local sink that discards it; run under `/usr/bin/time -v` for the peak memory.
//!
//! `cargo run --release -p ksef-client --example batch_figures -- prepare 5`

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use ksef_client::batch::{
    ArchiveFormat, BatchOptions, BatchPackager, PartStorage, PartUploadTarget, PreparedBatch,
};
use ksef_client::{Client, RetryPolicy};
use ksef_core::crypto::{Sha256Hash, SymmetricKey};
use ksef_core::invoice::SampleInvoice;
use ksef_core::{Environment, EnvironmentUrls};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// 100 distinct invoices of about 10 KB (35 lines), used in turn.
fn invoices() -> Res<Vec<Vec<u8>>> {
    let seller = "5265877635".parse()?;
    let date = chrono::NaiveDate::from_ymd_opt(2026, 2, 1).ok_or("date")?;
    Ok((0..100)
        .map(|i| {
            SampleInvoice::new(seller, date, &format!("FV/{i}/2026"))
                .with_lines(35)
                .to_xml()
        })
        .collect())
}

fn build(key: &SymmetricKey, opts: BatchOptions, xmls: &[Vec<u8>], n: usize) -> Res<PreparedBatch> {
    build_with(key, opts, xmls, None, n)
}

/// `hashes`: the invoices' SHA-256 known beforehand (as the engine keeps them from issuing).
fn build_with(
    key: &SymmetricKey,
    opts: BatchOptions,
    xmls: &[Vec<u8>],
    hashes: Option<&[Sha256Hash]>,
    n: usize,
) -> Res<PreparedBatch> {
    let mut p = BatchPackager::new(key, opts);
    for i in 0..n {
        let name = format!("fv-{i:06}.xml");
        let xml = &xmls[i % xmls.len()];
        match hashes {
            Some(h) => p.add_hashed_invoice(&name, xml, h[i % xmls.len()])?,
            None => p.add_invoice(&name, xml)?,
        };
    }
    Ok(p.finish()?)
}

fn prepare(rounds: usize) -> Res<()> {
    let xmls = invoices()?;
    let total: usize = (0..10_000).map(|i| xmls[i % xmls.len()].len()).sum();
    println!(
        "10,000 invoices, {:.1} MB of XML, average {} bytes",
        total as f64 / 1e6,
        total / 10_000
    );
    let key = SymmetricKey::generate()?;
    let known: Vec<Sha256Hash> = xmls.iter().map(|x| Sha256Hash::of(x)).collect();
    for (thread, hashes) in [(false, None), (true, None), (false, Some(&known[..]))] {
        let mut best = f64::MAX;
        for _ in 0..rounds {
            let opts = BatchOptions::default()
                .format(ArchiveFormat::ZipStored)
                .storage(PartStorage::Memory)
                .hash_thread(thread);
            let start = Instant::now();
            let batch = build_with(&key, opts, &xmls, hashes, 10_000)?;
            best = best.min(start.elapsed().as_secs_f64());
            drop(batch);
        }
        println!(
            "hash thread {}, invoice hashes {}: best of {rounds}: {:.3} s, {:.0} MB/s ({:.0} MiB/s) of invoice XML",
            if thread { "on " } else { "off" },
            if hashes.is_some() {
                "known   "
            } else {
                "computed"
            },
            best,
            total as f64 / best / 1e6,
            total as f64 / best / (1024.0 * 1024.0)
        );
    }
    Ok(())
}

/// A sink that reads each request's body (Content-Length) and answers 201.
async fn sink(received: Arc<AtomicU64>) -> Res<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let received = received.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 256 * 1024];
                loop {
                    // Headers.
                    let mut head = Vec::new();
                    let end = loop {
                        let n = sock.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        head.extend_from_slice(&buf[..n]);
                        if let Some(p) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                            break p + 4;
                        }
                    };
                    let text = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
                    let len: u64 = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    let mut left = len - (head.len() - end) as u64;
                    while left > 0 {
                        let n = sock.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        left = left.saturating_sub(n as u64);
                    }
                    received.fetch_add(len, Ordering::Relaxed);
                    let ok = b"HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n";
                    if sock.write_all(ok).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(format!("http://{addr}"))
}

async fn upload(mb: u64) -> Res<()> {
    let xmls = invoices()?;
    let avg = xmls.iter().map(Vec::len).sum::<usize>() / xmls.len();
    let n = (mb * 1_000_000) as usize / avg;
    let key = SymmetricKey::generate()?;
    let start = Instant::now();
    let batch = build(
        &key,
        BatchOptions::default()
            .format(ArchiveFormat::ZipStored)
            .storage(PartStorage::TempFiles),
        &xmls,
        n,
    )?;
    let prep = start.elapsed().as_secs_f64();
    println!(
        "prepared {n} invoices: package {:.1} MB in {} parts, {prep:.2} s ({:.0} MB/s)",
        batch.package_size as f64 / 1e6,
        batch.parts.len(),
        batch.package_size as f64 / prep / 1e6
    );

    let received = Arc::new(AtomicU64::new(0));
    let base = sink(received.clone()).await?;
    let targets: Vec<PartUploadTarget> = batch
        .parts
        .iter()
        .map(|p| PartUploadTarget {
            ordinal_number: p.ordinal_number,
            method: "PUT".into(),
            url: format!("{base}/part/{}?sig=x", p.ordinal_number),
            headers: BTreeMap::from([("x-ms-blob-type".into(), "BlockBlob".into())]),
        })
        .collect();
    let urls = EnvironmentUrls::new(&format!("{base}/v2"), &format!("{base}/qr"), None);
    let client = Client::builder(Environment::Custom(urls))
        .retry(RetryPolicy::none())
        .build()?;
    let start = Instant::now();
    client.upload_parts(&batch, &targets, None).await?;
    let up = start.elapsed().as_secs_f64();
    let got = received.load(Ordering::Relaxed);
    assert_eq!(got, batch.encrypted_size());
    println!(
        "uploaded {:.1} MB in {up:.2} s ({:.0} MB/s)",
        got as f64 / 1e6,
        got as f64 / up / 1e6
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Res<()> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("prepare") | None => prepare(args.next().map(|a| a.parse()).transpose()?.unwrap_or(3)),
        Some("upload-1gb") => {
            upload(args.next().map(|a| a.parse()).transpose()?.unwrap_or(1000)).await
        }
        Some(other) => Err(format!("unknown mode {other}: prepare | upload-1gb").into()),
    }
}
