//! Escalations (`notify.escalation_states`): an incident paging through its
//! policy's stages in order, each fired once when due however many workers
//! compete, until acknowledged, resolved or out of stages; trait and
//! PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;
use uuid::Uuid;

use super::escalation_policies::ESCALATION_POLICIES;
use super::incidents::INCIDENTS;
use super::kinds::{EscalationStatus, IncidentStatus};
use super::postgres::PgNotify;
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, SystemContext, TenantContext, input};

/// An escalation of one incident by one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Escalation {
    pub tenant_id: String,
    pub id: Uuid,
    pub incident_id: Uuid,
    pub policy_id: Uuid,
    #[sqlx(try_from = "String")]
    pub status: EscalationStatus,
    /// The stage that fires next (active); the last one fired (expired).
    pub current_step: i32,
    /// The pass over the stages: 0, then one more per repeat.
    pub repeat_iteration: i32,
    /// When the current stage fires (active only).
    pub next_escalation_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a start did: the incident's active escalation, and whether this
/// call started it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Started {
    pub escalation: Escalation,
    pub started: bool,
}

/// One stage fired by [`EscalationRepository::advance_escalations`]: the
/// escalation as it is now, and the stage's channels to page, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advance {
    pub escalation: Escalation,
    pub stage: i32,
    pub iteration: i32,
    /// When the stage was due (not when the worker got to it).
    pub due_at: DateTime<Utc>,
    pub channels: Vec<Uuid>,
}

/// The most escalations one advance takes.
pub const MAX_ADVANCE: i64 = 1_000;

/// Notify's escalations.
#[async_trait]
pub trait EscalationRepository: Send + Sync + std::fmt::Debug {
    /// Starts escalating an open incident by an enabled policy: the first
    /// stage is due after its delay. An incident already escalating keeps
    /// its escalation (also when starters race).
    async fn start_escalation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        incident_id: Uuid,
        policy_id: Uuid,
    ) -> Result<Started, StorageError>;
    async fn get_escalation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Escalation>, StorageError>;
    /// An incident's escalations, oldest first.
    async fn escalations_of(
        &self,
        ctx: &TenantContext,
        incident_id: Uuid,
    ) -> Result<Vec<Escalation>, StorageError>;
    /// Fires up to `limit` due stages across tenants, in due order (due
    /// time, id), one stage per escalation per call: the next stage is due
    /// its delay after this one was due; after the last stage the policy's
    /// repeats start over, and then the escalation expires. Competing
    /// workers never fire one stage twice.
    async fn advance_escalations(
        &self,
        ctx: &SystemContext,
        limit: i64,
    ) -> Result<Vec<Advance>, StorageError>;
    /// Active to acknowledged: no stage fires after it. The same
    /// acknowledger again changes nothing; anyone else's is refused (an
    /// acknowledgement is single-use).
    async fn acknowledge_escalation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<Escalation, StorageError>;
}

macro_rules! escalation_columns {
    () => {
        "tenant_id, id, incident_id, policy_id, status, current_step, repeat_iteration, \
         next_escalation_at, acknowledged_at, acknowledged_by, created_at, updated_at"
    };
}

pub(crate) const ESCALATIONS: Table = Table {
    name: "notify.escalation_states",
    entity: "escalation",
    columns: escalation_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        escalation_columns!(),
        " FROM notify.escalation_states WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("escalation_states_pkey", Constraint::Unique("id")),
        (
            "escalation_states_active_idx",
            Constraint::Unique("active escalation of the incident"),
        ),
        (
            "escalation_states_tenant_id_incident_id_fkey",
            Constraint::References("incident"),
        ),
        (
            "escalation_states_tenant_id_policy_id_fkey",
            Constraint::References("escalation policy"),
        ),
    ],
};

/// Why an escalation cannot start for an incident in `status` by a policy
/// `enabled` or not.
pub(crate) fn check_start(status: IncidentStatus, enabled: bool) -> Result<(), StorageError> {
    if status != IncidentStatus::Open {
        return Err(StorageError::IllegalTransition {
            entity: "incident",
            from: status.as_str().to_owned(),
            to: "escalating".to_owned(),
        });
    }
    if !enabled {
        return Err(StorageError::invalid(
            "escalation policy",
            "is disabled; enable it to escalate with it",
        ));
    }
    Ok(())
}

