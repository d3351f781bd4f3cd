//! Sending: interactive and batch sessions, always `offlineMode: true`, with the session
//! recorded before any request leaves.

use std::sync::Arc;

use ksef_client::Client;
use ksef_client::api::SendOptions;
use ksef_client::batch::{BatchOptions, BatchPackager, UploadProgress};
use ksef_client::models::common::FormCode;
use ksef_core::Clock;
use ksef_core::crypto::{Sha256Hash, SymmetricKey};

use super::classify::{SendFailure, classify_send_error};
use super::{CrashPoint, Progress, Syncer, TenantReport, ksef};
use crate::model::{Invoice, Outcome};
use crate::{Error, Result};

impl Syncer {
    /// Sends invoices one by one in one interactive session, then waits for their results.
    /// Technical corrections carry `hashOfCorrectedInvoice`.
    pub(super) async fn send_interactive(
        &self,
        client: &Client,
        invoices: Vec<Invoice>,
        report: &mut TenantReport,
        clock: &dyn Clock,
    ) -> Result<Vec<Invoice>> {
        let session = client
            .sessions()
            .open_online(FormCode::fa3())
            .await
            .map_err(ksef("opening an interactive session"))?;
        let reference = session.reference_number.to_string();
        report.sessions.push(reference.clone());
        let ids: Vec<_> = invoices.iter().map(|i| i.id).collect();
        let worker = &self.options.worker;
        self.store
            .mark_sending(&ids, worker, &reference, clock.now())
            .await?;
        self.crash_point(CrashPoint::BeforeSend)?;
        let total = invoices.len();
        let mut outcomes = Vec::with_capacity(total);
        let mut stopped: Option<String> = None;
        let mut lost_in_a_row = 0;
        let mut maybe_received = Vec::new();
        for (n, inv) in invoices.iter().enumerate() {
            if let Some(why) = &stopped {
                outcomes.push((
                    inv.id,
                    Outcome::NotReceived {
                        evidence: format!("not sent: the session stopped ({why})"),
                    },
                ));
                continue;
            }
            let xml = self.store.invoice_bytes(inv.id).await?;
            let hash_of_corrected_invoice = match inv.corrects {
                Some(original) => {
                    let original = self.store.get(original).await?;
                    Some(Sha256Hash::from_base64(&original.hash)?)
                }
                None => None,
            };
            let options = SendOptions {
                offline_mode: true,
                hash_of_corrected_invoice,
            };
            match client
                .sessions()
                .send_invoice(&session, &xml, &options)
                .await
            {
                Ok(sent) => {
                    outcomes.push((
                        inv.id,
                        Outcome::Sent {
                            reference: sent.reference_number.to_string(),
                        },
                    ));
                    maybe_received.push(inv.clone());
                    report.sent_interactive += 1;
                    lost_in_a_row = 0;
                }
                Err(e) => match classify_send_error(&e) {
                    SendFailure::Refused(outcome) => outcomes.push((inv.id, outcome)),
                    SendFailure::NotTaken(why) => {
                        outcomes.push((
                            inv.id,
                            Outcome::NotReceived {
                                evidence: format!("KSeF did not take it: {why}"),
                            },
                        ));
                        stopped = Some(why);
                    }
                    SendFailure::Unknown(why) => {
                        // Stays `sending`; looked up by hash below. One lost answer is a
                        // network hiccup; three in a row, KSeF is in trouble: stop.
                        tracing::warn!(invoice = %inv.id, "answer lost: {why}");
                        maybe_received.push(inv.clone());
                        lost_in_a_row += 1;
                        if lost_in_a_row >= 3 {
                            stopped = Some(why);
                        }
                    }
                },
            }
            self.progress(Progress::Sent {
                done: n + 1,
                total,
                session: "interactive",
            });
        }
        self.crash_point(CrashPoint::AfterSend)?;
        self.record(outcomes, report, clock).await?;
        if let Err(e) = client
            .sessions()
            .close_online(&session.reference_number)
            .await
        {
            tracing::warn!(session = %reference, error = %e, "cannot close the session");
        }
        self.results(client, &reference, &maybe_received, report, clock)
            .await
    }

