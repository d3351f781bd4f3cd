//! The PostgreSQL backend, for several engine processes on several machines sharing the work.
//!
//! Claims use `FOR UPDATE SKIP LOCKED`, so concurrent workers never lease the same invoice.
//! Issuing takes a shared advisory lock and recording an outage an exclusive one, so that no
//! invoice is issued with a deadline computed from an outage list that is being changed.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Transaction};

use super::sql::WriteLock;
use crate::Result;
use crate::error::db;

pub(super) static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// The advisory lock key that orders issuing against outage recording ("KSeF" in ASCII).
const OUTAGE_LOCK: i64 = 0x4B53_6546;

pub(super) async fn pool(url: &str) -> Result<AnyPool> {
    AnyPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(60))
        .connect(url)
        .await
        .map_err(db("opening the PostgreSQL store"))
}

pub(super) async fn begin(pool: &AnyPool, lock: WriteLock) -> Result<Transaction<'static, Any>> {
    let mut tx = pool.begin().await.map_err(db("starting a transaction"))?;
    let sql = match lock {
        WriteLock::Plain => return Ok(tx),
        WriteLock::Issue => "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock_shared($1)) AS l",
        WriteLock::Outage => "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock($1)) AS l",
    };
    sqlx::query(sql)
        .bind(OUTAGE_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(db("taking the outage lock"))?;
    Ok(tx)
}

/// Leases the due invoices of a tenant: `$1` worker, `$2` lease end, `$3` now, `$4` tenant,
/// `$5` limit. Rows locked by another claimer are skipped, not waited for.
pub(super) const CLAIM: &str = "UPDATE invoices \
    SET lease_owner = $1, lease_until_ms = $2, attempts = attempts + 1, updated_ms = $3 \
    WHERE id IN (SELECT id FROM invoices \
        WHERE tenant_id = $4 AND state IN ('queued', 'sending', 'sent') \
          AND (lease_until_ms IS NULL OR lease_until_ms <= $3) \
        ORDER BY deadline_ms NULLS LAST, issued_ms, id LIMIT $5 \
        FOR UPDATE SKIP LOCKED) \
    RETURNING ";