/// The errors of an acknowledgement the escalation's state refuses;
/// `Ok(true)` for the acknowledger's retry, which changes nothing.
pub(crate) fn check_acknowledge(escalation: &Escalation, by: &str) -> Result<bool, StorageError> {
    match escalation.status {
        EscalationStatus::Active => Ok(false),
        EscalationStatus::Acknowledged if escalation.acknowledged_by.as_deref() == Some(by) => {
            Ok(true)
        }
        EscalationStatus::Acknowledged => Err(StorageError::Conflict {
            entity: "escalation",
            field: "acknowledgement",
        }),
        from => Err(StorageError::IllegalTransition {
            entity: "escalation",
            from: from.as_str().to_owned(),
            to: EscalationStatus::Acknowledged.as_str().to_owned(),
        }),
    }
}

/// An advanced escalation and the stage it fired, as the statement
/// returns them.
#[derive(sqlx::FromRow)]
struct AdvanceRow {
    #[sqlx(flatten)]
    escalation: Escalation,
    fired_step: i32,
    fired_iteration: i32,
    fired_at: DateTime<Utc>,
    fired_channels: Json<Vec<Uuid>>,
}

#[async_trait]
impl EscalationRepository for PgNotify {
    async fn start_escalation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        incident_id: Uuid,
        policy_id: Uuid,
    ) -> Result<Started, StorageError> {
        let now = self.clock.now();
        let mut work = self.source.work(ctx).await?;
        let policy: Option<(bool, i64)> = work
            .on(&ESCALATION_POLICIES, "reading an escalation policy")
            .optional(
                sqlx::query_as(
                    "SELECT enabled, (steps -> 0 ->> 'delay_seconds')::bigint \
                     FROM notify.escalation_policies WHERE id = $1 FOR KEY SHARE",
                )
                .bind(policy_id),
            )
            .await?;
        let (enabled, first_delay) = policy.ok_or(ESCALATION_POLICIES.not_found())?;
        let status: String = work
            .on(&INCIDENTS, "reading an incident's status")
            .optional(
                sqlx::query_scalar("SELECT status FROM notify.incidents WHERE id = $1 FOR SHARE")
                    .bind(incident_id),
            )
            .await?
            .ok_or(INCIDENTS.not_found())?;
        let status: IncidentStatus = status
            .parse()
            .map_err(|e: String| StorageError::invalid("incident status", e))?;
        check_start(status, enabled)?;
        let inserted = work
            .on(&ESCALATIONS, "starting an escalation")
            .optional(
                sqlx::query_as::<_, Escalation>(concat!(
                    "INSERT INTO notify.escalation_states (tenant_id, id, incident_id, policy_id, \
                       status, current_step, repeat_iteration, next_escalation_at, created_at, \
                       updated_at) \
                     VALUES ($1, $2, $3, $4, 'active', 0, 0, $5, $6, $6) \
                     ON CONFLICT (tenant_id, incident_id) WHERE status = 'active' DO NOTHING \
                     RETURNING ",
                    escalation_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(id)
                .bind(incident_id)
                .bind(policy_id)
                .bind(now + chrono::Duration::seconds(first_delay))
                .bind(now),
            )
            .await?;
        let started = match inserted {
            Some(escalation) => Started {
                escalation,
                started: true,
            },
            None => Started {
                escalation: work
                    .on(&ESCALATIONS, "reading an incident's active escalation")
                    .one(
                        sqlx::query_as::<_, Escalation>(concat!(
                            "SELECT ",
                            escalation_columns!(),
                            " FROM notify.escalation_states \
                             WHERE incident_id = $1 AND status = 'active'"
                        ))
                        .bind(incident_id),
                    )
                    .await?,
                started: false,
            },
        };
        work.commit().await?;
        Ok(started)
    }

    async fn get_escalation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Escalation>, StorageError> {
        self.source
            .get_by_id(ctx, &ESCALATIONS, "reading an escalation", id)
            .await
    }

    async fn escalations_of(
        &self,
        ctx: &TenantContext,
        incident_id: Uuid,
    ) -> Result<Vec<Escalation>, StorageError> {
        self.source
            .call(ctx, &ESCALATIONS, "listing an incident's escalations")
            .all(
                sqlx::query_as::<_, Escalation>(concat!(
                    "SELECT ",
                    escalation_columns!(),
                    " FROM notify.escalation_states WHERE incident_id = $1 \
                     ORDER BY created_at, id"
                ))
                .bind(incident_id),
            )
            .await
    }

    async fn advance_escalations(
        &self,
        ctx: &SystemContext,
        limit: i64,
    ) -> Result<Vec<Advance>, StorageError> {
        let limit = input::limit("advance limit", limit, MAX_ADVANCE)?;
        let now = self.clock.now();
        // Due escalations are locked (SKIP LOCKED: competing workers split
        // them) and moved past the stage they fire in one statement; the
        // stage arithmetic reads the policy's steps in SQL.
        let rows = self
            .source
            .call(ctx, &ESCALATIONS, "advancing escalations")
            .all(
                sqlx::query_as::<_, AdvanceRow>(concat!(
                    "WITH due AS MATERIALIZED ( \
                   SELECT s.tenant_id AS due_tenant, s.id AS due_id, \
                     s.current_step AS fired_step, s.repeat_iteration AS fired_iteration, \
                     s.next_escalation_at AS fired_at, p.steps AS policy_steps, \
                     p.repeat_count AS policy_repeats \
                   FROM notify.escalation_states s \
                   JOIN notify.escalation_policies p \
                     ON p.tenant_id = s.tenant_id AND p.id = s.policy_id \
                   WHERE s.status = 'active' AND s.next_escalation_at <= $1 \
                   ORDER BY s.next_escalation_at, s.id LIMIT $2 \
                   FOR UPDATE OF s SKIP LOCKED), \
                 moved AS ( \
                   SELECT due.*, \
                     CASE WHEN fired_step + 1 < jsonb_array_length(policy_steps) \
                          THEN fired_step + 1 ELSE 0 END AS next_step, \
                     CASE WHEN fired_step + 1 < jsonb_array_length(policy_steps) \
                          THEN fired_iteration ELSE fired_iteration + 1 END AS next_iteration \
                   FROM due) \
                 UPDATE notify.escalation_states SET \
                   status = CASE WHEN next_iteration > policy_repeats THEN 'expired' \
                                 ELSE 'active' END, \
                   current_step = CASE WHEN next_iteration > policy_repeats THEN fired_step \
                                       ELSE next_step END, \
                   repeat_iteration = CASE WHEN next_iteration > policy_repeats \
                                           THEN fired_iteration ELSE next_iteration END, \
                   next_escalation_at = CASE WHEN next_iteration > policy_repeats THEN NULL \
                     ELSE fired_at + make_interval(secs => \
                       (policy_steps -> next_step ->> 'delay_seconds')::double precision) END, \
                   updated_at = $1 \
                 FROM moved WHERE tenant_id = due_tenant AND id = due_id \
                 RETURNING ",
                    escalation_columns!(),
                    ", fired_step, fired_iteration, fired_at, \
                 policy_steps -> fired_step -> 'channels' AS fired_channels"
                ))
                .bind(now)
                .bind(limit),
            )
            .await?;
        let mut advances: Vec<Advance> = rows
            .into_iter()
            .map(|row| Advance {
                escalation: row.escalation,
                stage: row.fired_step,
                iteration: row.fired_iteration,
                due_at: row.fired_at,
                channels: row.fired_channels.0,
            })
            .collect();
        sort_advances(&mut advances);
        Ok(advances)
    }

    async fn acknowledge_escalation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<Escalation, StorageError> {
        input::key("actor", by)?;
        let now = self.clock.now();
        let mut work = self.source.work(ctx).await?;
        let current = work
            .on(&ESCALATIONS, "reading an escalation")
            .optional(
                sqlx::query_as::<_, Escalation>(concat!(
                    "SELECT ",
                    escalation_columns!(),
                    " FROM notify.escalation_states WHERE id = $1 FOR UPDATE"
                ))
                .bind(id),
            )
            .await?
            .ok_or(ESCALATIONS.not_found())?;
        if check_acknowledge(&current, by)? {
            return Ok(current);
        }
        let acknowledged = work
            .on(&ESCALATIONS, "acknowledging an escalation")
            .one(
                sqlx::query_as::<_, Escalation>(concat!(
                    "UPDATE notify.escalation_states SET status = 'acknowledged', \
                       acknowledged_at = $2, acknowledged_by = $3, next_escalation_at = NULL, \
                       updated_at = $2 WHERE id = $1 RETURNING ",
                    escalation_columns!()
                ))
                .bind(id)
                .bind(now)
                .bind(by),
            )
            .await?;
        work.commit().await?;
        Ok(acknowledged)
    }
}

/// Advances in due order: RETURNING has none.
pub(crate) fn sort_advances(advances: &mut [Advance]) {
    advances.sort_by_key(|a| (a.due_at, a.escalation.id));
}
