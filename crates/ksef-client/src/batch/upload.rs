//! Uploading encrypted parts to their pre-signed URLs (crypto-and-sessions.md §5.3): the given
//! method, URL and headers, the raw part as body, no bearer token, several parts at once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use reqwest::Method;
use tokio::io::AsyncReadExt;

use super::{EncryptedPart, PartData, PreparedBatch};
use crate::client::{Client, api_error};
use crate::error::{Error, Result};

/// Where and how to upload one part (`partUploadRequests[]` of POST `/sessions/batch`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartUploadTarget {
    /// `ordinalNumber` of the part.
    pub ordinal_number: u32,
    /// HTTP method, e.g. `PUT`.
    pub method: String,
    /// Pre-signed URL.
    pub url: String,
    /// Headers that must be sent.
    pub headers: BTreeMap<String, String>,
}

/// Progress of an upload, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes handed to the network so far.
    pub bytes_sent: u64,
    /// Bytes to send in all.
    pub bytes_total: u64,
    /// Parts accepted by the server.
    pub parts_done: u32,
    /// Parts in all.
    pub parts_total: u32,
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;

struct Counters {
    bytes: AtomicU64,
    parts: AtomicU32,
    total_bytes: u64,
    total_parts: u32,
    progress: Option<ProgressFn>,
}

impl Counters {
    fn report(&self) {
        if let Some(p) = &self.progress {
            p(UploadProgress {
                bytes_sent: self.bytes.load(Ordering::Relaxed),
                bytes_total: self.total_bytes,
                parts_done: self.parts.load(Ordering::Relaxed),
                parts_total: self.total_parts,
            });
        }
    }
}

const CHUNK: usize = 256 * 1024;

impl Client {
    /// Uploads every part of `batch` to its target, at most `upload_concurrency` at once.
    ///
    /// Uploads repeat on 5xx and connection errors (a PUT to the same URL replaces the part).
    ///
    /// ```no_run
    /// # use ksef_client::batch::{PreparedBatch, PartUploadTarget};
    /// # async fn run(client: ksef_client::Client, batch: PreparedBatch, targets: Vec<PartUploadTarget>) -> ksef_client::Result<()> {
    /// client
    ///     .upload_parts(&batch, &targets, Some(std::sync::Arc::new(|p: ksef_client::batch::UploadProgress| {
    ///         eprintln!("{}/{} bytes, {}/{} parts", p.bytes_sent, p.bytes_total, p.parts_done, p.parts_total);
    ///     })))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn upload_parts(
        &self,
        batch: &PreparedBatch,
        targets: &[PartUploadTarget],
        progress: Option<ProgressFn>,
    ) -> Result<()> {
        let mut jobs = Vec::with_capacity(batch.parts.len());
        for part in &batch.parts {
            let target = targets
                .iter()
                .find(|t| t.ordinal_number == part.ordinal_number)
                .ok_or_else(|| {
                    Error::Batch(format!(
                        "KSeF gave no upload URL for part {}",
                        part.ordinal_number
                    ))
                })?;
            jobs.push((part, target));
        }
        let counters = Arc::new(Counters {
            bytes: AtomicU64::new(0),
            parts: AtomicU32::new(0),
            total_bytes: batch.encrypted_size(),
            total_parts: batch.parts.len() as u32,
            progress,
        });
        futures::stream::iter(jobs)
            .map(|(part, target)| {
                let counters = counters.clone();
                async move { self.upload_part(part, target, &counters).await }
            })
            .buffer_unordered(self.inner.config.upload_concurrency)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    async fn upload_part(
        &self,
        part: &EncryptedPart,
        target: &PartUploadTarget,
        counters: &Arc<Counters>,
    ) -> Result<()> {
        let policy = &self.inner.config.retry;
        let mut retry = 0;
        loop {
            let before = counters.bytes.load(Ordering::Relaxed);
            match self.upload_once(part, target, counters).await {
                Ok(()) => {
                    counters.parts.fetch_add(1, Ordering::Relaxed);
                    counters.report();
                    return Ok(());
                }
                Err(e) => {
                    // Forget the bytes of the failed attempt.
                    let now = counters.bytes.load(Ordering::Relaxed);
                    counters
                        .bytes
                        .fetch_sub(now.saturating_sub(before), Ordering::Relaxed);
                    let Some(wait) = policy.decide(retry, true, &e) else {
                        return Err(e);
                    };
                    tracing::warn!(part = part.ordinal_number, retry = retry + 1, wait_ms = wait.as_millis() as u64, error = %e, "retrying part upload");
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
            }
        }
    }

    async fn upload_once(
        &self,
        part: &EncryptedPart,
        target: &PartUploadTarget,
        counters: &Arc<Counters>,
    ) -> Result<()> {
        let method = Method::from_bytes(target.method.as_bytes())
            .map_err(|_| Error::Batch(format!("bad upload method {:?}", target.method)))?;
        let mut b = self
            .inner
            .http
            .request(method.clone(), &target.url)
            .timeout(self.inner.config.upload_timeout);
        for (k, v) in &target.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        b = b.header("Content-Length", part.size.to_string());
        let body = match &part.data {
            PartData::Memory(bytes) => {
                counters
                    .bytes
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                counters.report();
                reqwest::Body::from(bytes.clone())
            }
            PartData::File(path) => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| Error::io(format!("opening part {}", part.ordinal_number), e))?;
                let counters = counters.clone();
                let stream = futures::stream::try_unfold(file, move |mut file| {
                    let counters = counters.clone();
                    async move {
                        let mut buf = vec![0u8; CHUNK];
                        let n = file.read(&mut buf).await?;
                        if n == 0 {
                            return Ok::<_, std::io::Error>(None);
                        }
                        buf.truncate(n);
                        counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
                        counters.report();
                        Ok(Some((Bytes::from(buf), file)))
                    }
                });
                reqwest::Body::wrap_stream(stream)
            }
        };
        let path = url_path(&target.url);
        let resp = b
            .body(body)
            .send()
            .await
            .map_err(|source| Error::Transport {
                method: method.to_string(),
                path: path.clone(),
                source,
            })?;
        let status = resp.status();
        let headers = resp.headers().clone();
        if status.is_success() {
            return Ok(());
        }
        let body = resp.bytes().await.unwrap_or_default();
        Err(api_error(status, method.as_str(), &path, &headers, &body))
    }
}

/// The URL without its query (which holds the access signature: never logged).
pub(crate) fn url_path(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_owned()
}
