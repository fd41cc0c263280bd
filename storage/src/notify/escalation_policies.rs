//! Escalation policies (`notify.escalation_policies`): ordered stages, each
//! a delay and the channels it pages; trait and PostgreSQL implementation.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use uuid::Uuid;

use super::postgres::PgNotify;
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, TenantContext, input};

/// One stage of a policy: how long after the previous stage (or the start,
/// for the first) it fires, and the channels it pages, sorted: a stage
/// dispatches its channels in that order (shared/DESIGN.md 10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationStep {
    pub delay_seconds: i64,
    pub channels: Vec<Uuid>,
}

impl EscalationStep {
    pub fn new(delay_seconds: i64, channels: impl IntoIterator<Item = Uuid>) -> Self {
        EscalationStep {
            delay_seconds,
            channels: channels.into_iter().collect(),
        }
    }

    pub fn delay(&self) -> Duration {
        Duration::seconds(self.delay_seconds)
    }
}

/// The most stages a policy has.
pub const MAX_ESCALATION_STEPS: usize = 20;
/// The most channels one stage pages.
pub const MAX_STEP_CHANNELS: usize = 20;
/// The longest a stage waits: a week.
pub const MAX_STEP_DELAY_SECONDS: i64 = 7 * 24 * 3600;
/// The most times a policy runs its stages again after the last.
pub const MAX_REPEATS: i32 = 10;

/// An escalation policy of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EscalationPolicy {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    pub enabled: bool,
    #[sqlx(json)]
    pub steps: Vec<EscalationStep>,
    /// Times the stages run again after the last one fired.
    pub repeat_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The fields a caller sets on create and update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFields {
    pub name: String,
    pub enabled: bool,
    pub steps: Vec<EscalationStep>,
    pub repeat_count: i32,
}

impl PolicyFields {
    pub fn new(name: impl Into<String>, steps: Vec<EscalationStep>) -> Self {
        PolicyFields {
            name: name.into(),
            enabled: true,
            steps,
            repeat_count: 0,
        }
    }

    /// The fields as stored: every stage's channels sorted. Refuses no
    /// stage, too many, a negative or absurd delay, a stage with no
    /// channel or one twice, and an absurd repeat count.
    pub(crate) fn normalized(&self) -> Result<PolicyFields, StorageError> {
        input::key("escalation policy name", &self.name)?;
        if self.steps.is_empty() || self.steps.len() > MAX_ESCALATION_STEPS {
            return Err(StorageError::invalid(
                "escalation steps",
                format!(
                    "{} stages are not allowed; give 1 to {MAX_ESCALATION_STEPS}",
                    self.steps.len()
                ),
            ));
        }
        let mut steps = Vec::with_capacity(self.steps.len());
        for (index, step) in self.steps.iter().enumerate() {
            if !(0..=MAX_STEP_DELAY_SECONDS).contains(&step.delay_seconds) {
                return Err(StorageError::invalid(
                    "escalation step delay",
                    format!(
                        "stage {index} waits {} s; give 0 to {MAX_STEP_DELAY_SECONDS} s",
                        step.delay_seconds
                    ),
                ));
            }
            let channels: BTreeSet<Uuid> = step.channels.iter().copied().collect();
            if channels.is_empty()
                || channels.len() > MAX_STEP_CHANNELS
                || channels.len() != step.channels.len()
            {
                return Err(StorageError::invalid(
                    "escalation step channels",
                    format!(
                        "stage {index} pages {} channels ({} distinct); give 1 to \
                         {MAX_STEP_CHANNELS}, each once",
                        step.channels.len(),
                        channels.len()
                    ),
                ));
            }
            steps.push(EscalationStep {
                delay_seconds: step.delay_seconds,
                channels: channels.into_iter().collect(),
            });
        }
        input::limit(
            "repeat count",
            i64::from(self.repeat_count) + 1,
            i64::from(MAX_REPEATS) + 1,
        )
        .map_err(|_| {
            StorageError::invalid(
                "repeat count",
                format!(
                    "{} is not allowed; give 0 to {MAX_REPEATS}",
                    self.repeat_count
                ),
            )
        })?;
        Ok(PolicyFields {
            name: self.name.clone(),
            enabled: self.enabled,
            steps,
            repeat_count: self.repeat_count,
        })
    }

    /// Every channel the stages page, once.
    pub(crate) fn channels(&self) -> Vec<Uuid> {
        let all: BTreeSet<Uuid> = self
            .steps
            .iter()
            .flat_map(|s| s.channels.iter().copied())
            .collect();
        all.into_iter().collect()
    }
}

