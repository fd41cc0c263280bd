//! Locks across scheduler instances: transaction-scoped advisory locks and
//! fenced leases.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::lock_key;
use crate::error::Constraint;
use crate::table::Table;
use crate::{Clock, DataSource, StorageError, SystemContext, Work, input};

/// A lease held in `scheduler.locks`: whoever holds the current fencing
/// token until `expires_at` (by the injected clock) owns the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Lease {
    pub lock_key: String,
    pub holder_id: String,
    pub fencing_token: i64,
    pub acquired_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The longest lease: a holder that needs longer renews.
const MAX_TTL: Duration = Duration::hours(24);

/// Locks across scheduler instances. Which mechanism where:
///
/// - **Advisory locks, transaction-scoped** ([`PgLocks::try_xact_lock`]): for
///   work done inside one transaction. `pg_try_advisory_xact_lock` on
///   [`lock_key`]; PostgreSQL releases it at commit or rollback, so no
///   session lock can outlive its transaction or ride a pooled connection,
///   and it works through PgBouncer in transaction mode (a session advisory
///   lock would not: the next transaction may run on another server
///   connection).
/// - **Leases** ([`PgLocks::acquire`], `renew`, `release`): for work longer
///   than a transaction. A row per lock name with a holder, an expiry and a
///   fencing token that grows on every acquisition; renew and release only
///   act when holder and token still match and the lease has not expired,
///   so a stale holder changes nothing. Plain rows: pooler-safe too.
#[derive(Debug, Clone)]
pub struct PgLocks {
    source: DataSource,
    clock: Arc<dyn Clock>,
}

macro_rules! lease_columns {
    () => {
        "lock_key, holder_id, fencing_token, acquired_at, expires_at"
    };
}

pub(crate) const LOCKS: Table = Table {
    name: "scheduler.locks",
    entity: "lease",
    columns: lease_columns!(),
    by_id: None,
    unread: &["metadata"],
    constraints: &[("locks_pkey", Constraint::Unique("lock key"))],
};

impl PgLocks {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgLocks { source, clock }
    }

    /// Takes the advisory lock of `name` for the rest of `tx` (a tenant's
    /// or the system's), if nobody holds it; never waits.
    pub async fn try_xact_lock(&self, tx: &mut Work, name: &str) -> Result<bool, StorageError> {
        input::key("lock name", name)?;
        tx.on(&LOCKS, "taking an advisory lock")
            .one(sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)").bind(lock_key(name)))
            .await
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
        let statement = sqlx::query_as::<_, Lease>(concat!(
            "INSERT INTO scheduler.locks AS l (lock_key, holder_id, fencing_token, acquired_at, \
             expires_at) VALUES ($1, $2, 1, $3, $4) \
             ON CONFLICT (lock_key) DO UPDATE SET holder_id = EXCLUDED.holder_id, \
               fencing_token = l.fencing_token + 1, acquired_at = EXCLUDED.acquired_at, \
               expires_at = EXCLUDED.expires_at \
             WHERE l.expires_at <= EXCLUDED.acquired_at OR l.holder_id = '' \
             RETURNING ",
            lease_columns!()
        ))
        .bind(name)
        .bind(holder)
        .bind(now)
        .bind(now + ttl);
        self.source
            .call(ctx, &LOCKS, "acquiring a lease")
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
            .call(ctx, &LOCKS, "renewing a lease")
            .optional(
                sqlx::query_as::<_, Lease>(concat!(
                    "UPDATE scheduler.locks SET expires_at = $4 \
             WHERE lock_key = $1 AND holder_id = $2 AND fencing_token = $3 AND expires_at > $5 \
             RETURNING ",
                    lease_columns!()
                ))
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
            .call(ctx, &LOCKS, "releasing a lease")
            .execute(
                sqlx::query(
                    "UPDATE scheduler.locks SET holder_id = '' \
             WHERE lock_key = $1 AND holder_id = $2 AND fencing_token = $3 AND expires_at > $4",
                )
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
            .call(ctx, &LOCKS, "reading a lease")
            .optional(
                sqlx::query_as::<_, Lease>(concat!(
                    "SELECT ",
                    lease_columns!(),
                    " FROM scheduler.locks WHERE lock_key = $1"
                ))
                .bind(name),
            )
            .await
    }
}

fn check(name: &str, holder: &str, ttl: Duration) -> Result<(), StorageError> {
    input::key("lock name", name)?;
    input::key("holder id", holder)?;
    if ttl <= Duration::zero() || ttl > MAX_TTL {
        return Err(StorageError::invalid(
            "lease ttl",
            format!("{ttl} is not allowed; ask for a positive ttl of at most {MAX_TTL}"),
        ));
    }
    Ok(())
}
