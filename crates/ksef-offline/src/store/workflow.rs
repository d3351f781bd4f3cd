//! The submission side of the store: marking invoices as being sent, recording KSeF's
//! answers and UPOs in bulk, and issuing technical corrections.
//!
//! Everything here works on many invoices per transaction: a batch session of 10,000 invoices
//! is one `sending` transaction and one transaction for its results, not 20,000 commits.

use chrono::{DateTime, Utc};
use ksef_core::Clock;
use ksef_core::crypto::Sha256Hash;
use ksef_core::invoice::InvoiceFields;
use serde_json::json;

use super::sql::{NewEvent, SqlStore, WriteLock, events, ms};
use crate::envelope::Kind;
use crate::error::db;
use crate::issuing::invoice_record;
use crate::model::{Correction, Difference, Invoice, InvoiceId, InvoiceState, Outcome};
use crate::{Error, Result};

/// Ids per `IN (...)` list.
const IDS_PER_STATEMENT: usize = 200;
/// Rows per multi-row `UPDATE ... FROM (VALUES ...)` (3 parameters each).
const ROWS_PER_UPDATE: usize = 20;

impl SqlStore {
    /// Invoice files by id, decrypted, in the order asked.
    pub(super) async fn contents(&self, ids: &[InvoiceId]) -> Result<Vec<Vec<u8>>> {
        let mut found = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, content FROM invoices WHERE id IN ({})",
                list.join(", ")
            );
            let mut q = sqlx::query_as::<_, (String, Vec<u8>)>(&sql);
            for id in chunk {
                q = q.bind(id.to_string());
            }
            for (id, sealed) in q
                .fetch_all(&self.pool)
                .await
                .map_err(db("reading invoices"))?
            {
                found.insert(id, sealed);
            }
        }
        ids.iter()
            .map(|id| {
                let sealed = found
                    .remove(&id.to_string())
                    .ok_or(Error::UnknownInvoice(*id))?;
                Ok(self
                    .engine
                    .open(Kind::Invoice, &invoice_record(*id), &sealed)?
                    .to_vec())
            })
            .collect()
    }

    pub(super) async fn mark_sending_many(
        &self,
        ids: &[InvoiceId],
        worker: &str,
        session: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin(WriteLock::Plain).await?;
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 4)).collect();
            let sql = format!(
                "UPDATE invoices SET state = 'sending', ksef_session = $1, updated_ms = $2 \
                 WHERE lease_owner = $3 AND state IN ('queued', 'sending') AND id IN ({}) \
                 RETURNING id",
                list.join(", ")
            );
            let mut q = sqlx::query_as::<_, (String,)>(&sql)
                .bind(session.to_owned())
                .bind(ms(now))
                .bind(worker.to_owned());
            for id in chunk {
                q = q.bind(id.to_string());
            }
            let done = q
                .fetch_all(&mut *tx)
                .await
                .map_err(db("marking invoices as sending"))?;
            if done.len() != chunk.len() {
                let marked: std::collections::HashSet<String> =
                    done.into_iter().map(|(id,)| id).collect();
                if let Some(&id) = chunk.iter().find(|id| !marked.contains(&id.to_string())) {
                    return Err(self
                        .refusal(&mut tx, id, Some(worker), "mark it as sending")
                        .await);
                }
            }
        }
        let list: Vec<NewEvent> = ids
            .iter()
            .map(|&invoice| NewEvent {
                invoice,
                what: "sending",
                details: json!({ "session": session }),
            })
            .collect();
        events(&mut tx, None, now, worker, &list).await?;
        tx.commit().await.map_err(db("committing sending"))?;
        Ok(())
    }

    pub(super) async fn record_outcomes_in_one(
        &self,
        worker: &str,
        outcomes: &[(InvoiceId, Outcome)],
        now: DateTime<Utc>,
    ) -> Result<Vec<Invoice>> {
        let mut tx = self.begin(WriteLock::Plain).await?;
        let mut done = Vec::with_capacity(outcomes.len());
        let mut list = Vec::with_capacity(outcomes.len());
        // Acceptances, the bulk of a batch session's results, go many per statement.
        let (accepted, others): (Vec<_>, Vec<_>) = outcomes
            .iter()
            .partition(|(_, o)| matches!(o, Outcome::Accepted { .. }));
        for chunk in accepted.chunks(ROWS_PER_UPDATE) {
            self.accept_many(&mut tx, worker, chunk, now, &mut done, &mut list)
                .await?;
        }
        for (id, outcome) in others {
            let state = outcome.state();
            // $1 now, $2 id, $3 worker, $4 and $5 per outcome, $6 the new state.
            let (set, p4, p5, details) = match outcome {
                Outcome::Sent { reference } => (
                    "ksef_reference = $4",
                    reference.clone(),
                    None,
                    json!({ "reference": reference }),
                ),
                Outcome::Accepted { ksef_number } => (
                    "ksef_number = $4, error_code = NULL, error_description = NULL, \
                     lease_owner = NULL, lease_until_ms = NULL",
                    ksef_number.to_string(),
                    Some(ksef_number.seller_nip().to_string()),
                    json!({ "ksefNumber": ksef_number.to_string() }),
                ),
                Outcome::Rejected { code, description } | Outcome::Failed { code, description } => {
                    (
                        "error_code = $4, error_description = $5, lease_owner = NULL, \
                     lease_until_ms = NULL",
                        code.clone(),
                        Some(description.clone()),
                        json!({ "code": code, "description": description }),
                    )
                }
                Outcome::NotReceived { evidence } => (
                    "ksef_session = NULL, ksef_reference = NULL, lease_owner = NULL, \
                     lease_until_ms = NULL",
                    evidence.clone(),
                    None,
                    json!({ "evidence": evidence }),
                ),
            };
            // An accepted invoice's KSeF number must carry its seller NIP.
            let seller_guard = if matches!(outcome, Outcome::Accepted { .. }) {
                " AND seller_nip = $5"
            } else {
                ""
            };
            let sql = format!(
                "UPDATE invoices SET state = $6, updated_ms = $1, {set} \
                 WHERE id = $2 AND lease_owner = $3 AND state IN ('sending', 'sent'){seller_guard} \
                 RETURNING {}",
                super::rows::INVOICE_COLUMNS
            );
            let row = sqlx::query_as::<_, super::rows::InvoiceRow>(&sql)
                .bind(ms(now))
                .bind(id.to_string())
                .bind(worker.to_owned())
                .bind(p4)
                .bind(p5)
                .bind(state.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("recording an outcome"))?;
            let Some(row) = row else {
                return Err(self.outcome_refused(&mut tx, *id, outcome, worker).await);
            };
            let what = match outcome {
                Outcome::NotReceived { .. } => "requeued",
                _ => state.as_str(),
            };
            list.push(NewEvent {
                invoice: *id,
                what,
                details,
            });
            done.push(Invoice::try_from(row)?);
        }
        events(&mut tx, None, now, worker, &list).await?;
        tx.commit().await.map_err(db("committing outcomes"))?;
        for inv in &done {
            tracing::debug!(invoice = %inv.id, state = inv.state.as_str(), "outcome recorded");
        }
        Ok(done)
    }

    /// Records acceptances in one statement: each row must be leased to `worker`, be sending
    /// or sent, and carry the seller NIP of its KSeF number.
    async fn accept_many(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        worker: &str,
        chunk: &[&(InvoiceId, Outcome)],
        now: DateTime<Utc>,
        done: &mut Vec<Invoice>,
        events: &mut Vec<NewEvent<'static>>,
    ) -> Result<()> {
        // $1 now, $2 worker, then (id, KSeF number, seller NIP) per row.
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${}, ${})", 3 + 3 * i, 4 + 3 * i, 5 + 3 * i))
            .collect();
        let sql = format!(
            "UPDATE invoices SET state = 'accepted', updated_ms = $1, ksef_number = v.column2, \
             error_code = NULL, error_description = NULL, lease_owner = NULL, lease_until_ms = NULL \
             FROM (VALUES {}) AS v \
             WHERE invoices.id = v.column1 AND invoices.lease_owner = $2 \
             AND invoices.state IN ('sending', 'sent') AND invoices.seller_nip = v.column3 \
             RETURNING {}",
            values.join(", "),
            super::rows::INVOICE_COLUMNS_QUALIFIED
        );
        let mut q = sqlx::query_as::<_, super::rows::InvoiceRow>(&sql)
            .bind(ms(now))
            .bind(worker.to_owned());
        for (id, outcome) in chunk {
            let Outcome::Accepted { ksef_number } = outcome else {
                continue;
            };
            q = q
                .bind(id.to_string())
                .bind(ksef_number.to_string())
                .bind(ksef_number.seller_nip().to_string());
        }
        let rows = q
            .fetch_all(&mut **tx)
            .await
            .map_err(db("recording acceptances"))?;
        if rows.len() != chunk.len() {
            let updated: std::collections::HashSet<String> =
                rows.iter().map(|r| r.id().to_owned()).collect();
            for (id, outcome) in chunk {
                if !updated.contains(&id.to_string()) {
                    return Err(self.outcome_refused(tx, *id, outcome, worker).await);
                }
            }
        }
        for row in rows {
            let inv = Invoice::try_from(row)?;
            events.push(NewEvent {
                invoice: inv.id,
                what: "accepted",
                details: json!({ "ksefNumber": inv.ksef_number }),
            });
            done.push(inv);
        }
        Ok(())
    }

    /// Why an outcome's guarded update changed nothing: a KSeF number of another seller, a
    /// lost lease, or a state that does not take it.
    async fn outcome_refused(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: InvoiceId,
        outcome: &Outcome,
        worker: &str,
    ) -> Error {
        if let Outcome::Accepted { ksef_number } = outcome {
            match self.invoice_row(tx, id).await {
                Ok(current) if ksef_number.seller_nip().to_string() != current.seller_nip => {
                    return Error::KsefNumberMismatch {
                        id,
                        number: ksef_number.to_string(),
                        number_seller: ksef_number.seller_nip().to_string(),
                        seller: current.seller_nip,
                    };
                }
                Err(e) => return e,
                Ok(_) => {}
            }
        }
        self.refusal(tx, id, Some(worker), "record this outcome")
            .await
    }

    pub(super) async fn store_upos_in_one(
        &self,
        upos: &[(InvoiceId, Vec<u8>)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        // One lock order for every writer: no deadlock between workers.
        let mut upos: Vec<&(InvoiceId, Vec<u8>)> = upos.iter().collect();
        upos.sort_by_key(|(id, _)| *id);
        let mut tx = self.begin(WriteLock::Plain).await?;
        let mut list = Vec::with_capacity(upos.len());
        for (id, xml) in upos {
            let sealed = self.engine.seal(Kind::Upo, &invoice_record(*id), xml);
            let updated = sqlx::query(
                "UPDATE invoices SET upo = $1, updated_ms = $2 \
                 WHERE id = $3 AND state = 'accepted' AND upo IS NULL",
            )
            .bind(sealed)
            .bind(ms(now))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db("storing a UPO"))?;
            if updated.rows_affected() == 0 {
                if self.invoice_row(&mut tx, *id).await?.has_upo {
                    continue; // another worker stored it meanwhile
                }
                return Err(self.refusal(&mut tx, *id, None, "store a UPO").await);
            }
            list.push(NewEvent {
                invoice: *id,
                what: "upo_stored",
                details: json!({ "sha256": Sha256Hash::of(xml).to_base64(), "size": xml.len() }),
            });
        }
        let actor = self.engine.options.actor.clone();
        events(&mut tx, None, now, &actor, &list).await?;
        tx.commit().await.map_err(db("committing UPOs"))?;
        Ok(())
    }

    pub(super) async fn issue_correction(
        &self,
        original: InvoiceId,
        fixed_xml: &[u8],
        clock: &dyn Clock,
    ) -> Result<Correction> {
        let now = clock.now();
        let mut orig = crate::Store::get(self, original).await?;
        // A rejected correction is fixed by correcting its original again.
        if let Some(first) = orig.corrects {
            orig = crate::Store::get(self, first).await?;
        }
        if orig.state != InvoiceState::Rejected {
            return Err(Error::NotCorrectable {
                id: orig.id,
                state: orig.state,
                reason: match orig.state {
                    InvoiceState::Accepted => {
                        "KSeF accepted it; only a rejected invoice can be technically corrected (a business correction is a new invoice, e.g. RodzajFaktury KOR)"
                    }
                    InvoiceState::Failed => {
                        "KSeF refused it for a reason a technical correction cannot fix (e.g. permissions, status 410)"
                    }
                    InvoiceState::NotRequired => "it is not sent to KSeF at all",
                    _ => "KSeF has not rejected it (yet)",
                },
            });
        }
        if let Some(previous) = orig.corrected_by {
            let prev = crate::Store::get(self, previous).await?;
            match prev.state {
                InvoiceState::Rejected | InvoiceState::Failed => {}
                InvoiceState::Accepted => {
                    return Err(Error::AlreadyCorrected {
                        id: orig.id,
                        correction: prev.id,
                        ksef_number: prev.ksef_number,
                    });
                }
                _ => {
                    return Err(Error::CorrectionPending {
                        id: orig.id,
                        correction: prev.id,
                        state: prev.state,
                    });
                }
            }
        }
        let fixed_hash = Sha256Hash::of(fixed_xml);
        if fixed_hash.to_base64() == orig.hash {
            return Err(Error::Invalid {
                what: "technical correction",
                reason: format!(
                    "the fixed file is byte for byte the rejected invoice {} (same hash {}): nothing was fixed",
                    orig.id, orig.hash
                ),
            });
        }
        let ctx = self.tenant_context(&orig.tenant, now).await?;
        let mut prepared = self.engine.prepare(&ctx, fixed_xml, orig.mode, now)?;
        let original_bytes = crate::Store::invoice_bytes(self, orig.id).await?;
        let before = self.engine.inspect(&original_bytes)?;
        let after = &prepared.fields;
        for (field, a, b) in [
            (
                "Podmiot1/NIP",
                before.seller_nip.to_string(),
                after.seller_nip.to_string(),
            ),
            (
                "Fa/RodzajFaktury",
                before.kind.code().to_owned(),
                after.kind.code().to_owned(),
            ),
            ("Fa/P_2", before.number.clone(), after.number.clone()),
        ] {
            if a != b {
                return Err(Error::CorrectionChangesKey {
                    id: orig.id,
                    field,
                    original: a,
                    corrected: b,
                });
            }
        }
        let differences = differences(&before, after);
        prepared.corrects = Some(orig.id);
        let correction_id = prepared.id;
        let mut tx = self.begin(WriteLock::Issue).await?;
        let mut issued = self.write_issued(&mut tx, vec![prepared]).await?;
        let linked = sqlx::query(
            "UPDATE invoices SET corrected_by = $1, updated_ms = $2 \
             WHERE id = $3 AND state = 'rejected' AND (corrected_by IS NULL OR corrected_by = $4)",
        )
        .bind(correction_id.to_string())
        .bind(ms(now))
        .bind(orig.id.to_string())
        .bind(orig.corrected_by.map(|c| c.to_string()).unwrap_or_default())
        .execute(&mut *tx)
        .await
        .map_err(db("linking a technical correction"))?;
        if linked.rows_affected() == 0 {
            // Changed meanwhile (another correction, or a late KSeF answer).
            return Err(self
                .refusal(&mut tx, orig.id, None, "technically correct it")
                .await);
        }
        let actor = self.engine.options.actor.clone();
        events(
            &mut tx,
            Some(&orig.tenant),
            now,
            &actor,
            &[NewEvent {
                invoice: orig.id,
                what: "correction_issued",
                details: json!({
                    "correction": correction_id,
                    "hash": fixed_hash.to_base64(),
                    "hashOfCorrectedInvoice": orig.hash,
                    "differences": differences,
                }),
            }],
        )
        .await?;
        tx.commit()
            .await
            .map_err(db("committing a technical correction"))?;
        let issued = issued.pop().ok_or(Error::UnknownInvoice(correction_id))?;
        orig.corrected_by = Some(correction_id);
        orig.updated_at = now;
        tracing::info!(original = %orig.id, correction = %correction_id, "technical correction issued");
        Ok(Correction {
            issued,
            original: orig,
            differences,
        })
    }
}

