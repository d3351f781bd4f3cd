//! The store over sqlx's `Any` driver: one implementation of [`Store`] for both backends.
//!
//! The SQL here is the subset both SQLite and PostgreSQL accept (`$n` parameters,
//! `RETURNING`, `ON CONFLICT`, partial unique indexes); what differs lives in the backend
//! modules.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ksef_core::calendar::{OfflineMode, Outage};
use ksef_core::crypto::Certificate;
use ksef_core::ids::ContextIdentifier;
use ksef_core::{Clock, Nip};
use serde_json::json;
use sqlx::{Any, AnyPool, Transaction};
use zeroize::Zeroizing;

use super::rows::{
    DeadlineRow, EventRow, INVOICE_COLUMNS, InvoiceRow, OutageRow, TenantRow, invoices,
    outage_kind_code,
};
use super::{Store, redact_url};
use crate::envelope::{self, Kind};
use crate::error::db;
use crate::issuing::{Engine, Prepared, TenantContext, invoice_record, tenant_record};
use crate::keys::MasterKey;
use crate::model::{
    Correction, Event, Invoice, InvoiceFilter, InvoiceId, InvoiceState, Issued, NewTenant,
    ObligationSummary, OutageReport, Outcome, RecordedOutage, StoreOptions, Tenant, TenantId,
};
use crate::{Error, Result};

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    #[cfg(feature = "sqlite")]
    Sqlite,
    #[cfg(feature = "postgres")]
    Postgres,
}

/// What a write transaction must be ordered against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteLock {
    /// Nothing beyond row locks.
    Plain,
    /// Issuing: reads the outages, must not interleave with recording one.
    Issue,
    /// Recording an outage.
    Outage,
}

impl Backend {
    pub(crate) fn of(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            #[cfg(feature = "sqlite")]
            return Ok(Backend::Sqlite);
            #[cfg(not(feature = "sqlite"))]
            return Err(Error::BackendNotCompiled {
                backend: "SQLite",
                feature: "sqlite",
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            #[cfg(feature = "postgres")]
            return Ok(Backend::Postgres);
            #[cfg(not(feature = "postgres"))]
            return Err(Error::BackendNotCompiled {
                backend: "PostgreSQL",
                feature: "postgres",
            });
        }
        Err(Error::UnsupportedUrl {
            url: redact_url(url),
        })
    }

    fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => "SQLite",
            #[cfg(feature = "postgres")]
            Backend::Postgres => "PostgreSQL",
        }
    }

    fn claim_sql(self) -> &'static str {
        match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => super::sqlite::CLAIM,
            #[cfg(feature = "postgres")]
            Backend::Postgres => super::postgres::CLAIM,
        }
    }
}

/// The store: a pool, the backend, and the shared engine.
#[derive(Debug)]
pub(crate) struct SqlStore {
    pub(super) pool: AnyPool,
    backend: Backend,
    pub(super) engine: Arc<Engine>,
}

pub(super) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// Invoices per multi-row `INSERT`. Small: sqlx-sqlite looks parameters up by name, which
/// costs more than the round trips saved past a few dozen rows.
const ROWS_PER_INSERT: usize = 20;

const INSERT_EVENT: &str = "INSERT INTO events (invoice_id, tenant_id, at_ms, actor, what, details) \
    VALUES ($1, $2, $3, $4, $5, $6)";

/// Appends one event.
pub(super) async fn event(
    tx: &mut Transaction<'static, Any>,
    invoice: Option<InvoiceId>,
    tenant: Option<&TenantId>,
    at: DateTime<Utc>,
    actor: &str,
    what: &str,
    details: serde_json::Value,
) -> Result<()> {
    sqlx::query(INSERT_EVENT)
        .bind(invoice.map(|i| i.to_string()))
        .bind(tenant.map(|t| t.to_string()))
        .bind(ms(at))
        .bind(actor.to_owned())
        .bind(what.to_owned())
        .bind(details.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db("recording an event"))?;
    Ok(())
}

/// One event to append with [`events`].
pub(super) struct NewEvent<'a> {
    pub(super) invoice: InvoiceId,
    pub(super) what: &'a str,
    pub(super) details: serde_json::Value,
}

