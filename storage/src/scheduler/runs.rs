//! Runs (`scheduler.runs`): the repository trait, its life cycle, claims with
//! SKIP LOCKED and attempt fencing, on PostgreSQL.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::cursor::{parse_run_key, run_key};
use super::kinds::TriggerKind;
use crate::error::Constraint;
use crate::page::{Cursor, Page, PageRequest};
use crate::table::Table;
use crate::work::RowQuery;
use crate::{Clock, DataSource, StorageError, SystemContext, TenantContext, input};

/// A run of one tenant (`scheduler.runs`): what made it, where it is in its
/// life cycle, and its claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Run {
    pub tenant_id: String,
    pub id: Uuid,
    pub schedule_id: Option<Uuid>,
    #[sqlx(try_from = "String")]
    pub trigger: TriggerKind,
    /// The schedule's tick this run was fired for.
    pub scheduled_for: Option<DateTime<Utc>>,
    pub state: String,
    pub priority: i32,
    pub due_at: Option<DateTime<Utc>>,
    pub attempt: i32,
    pub max_attempts: i32,
    pub claimed_by: Option<String>,
    pub heartbeat_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A run to queue for claiming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRun {
    pub id: Uuid,
    /// The schedule it runs for, if any (of the same tenant).
    pub schedule_id: Option<Uuid>,
    pub trigger: TriggerKind,
    pub priority: i32,
    pub due_at: DateTime<Utc>,
    pub max_attempts: i32,
}

impl NewRun {
    /// A manual run with no schedule, due at `due_at`, three attempts.
    pub fn manual(due_at: DateTime<Utc>) -> Self {
        NewRun {
            id: Uuid::new_v4(),
            schedule_id: None,
            trigger: TriggerKind::Manual,
            priority: 0,
            due_at,
            max_attempts: 3,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        check_max_attempts(self.max_attempts)
    }
}

/// Attempts a run or a policy job may be given: 1 to [`MAX_ATTEMPTS`].
pub(crate) fn check_max_attempts(max_attempts: i32) -> Result<(), StorageError> {
    input::limit(
        "max attempts",
        i64::from(max_attempts),
        i64::from(MAX_ATTEMPTS),
    )
    .map(|_| ())
}

/// Filters of the run list; pages are keyed by (created_at, id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunQuery {
    pub state: Option<RunState>,
    pub page: PageRequest,
}

/// What a worker holds after a claim: the run and the attempt its later
/// writes must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Claim {
    pub tenant_id: String,
    pub id: Uuid,
    pub attempt: i32,
    pub priority: i32,
    pub due_at: Option<DateTime<Utc>>,
}

/// The life cycle of a run (`scheduler.runs.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RunState {
    Planning,
    Queued,
    Running,
    Completed,
    Error,
    Cancelled,
}

impl RunState {
    pub const ALL: [RunState; 6] = [
        RunState::Planning,
        RunState::Queued,
        RunState::Running,
        RunState::Completed,
        RunState::Error,
        RunState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Planning => "planning",
            RunState::Queued => "queued",
            RunState::Running => "running",
            RunState::Completed => "completed",
            RunState::Error => "error",
            RunState::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<RunState> {
        RunState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The changes [`PgRuns::transition`] makes: planned runs are queued or
    /// cancelled, queued and running ones cancelled, failed ones queued
    /// again (a manual retry, attempts reset). Queued to running is a claim,
    /// running to completed or error a fenced finish; completed and
    /// cancelled runs never change.
    pub fn can_become(self, to: RunState) -> bool {
        use RunState::*;
        matches!(
            (self, to),
            (Planning, Queued)
                | (Planning, Cancelled)
                | (Queued, Cancelled)
                | (Running, Cancelled)
                | (Error, Queued)
        )
    }
}

/// How a claimed run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Completed,
    Failed,
}

/// The most runs one claim takes.
pub const MAX_CLAIM: i64 = 1_000;
/// The most runs a pending or per-schedule list returns.
pub const MAX_RUN_LIST: i64 = 500;
/// The most attempts a run may be given.
pub const MAX_ATTEMPTS: i32 = 100;

macro_rules! run_columns {
    () => {
        "tenant_id, id, schedule_id, trigger, scheduled_for, state, priority, due_at, attempt, \
         max_attempts, claimed_by, heartbeat_at, started_at, finished_at, error, created_at"
    };
}
pub(crate) const RUNS: Table = Table {
    name: "scheduler.runs",
    entity: "run",
    columns: run_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        run_columns!(),
        " FROM scheduler.runs WHERE id = $1"
    )),
    unread: &["trigger_id", "reason", "stats", "deltas", "retry_of"],
    constraints: &[
        ("runs_pkey", Constraint::Unique("id")),
        (
            "runs_tenant_id_schedule_id_fkey",
            Constraint::References("schedule"),
        ),
        (
            "runs_tenant_id_trigger_id_fkey",
            Constraint::References("trigger"),
        ),
        (
            "runs_schedule_tick_idx",
            Constraint::Unique("schedule tick"),
        ),
    ],
};

