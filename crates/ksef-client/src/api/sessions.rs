//! Interactive and batch sessions (crypto-and-sessions.md §4–§7).

use std::time::Duration;

use base64::Engine;
use futures::Stream;
use ksef_core::crypto::{PublicKeyUsage, Sha256Hash, SymmetricKey, wrap_with_certificate};

use super::paging;
use crate::batch::{PartUploadTarget, PreparedBatch, ProgressFn};
use crate::client::{Client, Request};
use crate::error::{Error, Result};
use crate::models::common::{ContinuationPage, EncryptionInfo, FormCode, ReferenceNumber};
use crate::models::sessions::{
    BatchFileInfo, BatchFilePartInfo, CompressionType, OpenBatchSessionRequest,
    OpenBatchSessionResponse, OpenOnlineSessionRequest, OpenOnlineSessionResponse,
    SendInvoiceRequest, SendInvoiceResponse, SessionInvoiceStatusResponse, SessionInvoicesResponse,
    SessionStatusResponse, SessionsQuery, SessionsQueryResponse, SessionsQueryResponseItem,
};

/// Session calls; see [`Client::sessions`].
#[derive(Debug, Clone, Copy)]
pub struct SessionsApi<'a> {
    pub(crate) client: &'a Client,
}

/// An open interactive session with its own AES key.
#[derive(Debug, Clone)]
pub struct OnlineSession {
    /// The session's reference number.
    pub reference_number: ReferenceNumber,
    /// When KSeF closes it by itself.
    pub valid_until: chrono::DateTime<chrono::FixedOffset>,
    /// The session key and IV: every invoice of the session is encrypted with them.
    pub key: SymmetricKey,
}

/// An open batch session: where to upload each part.
#[derive(Debug, Clone)]
pub struct BatchSession {
    /// The session's reference number.
    pub reference_number: ReferenceNumber,
    /// One upload target per part.
    pub targets: Vec<PartUploadTarget>,
}

/// Options of one interactive send.
#[derive(Debug, Clone, Default)]
pub struct SendOptions {
    /// `offlineMode`: the invoice was issued offline (it carries its QR codes).
    pub offline_mode: bool,
    /// `hashOfCorrectedInvoice`: for a technical correction, the hash of the rejected invoice.
    pub hash_of_corrected_invoice: Option<Sha256Hash>,
}

/// Session status codes that end a session (crypto-and-sessions.md §6).
pub fn is_final_session_status(code: i32) -> bool {
    !matches!(code, 100 | 150 | 170)
}

fn encryption(
    key: &SymmetricKey,
    cert: &ksef_core::crypto::PublicKeyCertificate,
) -> Result<EncryptionInfo> {
    let b64 = base64::engine::general_purpose::STANDARD;
    Ok(EncryptionInfo {
        encrypted_symmetric_key: b64
            .encode(wrap_with_certificate(&cert.certificate, key.key_bytes())?),
        initialization_vector: b64.encode(key.iv()),
        public_key_id: Some(cert.public_key_id.to_base64()),
    })
}

impl<'a> SessionsApi<'a> {
    /// POST `/sessions/online`: opens an interactive session with a new AES key, wrapped with
    /// the current `SymmetricKeyEncryption` key (21470 → new keys, one more try).
    ///
    /// ```no_run
    /// # use ksef_client::models::common::FormCode;
    /// # async fn run(client: ksef_client::Client) -> ksef_client::Result<()> {
    /// let session = client.sessions().open_online(FormCode::fa3()).await?;
    /// println!("{} until {}", session.reference_number, session.valid_until);
    /// # Ok(()) }
    /// ```
    pub async fn open_online(&self, form_code: FormCode) -> Result<OnlineSession> {
        let key = SymmetricKey::generate()?;
        let r: OpenOnlineSessionResponse = self
            .client
            .with_public_key(PublicKeyUsage::SymmetricKeyEncryption, |cert| {
                let (key, form_code) = (&key, form_code.clone());
                async move {
                    let body = OpenOnlineSessionRequest {
                        form_code,
                        encryption: encryption(key, &cert)?,
                    };
                    let req =
                        Request::post("POST /sessions/online", "/sessions/online").json(&body)?;
                    self.client.execute(req).await?.json()
                }
            })
            .await?;
        Ok(OnlineSession {
            reference_number: r.reference_number,
            valid_until: r.valid_until,
            key,
        })
    }