/// Appends many events of one actor and instant, [`ROWS_PER_INSERT`] rows per statement.
pub(super) async fn events(
    tx: &mut Transaction<'static, Any>,
    tenant: Option<&TenantId>,
    at: DateTime<Utc>,
    actor: &str,
    list: &[NewEvent<'_>],
) -> Result<()> {
    for chunk in list.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO events (invoice_id, tenant_id, at_ms, actor, what, details) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 6;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            ));
        }
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.invoice.to_string())
                .bind(tenant.map(ToString::to_string))
                .bind(ms(at))
                .bind(actor.to_owned())
                .bind(e.what.to_owned())
                .bind(e.details.to_string());
        }
        q.execute(&mut **tx).await.map_err(db("recording events"))?;
    }
    Ok(())
}

async fn all_outages(tx: &mut Transaction<'static, Any>) -> Result<Vec<RecordedOutage>> {
    let rows: Vec<OutageRow> = sqlx::query_as(
        "SELECT id, kind, start_ms, end_ms, evidence, recorded_ms FROM outages ORDER BY start_ms, id",
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db("reading the outages"))?;
    rows.into_iter().map(RecordedOutage::try_from).collect()
}

impl SqlStore {
    pub(crate) async fn open(
        backend: Backend,
        url: &str,
        master: MasterKey,
        options: StoreOptions,
    ) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let pool = match backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => super::sqlite::pool(url).await?,
            #[cfg(feature = "postgres")]
            Backend::Postgres => super::postgres::pool(url).await?,
        };
        match backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => super::sqlite::MIGRATOR.run(&pool).await?,
            #[cfg(feature = "postgres")]
            Backend::Postgres => super::postgres::MIGRATOR.run(&pool).await?,
        }
        let store = SqlStore {
            pool,
            backend,
            engine: Arc::new(Engine::new(master, options)?),
        };
        store.check_master_key().await?;
        tracing::debug!(backend = backend.name(), "store opened");
        Ok(store)
    }

    pub(super) async fn begin(&self, lock: WriteLock) -> Result<Transaction<'static, Any>> {
        match self.backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => {
                let _ = lock; // one writer at a time already
                super::sqlite::begin(&self.pool).await
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => super::postgres::begin(&self.pool, lock).await,
        }
    }

    /// Stores the key check value of a new store, or verifies the stored one.
    async fn check_master_key(&self) -> Result<()> {
        let stored: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT key_check FROM store_meta WHERE id = 1")
                .fetch_optional(&self.pool)
                .await
                .map_err(db("reading the key check value"))?;
        let stored = match stored {
            Some((kcv,)) => kcv,
            None => {
                let kcv = envelope::key_check(&self.engine.master);
                sqlx::query(
                    "INSERT INTO store_meta (id, key_check, created_ms) VALUES (1, $1, $2) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(kcv)
                .bind(ms(Utc::now()))
                .execute(&self.pool)
                .await
                .map_err(db("storing the key check value"))?;
                // Another process may have won the race: check what is there now.
                let (kcv,): (Vec<u8>,) =
                    sqlx::query_as("SELECT key_check FROM store_meta WHERE id = 1")
                        .fetch_one(&self.pool)
                        .await
                        .map_err(db("reading the key check value"))?;
                kcv
            }
        };
        if envelope::verify_key_check(&self.engine.master, &stored) {
            Ok(())
        } else {
            Err(Error::WrongMasterKey)
        }
    }

    async fn tenant_row(&self, id: &TenantId) -> Result<TenantRow> {
        sqlx::query_as(
            "SELECT id, context_type, context_value, permitted_sellers, ksef_token, \
             offline_cert, offline_key, created_ms FROM tenants WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a tenant"))?
        .ok_or_else(|| Error::UnknownTenant(id.clone()))
    }

    fn tenant_of(row: &TenantRow) -> Result<Tenant> {
        Ok(Tenant {
            id: row.id.parse()?,
            context: ContextIdentifier::parse(&row.context_type, &row.context_value)?,
            permitted_sellers: row
                .permitted_sellers
                .split(',')
                .filter(|s| !s.is_empty())
                .map(Nip::parse_unchecked)
                .collect::<Result<_, _>>()?,
            has_ksef_token: row.ksef_token.is_some(),
            offline_certificate: row
                .offline_cert
                .as_ref()
                .map(|der| Certificate::from_der(der.clone()))
                .transpose()?,
            created_at: super::rows::instant(row.created_ms),
        })
    }

    /// The tenant with its KOD II signer, from the cache or the database.
    pub(super) async fn tenant_context(
        &self,
        id: &TenantId,
        now: DateTime<Utc>,
    ) -> Result<Arc<TenantContext>> {
        if let Some(ctx) = self.engine.cached_tenant(id) {
            return Ok(ctx);
        }
        let row = self.tenant_row(id).await?;
        let tenant = Self::tenant_of(&row)?;
        let signer = match (&tenant.offline_certificate, &row.offline_key) {
            (Some(cert), Some(key)) => Some(self.engine.signer(id, cert, key, now)?),
            _ => None,
        };
        Ok(self.engine.cache_tenant(TenantContext { tenant, signer }))
    }

    pub(super) async fn invoice_row(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: InvoiceId,
    ) -> Result<Invoice> {
        let row: Option<InvoiceRow> = sqlx::query_as(&format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading an invoice"))?;
        row.ok_or(Error::UnknownInvoice(id))?.try_into()
    }

    /// Why a guarded update changed nothing: unknown invoice, lease lost, or wrong state.
    pub(super) async fn refusal(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: InvoiceId,
        worker: Option<&str>,
        operation: &'static str,
    ) -> Error {
        match self.invoice_row(tx, id).await {
            Err(e) => e,
            Ok(inv) => match worker {
                Some(w) if inv.lease_owner.as_deref() != Some(w) => Error::LeaseLost {
                    id,
                    worker: w.to_owned(),
                },
                _ => Error::InvalidState {
                    id,
                    state: inv.state,
                    operation,
                },
            },
        }
    }

    /// Writes prepared invoices with their deadlines and `issued` events, many rows per
    /// statement (each statement is a round trip to the database's thread or server).
    pub(super) async fn write_issued(
        &self,
        tx: &mut Transaction<'static, Any>,
        prepared: Vec<Prepared>,
    ) -> Result<Vec<Issued>> {
        let outages: Vec<Outage> = all_outages(tx)
            .await?
            .into_iter()
            .map(|o| o.outage)
            .collect();
        let mut out = Vec::with_capacity(prepared.len());
        let mut rows = Vec::with_capacity(prepared.len());
        for p in prepared {
            let deadline = p.deadline(&outages)?;
            let obligation = ObligationSummary::of(&deadline);
            let hash = p.hash.to_base64();
            let invoice = Invoice {
                id: p.id,
                tenant: p.tenant,
                seller_nip: p.fields.seller_nip.to_string(),
                kind: p.fields.kind,
                number: p.fields.number.clone(),
                issue_date: p.fields.issue_date,
                mode: p.mode,
                hash: hash.clone(),
                size: p.fields.size as u64,
                state: p.state,
                obligation,
                kod1: p.kod1,
                kod2: p.kod2,
                ksef_number: None,
                ksef_reference: None,
                ksef_session: None,
                error_code: None,
                error_description: None,
                has_attachment: p.fields.has_attachment,
                has_upo: false,
                lease_owner: None,
                lease_until: None,
                attempts: 0,
                corrects: p.corrects,
                corrected_by: None,
                issued_at: p.now,
                updated_at: p.now,
            };
            let details = json!({
                "mode": p.mode.as_str(),
                "hash": hash,
                "size": p.fields.size,
                "sellerNip": invoice.seller_nip,
                "kind": p.fields.kind.code(),
                "number": p.fields.number,
                "issueDate": p.fields.issue_date.to_string(),
                "obligation": obligation,
                "reasoning": deadline.reasoning,
                "submission": if p.mode.requires_submission() { "required" } else { "no submission required" },
            });
            rows.push((p.sealed, details));
            out.push(Issued { invoice, deadline });
        }
        let actor = &self.engine.options.actor;
        for (chunk, sealed) in out
            .chunks(ROWS_PER_INSERT)
            .zip(rows.chunks_mut(ROWS_PER_INSERT))
        {
            let mut sql = String::from(
                "INSERT INTO invoices (id, tenant_id, seller_nip, kind, number, issue_date, mode, \
                 hash, size, content, state, obligation, due_date, deadline_ms, \
                 deadline_reasoning, kod1, kod2, corrects, has_attachment, issued_ms, updated_ms) VALUES ",
            );
            for i in 0..chunk.len() {
                let b = i * 20;
                if i > 0 {
                    sql.push(',');
                }
                sql.push('(');
                for k in 1..=20 {
                    sql.push_str(&format!("${},", b + k));
                }
                // updated_ms = issued_ms
                sql.push_str(&format!("${})", b + 20));
            }
            let mut q = sqlx::query(&sql);
            for (issued, (content, _)) in chunk.iter().zip(sealed.iter_mut()) {
                let inv = &issued.invoice;
                let (due_date, deadline_ms) = match inv.obligation {
                    ObligationSummary::Due { due_date, deadline } => {
                        (Some(due_date.to_string()), Some(ms(deadline)))
                    }
                    _ => (None, None),
                };
                q = q
                    .bind(inv.id.to_string())
                    .bind(inv.tenant.to_string())
                    .bind(inv.seller_nip.clone())
                    .bind(inv.kind.code())
                    .bind(inv.number.clone())
                    .bind(inv.issue_date.to_string())
                    .bind(inv.mode.as_str())
                    .bind(inv.hash.clone())
                    .bind(inv.size as i64)
                    .bind(std::mem::take(content))
                    .bind(inv.state.as_str())
                    .bind(inv.obligation.code())
                    .bind(due_date)
                    .bind(deadline_ms)
                    .bind(serde_json::to_string(&issued.deadline.reasoning).unwrap_or_default())
                    .bind(inv.kod1.clone())
                    .bind(inv.kod2.clone())
                    .bind(inv.corrects.map(|c| c.to_string()))
                    .bind(i64::from(inv.has_attachment))
                    .bind(ms(inv.issued_at));
            }
            if let Err(e) = q.execute(&mut **tx).await {
                if is_unique_violation(&e) {
                    return Err(Error::Duplicate {
                        key: String::new(),
                        existing: None,
                    });
                }
                return Err(db("issuing an invoice")(e));
            }
            if let Some(first) = chunk.first() {
                let list: Vec<NewEvent> = chunk
                    .iter()
                    .zip(sealed.iter_mut())
                    .map(|(issued, (_, details))| NewEvent {
                        invoice: issued.invoice.id,
                        what: "issued",
                        details: std::mem::take(details),
                    })
                    .collect();
                let inv = &first.invoice;
                events(tx, Some(&inv.tenant), inv.issued_at, actor, &list).await?;
            }
        }
        for i in &out {
            tracing::debug!(invoice = %i.invoice.id, hash = %i.invoice.hash, mode = i.invoice.mode.as_str(), "invoice issued");
        }
        Ok(out)
    }

    async fn issue_prepared(&self, prepared: Vec<Prepared>) -> Result<Vec<Issued>> {
        let keys: Vec<String> = prepared
            .iter()
            .map(|p| p.fields.duplicate_key().to_string())
            .collect();
        let mut tx = self.begin(WriteLock::Issue).await?;
        match self.write_issued(&mut tx, prepared).await {
            Ok(issued) => {
                tx.commit()
                    .await
                    .map_err(db("committing issued invoices"))?;
                Ok(issued)
            }
            Err(Error::Duplicate { .. }) => {
                drop(tx);
                // Which key: one already stored, or one repeated within the batch.
                for key in &keys {
                    if let Some(existing) = self.find_by_key(key).await? {
                        return Err(Error::Duplicate {
                            key: key.clone(),
                            existing: Some(existing),
                        });
                    }
                }
                let mut seen = std::collections::HashSet::new();
                let key = keys
                    .iter()
                    .find(|k| !seen.insert(k.as_str()))
                    .cloned()
                    .unwrap_or_default();
                Err(Error::Duplicate {
                    key,
                    existing: None,
                })
            }
            Err(e) => Err(e),
        }
    }

    async fn find_by_key(&self, key: &str) -> Result<Option<InvoiceId>> {
        let mut parts = key.splitn(3, '|');
        let (Some(nip), Some(kind), Some(number)) = (parts.next(), parts.next(), parts.next())
        else {
            return Ok(None);
        };
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM invoices WHERE seller_nip = $1 AND kind = $2 AND number = $3 \
             AND corrects IS NULL",
        )
        .bind(nip.to_owned())
        .bind(kind.to_owned())
        .bind(number.to_owned())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("looking up a duplicate"))?;
        row.map(|(id,)| id.parse()).transpose()
    }

    async fn select_invoices(&self, sql: &str, binds: Vec<Bind>) -> Result<Vec<Invoice>> {
        let mut q = sqlx::query_as::<_, InvoiceRow>(sql);
        for b in binds {
            q = match b {
                Bind::Text(s) => q.bind(s),
                Bind::Int(i) => q.bind(i),
            };
        }
        let rows = q
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing invoices"))?;
        invoices(rows)
    }
}