pub(crate) use run_columns;

/// The seeds' `IRunRepository` (`UpdateAsync` is [`RunRepository::transition`]),
/// plus claiming: a claim carries its attempt, and every later write of it
/// (heartbeat, finish) is fenced by that attempt and the worker.
#[async_trait]
pub trait RunRepository: Send + Sync + std::fmt::Debug {
    /// Queues a run of `ctx`'s tenant.
    async fn create(&self, ctx: &TenantContext, run: &NewRun) -> Result<Run, StorageError>;
    async fn get(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Run>, StorageError>;
    /// Changes a run's state if its life cycle allows it
    /// ([`RunState::can_become`]); an illegal change is an error naming both
    /// states, and nothing is written.
    async fn transition(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: RunState,
    ) -> Result<Run, StorageError>;
    /// Keyset pages of the tenant's runs, by (created_at, id).
    async fn list(&self, ctx: &TenantContext, query: &RunQuery) -> Result<Page<Run>, StorageError>;
    /// Runs not started yet (planning or queued), oldest first, at most `limit`.
    async fn pending(&self, ctx: &TenantContext, limit: i64) -> Result<Vec<Run>, StorageError>;
    /// A schedule's runs, newest first, at most `limit`.
    async fn of_schedule(
        &self,
        ctx: &TenantContext,
        schedule_id: Uuid,
        limit: i64,
    ) -> Result<Vec<Run>, StorageError>;
    /// Claims up to `limit` due runs for `worker`, across tenants, in claim
    /// order (priority high first, due time, id); each claim carries its new
    /// attempt number.
    async fn claim(
        &self,
        ctx: &SystemContext,
        worker: &str,
        limit: i64,
    ) -> Result<Vec<Claim>, StorageError>;
    /// Marks a claim alive; false (and no change) when the run is no longer
    /// this claim's (rescued and claimed again, completed).
    async fn heartbeat(
        &self,
        ctx: &SystemContext,
        claim: &Claim,
        worker: &str,
    ) -> Result<bool, StorageError>;
    /// Ends a claimed run; false (and no change) for a stale claim.
    async fn finish(
        &self,
        ctx: &SystemContext,
        claim: &Claim,
        worker: &str,
        outcome: Outcome,
        error: Option<&str>,
    ) -> Result<bool, StorageError>;
    /// Puts running claims whose last heartbeat is older than `stale_after`
    /// (strictly, by the injected clock) back in the queue, or ends them as
    /// `error` when their attempts are used up; a claim exactly
    /// `stale_after` old is kept. Returns how many.
    async fn rescue_stale(
        &self,
        ctx: &SystemContext,
        stale_after: Duration,
    ) -> Result<u64, StorageError>;
    /// Puts the running claims of `workers` (declared dead) back in the
    /// queue, or ends them as `error` when their attempts are used up;
    /// touches no other worker's claim and no finished run.
    async fn rescue_claims_of(
        &self,
        ctx: &SystemContext,
        workers: &[String],
    ) -> Result<u64, StorageError>;
}

/// Claims in claim order: RETURNING has none.
pub(crate) fn sort_claims(claims: &mut [Claim]) {
    claims.sort_by(|a, b| {
        (std::cmp::Reverse(a.priority), a.due_at, a.id).cmp(&(
            std::cmp::Reverse(b.priority),
            b.due_at,
            b.id,
        ))
    });
}

/// The rescue's SET: a claim with attempts left goes back in the queue,
/// one without ends as `error` for `$reason` (`$2` is now).
macro_rules! requeue_or_end {
    ($reason:literal) => {
        concat!(
            "UPDATE scheduler.runs SET \
               state = CASE WHEN attempt < max_attempts THEN 'queued' ELSE 'error' END, \
               finished_at = CASE WHEN attempt < max_attempts THEN NULL ELSE $2 END, \
               error = CASE WHEN attempt < max_attempts THEN error ELSE '",
            $reason,
            "' END, claimed_by = NULL, heartbeat_at = NULL"
        )
    };
}

/// Queued runs and their claims.
///
/// Claiming locks candidates with `FOR UPDATE SKIP LOCKED` inside a
/// materialized CTE and updates from it, so one claim never takes more than
/// its LIMIT (the `WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`
/// form can, when the subquery runs again). Eligibility (queued, due at the
/// injected now, attempts left) is inside the locked CTE, so ineligible rows
/// never use up the LIMIT. Order: priority (high first), due time, id.
#[derive(Debug, Clone)]
pub struct PgRuns {
    source: DataSource,
    clock: Arc<dyn Clock>,
}

impl PgRuns {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgRuns { source, clock }
    }

