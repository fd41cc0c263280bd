//! What graph and policy jobs share: a tenant's queue leased one job at a
//! time, with an expiry and a fencing token that grows on every lease, so
//! a worker whose lease ran out or was taken over writes nothing.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::table::Table;
use crate::{Clock, DataSource, StorageError, TenantContext, input};

/// A job held by a worker until `expires_at`; later writes carry the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct JobLease {
    pub tenant_id: String,
    pub id: Uuid,
    pub owner: String,
    pub fencing_token: i64,
    pub attempts: i32,
    pub expires_at: DateTime<Utc>,
}

/// The longest job lease: a worker that needs longer renews by leasing again.
pub const MAX_JOB_TTL: Duration = Duration::hours(6);

/// Leases and fenced writes of one job table.
#[derive(Debug, Clone)]
pub(crate) struct JobQueue {
    pub source: DataSource,
    pub clock: Arc<dyn Clock>,
    pub table: &'static Table,
    /// Policy jobs stop after `max_attempts`; graph jobs have no bound.
    pub bounded_attempts: bool,
}

impl JobQueue {
    /// Leases the tenant's next job: pending or queued, or running with an
    /// expired lease; by priority (high first), age, id. `FOR UPDATE SKIP
    /// LOCKED` in a materialized CTE, then the update, so two workers never
    /// lease one job.
    pub async fn lease(
        &self,
        ctx: &TenantContext,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<JobLease>, StorageError> {
        input::key("lease owner", owner)?;
        if ttl <= Duration::zero() || ttl > MAX_JOB_TTL {
            return Err(StorageError::invalid(
                "lease ttl",
                format!("{ttl} is not allowed; ask for a positive ttl of at most {MAX_JOB_TTL}"),
            ));
        }
        let now = self.clock.now();
        let sql = format!(
            "WITH picked AS MATERIALIZED ( \
                 SELECT id FROM {table} \
                 WHERE (status IN ('pending', 'queued') \
                        OR (status = 'running' AND lease_expires_at <= $1)) \
                   AND {attempts_left} \
                 ORDER BY priority DESC, created_at, id LIMIT 1 \
                 FOR UPDATE SKIP LOCKED) \
             UPDATE {table} j SET status = 'running', attempts = j.attempts + 1, \
                 fencing_token = j.fencing_token + 1, lease_owner = $2, \
                 lease_expires_at = $3, started_at = coalesce(j.started_at, $1) \
             FROM picked WHERE j.id = picked.id \
             RETURNING j.tenant_id, j.id, j.lease_owner AS owner, j.fencing_token, j.attempts, \
                 j.lease_expires_at AS expires_at",
            table = self.table.name,
            attempts_left = if self.bounded_attempts {
                "attempts < max_attempts"
            } else {
                "true"
            },
        );
        self.source
            .call(ctx, self.table, "leasing a job")
            .optional(
                sqlx::query_as::<_, JobLease>(sqlx::AssertSqlSafe(sql))
                    .bind(now)
                    .bind(owner)
                    .bind(now + ttl),
            )
            .await
    }

    /// Ends a leased job as `status` with the extra `SET` clause
    /// (`$7` onwards, bound by `bind_extra`), if the lease is still current:
    /// same owner and token, not expired. False (and no change) otherwise.
    pub async fn finish(
        &self,
        ctx: &TenantContext,
        lease: &JobLease,
        status: &'static str,
        error: Option<&str>,
        extra_set: &'static str,
        bind_extra: impl FnOnce(
            sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
        )
            -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
    ) -> Result<bool, StorageError> {
        input::optional_text("error", error)?;
        let now = self.clock.now();
        let sql = format!(
            "UPDATE {table} SET status = $4, completed_at = $5, error = $6, \
               lease_owner = NULL, lease_expires_at = NULL{extra_set} \
             WHERE id = $1 AND lease_owner = $2 AND fencing_token = $3 \
               AND status = 'running' AND lease_expires_at > $5",
            table = self.table.name,
        );
        let query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(lease.id)
            .bind(&lease.owner)
            .bind(lease.fencing_token)
            .bind(status)
            .bind(now)
            .bind(error);
        let done = self
            .source
            .call(ctx, self.table, "finishing a job")
            .execute(bind_extra(query))
            .await?;
        Ok(done == 1)
    }

    /// Cancels a job that has not finished; a finished one cannot change.
    pub async fn cancel(&self, ctx: &TenantContext, id: Uuid) -> Result<(), StorageError> {
        let now = self.clock.now();
        let mut tx = self.source.tenant(ctx).await?;
        let current: String = tx
            .on(self.table, "reading a job")
            .one(
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT status FROM {} WHERE id = $1 FOR UPDATE",
                    self.table.name
                )))
                .bind(id),
            )
            .await?;
        if !matches!(current.as_str(), "pending" | "queued" | "running") {
            return Err(StorageError::IllegalTransition {
                entity: self.table.entity,
                from: current,
                to: "cancelled".to_owned(),
            });
        }
        tx.on(self.table, "cancelling a job")
            .execute(
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {} SET status = 'cancelled', completed_at = $2, lease_owner = NULL, \
               lease_expires_at = NULL WHERE id = $1",
                    self.table.name
                )))
                .bind(id)
                .bind(now),
            )
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
