//! Policy jobs (`scheduler.policy_jobs`): a tenant queue leased with an
//! attempt bound, on PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::graph_jobs::MAX_JOB_LIST;
use super::jobs::{JobLease, JobQueue};
use super::kinds::{JobStatus, PolicyJobMode};
use crate::error::Constraint;
use crate::table::Table;
use crate::work::RowQuery;
use crate::{Clock, DataSource, StorageError, TenantContext, input};

/// A policy evaluation of one run (`scheduler.policy_jobs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PolicyJob {
    pub tenant_id: String,
    pub id: Uuid,
    pub run_id: Option<Uuid>,
    pub policy_pack_id: String,
    pub policy_version: i32,
    #[sqlx(try_from = "String")]
    pub mode: PolicyJobMode,
    #[sqlx(try_from = "String")]
    pub status: JobStatus,
    pub priority: i32,
    pub attempts: i32,
    pub max_attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    pub fencing_token: i64,
    pub inputs: Value,
    pub result: Option<Value>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A policy job to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPolicyJob {
    pub id: Uuid,
    pub run_id: Option<Uuid>,
    pub policy_pack_id: String,
    pub policy_version: i32,
    pub mode: PolicyJobMode,
    pub priority: i32,
    pub max_attempts: i32,
    pub inputs: Value,
}

impl NewPolicyJob {
    /// A full evaluation of a pack version, three attempts.
    pub fn full(policy_pack_id: impl Into<String>, policy_version: i32) -> Self {
        NewPolicyJob {
            id: Uuid::new_v4(),
            run_id: None,
            policy_pack_id: policy_pack_id.into(),
            policy_version,
            mode: PolicyJobMode::Full,
            priority: 0,
            max_attempts: 3,
            inputs: Value::Object(Default::default()),
        }
    }
}

macro_rules! policy_job_columns {
    () => {
        "tenant_id, id, run_id, policy_pack_id, policy_version, mode, status, priority, \
         attempts, max_attempts, lease_owner, lease_expires_at, fencing_token, inputs, result, \
         error, created_at, started_at, completed_at"
    };
}

pub(crate) const POLICY_JOBS: Table = Table {
    name: "scheduler.policy_jobs",
    entity: "policy job",
    columns: policy_job_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        policy_job_columns!(),
        " FROM scheduler.policy_jobs WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("policy_jobs_pkey", Constraint::Unique("id")),
        (
            "policy_jobs_tenant_id_run_id_fkey",
            Constraint::References("run"),
        ),
    ],
};

/// Policy jobs on PostgreSQL: CRUD, status and per-run queries, and a
/// leased queue per tenant (bounded by `max_attempts`) whose completion and
/// failure are fenced by the lease's token.
#[derive(Debug, Clone)]
pub struct PgPolicyJobs {
    queue: JobQueue,
}

impl PgPolicyJobs {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgPolicyJobs {
            queue: JobQueue {
                source,
                clock,
                table: &POLICY_JOBS,
                bounded_attempts: true,
            },
        }
    }

    pub async fn create(
        &self,
        ctx: &TenantContext,
        job: &NewPolicyJob,
    ) -> Result<PolicyJob, StorageError> {
        input::key("policy pack id", &job.policy_pack_id)?;
        input::json_object("inputs", &job.inputs)?;
        if job.policy_version < 1 {
            return Err(StorageError::invalid(
                "policy version",
                format!("{} is not positive", job.policy_version),
            ));
        }
        super::runs::check_max_attempts(job.max_attempts)?;
        let q = &self.queue;
        let now = q.clock.now();
        q.source
            .call(ctx, &POLICY_JOBS, "queueing a policy job")
            .one(
                sqlx::query_as::<_, PolicyJob>(concat!(
                    "INSERT INTO scheduler.policy_jobs (tenant_id, id, run_id, policy_pack_id, \
               policy_version, mode, priority, max_attempts, inputs, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ",
                    policy_job_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(job.id)
                .bind(job.run_id)
                .bind(&job.policy_pack_id)
                .bind(job.policy_version)
                .bind(job.mode.as_str())
                .bind(job.priority)
                .bind(job.max_attempts)
                .bind(&job.inputs)
                .bind(now),
            )
            .await
    }

    pub async fn get(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<PolicyJob>, StorageError> {
        self.queue
            .source
            .get_by_id(ctx, &POLICY_JOBS, "reading a policy job", id)
            .await
    }

    /// The tenant's jobs in `status`, in lease order, at most `limit`.
    pub async fn with_status(
        &self,
        ctx: &TenantContext,
        status: JobStatus,
        limit: i64,
    ) -> Result<Vec<PolicyJob>, StorageError> {
        let limit = input::limit("limit", limit, MAX_JOB_LIST)?;
        self.select(
            ctx,
            concat!(
                "SELECT ",
                policy_job_columns!(),
                " FROM scheduler.policy_jobs WHERE status = $1 \
                 ORDER BY priority DESC, created_at, id LIMIT $2"
            ),
            |q| q.bind(status.as_str()).bind(limit),
        )
        .await
    }

    /// A run's policy jobs, oldest first.
    pub async fn of_run(
        &self,
        ctx: &TenantContext,
        run_id: Uuid,
        limit: i64,
    ) -> Result<Vec<PolicyJob>, StorageError> {
        let limit = input::limit("limit", limit, MAX_JOB_LIST)?;
        self.select(
            ctx,
            concat!(
                "SELECT ",
                policy_job_columns!(),
                " FROM scheduler.policy_jobs WHERE run_id = $1 ORDER BY created_at, id LIMIT $2"
            ),
            |q| q.bind(run_id).bind(limit),
        )
        .await
    }

    /// Leases the tenant's next policy job with attempts left.
    pub async fn lease(
        &self,
        ctx: &TenantContext,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<JobLease>, StorageError> {
        self.queue.lease(ctx, owner, ttl).await
    }

    /// Completes a leased job with its result; false (and no change) when
    /// the lease is no longer current.
    pub async fn complete(
        &self,
        ctx: &TenantContext,
        lease: &JobLease,
        result: &Value,
    ) -> Result<bool, StorageError> {
        input::json_object("result", result)?;
        let result = result.clone();
        self.queue
            .finish(ctx, lease, "completed", None, ", result = $7", |q| {
                q.bind(result)
            })
            .await
    }

    /// Fails a leased job; false (and no change) for a stale lease.
    pub async fn fail(
        &self,
        ctx: &TenantContext,
        lease: &JobLease,
        error: &str,
    ) -> Result<bool, StorageError> {
        self.queue
            .finish(ctx, lease, "failed", Some(error), "", |q| q)
            .await
    }

    pub async fn cancel(&self, ctx: &TenantContext, id: Uuid) -> Result<(), StorageError> {
        self.queue.cancel(ctx, id).await
    }

    async fn select(
        &self,
        ctx: &TenantContext,
        sql: &'static str,
        bind: impl FnOnce(RowQuery<'_, PolicyJob>) -> RowQuery<'_, PolicyJob>,
    ) -> Result<Vec<PolicyJob>, StorageError> {
        let q = &self.queue;
        q.source
            .call(ctx, &POLICY_JOBS, "reading policy jobs")
            .all(bind(sqlx::query_as::<_, PolicyJob>(sql)))
            .await
    }
}
