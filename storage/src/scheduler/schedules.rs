//! Schedules (`scheduler.schedules`): the repository trait, the due poll and
//! one run per tick, on PostgreSQL.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::cron::CronSpec;
use super::cursor::{parse_schedule_key, schedule_key};
use super::kinds::ScheduleMode;
use super::runs::{RUNS, Run};
use crate::error::Constraint;
use crate::page::{Cursor, Page, PageRequest};
use crate::table::Table;
use crate::{Clock, DataSource, StorageError, SystemContext, TenantContext, input};

/// A recurring schedule of one tenant (`scheduler.schedules`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Schedule {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub enabled: bool,
    pub cron_expression: String,
    pub timezone: String,
    #[sqlx(try_from = "String")]
    pub mode: ScheduleMode,
    pub selection: Value,
    pub only_if: Value,
    pub notify: Value,
    pub limits: Value,
    /// The next tick; `None` when the expression never fires again.
    pub next_fire_at: Option<DateTime<Utc>>,
    pub last_fired_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
    pub deleted_at: Option<DateTime<Utc>>,
    pub deleted_by: Option<String>,
}

/// What a caller sets on upsert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleFields {
    pub name: String,
    pub description: Option<String>,
    pub enabled: bool,
    pub cron_expression: String,
    /// An IANA time zone name.
    pub timezone: String,
    pub mode: ScheduleMode,
    pub selection: Value,
    pub only_if: Value,
    pub notify: Value,
    pub limits: Value,
}

impl ScheduleFields {
    /// An enabled analysis-only schedule with empty selection and limits.
    pub fn new(
        name: impl Into<String>,
        cron_expression: impl Into<String>,
        timezone: impl Into<String>,
    ) -> Self {
        let empty = || Value::Object(Default::default());
        ScheduleFields {
            name: name.into(),
            description: None,
            enabled: true,
            cron_expression: cron_expression.into(),
            timezone: timezone.into(),
            mode: ScheduleMode::AnalysisOnly,
            selection: empty(),
            only_if: empty(),
            notify: empty(),
            limits: empty(),
        }
    }

    /// Checks every field (the cron expression and time zone by parsing
    /// them) before any SQL runs.
    pub(crate) fn validate(&self) -> Result<CronSpec, StorageError> {
        input::key("schedule name", &self.name)?;
        input::optional_text("description", self.description.as_deref())?;
        input::json_object("selection", &self.selection)?;
        input::json_object("only if", &self.only_if)?;
        input::json_object("notify", &self.notify)?;
        input::json_object("limits", &self.limits)?;
        CronSpec::parse(&self.cron_expression, &self.timezone)
    }
}

/// Filters of the schedule list; pages are keyed by (name, id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleQuery {
    pub enabled: Option<bool>,
    /// Soft-deleted schedules are left out unless asked for.
    pub include_deleted: bool,
    pub page: PageRequest,
}

/// The most schedules one due poll returns.
pub const MAX_DUE: i64 = 1_000;