    /// Sends invoices in one batch session (one package, parts uploaded concurrently), then
    /// waits for their results.
    pub(super) async fn send_batch(
        &self,
        client: &Client,
        invoices: Vec<Invoice>,
        report: &mut TenantReport,
        clock: &dyn Clock,
    ) -> Result<Vec<Invoice>> {
        let t0 = std::time::Instant::now();
        let key = SymmetricKey::generate()?;
        let mut packager = BatchPackager::new(&key, BatchOptions::default());
        for chunk in invoices.chunks(500) {
            let ids: Vec<_> = chunk.iter().map(|i| i.id).collect();
            let files = self.store.invoice_bytes_many(&ids).await?;
            for (inv, xml) in chunk.iter().zip(files) {
                // The hash recorded at issuing; the bytes come out of authenticated
                // encryption, so it still holds, and one hashing pass is saved.
                let hash = Sha256Hash::from_base64(&inv.hash)?;
                packager
                    .add_hashed_invoice(&format!("{}.xml", inv.id), &xml, hash)
                    .map_err(ksef("packing a batch"))?;
            }
        }
        let batch = packager.finish().map_err(ksef("packing a batch"))?;
        tracing::debug!(invoices = invoices.len(), elapsed = ?t0.elapsed(), "batch packed");
        let session = client
            .sessions()
            .open_batch(&key, &batch, FormCode::fa3(), true)
            .await
            .map_err(ksef("opening a batch session"))?;
        let reference = session.reference_number.to_string();
        report.sessions.push(reference.clone());
        let ids: Vec<_> = invoices.iter().map(|i| i.id).collect();
        self.store
            .mark_sending(&ids, &self.options.worker, &reference, clock.now())
            .await?;
        self.crash_point(CrashPoint::BeforeSend)?;
        let total = invoices.len();
        let progress = self.options.progress.clone().map(|f| {
            Arc::new(move |p: UploadProgress| {
                let done = (total as u64 * p.bytes_sent)
                    .checked_div(p.bytes_total)
                    .map_or(total, |d| d as usize);
                f(&Progress::Sent {
                    done,
                    total,
                    session: "batch",
                });
            }) as ksef_client::batch::ProgressFn
        });
        client
            .upload_parts(&batch, &session.targets, progress)
            .await
            .map_err(ksef("uploading a batch package"))?;
        client
            .sessions()
            .close_batch(&session.reference_number)
            .await
            .map_err(ksef("closing a batch session"))?;
        self.crash_point(CrashPoint::AfterSend)?;
        tracing::debug!(elapsed = ?t0.elapsed(), "batch uploaded and closed");
        report.sent_batch += total;
        self.results(client, &reference, &invoices, report, clock)
            .await
    }

    /// Waits until the session is processed and records each invoice's result.
    async fn results(
        &self,
        client: &Client,
        reference: &str,
        invoices: &[Invoice],
        report: &mut TenantReport,
        clock: &dyn Clock,
    ) -> Result<Vec<Invoice>> {
        if invoices.is_empty() {
            return Ok(Vec::new());
        }
        self.progress(Progress::Processing {
            reference: reference.to_owned(),
        });
        let parsed = reference.parse().map_err(|e| Error::Invalid {
            what: "session reference",
            reason: format!("{reference:?}: {e}"),
        })?;
        let t0 = std::time::Instant::now();
        match client
            .sessions()
            .wait_until_final(&parsed, self.options.processing_timeout)
            .await
        {
            Ok(_) => tracing::debug!(elapsed = ?t0.elapsed(), "session processed"),
            Err(ksef_client::Error::Timeout(why)) => {
                tracing::warn!(session = reference, "not processed in time: {why}");
                report.warnings.push(format!(
                    "session {reference} not processed in time; the next pass looks it up"
                ));
                return Ok(Vec::new());
            }
            Err(e) => return Err(ksef("waiting for a session")(e)),
        }
        let outcomes = self.lookup(client, reference, invoices).await?;
        tracing::debug!(elapsed = ?t0.elapsed(), "results read");
        let accepted = self.record(outcomes, report, clock).await?;
        tracing::debug!(elapsed = ?t0.elapsed(), "results recorded");
        Ok(accepted)
    }
}
