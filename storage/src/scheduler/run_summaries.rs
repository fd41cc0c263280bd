//! Run summaries (`scheduler.run_summaries`): computed from the runs, never
//! counted by hand.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::Constraint;
use crate::table::Table;
use crate::{Clock, DataSource, StorageError, TenantContext};

/// What a schedule's runs came to (`scheduler.run_summaries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RunSummary {
    pub tenant_id: String,
    pub schedule_id: Uuid,
    pub last_run_id: Option<Uuid>,
    pub last_state: Option<String>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub total_runs: i32,
    pub completed_runs: i32,
    pub error_runs: i32,
    pub cancelled_runs: i32,
    /// The newest runs, newest first: `{"id", "state", "created_at"}`.
    pub recent: Value,
    pub updated_at: DateTime<Utc>,
}

/// How many runs a summary lists as recent.
pub const RECENT_RUNS: i64 = 10;

macro_rules! summary_columns {
    () => {
        "tenant_id, schedule_id, last_run_id, last_state, last_run_at, total_runs, \
         completed_runs, error_runs, cancelled_runs, recent, updated_at"
    };
}

pub(crate) const RUN_SUMMARIES: Table = Table {
    name: "scheduler.run_summaries",
    entity: "run summary",
    columns: summary_columns!(),
    by_id: None,
    unread: &[],
    constraints: &[
        (
            "run_summaries_tenant_id_schedule_id_fkey",
            Constraint::References("schedule"),
        ),
        ("run_summaries_pkey", Constraint::Unique("schedule")),
        (
            "run_summaries_tenant_id_last_run_id_fkey",
            Constraint::References("run"),
        ),
    ],
};

/// Run summaries on PostgreSQL. A summary is computed from the schedule's
/// runs, never incremented: refreshing twice, or after a missed refresh,
/// gives the same summary.
#[derive(Debug, Clone)]
pub struct PgRunSummaries {
    source: DataSource,
    clock: Arc<dyn Clock>,
}

impl PgRunSummaries {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgRunSummaries { source, clock }
    }

    /// Recomputes the schedule's summary from its runs and stores it.
    pub async fn refresh(
        &self,
        ctx: &TenantContext,
        schedule_id: Uuid,
    ) -> Result<RunSummary, StorageError> {
        let now = self.clock.now();
        let statement = sqlx::query_as::<_, RunSummary>(concat!(
            "WITH runs AS ( \
                 SELECT id, state, created_at FROM scheduler.runs WHERE schedule_id = $2), \
             latest AS ( \
                 SELECT id, state, created_at FROM runs ORDER BY created_at DESC, id DESC LIMIT $4), \
             totals AS ( \
                 SELECT count(*)::int AS total, \
                        (count(*) FILTER (WHERE state = 'completed'))::int AS completed, \
                        (count(*) FILTER (WHERE state = 'error'))::int AS errors, \
                        (count(*) FILTER (WHERE state = 'cancelled'))::int AS cancelled \
                 FROM runs) \
             INSERT INTO scheduler.run_summaries AS s (tenant_id, schedule_id, last_run_id, \
                 last_state, last_run_at, total_runs, completed_runs, error_runs, \
                 cancelled_runs, recent, updated_at) \
             SELECT $1, $2, \
                 (SELECT id FROM latest ORDER BY created_at DESC, id DESC LIMIT 1), \
                 (SELECT state FROM latest ORDER BY created_at DESC, id DESC LIMIT 1), \
                 (SELECT created_at FROM latest ORDER BY created_at DESC, id DESC LIMIT 1), \
                 totals.total, totals.completed, totals.errors, totals.cancelled, \
                 coalesce((SELECT jsonb_agg(jsonb_build_object('id', id, 'state', state, \
                     'created_at', to_char(created_at AT TIME ZONE 'UTC', \
                     'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')) ORDER BY created_at DESC, id DESC) \
                     FROM latest), '[]'::jsonb), \
                 $3 \
             FROM totals \
             ON CONFLICT (tenant_id, schedule_id) DO UPDATE SET \
                 last_run_id = EXCLUDED.last_run_id, last_state = EXCLUDED.last_state, \
                 last_run_at = EXCLUDED.last_run_at, total_runs = EXCLUDED.total_runs, \
                 completed_runs = EXCLUDED.completed_runs, error_runs = EXCLUDED.error_runs, \
                 cancelled_runs = EXCLUDED.cancelled_runs, recent = EXCLUDED.recent, \
                 updated_at = EXCLUDED.updated_at \
             RETURNING ",
            summary_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(schedule_id)
        .bind(now)
        .bind(RECENT_RUNS);
        self.source
            .call(ctx, &RUN_SUMMARIES, "refreshing a run summary")
            .one(statement)
            .await
    }

    pub async fn get(
        &self,
        ctx: &TenantContext,
        schedule_id: Uuid,
    ) -> Result<Option<RunSummary>, StorageError> {
        self.source
            .call(ctx, &RUN_SUMMARIES, "reading a run summary")
            .optional(
                sqlx::query_as::<_, RunSummary>(concat!(
                    "SELECT ",
                    summary_columns!(),
                    " FROM scheduler.run_summaries WHERE schedule_id = $1"
                ))
                .bind(schedule_id),
            )
            .await
    }
}