/// The seeds' `IScheduleRepository`, plus firing a due schedule.
#[async_trait]
pub trait ScheduleRepository: Send + Sync + std::fmt::Debug {
    /// A schedule, soft-deleted or not.
    async fn get(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Schedule>, StorageError>;
    async fn list(
        &self,
        ctx: &TenantContext,
        query: &ScheduleQuery,
    ) -> Result<Page<Schedule>, StorageError>;
    /// Creates the schedule or replaces its fields. The next fire time is
    /// computed from the cron expression and time zone, and kept when
    /// neither (nor `enabled`) changed, so an edit never skips a due tick.
    /// A soft-deleted schedule is not found.
    async fn upsert(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ScheduleFields,
        actor: &str,
    ) -> Result<Schedule, StorageError>;
    /// Marks a live schedule deleted (by the clock's now); false when there
    /// is none. Its name is free again.
    async fn soft_delete(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        deleted_by: &str,
    ) -> Result<bool, StorageError>;
    /// Across tenants: enabled live schedules whose next tick is at or
    /// before the clock's now, oldest tick first, at most `limit`.
    async fn due(&self, ctx: &SystemContext, limit: i64) -> Result<Vec<Schedule>, StorageError>;
    /// Fires the tick `schedule.next_fire_at` once: moves the schedule to
    /// its next tick after now and queues one run for the tick. Returns
    /// `None` when another scheduler fired it first, or the schedule
    /// changed since it was read; however many schedulers race, one tick
    /// makes one run.
    async fn fire(
        &self,
        ctx: &SystemContext,
        schedule: &Schedule,
    ) -> Result<Option<Run>, StorageError>;
}

/// The id of the run a schedule's tick makes: derived from the tenant, the
/// schedule and the tick (a UUIDv8 of their SHA-256), so a tick's run has
/// the same id on every backend and every retry.
pub fn tick_run_id(tenant: &str, schedule_id: Uuid, tick: DateTime<Utc>) -> Uuid {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(tenant.as_bytes());
    hash.update([0]);
    hash.update(schedule_id.as_bytes());
    hash.update(tick.timestamp_micros().to_be_bytes());
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The tick a fire is for, and the one after it (`None`: never again).
pub(crate) struct FirePlan {
    pub tick: DateTime<Utc>,
    pub next: Option<DateTime<Utc>>,
}

/// What firing `schedule` at `now` does, or `None` when it is not due.
pub(crate) fn fire_plan(
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Result<Option<FirePlan>, StorageError> {
    let Some(tick) = schedule.next_fire_at else {
        return Ok(None);
    };
    if tick > now || !schedule.enabled || schedule.deleted_at.is_some() {
        return Ok(None);
    }
    let spec = CronSpec::parse(&schedule.cron_expression, &schedule.timezone)?;
    // Ticks missed while no scheduler ran are not replayed: one run for the
    // oldest, then the next tick after now.
    Ok(Some(FirePlan {
        tick,
        next: spec.next_after(now.max(tick)),
    }))
}

macro_rules! schedule_columns {
    () => {
        "tenant_id, id, name, description, enabled, cron_expression, timezone, mode, selection, \
         only_if, notify, limits, next_fire_at, last_fired_at, created_at, created_by, \
         updated_at, updated_by, deleted_at, deleted_by"
    };
}

pub(crate) const SCHEDULES: Table = Table {
    name: "scheduler.schedules",
    entity: "schedule",
    columns: schedule_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        schedule_columns!(),
        " FROM scheduler.schedules WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("schedules_pkey", Constraint::Unique("id")),
        ("schedules_live_name_idx", Constraint::Unique("name")),
    ],
};

/// Schedules on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgSchedules {
    source: DataSource,
    clock: Arc<dyn Clock>,
}

impl PgSchedules {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgSchedules { source, clock }
    }
}