    /// POST `/sessions/online/{referenceNumber}/invoices`: encrypts and sends one invoice.
    ///
    /// Never repeated on 5xx or a lost connection: the invoice may already be registered, so
    /// the caller decides (check the session's invoices by hash first). 429 is repeated.
    ///
    /// ```no_run
    /// # use ksef_client::api::{OnlineSession, SendOptions};
    /// # async fn run(client: ksef_client::Client, session: OnlineSession, xml: Vec<u8>) -> ksef_client::Result<()> {
    /// let sent = client.sessions().send_invoice(&session, &xml, &SendOptions::default()).await?;
    /// println!("invoice reference {}", sent.reference_number);
    /// # Ok(()) }
    /// ```
    pub async fn send_invoice(
        &self,
        session: &OnlineSession,
        xml: &[u8],
        options: &SendOptions,
    ) -> Result<SendInvoiceResponse> {
        let encrypted = session.key.encrypt(xml)?;
        let body = SendInvoiceRequest {
            invoice_hash: Sha256Hash::of(xml),
            invoice_size: xml.len() as u64,
            encrypted_invoice_hash: Sha256Hash::of(&encrypted),
            encrypted_invoice_size: encrypted.len() as u64,
            encrypted_invoice_content: base64::engine::general_purpose::STANDARD.encode(&encrypted),
            offline_mode: options.offline_mode,
            hash_of_corrected_invoice: options.hash_of_corrected_invoice,
        };
        let req = Request::post(
            "POST /sessions/online/{referenceNumber}/invoices",
            format!("/sessions/online/{}/invoices", session.reference_number),
        )
        .json(&body)?;
        self.client.execute(req).await?.json()
    }

    /// POST `/sessions/online/{referenceNumber}/close`.
    ///
    /// ```no_run
    /// # async fn run(client: ksef_client::Client, r: ksef_client::models::common::ReferenceNumber) -> ksef_client::Result<()> {
    /// client.sessions().close_online(&r).await?;
    /// # Ok(()) }
    /// ```
    pub async fn close_online(&self, reference: &ReferenceNumber) -> Result<()> {
        let req = Request::post(
            "POST /sessions/online/{referenceNumber}/close",
            format!("/sessions/online/{reference}/close"),
        );
        self.client.execute(req).await.map(|_| ())
    }

    /// POST `/sessions/batch`: declares the prepared package and gets its upload targets.
    /// `key` must be the key the package was encrypted with.
    ///
    /// ```no_run
    /// # use ksef_client::models::common::FormCode;
    /// # async fn run(client: ksef_client::Client, key: ksef_core::crypto::SymmetricKey, batch: ksef_client::batch::PreparedBatch) -> ksef_client::Result<()> {
    /// let session = client.sessions().open_batch(&key, &batch, FormCode::fa3(), false).await?;
    /// client.upload_parts(&batch, &session.targets, None).await?;
    /// client.sessions().close_batch(&session.reference_number).await?;
    /// # Ok(()) }
    /// ```
    pub async fn open_batch(
        &self,
        key: &SymmetricKey,
        batch: &PreparedBatch,
        form_code: FormCode,
        offline_mode: bool,
    ) -> Result<BatchSession> {
        let compression = match batch.format.compression_type() {
            "TarGz" => CompressionType::TarGz,
            _ => CompressionType::Zip,
        };
        let batch_file = BatchFileInfo {
            file_size: batch.package_size,
            file_hash: batch.package_hash,
            compression_type: Some(compression),
            file_parts: batch
                .parts
                .iter()
                .map(|p| BatchFilePartInfo {
                    ordinal_number: p.ordinal_number,
                    file_size: p.size,
                    file_hash: p.hash,
                })
                .collect(),
        };
        let r: OpenBatchSessionResponse = self
            .client
            .with_public_key(PublicKeyUsage::SymmetricKeyEncryption, |cert| {
                let body = (form_code.clone(), batch_file.clone());
                async move {
                    let body = OpenBatchSessionRequest {
                        form_code: body.0,
                        batch_file: body.1,
                        encryption: encryption(key, &cert)?,
                        offline_mode,
                    };
                    let req =
                        Request::post("POST /sessions/batch", "/sessions/batch").json(&body)?;
                    self.client.execute(req).await?.json()
                }
            })
            .await?;
        Ok(BatchSession {
            reference_number: r.reference_number,
            targets: r
                .part_upload_requests
                .into_iter()
                .map(|p| PartUploadTarget {
                    ordinal_number: p.ordinal_number,
                    method: p.method,
                    url: p.url,
                    headers: p
                        .headers
                        .into_iter()
                        .filter_map(|(k, v)| v.map(|v| (k, v)))
                        .collect(),
                })
                .collect(),
        })
    }

    /// POST `/sessions/batch/{referenceNumber}/close`: starts processing.
    pub async fn close_batch(&self, reference: &ReferenceNumber) -> Result<()> {
        let req = Request::post(
            "POST /sessions/batch/{referenceNumber}/close",
            format!("/sessions/batch/{reference}/close"),
        );
        self.client.execute(req).await.map(|_| ())
    }

