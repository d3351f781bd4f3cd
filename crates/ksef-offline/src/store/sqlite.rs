//! The SQLite backend: one file, WAL, a busy timeout, foreign keys, `synchronous = FULL` so
//! that a committed invoice survives a power loss. One process: claims and every other write
//! run in `BEGIN IMMEDIATE` transactions, which take the write lock up front.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor as _, Transaction};

use crate::Result;
use crate::error::db;

pub(super) static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a connection waits for the write lock before giving up.
const BUSY_TIMEOUT_MS: u32 = 30_000;

pub(super) async fn pool(url: &str) -> Result<AnyPool> {
    // Create the file if it is missing.
    let url = if url.contains('?') {
        url.to_owned()
    } else {
        format!("{url}?mode=rwc")
    };
    AnyPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(60))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA synchronous = FULL").await?;
                conn.execute(format!("PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}").as_str())
                    .await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(db("opening the SQLite store"))
}

pub(super) async fn begin(pool: &AnyPool) -> Result<Transaction<'static, Any>> {
    pool.begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(db("starting a write transaction"))
}

/// Leases the due invoices of a tenant: `$1` worker, `$2` lease end, `$3` now, `$4` tenant,
/// `$5` limit. One statement inside an immediate transaction: no other writer runs meanwhile.
pub(super) const CLAIM: &str = "UPDATE invoices \
    SET lease_owner = $1, lease_until_ms = $2, attempts = attempts + 1, updated_ms = $3 \
    WHERE id IN (SELECT id FROM invoices \
        WHERE tenant_id = $4 AND state IN ('queued', 'sending', 'sent') \
          AND (lease_until_ms IS NULL OR lease_until_ms <= $3) \
        ORDER BY deadline_ms IS NULL, deadline_ms, issued_ms, id LIMIT $5) \
    RETURNING ";