/// The business fields that differ between an original and its correction.
fn differences(before: &InvoiceFields, after: &InvoiceFields) -> Vec<Difference> {
    let amount = |f: &InvoiceFields| {
        f.total
            .as_ref()
            .map(|a| normalize_amount(a.as_str()))
            .unwrap_or_default()
    };
    let nip = |f: &InvoiceFields| f.buyer_nip.map(|n| n.to_string()).unwrap_or_default();
    [
        (
            "Fa/P_1",
            before.issue_date.to_string(),
            after.issue_date.to_string(),
        ),
        ("Fa/P_15", amount(before), amount(after)),
        (
            "Fa/KodWaluty",
            before.currency.clone(),
            after.currency.clone(),
        ),
        ("Podmiot2/NIP", nip(before), nip(after)),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b)
    .map(|(field, original, corrected)| Difference {
        field,
        original,
        corrected,
    })
    .collect()
}

/// `100.50`, `100.5` and `0100.500` are the same amount.
fn normalize_amount(s: &str) -> String {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let (sign, int) = int.strip_prefix('-').map_or(("", int), |i| ("-", i));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_amount;

    #[test]
    fn amounts_compare_by_value() {
        assert_eq!(normalize_amount("100.50"), normalize_amount("100.5"));
        assert_eq!(normalize_amount("0100.500"), "100.5");
        assert_eq!(normalize_amount("-0.10"), "-0.1");
        assert_eq!(normalize_amount("0.00"), "0");
        assert_ne!(normalize_amount("100.05"), normalize_amount("100.5"));
    }
}