    /// Open, upload every part (concurrently, with progress), close.
    pub async fn send_batch(
        &self,
        key: &SymmetricKey,
        batch: &PreparedBatch,
        form_code: FormCode,
        offline_mode: bool,
        progress: Option<ProgressFn>,
    ) -> Result<ReferenceNumber> {
        let session = self.open_batch(key, batch, form_code, offline_mode).await?;
        self.client
            .upload_parts(batch, &session.targets, progress)
            .await?;
        self.close_batch(&session.reference_number).await?;
        Ok(session.reference_number)
    }

    /// GET `/sessions/{referenceNumber}`: session status.
    ///
    /// ```no_run
    /// # async fn run(client: ksef_client::Client, r: ksef_client::models::common::ReferenceNumber) -> ksef_client::Result<()> {
    /// let s = client.sessions().status(&r).await?;
    /// println!("{} {}", s.status.code, s.status.description);
    /// # Ok(()) }
    /// ```
    pub async fn status(&self, reference: &ReferenceNumber) -> Result<SessionStatusResponse> {
        let req = Request::get(
            "GET /sessions/{referenceNumber}",
            format!("/sessions/{reference}"),
        );
        self.client.execute(req).await?.json()
    }

    /// Polls the session status with backoff until it is final, or errors at `deadline`.
    pub async fn wait_until_final(
        &self,
        reference: &ReferenceNumber,
        deadline: Duration,
    ) -> Result<SessionStatusResponse> {
        let start = std::time::Instant::now();
        let mut wait = Duration::from_millis(100);
        loop {
            let s = self.status(reference).await?;
            if is_final_session_status(s.status.code) {
                return Ok(s);
            }
            if start.elapsed() + wait > deadline {
                return Err(Error::Timeout(format!(
                    "session {reference} (last status {} {})",
                    s.status.code, s.status.description
                )));
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(5));
        }
    }

    /// GET `/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}`.
    pub async fn invoice_status(
        &self,
        reference: &ReferenceNumber,
        invoice: &ReferenceNumber,
    ) -> Result<SessionInvoiceStatusResponse> {
        let req = Request::get(
            "GET /sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}",
            format!("/sessions/{reference}/invoices/{invoice}"),
        );
        self.client.execute(req).await?.json()
    }

    fn invoice_pages(
        &self,
        endpoint: &'static str,
        path: String,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<SessionInvoiceStatusResponse>> + Unpin + 'a {
        let this = *self;
        paging::by_continuation(move |token| {
            let page = ContinuationPage {
                page_size,
                continuation_token: token,
            };
            let mut req = Request::get(endpoint, path.clone());
            req.query = page.query_pairs();
            if let Some((h, v)) = page.header() {
                req = req.header(h, v);
            }
            async move {
                let r: SessionInvoicesResponse = this.client.execute(req).await?.json()?;
                Ok((r.invoices, r.continuation_token))
            }
        })
    }

    /// GET `/sessions/{referenceNumber}/invoices`, every page, as a stream.
    ///
    /// ```no_run
    /// # use futures::TryStreamExt;
    /// # async fn run(client: ksef_client::Client, r: ksef_client::models::common::ReferenceNumber) -> ksef_client::Result<()> {
    /// let all: Vec<_> = client.sessions().invoices(&r, Some(100)).try_collect().await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub fn invoices(
        &self,
        reference: &ReferenceNumber,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<SessionInvoiceStatusResponse>> + Unpin + 'a {
        self.invoice_pages(
            "GET /sessions/{referenceNumber}/invoices",
            format!("/sessions/{reference}/invoices"),
            page_size,
        )
    }

    /// GET `/sessions/{referenceNumber}/invoices/failed`, every page, as a stream.
    pub fn failed_invoices(
        &self,
        reference: &ReferenceNumber,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<SessionInvoiceStatusResponse>> + Unpin + 'a {
        self.invoice_pages(
            "GET /sessions/{referenceNumber}/invoices/failed",
            format!("/sessions/{reference}/invoices/failed"),
            page_size,
        )
    }

    /// GET `/sessions`, every page, as a stream.
    pub fn list(
        &self,
        query: SessionsQuery,
    ) -> impl Stream<Item = Result<SessionsQueryResponseItem>> + Unpin + 'a {
        let this = *self;
        paging::by_continuation(move |token| {
            let mut q = query.clone();
            q.page.continuation_token = token;
            let mut req = Request::get("GET /sessions", "/sessions");
            req.query = q.query_pairs();
            if let Some((h, v)) = q.page.header() {
                req = req.header(h, v);
            }
            async move {
                let r: SessionsQueryResponse = this.client.execute(req).await?.json()?;
                Ok((r.sessions, r.continuation_token))
            }
        })
    }
}