#[async_trait]
impl ScheduleRepository for PgSchedules {
    async fn get(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Schedule>, StorageError> {
        self.source
            .get_by_id(ctx, &SCHEDULES, "reading a schedule", id)
            .await
    }

    async fn list(
        &self,
        ctx: &TenantContext,
        query: &ScheduleQuery,
    ) -> Result<Page<Schedule>, StorageError> {
        let (size, clamped_from) = query.page.effective_size()?;
        let after = match &query.page.cursor {
            Cursor::After(key) | Cursor::Before(key) => Some(parse_schedule_key(key)?),
            Cursor::Start | Cursor::End => None,
        };
        // Only the predicates asked for, so the planner sees what a
        // hand-written query would give it.
        let mut sql = String::from(concat!(
            "SELECT ",
            schedule_columns!(),
            " FROM scheduler.schedules WHERE true"
        ));
        let mut next = 1;
        let mut arg = || {
            let n = next;
            next += 1;
            n
        };
        if !query.include_deleted {
            sql.push_str(" AND deleted_at IS NULL");
        }
        let enabled_arg = query.enabled.map(|_| arg());
        if let Some(n) = enabled_arg {
            sql.push_str(&format!(" AND enabled = ${n}"));
        }
        let cursor_args = after.as_ref().map(|_| (arg(), arg()));
        let backward = matches!(query.page.cursor, Cursor::Before(_) | Cursor::End);
        if let Some((name, id)) = cursor_args {
            let op = if backward { "<" } else { ">" };
            sql.push_str(&format!(" AND (name, id) {op} (${name}, ${id})"));
        }
        let order = if backward { "DESC" } else { "ASC" };
        let limit = arg();
        sql.push_str(&format!(
            " ORDER BY name {order}, id {order} LIMIT ${limit}"
        ));
        let mut q = sqlx::query_as::<_, Schedule>(AssertSqlSafe(sql));
        if let Some(enabled) = query.enabled {
            q = q.bind(enabled);
        }
        if let Some((name, id)) = &after {
            q = q.bind(name).bind(*id);
        }
        let rows = self
            .source
            .call(ctx, &SCHEDULES, "listing schedules")
            .all(q.bind(i64::from(size) + 1))
            .await?;
        Ok(Page::assemble(
            rows,
            &query.page.cursor,
            size,
            clamped_from,
            |s| schedule_key(&s.name, s.id),
        ))
    }

    async fn upsert(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ScheduleFields,
        actor: &str,
    ) -> Result<Schedule, StorageError> {
        let spec = fields.validate()?;
        input::key("actor", actor)?;
        let now = self.clock.now();
        let next_fire_at = spec.next_after(now);
        let statement = sqlx::query_as::<_, Schedule>(concat!(
            "INSERT INTO scheduler.schedules AS s (tenant_id, id, name, description, enabled, \
               cron_expression, timezone, mode, selection, only_if, notify, limits, \
               next_fire_at, created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $14, $15) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name, \
               description = EXCLUDED.description, enabled = EXCLUDED.enabled, \
               cron_expression = EXCLUDED.cron_expression, timezone = EXCLUDED.timezone, \
               mode = EXCLUDED.mode, selection = EXCLUDED.selection, \
               only_if = EXCLUDED.only_if, notify = EXCLUDED.notify, limits = EXCLUDED.limits, \
               next_fire_at = CASE WHEN s.cron_expression = EXCLUDED.cron_expression \
                                    AND s.timezone = EXCLUDED.timezone \
                                    AND s.enabled = EXCLUDED.enabled \
                               THEN s.next_fire_at ELSE EXCLUDED.next_fire_at END, \
               updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by \
             WHERE s.deleted_at IS NULL \
             RETURNING ",
            schedule_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(id)
        .bind(&fields.name)
        .bind(&fields.description)
        .bind(fields.enabled)
        .bind(spec.expression())
        .bind(spec.zone())
        .bind(fields.mode.as_str())
        .bind(&fields.selection)
        .bind(&fields.only_if)
        .bind(&fields.notify)
        .bind(&fields.limits)
        .bind(next_fire_at)
        .bind(now)
        .bind(actor);
        // No row back: the id is a soft-deleted schedule's.
        self.source
            .call(ctx, &SCHEDULES, "writing a schedule")
            .one(statement)
            .await
    }

    async fn soft_delete(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        deleted_by: &str,
    ) -> Result<bool, StorageError> {
        input::key("deleted by", deleted_by)?;
        let now = self.clock.now();
        let deleted = self
            .source
            .call(ctx, &SCHEDULES, "deleting a schedule")
            .execute(
                sqlx::query(
                    "UPDATE scheduler.schedules SET deleted_at = $2, deleted_by = $3, \
               updated_at = $2, updated_by = $3 \
             WHERE id = $1 AND deleted_at IS NULL",
                )
                .bind(id)
                .bind(now)
                .bind(deleted_by),
            )
            .await?;
        Ok(deleted == 1)
    }

    async fn due(&self, ctx: &SystemContext, limit: i64) -> Result<Vec<Schedule>, StorageError> {
        let limit = input::limit("due limit", limit, MAX_DUE)?;
        let now = self.clock.now();
        self.source
            .call(ctx, &SCHEDULES, "polling due schedules")
            .all(
                sqlx::query_as::<_, Schedule>(concat!(
                    "SELECT ",
                    schedule_columns!(),
                    " FROM scheduler.schedules \
             WHERE enabled AND deleted_at IS NULL AND next_fire_at <= $1 \
             ORDER BY next_fire_at, tenant_id, id LIMIT $2"
                ))
                .bind(now)
                .bind(limit),
            )
            .await
    }

    async fn fire(
        &self,
        ctx: &SystemContext,
        schedule: &Schedule,
    ) -> Result<Option<Run>, StorageError> {
        let now = self.clock.now();
        let Some(FirePlan { tick, next }) = fire_plan(schedule, now)? else {
            return Ok(None);
        };
        // The compare-and-set on next_fire_at lets one scheduler through: a
        // racing one waits for the row lock, then finds the tick moved on.
        // The unique (schedule, tick) index backs it up.
        self.source
            .call(ctx, &RUNS, "firing a schedule")
            .optional(
                sqlx::query_as::<_, Run>(concat!(
                    "WITH fired AS ( \
                 UPDATE scheduler.schedules SET next_fire_at = $4, last_fired_at = $3 \
                 WHERE tenant_id = $1 AND id = $2 AND next_fire_at = $3 \
                   AND cron_expression = $5 AND timezone = $6 \
                   AND enabled AND deleted_at IS NULL \
                 RETURNING tenant_id, id) \
             INSERT INTO scheduler.runs AS r (tenant_id, id, schedule_id, trigger, state, \
                 due_at, scheduled_for, created_at) \
             SELECT tenant_id, $7, id, 'cron', 'queued', $3, $3, $8 FROM fired \
             ON CONFLICT (tenant_id, schedule_id, scheduled_for) \
                 WHERE scheduled_for IS NOT NULL DO NOTHING \
             RETURNING ",
                    super::runs::run_columns!()
                ))
                .bind(&schedule.tenant_id)
                .bind(schedule.id)
                .bind(tick)
                .bind(next)
                .bind(&schedule.cron_expression)
                .bind(&schedule.timezone)
                .bind(tick_run_id(&schedule.tenant_id, schedule.id, tick))
                .bind(now),
            )
            .await
    }
}