enum Bind {
    Text(String),
    Int(i64),
}

pub(super) const OPEN_STATES: &str = "('queued', 'sending', 'sent', 'rejected')";

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> &'static str {
        self.backend.name()
    }

    async fn add_tenant(&self, new: NewTenant, clock: &dyn Clock) -> Result<Tenant> {
        let now = clock.now();
        let record = tenant_record(&new.id);
        let (cert, key) = match &new.offline {
            Some(cred) => {
                // Refuses Authentication certificates and keys that do not match, now.
                ksef_core::qr::OfflineSigner::new(cred.certificate.clone(), cred.key.clone(), now)?;
                let der = cred.key.to_pkcs8_der()?;
                (
                    Some(cred.certificate.der().to_vec()),
                    Some(self.engine.seal(Kind::OfflineKey, &record, &der)),
                )
            }
            None => (None, None),
        };
        let token = new
            .ksef_token
            .as_ref()
            .map(|t| self.engine.seal(Kind::KsefToken, &record, t.as_bytes()));
        let permitted: Vec<String> = new
            .permitted_sellers
            .iter()
            .map(ToString::to_string)
            .collect();
        let mut tx = self.begin(WriteLock::Plain).await?;
        let res = sqlx::query(
            "INSERT INTO tenants (id, context_type, context_value, permitted_sellers, ksef_token, \
             offline_cert, offline_key, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new.id.to_string())
        .bind(new.context.type_name())
        .bind(new.context.value().to_owned())
        .bind(permitted.join(","))
        .bind(token)
        .bind(cert)
        .bind(key)
        .bind(ms(now))
        .execute(&mut *tx)
        .await;
        match res {
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::TenantExists { tenant: new.id });
            }
            Err(e) => return Err(db("adding a tenant")(e)),
            Ok(_) => {}
        }
        event(
            &mut tx,
            None,
            Some(&new.id),
            now,
            &self.engine.options.actor,
            "tenant_added",
            json!({
                "context": format!("{}:{}", new.context.type_name(), new.context.value()),
                "ksefToken": new.ksef_token.is_some(),
                "offlineCertificate": new.offline.as_ref().map(|c| c.certificate.serial().to_owned()),
                "permittedSellers": permitted,
            }),
        )
        .await?;
        tx.commit().await.map_err(db("committing a tenant"))?;
        tracing::info!(tenant = %new.id, "tenant added");
        self.tenant(&new.id).await
    }

    async fn list_tenants(&self) -> Result<Vec<Tenant>> {
        let rows: Vec<TenantRow> = sqlx::query_as(
            "SELECT id, context_type, context_value, permitted_sellers, ksef_token, \
             offline_cert, offline_key, created_ms FROM tenants ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db("listing tenants"))?;
        rows.iter().map(Self::tenant_of).collect()
    }

    async fn tenant(&self, id: &TenantId) -> Result<Tenant> {
        Self::tenant_of(&self.tenant_row(id).await?)
    }

    async fn ksef_token(&self, id: &TenantId) -> Result<Option<Zeroizing<String>>> {
        let row = self.tenant_row(id).await?;
        let Some(sealed) = row.ksef_token else {
            return Ok(None);
        };
        let plain = self
            .engine
            .open(Kind::KsefToken, &tenant_record(id), &sealed)?;
        let text = std::str::from_utf8(&plain).map_err(|_| Error::Corrupted {
            kind: "ksef-token",
            record: tenant_record(id),
            reason: "not UTF-8".into(),
        })?;
        Ok(Some(Zeroizing::new(text.to_owned())))
    }

    async fn issue(
        &self,
        tenant: &TenantId,
        xml: &[u8],
        mode: OfflineMode,
        clock: &dyn Clock,
    ) -> Result<Issued> {
        let now = clock.now();
        let ctx = self.tenant_context(tenant, now).await?;
        let prepared = self.engine.prepare(&ctx, xml, mode, now)?;
        let mut issued = self.issue_prepared(vec![prepared]).await?;
        issued.pop().ok_or_else(|| Error::Invalid {
            what: "issue",
            reason: "nothing was issued".into(),
        })
    }

    async fn issue_many(
        &self,
        tenant: &TenantId,
        xmls: &[&[u8]],
        mode: OfflineMode,
        clock: &dyn Clock,
    ) -> Result<Vec<Issued>> {
        let now = clock.now();
        let ctx = self.tenant_context(tenant, now).await?;
        // Checking and signing are CPU work: spread them over the cores, in order.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per_thread = xmls.len().div_ceil(threads).max(64);
        let mut tasks = Vec::new();
        for chunk in xmls.chunks(per_thread) {
            let owned: Vec<Vec<u8>> = chunk.iter().map(|x| x.to_vec()).collect();
            let (engine, ctx) = (self.engine.clone(), ctx.clone());
            tasks.push(tokio::task::spawn_blocking(move || {
                owned
                    .iter()
                    .map(|xml| engine.prepare(&ctx, xml, mode, now))
                    .collect::<Result<Vec<_>>>()
            }));
        }
        let mut prepared = Vec::with_capacity(xmls.len());
        for task in tasks {
            let part = task.await.map_err(|e| Error::Invalid {
                what: "issue batch",
                reason: format!("a preparing task failed: {e}"),
            })??;
            prepared.extend(part);
        }
        self.issue_prepared(prepared).await
    }

    async fn get(&self, id: InvoiceId) -> Result<Invoice> {
        let mut list = self
            .select_invoices(
                &format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1"),
                vec![Bind::Text(id.to_string())],
            )
            .await?;
        list.pop().ok_or(Error::UnknownInvoice(id))
    }

    async fn list(&self, filter: &InvoiceFilter) -> Result<Vec<Invoice>> {
        let mut sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE 1 = 1");
        let mut binds = Vec::new();
        if let Some(t) = &filter.tenant {
            binds.push(Bind::Text(t.to_string()));
            sql.push_str(&format!(" AND tenant_id = ${}", binds.len()));
        }
        if let Some(s) = filter.state {
            binds.push(Bind::Text(s.as_str().to_owned()));
            sql.push_str(&format!(" AND state = ${}", binds.len()));
        }
        if filter.missing_upo {
            sql.push_str(" AND state = 'accepted' AND upo IS NULL");
        }
        sql.push_str(" ORDER BY issued_ms DESC, id DESC");
        if let Some(limit) = filter.limit {
            binds.push(Bind::Int(i64::from(limit)));
            sql.push_str(&format!(" LIMIT ${}", binds.len()));
        }
        self.select_invoices(&sql, binds).await
    }

    async fn invoice_bytes(&self, id: InvoiceId) -> Result<Vec<u8>> {
        let row: Option<(Vec<u8>,)> = sqlx::query_as("SELECT content FROM invoices WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading an invoice"))?;
        let (sealed,) = row.ok_or(Error::UnknownInvoice(id))?;
        let plain = self
            .engine
            .open(Kind::Invoice, &invoice_record(id), &sealed)?;
        Ok(plain.to_vec())
    }

    async fn invoice_bytes_many(&self, ids: &[InvoiceId]) -> Result<Vec<Vec<u8>>> {
        self.contents(ids).await
    }

    async fn upo(&self, id: InvoiceId) -> Result<Option<Vec<u8>>> {
        let row: Option<(Option<Vec<u8>>,)> =
            sqlx::query_as("SELECT upo FROM invoices WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(db("reading a UPO"))?;
        let (sealed,) = row.ok_or(Error::UnknownInvoice(id))?;
        match sealed {
            Some(s) => Ok(Some(
                self.engine
                    .open(Kind::Upo, &invoice_record(id), &s)?
                    .to_vec(),
            )),
            None => Ok(None),
        }
    }

    async fn claim_due(
        &self,
        tenant: &TenantId,
        limit: u32,
        lease_for: Duration,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Invoice>> {
        let until = now
            + chrono::Duration::from_std(lease_for).map_err(|e| Error::Invalid {
                what: "lease duration",
                reason: e.to_string(),
            })?;
        let mut tx = self.begin(WriteLock::Plain).await?;
        let rows: Vec<InvoiceRow> =
            sqlx::query_as(&format!("{}{INVOICE_COLUMNS}", self.backend.claim_sql()))
                .bind(worker.to_owned())
                .bind(ms(until))
                .bind(ms(now))
                .bind(tenant.to_string())
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await
                .map_err(db("claiming invoices"))?;
        let mut claimed = invoices(rows)?;
        let list: Vec<NewEvent> = claimed
            .iter()
            .map(|inv| NewEvent {
                invoice: inv.id,
                what: "claimed",
                details: json!({ "state": inv.state, "leaseUntil": until, "attempt": inv.attempts }),
            })
            .collect();
        events(&mut tx, Some(tenant), now, worker, &list).await?;
        tx.commit().await.map_err(db("committing a claim"))?;
        claimed.sort_by_key(|i| {
            (
                i.obligation.deadline().is_none(),
                i.obligation.deadline(),
                i.issued_at,
                i.id,
            )
        });
        tracing::debug!(tenant = %tenant, worker, count = claimed.len(), "claimed");
        Ok(claimed)
    }

    async fn release(&self, id: InvoiceId, worker: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin(WriteLock::Plain).await?;
        let done = sqlx::query(
            "UPDATE invoices SET lease_owner = NULL, lease_until_ms = NULL, updated_ms = $1 \
             WHERE id = $2 AND lease_owner = $3",
        )
        .bind(ms(now))
        .bind(id.to_string())
        .bind(worker.to_owned())
        .execute(&mut *tx)
        .await
        .map_err(db("releasing a lease"))?;
        if done.rows_affected() == 0 {
            return Err(self.refusal(&mut tx, id, Some(worker), "release").await);
        }
        event(&mut tx, Some(id), None, now, worker, "released", json!({})).await?;
        tx.commit().await.map_err(db("committing a release"))?;
        Ok(())
    }

    async fn mark_sending(
        &self,
        ids: &[InvoiceId],
        worker: &str,
        session: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.mark_sending_many(ids, worker, session, now).await
    }

    async fn record_outcomes(
        &self,
        worker: &str,
        outcomes: &[(InvoiceId, Outcome)],
        now: DateTime<Utc>,
    ) -> Result<Vec<Invoice>> {
        self.record_outcomes_in_one(worker, outcomes, now).await
    }

    async fn store_upos(&self, upos: &[(InvoiceId, Vec<u8>)], now: DateTime<Utc>) -> Result<()> {
        self.store_upos_in_one(upos, now).await
    }

    async fn correct(
        &self,
        original: InvoiceId,
        fixed_xml: &[u8],
        clock: &dyn Clock,
    ) -> Result<Correction> {
        self.issue_correction(original, fixed_xml, clock).await
    }

    async fn due_before(&self, instant: DateTime<Utc>) -> Result<Vec<Invoice>> {
        self.select_invoices(
            &format!(
                "SELECT {INVOICE_COLUMNS} FROM invoices WHERE state IN {OPEN_STATES} \
                 AND corrected_by IS NULL \
                 AND deadline_ms IS NOT NULL AND deadline_ms <= $1 ORDER BY deadline_ms, id"
            ),
            vec![Bind::Int(ms(instant))],
        )
        .await
    }

    async fn record_outage(
        &self,
        outage: Outage,
        evidence: &str,
        now: DateTime<Utc>,
    ) -> Result<OutageReport> {
        outage.validate()?;
        let mut tx = self.begin(WriteLock::Outage).await?;
        let (outage_id,): (i64,) = sqlx::query_as(
            "INSERT INTO outages (kind, start_ms, end_ms, evidence, recorded_ms) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (kind, start_ms) DO UPDATE SET end_ms = excluded.end_ms, \
             evidence = excluded.evidence, recorded_ms = excluded.recorded_ms RETURNING id",
        )
        .bind(outage_kind_code(outage.kind))
        .bind(ms(outage.start))
        .bind(outage.end.map(ms))
        .bind(evidence.to_owned())
        .bind(ms(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(db("recording an outage"))?;
        let actor = self.engine.options.actor.clone();
        event(
            &mut tx,
            None,
            None,
            now,
            &actor,
            "outage_recorded",
            json!({ "outageId": outage_id, "outage": outage, "evidence": evidence }),
        )
        .await?;
        let outages: Vec<Outage> = all_outages(&mut tx)
            .await?
            .into_iter()
            .map(|o| o.outage)
            .collect();
        let rows: Vec<DeadlineRow> = sqlx::query_as(&format!(
            "SELECT id, mode, issue_date, state, obligation, due_date, deadline_ms FROM invoices \
             WHERE state IN {OPEN_STATES} AND mode <> 'total-failure'"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(db("reading deadlines"))?;
        let mut changed = Vec::new();
        for r in rows {
            let id: InvoiceId = r.id.parse()?;
            let mode: OfflineMode = r.mode.parse()?;
            let issued = super::rows::date(&r.issue_date)?;
            let old = super::rows::obligation(&r.obligation, r.due_date.as_deref(), r.deadline_ms)?;
            let new_deadline = ksef_core::calendar::deadline(mode, issued, &outages)?;
            let new = ObligationSummary::of(&new_deadline);
            if new == old {
                continue;
            }
            let (due, dl) = match new {
                ObligationSummary::Due { due_date, deadline } => {
                    (Some(due_date.to_string()), Some(ms(deadline)))
                }
                _ => (None, None),
            };
            let lifted = new == ObligationSummary::NotRequired && r.state == "queued";
            sqlx::query(
                "UPDATE invoices SET obligation = $1, due_date = $2, deadline_ms = $3, \
                 deadline_reasoning = $4, state = $5, updated_ms = $6 WHERE id = $7",
            )
            .bind(new.code())
            .bind(due)
            .bind(dl)
            .bind(serde_json::to_string(&new_deadline.reasoning).unwrap_or_default())
            .bind(if lifted {
                InvoiceState::NotRequired.as_str().to_owned()
            } else {
                r.state.clone()
            })
            .bind(ms(now))
            .bind(r.id.clone())
            .execute(&mut *tx)
            .await
            .map_err(db("updating a deadline"))?;
            event(
                &mut tx,
                Some(id),
                None,
                now,
                &actor,
                "deadline_changed",
                json!({ "outageId": outage_id, "from": old, "to": new, "reasoning": new_deadline.reasoning, "noLongerRequired": lifted }),
            )
            .await?;
            changed.push((id, old, new));
        }
        tx.commit().await.map_err(db("committing an outage"))?;
        tracing::info!(outage = outage_id, kind = %outage.kind, changed = changed.len(), "outage recorded");
        Ok(OutageReport { outage_id, changed })
    }

    async fn outages(&self) -> Result<Vec<RecordedOutage>> {
        let rows: Vec<OutageRow> = sqlx::query_as(
            "SELECT id, kind, start_ms, end_ms, evidence, recorded_ms FROM outages ORDER BY start_ms, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the outages"))?;
        rows.into_iter().map(RecordedOutage::try_from).collect()
    }

    async fn history(&self, id: InvoiceId) -> Result<Vec<Event>> {
        self.get(id).await?;
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT seq, invoice_id, tenant_id, at_ms, actor, what, details FROM events \
             WHERE invoice_id = $1 ORDER BY seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the history"))?;
        rows.into_iter().map(Event::try_from).collect()
    }

    async fn export_history(&self) -> Result<Vec<Event>> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT seq, invoice_id, tenant_id, at_ms, actor, what, details FROM events ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db("exporting the history"))?;
        rows.into_iter().map(Event::try_from).collect()
    }
}
