//! Serializing runners: a try-lock loop on a dedicated connection, released
//! on every path.

use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection};

use crate::MigrateError;

/// The advisory-lock key that serializes migration runners on one database.
/// A fixed constant ("STELMIGR" in ASCII), never a per-process hash.
pub const MIGRATION_LOCK_KEY: i64 = 0x5354_454C_4D49_4752;

/// How long a runner waits for another to finish before giving up.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(120);

const FIRST_BACKOFF: Duration = Duration::from_millis(25);
const MAX_BACKOFF: Duration = Duration::from_millis(500);

/// A session advisory lock held on a dedicated connection.
///
/// Taken with a `pg_try_advisory_lock` loop rather than a blocking
/// `pg_advisory_lock`, so the wait is bounded and never queues behind
/// `CREATE INDEX CONCURRENTLY`. Released by [`MigrationLock::release`]; if the
/// holder is dropped on an error path instead, the connection closes with it
/// and the server releases the lock with the session.
#[derive(Debug)]
pub struct MigrationLock {
    conn: PgConnection,
    key: i64,
}

impl MigrationLock {
    /// Waits at most `max_wait` for the lock `key` on `conn`'s database.
    pub async fn acquire(
        mut conn: PgConnection,
        key: i64,
        max_wait: Duration,
    ) -> Result<Self, MigrateError> {
        // A runner killed mid-migration leaves its session busy until the
        // statement ends; with this check (PostgreSQL 14+) the server notices
        // the lost client within a second, rolls back and frees the lock.
        sqlx::query(
            "SELECT set_config('client_connection_check_interval', '1s', false)
              WHERE current_setting('server_version_num')::int >= 140000",
        )
        .execute(&mut conn)
        .await?;
        let started = Instant::now();
        let mut backoff = FIRST_BACKOFF;
        loop {
            let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(key)
                .fetch_one(&mut conn)
                .await?;
            if locked {
                return Ok(MigrationLock { conn, key });
            }
            let waited = started.elapsed();
            if waited >= max_wait {
                let holder = lock_holders(&mut conn, key).await.unwrap_or_default();
                return Err(MigrateError::LockTimeout { waited, holder });
            }
            tokio::time::sleep(backoff.min(max_wait.saturating_sub(waited))).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// The connection that holds the lock.
    pub fn connection(&mut self) -> &mut PgConnection {
        &mut self.conn
    }

    /// Unlocks and closes the dedicated connection. Should the unlock fail,
    /// closing the session releases the lock all the same.
    pub async fn release(self) -> Result<(), MigrateError> {
        let MigrationLock { mut conn, key } = self;
        let unlocked = sqlx::query_scalar::<_, bool>("SELECT pg_advisory_unlock($1)")
            .bind(key)
            .fetch_one(&mut conn)
            .await;
        let closed = conn.close().await;
        unlocked?;
        closed?;
        Ok(())
    }
}

async fn lock_holders(conn: &mut PgConnection, key: i64) -> Result<String, sqlx::Error> {
    let pids: Option<String> = sqlx::query_scalar(
        "SELECT string_agg(pid::text, ', ' ORDER BY pid) FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND objsubid = 1
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND ((classid::bigint << 32) | objid::bigint) = $1",
    )
    .bind(key)
    .fetch_one(conn)
    .await?;
    Ok(pids
        .map(|p| format!(": backend pid {p}"))
        .unwrap_or_default())
}
