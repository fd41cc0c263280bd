//! Locks across scheduler instances: transaction-scoped advisory locks and
//! fenced leases.

use std::sync::Arc;

use chrono::Duration;

use super::lock_key;
use crate::error::Constraint;
use crate::lease::{LEASE_COLUMNS, LeaseStatements, Leases, lease_statements};
use crate::table::Table;
use crate::{Clock, DataSource, Lease, StorageError, SystemContext, Work, input};

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
    leases: Leases,
}

static STATEMENTS: LeaseStatements = lease_statements!("scheduler.locks");

pub(crate) const LOCKS: Table = Table {
    name: "scheduler.locks",
    entity: "lease",
    columns: LEASE_COLUMNS,
    by_id: None,
    unread: &["metadata"],
    constraints: &[("locks_pkey", Constraint::Unique("lock key"))],
};

impl PgLocks {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgLocks {
            leases: Leases::new(source, clock, &LOCKS, &STATEMENTS),
        }
    }

    /// Takes the advisory lock of `name` for the rest of `tx` (a tenant's
    /// or the system's), if nobody holds it; never waits.
    pub async fn try_xact_lock(&self, tx: &mut Work, name: &str) -> Result<bool, StorageError> {
        input::key("lock name", name)?;
        tx.on(&LOCKS, "taking an advisory lock")
            .one(sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)").bind(lock_key(name)))
            .await
    }

    /// The leases of `scheduler.locks` themselves.
    pub fn leases(&self) -> &Leases {
        &self.leases
    }

    /// Acquires the lease of `name` for `holder` for `ttl`, if it is free
    /// ([`Leases::acquire`]).
    pub async fn acquire(
        &self,
        ctx: &SystemContext,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>, StorageError> {
        self.leases.acquire(ctx, name, holder, ttl).await
    }

    /// Extends a lease that is still `lease`'s ([`Leases::renew`]).
    pub async fn renew(
        &self,
        ctx: &SystemContext,
        lease: &Lease,
        ttl: Duration,
    ) -> Result<Lease, StorageError> {
        self.leases.renew(ctx, lease, ttl).await
    }

    /// Gives a lease up, if it is still `lease`'s ([`Leases::release`]).
    pub async fn release(&self, ctx: &SystemContext, lease: &Lease) -> Result<bool, StorageError> {
        self.leases.release(ctx, lease).await
    }

    /// The lease row of `name` as stored, whoever holds it.
    pub async fn current(
        &self,
        ctx: &SystemContext,
        name: &str,
    ) -> Result<Option<Lease>, StorageError> {
        self.leases.current(ctx, name).await
    }
}
