//! The cache of the Ministry's public keys (crypto-and-sessions.md §2): fetched on first use,
//! again every 24 h, and at once after `21470` (unknown or withdrawn key).

use std::time::{Duration, Instant};

use base64::Engine;
use ksef_core::crypto::{Certificate, PublicKeyCertificate, PublicKeyUsage, select_public_key};

use crate::client::{Client, Request};
use crate::error::{Error, Result};
use crate::models::security::{PublicKeyCertificateUsage, PublicKeyCertificatesResponse};

/// `21470`: the submitted key id is unknown or withdrawn.
pub const UNKNOWN_KEY: i32 = 21470;

pub(crate) struct KeyCache {
    interval: Duration,
    state: tokio::sync::Mutex<Option<(Instant, Vec<PublicKeyCertificate>)>>,
}

impl KeyCache {
    pub(crate) fn new(interval: Duration) -> Self {
        KeyCache {
            interval,
            state: tokio::sync::Mutex::new(None),
        }
    }
}

fn usage_of(u: &PublicKeyCertificateUsage) -> Option<PublicKeyUsage> {
    match u {
        PublicKeyCertificateUsage::KsefTokenEncryption => Some(PublicKeyUsage::KsefTokenEncryption),
        PublicKeyCertificateUsage::SymmetricKeyEncryption => {
            Some(PublicKeyUsage::SymmetricKeyEncryption)
        }
        // A use this version does not know: the key is never selected for it.
        _ => None,
    }
}

impl Client {
    /// GET `/security/public-key-certificates`: the Ministry's public-key certificates, parsed.
    ///
    /// ```no_run
    /// # async fn run(client: ksef_client::Client) -> ksef_client::Result<()> {
    /// for key in client.fetch_public_keys().await? {
    ///     println!("{} {:?} until {}", key.public_key_id, key.usage, key.valid_to);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn fetch_public_keys(&self) -> Result<Vec<PublicKeyCertificate>> {
        let reply = self
            .execute(
                Request::get(
                    "GET /security/public-key-certificates",
                    "/security/public-key-certificates",
                )
                .public(),
            )
            .await?;
        let list: PublicKeyCertificatesResponse = reply.json()?;
        list.into_iter()
            .enumerate()
            .map(|(i, p)| {
                let der = base64::engine::general_purpose::STANDARD
                    .decode(p.certificate.trim())
                    .map_err(|e| Error::Decode {
                        endpoint: reply.endpoint.to_owned(),
                        field: format!("[{i}].certificate"),
                        message: e.to_string(),
                    })?;
                let cert = Certificate::from_der(der)?;
                let mut entry = PublicKeyCertificate::from_certificate(
                    cert,
                    p.usage.iter().filter_map(usage_of).collect(),
                );
                // The published validity wins over the certificate's own (§2.1 selects on it).
                entry.valid_from = p.valid_from.to_utc();
                entry.valid_to = p.valid_to.to_utc();
                Ok(entry)
            })
            .collect()
    }

    /// The current key for `usage`, from the cache (fetched when older than the refresh
    /// interval, or when `force`).
    pub async fn public_key(
        &self,
        usage: PublicKeyUsage,
        force: bool,
    ) -> Result<PublicKeyCertificate> {
        let mut state = self.inner.keys.state.lock().await;
        let fresh = matches!(&*state, Some((at, _)) if at.elapsed() < self.inner.keys.interval);
        if force || !fresh {
            let list = self.fetch_public_keys().await?;
            *state = Some((Instant::now(), list));
        }
        let list = state.as_ref().map(|(_, l)| l.as_slice()).unwrap_or(&[]);
        Ok(select_public_key(list, usage, self.now())?.clone())
    }

    /// Runs `op` with the current key for `usage`; on `21470` refreshes the keys and runs it
    /// once more with the new key (crypto-and-sessions.md §2.2).
    pub(crate) async fn with_public_key<T, F, Fut>(&self, usage: PublicKeyUsage, op: F) -> Result<T>
    where
        F: Fn(PublicKeyCertificate) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let key = self.public_key(usage, false).await?;
        match op(key).await {
            Err(e) if e.has_code(UNKNOWN_KEY) => {
                tracing::info!(
                    ?usage,
                    "21470: the public key was withdrawn; fetching keys and retrying once"
                );
                let key = self.public_key(usage, true).await?;
                op(key).await
            }
            other => other,
        }
    }
}
