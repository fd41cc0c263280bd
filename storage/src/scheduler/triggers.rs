//! Triggers (`scheduler.triggers`): the repository trait and its PostgreSQL
//! implementation.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::kinds::{TriggerKind, TriggerStatus};
use crate::error::Constraint;
use crate::table::Table;
use crate::{Clock, DataSource, StorageError, TenantContext, input};

/// A request to run a schedule at a time (`scheduler.triggers`): a manual
/// run, or an event (a feed or VEX update) that asks for one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Trigger {
    pub tenant_id: String,
    pub id: Uuid,
    pub schedule_id: Uuid,
    #[sqlx(try_from = "String")]
    pub kind: TriggerKind,
    #[sqlx(try_from = "String")]
    pub status: TriggerStatus,
    pub fire_at: DateTime<Utc>,
    pub fired_at: Option<DateTime<Utc>>,
    pub run_id: Option<Uuid>,
    pub payload: Value,
    pub created_at: DateTime<Utc>,
}

/// A trigger to record, pending until it is fired, skipped or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTrigger {
    pub id: Uuid,
    pub schedule_id: Uuid,
    pub kind: TriggerKind,
    pub fire_at: DateTime<Utc>,
    pub payload: Value,
}

impl NewTrigger {
    pub fn new(schedule_id: Uuid, kind: TriggerKind, fire_at: DateTime<Utc>) -> Self {
        NewTrigger {
            id: Uuid::new_v4(),
            schedule_id,
            kind,
            fire_at,
            payload: Value::Object(Default::default()),
        }
    }
}

/// The most triggers one list returns.
pub const MAX_TRIGGER_LIST: i64 = 500;

/// Triggers of a tenant's schedules.
#[async_trait]
pub trait TriggerRepository: Send + Sync + std::fmt::Debug {
    /// Records a pending trigger of one of the tenant's schedules.
    async fn create(
        &self,
        ctx: &TenantContext,
        trigger: &NewTrigger,
    ) -> Result<Trigger, StorageError>;
    async fn get(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Trigger>, StorageError>;
    /// A schedule's triggers by fire time (then id), at most `limit`.
    async fn of_schedule(
        &self,
        ctx: &TenantContext,
        schedule_id: Uuid,
        limit: i64,
    ) -> Result<Vec<Trigger>, StorageError>;
    /// Pending triggers due at the clock's now, oldest first, at most `limit`.
    async fn due(&self, ctx: &TenantContext, limit: i64) -> Result<Vec<Trigger>, StorageError>;
    /// Ends a pending trigger as fired (with its run), skipped or failed. A
    /// trigger that is no longer pending cannot change: an error naming both
    /// statuses, and nothing is written.
    async fn resolve(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        status: TriggerStatus,
        run_id: Option<Uuid>,
    ) -> Result<Trigger, StorageError>;
}

/// Checks a resolution before any write: only a pending trigger changes, to
/// a final status, and only a fired one names a run.
pub(crate) fn check_resolution(
    from: TriggerStatus,
    to: TriggerStatus,
    run_id: Option<Uuid>,
) -> Result<(), StorageError> {
    if from != TriggerStatus::Pending || to == TriggerStatus::Pending {
        return Err(StorageError::IllegalTransition {
            entity: "trigger",
            from: from.as_str().to_owned(),
            to: to.as_str().to_owned(),
        });
    }
    if (to == TriggerStatus::Fired) != run_id.is_some() {
        return Err(StorageError::invalid(
            "run id",
            "a fired trigger names its run, and only a fired one",
        ));
    }
    Ok(())
}

macro_rules! trigger_columns {
    () => {
        "tenant_id, id, schedule_id, kind, status, fire_at, fired_at, run_id, payload, created_at"
    };
}

pub(crate) const TRIGGERS: Table = Table {
    name: "scheduler.triggers",
    entity: "trigger",
    columns: trigger_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        trigger_columns!(),
        " FROM scheduler.triggers WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("triggers_pkey", Constraint::Unique("id")),
        (
            "triggers_tenant_id_schedule_id_fkey",
            Constraint::References("schedule"),
        ),
    ],
};