/// Notify's escalation policies.
#[async_trait]
pub trait EscalationPolicyRepository: Send + Sync + std::fmt::Debug {
    async fn get_policy(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<EscalationPolicy>, StorageError>;
    /// The tenant's policies by name.
    async fn list_policies(
        &self,
        ctx: &TenantContext,
    ) -> Result<Vec<EscalationPolicy>, StorageError>;
    /// Creates a policy; every channel its stages page must be the tenant's.
    async fn create_policy(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PolicyFields,
    ) -> Result<EscalationPolicy, StorageError>;
    async fn update_policy(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PolicyFields,
    ) -> Result<EscalationPolicy, StorageError>;
    /// Deletes the policy and its escalations; its incidents stay, without
    /// a policy.
    async fn delete_policy(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
}

macro_rules! policy_columns {
    () => {
        "tenant_id, id, name, enabled, steps, repeat_count, created_at, updated_at"
    };
}

pub(crate) const ESCALATION_POLICIES: Table = Table {
    name: "notify.escalation_policies",
    entity: "escalation policy",
    columns: policy_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        policy_columns!(),
        " FROM notify.escalation_policies WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("escalation_policies_pkey", Constraint::Unique("id")),
        (
            "escalation_policies_tenant_id_name_key",
            Constraint::Unique("name"),
        ),
    ],
};

/// What a missing channel of a stage is: the channel not found.
pub(crate) fn missing_channel() -> StorageError {
    StorageError::NotFound { entity: "channel" }
}

impl PgNotify {
    /// Refuses stages paging a channel the tenant does not have.
    async fn check_channels(
        &self,
        work: &mut crate::work::Work,
        fields: &PolicyFields,
    ) -> Result<(), StorageError> {
        let wanted = fields.channels();
        let found: i64 = work
            .on(&ESCALATION_POLICIES, "checking a policy's channels")
            .one(
                sqlx::query_scalar("SELECT count(*) FROM notify.channels WHERE id = ANY($1)")
                    .bind(&wanted),
            )
            .await?;
        if found != wanted.len() as i64 {
            return Err(missing_channel());
        }
        Ok(())
    }
}

#[async_trait]
impl EscalationPolicyRepository for PgNotify {
    async fn get_policy(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<EscalationPolicy>, StorageError> {
        self.source
            .get_by_id(
                ctx,
                &ESCALATION_POLICIES,
                "reading an escalation policy",
                id,
            )
            .await
    }

    async fn list_policies(
        &self,
        ctx: &TenantContext,
    ) -> Result<Vec<EscalationPolicy>, StorageError> {
        self.source
            .call(ctx, &ESCALATION_POLICIES, "listing escalation policies")
            .all(sqlx::query_as::<_, EscalationPolicy>(concat!(
                "SELECT ",
                policy_columns!(),
                " FROM notify.escalation_policies ORDER BY name, id"
            )))
            .await
    }

    async fn create_policy(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PolicyFields,
    ) -> Result<EscalationPolicy, StorageError> {
        let fields = fields.normalized()?;
        let mut work = self.source.work(ctx).await?;
        self.check_channels(&mut work, &fields).await?;
        let policy = work
            .on(&ESCALATION_POLICIES, "creating an escalation policy")
            .one(
                sqlx::query_as::<_, EscalationPolicy>(concat!(
                    "INSERT INTO notify.escalation_policies (tenant_id, id, name, enabled, steps, \
                     repeat_count, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                     RETURNING ",
                    policy_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(id)
                .bind(&fields.name)
                .bind(fields.enabled)
                .bind(Json(&fields.steps))
                .bind(fields.repeat_count)
                .bind(self.clock.now()),
            )
            .await?;
        work.commit().await?;
        Ok(policy)
    }

    async fn update_policy(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PolicyFields,
    ) -> Result<EscalationPolicy, StorageError> {
        let fields = fields.normalized()?;
        let mut work = self.source.work(ctx).await?;
        self.check_channels(&mut work, &fields).await?;
        let policy = work
            .on(&ESCALATION_POLICIES, "updating an escalation policy")
            .one(
                sqlx::query_as::<_, EscalationPolicy>(concat!(
                    "UPDATE notify.escalation_policies SET name = $2, enabled = $3, steps = $4, \
                     repeat_count = $5, updated_at = $6 WHERE id = $1 RETURNING ",
                    policy_columns!()
                ))
                .bind(id)
                .bind(&fields.name)
                .bind(fields.enabled)
                .bind(Json(&fields.steps))
                .bind(fields.repeat_count)
                .bind(self.clock.now()),
            )
            .await?;
        work.commit().await?;
        Ok(policy)
    }

    async fn delete_policy(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let deleted = self
            .source
            .call(ctx, &ESCALATION_POLICIES, "deleting an escalation policy")
            .execute(sqlx::query("DELETE FROM notify.escalation_policies WHERE id = $1").bind(id))
            .await?;
        Ok(deleted == 1)
    }
}