    async fn select(
        &self,
        ctx: &TenantContext,
        sql: &'static str,
        doing: &'static str,
        bind: impl FnOnce(RowQuery<'static, Run>) -> RowQuery<'static, Run>,
    ) -> Result<Vec<Run>, StorageError> {
        let query = bind(sqlx::query_as::<_, Run>(sql));
        self.source.call(ctx, &RUNS, doing).all(query).await
    }
}

#[async_trait]
impl RunRepository for PgRuns {
    async fn create(&self, ctx: &TenantContext, run: &NewRun) -> Result<Run, StorageError> {
        run.validate()?;
        let now = self.clock.now();
        self.source
            .call(ctx, &RUNS, "queueing a run")
            .one(
                sqlx::query_as::<_, Run>(concat!(
                    "INSERT INTO scheduler.runs (tenant_id, id, trigger, state, priority, due_at, \
             max_attempts, created_at, schedule_id) \
             VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8) RETURNING ",
                    run_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(run.id)
                .bind(run.trigger.as_str())
                .bind(run.priority)
                .bind(crate::clock::to_micros(run.due_at))
                .bind(run.max_attempts)
                .bind(now)
                .bind(run.schedule_id),
            )
            .await
    }

    async fn get(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Run>, StorageError> {
        self.source.get_by_id(ctx, &RUNS, "reading a run", id).await
    }

    async fn transition(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: RunState,
    ) -> Result<Run, StorageError> {
        let now = self.clock.now();
        let mut tx = self.source.tenant(ctx).await?;
        let current: String = tx
            .on(&RUNS, "reading a run's state")
            .one(
                sqlx::query_scalar("SELECT state FROM scheduler.runs WHERE id = $1 FOR UPDATE")
                    .bind(id),
            )
            .await?;
        let from = RunState::parse(&current).ok_or_else(|| StorageError::IllegalTransition {
            entity: "run",
            from: current.clone(),
            to: to.as_str().to_owned(),
        })?;
        if !from.can_become(to) {
            return Err(StorageError::IllegalTransition {
                entity: "run",
                from: from.as_str().to_owned(),
                to: to.as_str().to_owned(),
            });
        }
        let run = tx
            .on(&RUNS, "changing a run's state")
            .one(
                sqlx::query_as::<_, Run>(concat!(
                    "UPDATE scheduler.runs SET state = $2, claimed_by = NULL, heartbeat_at = NULL, \
               attempt = CASE WHEN $2 = 'queued' AND state = 'error' THEN 0 ELSE attempt END, \
               error = CASE WHEN $2 = 'queued' THEN NULL ELSE error END, \
               finished_at = CASE WHEN $2 = 'cancelled' THEN $3 \
                                  WHEN $2 = 'queued' THEN NULL ELSE finished_at END \
             WHERE id = $1 RETURNING ",
                    run_columns!()
                ))
                .bind(id)
                .bind(to.as_str())
                .bind(now),
            )
            .await?;
        tx.commit().await?;
        Ok(run)
    }

    async fn rescue_claims_of(
        &self,
        ctx: &SystemContext,
        workers: &[String],
    ) -> Result<u64, StorageError> {
        input::keys("worker id", workers)?;
        let now = self.clock.now();
        self.source
            .call(ctx, &RUNS, "rescuing the runs of dead workers")
            .execute(
                sqlx::query(concat!(
                    requeue_or_end!("attempts exhausted: the worker died"),
                    " WHERE state = 'running' AND claimed_by = ANY($1)"
                ))
                .bind(workers)
                .bind(now),
            )
            .await
    }

    async fn claim(
        &self,
        ctx: &SystemContext,
        worker: &str,
        limit: i64,
    ) -> Result<Vec<Claim>, StorageError> {
        input::key("worker id", worker)?;
        let limit = input::limit("claim limit", limit, MAX_CLAIM)?;
        let now = self.clock.now();
        let mut claims = self
            .source
            .call(ctx, &RUNS, "claiming runs")
            .all(
                sqlx::query_as::<_, Claim>(
                    "WITH picked AS MATERIALIZED ( \
                 SELECT tenant_id, id FROM scheduler.runs \
                 WHERE state = 'queued' AND due_at <= $1 AND attempt < max_attempts \
                 ORDER BY priority DESC, due_at, id \
                 LIMIT $2 \
                 FOR UPDATE SKIP LOCKED) \
             UPDATE scheduler.runs r SET state = 'running', attempt = r.attempt + 1, \
                 claimed_by = $3, heartbeat_at = $1, started_at = coalesce(r.started_at, $1) \
             FROM picked WHERE r.tenant_id = picked.tenant_id AND r.id = picked.id \
             RETURNING r.tenant_id, r.id, r.attempt, r.priority, r.due_at",
                )
                .bind(now)
                .bind(limit)
                .bind(worker),
            )
            .await?;
        sort_claims(&mut claims);
        Ok(claims)
    }

    async fn heartbeat(
        &self,
        ctx: &SystemContext,
        claim: &Claim,
        worker: &str,
    ) -> Result<bool, StorageError> {
        let now = self.clock.now();
        let updated = self
            .source
            .call(ctx, &RUNS, "recording a heartbeat")
            .execute(
                sqlx::query(
                    "UPDATE scheduler.runs SET heartbeat_at = $4 \
             WHERE tenant_id = $1 AND id = $2 AND attempt = $3 AND state = 'running' \
               AND claimed_by = $5",
                )
                .bind(&claim.tenant_id)
                .bind(claim.id)
                .bind(claim.attempt)
                .bind(now)
                .bind(worker),
            )
            .await?;
        Ok(updated == 1)
    }

    async fn finish(
        &self,
        ctx: &SystemContext,
        claim: &Claim,
        worker: &str,
        outcome: Outcome,
        error: Option<&str>,
    ) -> Result<bool, StorageError> {
        input::optional_text("error", error)?;
        let now = self.clock.now();
        let state = match outcome {
            Outcome::Completed => "completed",
            Outcome::Failed => "error",
        };
        let updated = self
            .source
            .call(ctx, &RUNS, "finishing a run")
            .execute(
                sqlx::query(
                    "UPDATE scheduler.runs SET state = $4, finished_at = $5, error = $6 \
             WHERE tenant_id = $1 AND id = $2 AND attempt = $3 AND state = 'running' \
               AND claimed_by = $7",
                )
                .bind(&claim.tenant_id)
                .bind(claim.id)
                .bind(claim.attempt)
                .bind(state)
                .bind(now)
                .bind(error)
                .bind(worker),
            )
            .await?;
        Ok(updated == 1)
    }

    async fn rescue_stale(
        &self,
        ctx: &SystemContext,
        stale_after: Duration,
    ) -> Result<u64, StorageError> {
        input::positive("stale after", stale_after)?;
        let now = self.clock.now();
        self.source
            .call(ctx, &RUNS, "rescuing stale runs")
            .execute(
                sqlx::query(concat!(
                    requeue_or_end!("attempts exhausted: the worker stopped heartbeating"),
                    " WHERE state = 'running' AND heartbeat_at < $1"
                ))
                .bind(now - stale_after)
                .bind(now),
            )
            .await
    }

    async fn list(&self, ctx: &TenantContext, query: &RunQuery) -> Result<Page<Run>, StorageError> {
        let (size, clamped_from) = query.page.effective_size()?;
        let after = match &query.page.cursor {
            Cursor::After(key) | Cursor::Before(key) => Some(parse_run_key(key)?),
            Cursor::Start | Cursor::End => None,
        };
        let backward = matches!(query.page.cursor, Cursor::Before(_) | Cursor::End);
        let mut sql = String::from(concat!(
            "SELECT ",
            run_columns!(),
            " FROM scheduler.runs WHERE true"
        ));
        let mut next = 1;
        if query.state.is_some() {
            sql.push_str(&format!(" AND state = ${next}"));
            next += 1;
        }
        if after.is_some() {
            let op = if backward { "<" } else { ">" };
            sql.push_str(&format!(
                " AND (created_at, id) {op} (${next}, ${})",
                next + 1
            ));
            next += 2;
        }
        let order = if backward { "DESC" } else { "ASC" };
        sql.push_str(&format!(
            " ORDER BY created_at {order}, id {order} LIMIT ${next}"
        ));
        let mut q = sqlx::query_as::<_, Run>(AssertSqlSafe(sql));
        if let Some(state) = query.state {
            q = q.bind(state.as_str());
        }
        if let Some((at, id)) = after {
            q = q.bind(at).bind(id);
        }
        let rows = self
            .source
            .call(ctx, &RUNS, "listing runs")
            .all(q.bind(i64::from(size) + 1))
            .await?;
        Ok(Page::assemble(
            rows,
            &query.page.cursor,
            size,
            clamped_from,
            |r| run_key(r.created_at, r.id),
        ))
    }

    async fn pending(&self, ctx: &TenantContext, limit: i64) -> Result<Vec<Run>, StorageError> {
        let limit = input::limit("limit", limit, MAX_RUN_LIST)?;
        self.select(
            ctx,
            concat!(
                "SELECT ",
                run_columns!(),
                " FROM scheduler.runs WHERE state IN ('planning', 'queued') \
                 ORDER BY created_at, id LIMIT $1"
            ),
            "listing pending runs",
            |q| q.bind(limit),
        )
        .await
    }

    async fn of_schedule(
        &self,
        ctx: &TenantContext,
        schedule_id: Uuid,
        limit: i64,
    ) -> Result<Vec<Run>, StorageError> {
        let limit = input::limit("limit", limit, MAX_RUN_LIST)?;
        self.select(
            ctx,
            concat!(
                "SELECT ",
                run_columns!(),
                " FROM scheduler.runs WHERE schedule_id = $1 \
                 ORDER BY created_at DESC, id DESC LIMIT $2"
            ),
            "listing a schedule's runs",
            |q| q.bind(schedule_id).bind(limit),
        )
        .await
    }
}