/// Triggers on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgTriggers {
    source: DataSource,
    clock: Arc<dyn Clock>,
}

impl PgTriggers {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgTriggers { source, clock }
    }
}

#[async_trait]
impl TriggerRepository for PgTriggers {
    async fn create(
        &self,
        ctx: &TenantContext,
        trigger: &NewTrigger,
    ) -> Result<Trigger, StorageError> {
        input::json_object("payload", &trigger.payload)?;
        let now = self.clock.now();
        let statement = sqlx::query_as::<_, Trigger>(concat!(
            "INSERT INTO scheduler.triggers (tenant_id, id, schedule_id, kind, fire_at, payload, \
               created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
            trigger_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(trigger.id)
        .bind(trigger.schedule_id)
        .bind(trigger.kind.as_str())
        .bind(crate::clock::to_micros(trigger.fire_at))
        .bind(&trigger.payload)
        .bind(now);
        self.source
            .call(ctx, &TRIGGERS, "recording a trigger")
            .one(statement)
            .await
    }

    async fn get(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Trigger>, StorageError> {
        self.source
            .get_by_id(ctx, &TRIGGERS, "reading a trigger", id)
            .await
    }

    async fn of_schedule(
        &self,
        ctx: &TenantContext,
        schedule_id: Uuid,
        limit: i64,
    ) -> Result<Vec<Trigger>, StorageError> {
        let limit = input::limit("limit", limit, MAX_TRIGGER_LIST)?;
        self.source
            .call(ctx, &TRIGGERS, "listing triggers")
            .all(
                sqlx::query_as::<_, Trigger>(concat!(
                    "SELECT ",
                    trigger_columns!(),
                    " FROM scheduler.triggers WHERE schedule_id = $1 ORDER BY fire_at, id LIMIT $2"
                ))
                .bind(schedule_id)
                .bind(limit),
            )
            .await
    }

    async fn due(&self, ctx: &TenantContext, limit: i64) -> Result<Vec<Trigger>, StorageError> {
        let limit = input::limit("limit", limit, MAX_TRIGGER_LIST)?;
        let now = self.clock.now();
        self.source
            .call(ctx, &TRIGGERS, "listing due triggers")
            .all(
                sqlx::query_as::<_, Trigger>(concat!(
                    "SELECT ",
                    trigger_columns!(),
                    " FROM scheduler.triggers WHERE status = 'pending' AND fire_at <= $1 \
             ORDER BY fire_at, id LIMIT $2"
                ))
                .bind(now)
                .bind(limit),
            )
            .await
    }

    async fn resolve(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        status: TriggerStatus,
        run_id: Option<Uuid>,
    ) -> Result<Trigger, StorageError> {
        let now = self.clock.now();
        let mut tx = self.source.tenant(ctx).await?;
        let current: String = tx
            .on(&TRIGGERS, "reading a trigger")
            .one(
                sqlx::query_scalar(
                    "SELECT status FROM scheduler.triggers WHERE id = $1 FOR UPDATE",
                )
                .bind(id),
            )
            .await?;
        let from: TriggerStatus = current
            .parse()
            .map_err(|_| StorageError::IllegalTransition {
                entity: "trigger",
                from: current.clone(),
                to: status.as_str().to_owned(),
            })?;
        check_resolution(from, status, run_id)?;
        let trigger = tx
            .on(&TRIGGERS, "resolving a trigger")
            .one(
                sqlx::query_as::<_, Trigger>(concat!(
                    "UPDATE scheduler.triggers SET status = $2, run_id = $3, \
               fired_at = CASE WHEN $2 = 'fired' THEN $4 END \
             WHERE id = $1 RETURNING ",
                    trigger_columns!()
                ))
                .bind(id)
                .bind(status.as_str())
                .bind(run_id)
                .bind(now),
            )
            .await?;
        tx.commit().await?;
        Ok(trigger)
    }
}
