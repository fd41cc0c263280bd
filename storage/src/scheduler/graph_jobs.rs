//! Graph jobs (`scheduler.graph_jobs`): a tenant queue leased one job at a
//! time, on PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::jobs::{JobLease, JobQueue};
use super::kinds::{GraphJobKind, GraphJobTrigger, JobStatus};
use crate::error::Constraint;
use crate::table::Table;
use crate::{Clock, DataSource, StorageError, TenantContext, input};

/// A graph build or overlay of one SBOM (`scheduler.graph_jobs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct GraphJob {
    pub tenant_id: String,
    pub id: Uuid,
    #[sqlx(try_from = "String")]
    pub kind: GraphJobKind,
    #[sqlx(try_from = "String")]
    pub status: JobStatus,
    pub sbom_id: String,
    pub sbom_version_id: Option<String>,
    pub sbom_digest: String,
    pub graph_snapshot_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub trigger: GraphJobTrigger,
    pub priority: i32,
    pub attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    pub fencing_token: i64,
    pub correlation_id: Option<String>,
    pub payload: Value,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A graph job to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGraphJob {
    pub id: Uuid,
    pub kind: GraphJobKind,
    pub sbom_id: String,
    pub sbom_version_id: Option<String>,
    pub sbom_digest: String,
    pub trigger: GraphJobTrigger,
    pub priority: i32,
    pub correlation_id: Option<String>,
    pub payload: Value,
}

impl NewGraphJob {
    /// A build of `sbom_id` at `sbom_digest`, asked for by hand.
    pub fn build(sbom_id: impl Into<String>, sbom_digest: impl Into<String>) -> Self {
        NewGraphJob {
            id: Uuid::new_v4(),
            kind: GraphJobKind::Build,
            sbom_id: sbom_id.into(),
            sbom_version_id: None,
            sbom_digest: sbom_digest.into(),
            trigger: GraphJobTrigger::Manual,
            priority: 0,
            correlation_id: None,
            payload: Value::Object(Default::default()),
        }
    }
}

/// The most jobs one status query returns.
pub const MAX_JOB_LIST: i64 = 500;

macro_rules! graph_job_columns {
    () => {
        "tenant_id, id, kind, status, sbom_id, sbom_version_id, sbom_digest, graph_snapshot_id, \
         trigger, priority, attempts, lease_owner, lease_expires_at, fencing_token, \
         correlation_id, payload, error, created_at, started_at, completed_at"
    };
}

pub(crate) const GRAPH_JOBS: Table = Table {
    name: "scheduler.graph_jobs",
    entity: "graph job",
    columns: graph_job_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        graph_job_columns!(),
        " FROM scheduler.graph_jobs WHERE id = $1"
    )),
    unread: &[],
    constraints: &[("graph_jobs_pkey", Constraint::Unique("id"))],
};

/// Graph jobs on PostgreSQL: CRUD, status queries, and a leased queue per
/// tenant whose completion and failure are fenced by the lease's token.
#[derive(Debug, Clone)]
pub struct PgGraphJobs {
    queue: JobQueue,
}

impl PgGraphJobs {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgGraphJobs {
            queue: JobQueue {
                source,
                clock,
                table: &GRAPH_JOBS,
                bounded_attempts: false,
            },
        }
    }

    pub async fn create(
        &self,
        ctx: &TenantContext,
        job: &NewGraphJob,
    ) -> Result<GraphJob, StorageError> {
        input::key("sbom id", &job.sbom_id)?;
        input::key("sbom digest", &job.sbom_digest)?;
        input::optional_text("sbom version id", job.sbom_version_id.as_deref())?;
        input::optional_text("correlation id", job.correlation_id.as_deref())?;
        input::json_object("payload", &job.payload)?;
        let q = &self.queue;
        let now = q.clock.now();
        let statement = sqlx::query_as::<_, GraphJob>(concat!(
            "INSERT INTO scheduler.graph_jobs (tenant_id, id, kind, sbom_id, sbom_version_id, \
               sbom_digest, trigger, priority, correlation_id, payload, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ",
            graph_job_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(job.id)
        .bind(job.kind.as_str())
        .bind(&job.sbom_id)
        .bind(&job.sbom_version_id)
        .bind(&job.sbom_digest)
        .bind(job.trigger.as_str())
        .bind(job.priority)
        .bind(&job.correlation_id)
        .bind(&job.payload)
        .bind(now);
        q.source
            .call(ctx, &GRAPH_JOBS, "queueing a graph job")
            .one(statement)
            .await
    }

    pub async fn get(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<GraphJob>, StorageError> {
        let q = &self.queue;
        q.source
            .get_by_id(ctx, &GRAPH_JOBS, "reading a graph job", id)
            .await
    }

    /// The tenant's jobs in `status`, in lease order, at most `limit`.
    pub async fn with_status(
        &self,
        ctx: &TenantContext,
        status: JobStatus,
        limit: i64,
    ) -> Result<Vec<GraphJob>, StorageError> {
        let limit = input::limit("limit", limit, MAX_JOB_LIST)?;
        let q = &self.queue;
        q.source
            .call(ctx, &GRAPH_JOBS, "listing graph jobs")
            .all(
                sqlx::query_as::<_, GraphJob>(concat!(
                    "SELECT ",
                    graph_job_columns!(),
                    " FROM scheduler.graph_jobs WHERE status = $1 \
             ORDER BY priority DESC, created_at, id LIMIT $2"
                ))
                .bind(status.as_str())
                .bind(limit),
            )
            .await
    }

    /// Leases the tenant's next graph job (see [`JobLease`]).
    pub async fn lease(
        &self,
        ctx: &TenantContext,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<JobLease>, StorageError> {
        self.queue.lease(ctx, owner, ttl).await
    }

    /// Completes a leased job with the snapshot it built; false (and no
    /// change) when the lease is no longer current.
    pub async fn complete(
        &self,
        ctx: &TenantContext,
        lease: &JobLease,
        graph_snapshot_id: &str,
    ) -> Result<bool, StorageError> {
        input::key("graph snapshot id", graph_snapshot_id)?;
        self.queue
            .finish(
                ctx,
                lease,
                "completed",
                None,
                ", graph_snapshot_id = $7",
                |q| q.bind(graph_snapshot_id.to_owned()),
            )
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

    /// Cancels a job not finished yet; a finished one is an error naming
    /// its status.
    pub async fn cancel(&self, ctx: &TenantContext, id: Uuid) -> Result<(), StorageError> {
        self.queue.cancel(ctx, id).await
    }
}
