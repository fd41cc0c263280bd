//! Fenced leases in a module's global `locks` table (`scheduler.locks`,
//! `notify.locks`): a row per lock name with a holder, an expiry and a
//! fencing token that grows on every acquisition; renew and release act
//! only while holder and token still match and the lease has not expired,
//! so a stale holder changes nothing. Plain rows: pooler-safe.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::table::Table;
use crate::{Clock, DataSource, StorageError, SystemContext, input};

/// A lease: whoever holds the current fencing token until `expires_at` (by
/// the injected clock) owns the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Lease {
    pub lock_key: String,
    pub holder_id: String,
    pub fencing_token: i64,
    pub acquired_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The longest lease: a holder that needs longer renews.
pub const MAX_LEASE_TTL: Duration = Duration::hours(24);

/// The statements of one locks table, written by [`lease_statements!`].
#[derive(Debug)]
pub(crate) struct LeaseStatements {
    pub acquire: &'static str,
    pub renew: &'static str,
    pub release: &'static str,
    pub current: &'static str,
}

/// The lease statements of the locks table `$table` (a literal).
macro_rules! lease_statements {
    ($table:literal) => {
        $crate::lease::LeaseStatements {
            acquire: concat!(
                "INSERT INTO ",
                $table,
                " AS l (lock_key, holder_id, fencing_token, acquired_at, expires_at) \
                 VALUES ($1, $2, 1, $3, $4) \
                 ON CONFLICT (lock_key) DO UPDATE SET holder_id = EXCLUDED.holder_id, \
                   fencing_token = l.fencing_token + 1, acquired_at = EXCLUDED.acquired_at, \
                   expires_at = EXCLUDED.expires_at \
                 WHERE l.expires_at <= EXCLUDED.acquired_at OR l.holder_id = '' \
                 RETURNING lock_key, holder_id, fencing_token, acquired_at, expires_at"
            ),
            renew: concat!(
                "UPDATE ",
                $table,
                " SET expires_at = $4 \
                 WHERE lock_key = $1 AND holder_id = $2 AND fencing_token = $3 AND expires_at > $5 \
                 RETURNING lock_key, holder_id, fencing_token, acquired_at, expires_at"
            ),
            release: concat!(
                "UPDATE ",
                $table,
                " SET holder_id = '' \
                 WHERE lock_key = $1 AND holder_id = $2 AND fencing_token = $3 AND expires_at > $4"
            ),
            current: concat!(
                "SELECT lock_key, holder_id, fencing_token, acquired_at, expires_at FROM ",
                $table,
                " WHERE lock_key = $1"
            ),
        }
    };
}

pub(crate) use lease_statements;

/// The select list of a locks table as [`Lease`] reads it.
pub(crate) const LEASE_COLUMNS: &str =
    "lock_key, holder_id, fencing_token, acquired_at, expires_at";

/// Leases in one locks table, as the system (they hold no tenant data).
#[derive(Debug, Clone)]
pub struct Leases {
    source: DataSource,
    clock: Arc<dyn Clock>,
    table: &'static Table,
    statements: &'static LeaseStatements,
}

impl Leases {
    pub(crate) fn new(
        source: DataSource,
        clock: Arc<dyn Clock>,
        table: &'static Table,
        statements: &'static LeaseStatements,
    ) -> Self {
        Leases {
            source,
            clock,
            table,
            statements,
        }
    }

    /// Acquires the lease of `name` for `holder` for `ttl`, if it is free:
    /// never taken, released, or expired at the clock's now. Each
    /// acquisition gets a fencing token above every earlier one.
    pub async fn acquire(
        &self,
        ctx: &SystemContext,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>, StorageError> {
        check(name, holder, ttl)?;
        let now = self.clock.now();
        let statement = sqlx::query_as::<_, Lease>(self.statements.acquire)
            .bind(name)
            .bind(holder)
            .bind(now)
            .bind(now + ttl);
        self.source
            .call(ctx, self.table, "acquiring a lease")
            .optional(statement)
            .await
    }

    /// Extends a lease that is still `lease`'s: same holder, same token, not
    /// expired. A stale holder gets [`StorageError::LeaseLost`], and nothing
    /// changes.
    pub async fn renew(
        &self,
        ctx: &SystemContext,
        lease: &Lease,
        ttl: Duration,
    ) -> Result<Lease, StorageError> {
        check(&lease.lock_key, &lease.holder_id, ttl)?;
        let now = self.clock.now();
        let renewed = self
            .source
            .call(ctx, self.table, "renewing a lease")
            .optional(
                sqlx::query_as::<_, Lease>(self.statements.renew)
                    .bind(&lease.lock_key)
                    .bind(&lease.holder_id)
                    .bind(lease.fencing_token)
                    .bind(now + ttl)
                    .bind(now),
            )
            .await?;
        renewed.ok_or_else(|| StorageError::LeaseLost {
            lock: lease.lock_key.clone(),
            holder: lease.holder_id.clone(),
            token: lease.fencing_token,
        })
    }

    /// Gives a lease up, if it is still `lease`'s; false (and no change)
    /// for a stale holder. The row stays, so the next token still grows.
    pub async fn release(&self, ctx: &SystemContext, lease: &Lease) -> Result<bool, StorageError> {
        input::key("lock name", &lease.lock_key)?;
        let now = self.clock.now();
        let released = self
            .source
            .call(ctx, self.table, "releasing a lease")
            .execute(
                sqlx::query(self.statements.release)
                    .bind(&lease.lock_key)
                    .bind(&lease.holder_id)
                    .bind(lease.fencing_token)
                    .bind(now),
            )
            .await?;
        Ok(released == 1)
    }

    /// The lease row of `name` as stored, whoever holds it.
    pub async fn current(
        &self,
        ctx: &SystemContext,
        name: &str,
    ) -> Result<Option<Lease>, StorageError> {
        input::key("lock name", name)?;
        self.source
            .call(ctx, self.table, "reading a lease")
            .optional(sqlx::query_as::<_, Lease>(self.statements.current).bind(name))
            .await
    }
}

fn check(name: &str, holder: &str, ttl: Duration) -> Result<(), StorageError> {
    input::key("lock name", name)?;
    input::key("holder id", holder)?;
    if ttl <= Duration::zero() || ttl > MAX_LEASE_TTL {
        return Err(StorageError::invalid(
            "lease ttl",
            format!("{ttl} is not allowed; ask for a positive ttl of at most {MAX_LEASE_TTL}"),
        ));
    }
    Ok(())
}
