//! Rules of a pack version (`policy.rules`): keyed within their version,
//! ordered for evaluation by priority (highest first), then name, then id
//! (first match wins, so the order is total); changed only while their
//! version is a draft. Trait and PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::kinds::{RuleAction, RuleSeverity, VersionStatus, immutable};
use super::postgres::PgPolicy;
use super::versions::PACK_VERSIONS;
use crate::error::Constraint;
use crate::table::Table;
use crate::work::Work;
use crate::{StorageError, TenantContext, input};

/// Priorities run from `-MAX_RULE_PRIORITY` to `MAX_RULE_PRIORITY`.
pub const MAX_RULE_PRIORITY: i32 = 1_000_000;

/// A rule of one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PolicyRule {
    pub tenant_id: String,
    pub id: Uuid,
    pub pack_version_id: Uuid,
    pub rule_key: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub severity: RuleSeverity,
    #[sqlx(try_from = "String")]
    pub action: RuleAction,
    pub condition: Value,
    pub priority: i32,
    pub created_at: DateTime<Utc>,
}

/// The fields a caller sets on add and update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRuleFields {
    pub rule_key: String,
    pub name: String,
    pub severity: RuleSeverity,
    pub action: RuleAction,
    /// A JSON object.
    pub condition: Value,
    pub priority: i32,
}

impl PolicyRuleFields {
    pub fn new(rule_key: impl Into<String>, severity: RuleSeverity, action: RuleAction) -> Self {
        let rule_key = rule_key.into();
        PolicyRuleFields {
            name: rule_key.clone(),
            rule_key,
            severity,
            action,
            condition: Value::Object(Default::default()),
            priority: 0,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("rule key", &self.rule_key)?;
        input::text("rule name", &self.name)?;
        input::json_object("rule condition", &self.condition)?;
        if !(-MAX_RULE_PRIORITY..=MAX_RULE_PRIORITY).contains(&self.priority) {
            return Err(StorageError::invalid(
                "rule priority",
                format!(
                    "{} is out of range; ask for -{MAX_RULE_PRIORITY} to {MAX_RULE_PRIORITY}",
                    self.priority
                ),
            ));
        }
        Ok(())
    }
}

/// Policy's rule repository.
#[async_trait]
pub trait PolicyRuleRepository: Send + Sync + std::fmt::Debug {
    /// Adds a rule to a draft version.
    async fn add_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        version_id: Uuid,
        fields: &PolicyRuleFields,
    ) -> Result<PolicyRule, StorageError>;
    async fn get_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<PolicyRule>, StorageError>;
    /// Changes a rule of a draft version.
    async fn update_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PolicyRuleFields,
    ) -> Result<PolicyRule, StorageError>;
    /// Deletes a rule of a draft version.
    async fn delete_rule(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
    /// The version's rules in evaluation order: priority (highest first),
    /// then name, then id.
    async fn rules_of_version(
        &self,
        ctx: &TenantContext,
        version_id: Uuid,
    ) -> Result<Vec<PolicyRule>, StorageError>;
}

macro_rules! rule_columns {
    () => {
        "tenant_id, id, pack_version_id, rule_key, name, severity, action, condition, priority, \
         created_at"
    };
}

pub(crate) const RULES: Table = Table {
    name: "policy.rules",
    entity: "rule",
    columns: rule_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        rule_columns!(),
        " FROM policy.rules WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("rules_pkey", Constraint::Unique("id")),
        (
            "rules_tenant_id_pack_version_id_rule_key_key",
            Constraint::Unique("rule key"),
        ),
        (
            "rules_tenant_id_pack_version_id_fkey",
            Constraint::References("pack version"),
        ),
    ],
};

/// The status of version `id`, read FOR SHARE: a submission waits for the
/// rule change in flight, and a change after it sees the new status.
async fn draft_version(work: &mut Work, id: Uuid) -> Result<(), StorageError> {
    let status: String = work
        .on(&PACK_VERSIONS, "reading a version's status")
        .one(
            sqlx::query_scalar("SELECT status FROM policy.pack_versions WHERE id = $1 FOR SHARE")
                .bind(id),
        )
        .await?;
    let status: VersionStatus = status
        .parse()
        .map_err(|e: String| StorageError::invalid("pack version status", e))?;
    if status.frozen() {
        return Err(immutable("pack version", status));
    }
    Ok(())
}

/// The version rule `id` belongs to.
async fn version_of_rule(work: &mut Work, id: Uuid) -> Result<Option<Uuid>, StorageError> {
    work.on(&RULES, "reading a rule's version")
        .optional(
            sqlx::query_scalar("SELECT pack_version_id FROM policy.rules WHERE id = $1").bind(id),
        )
        .await
}

#[async_trait]
impl PolicyRuleRepository for PgPolicy {
    async fn add_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        version_id: Uuid,
        fields: &PolicyRuleFields,
    ) -> Result<PolicyRule, StorageError> {
        fields.validate()?;
        let mut work = self.source.work(ctx).await?;
        draft_version(&mut work, version_id).await?;
        let rule = work
            .on(&RULES, "adding a rule")
            .one(
                sqlx::query_as::<_, PolicyRule>(concat!(
                    "INSERT INTO policy.rules (tenant_id, id, pack_version_id, rule_key, name, \
                     severity, action, condition, priority, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ",
                    rule_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(id)
                .bind(version_id)
                .bind(&fields.rule_key)
                .bind(&fields.name)
                .bind(fields.severity.as_str())
                .bind(fields.action.as_str())
                .bind(&fields.condition)
                .bind(fields.priority)
                .bind(self.clock.now()),
            )
            .await?;
        work.commit().await?;
        Ok(rule)
    }

    async fn get_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<PolicyRule>, StorageError> {
        self.source
            .get_by_id(ctx, &RULES, "reading a rule", id)
            .await
    }

    async fn update_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PolicyRuleFields,
    ) -> Result<PolicyRule, StorageError> {
        fields.validate()?;
        let mut work = self.source.work(ctx).await?;
        let version = version_of_rule(&mut work, id)
            .await?
            .ok_or_else(|| RULES.not_found())?;
        draft_version(&mut work, version).await?;
        let rule = work
            .on(&RULES, "updating a rule")
            .one(
                sqlx::query_as::<_, PolicyRule>(concat!(
                    "UPDATE policy.rules SET rule_key = $2, name = $3, severity = $4, \
                     action = $5, condition = $6, priority = $7 WHERE id = $1 RETURNING ",
                    rule_columns!()
                ))
                .bind(id)
                .bind(&fields.rule_key)
                .bind(&fields.name)
                .bind(fields.severity.as_str())
                .bind(fields.action.as_str())
                .bind(&fields.condition)
                .bind(fields.priority),
            )
            .await?;
        work.commit().await?;
        Ok(rule)
    }

    async fn delete_rule(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut work = self.source.work(ctx).await?;
        let Some(version) = version_of_rule(&mut work, id).await? else {
            return Ok(false);
        };
        draft_version(&mut work, version).await?;
        let deleted = work
            .on(&RULES, "deleting a rule")
            .execute(sqlx::query("DELETE FROM policy.rules WHERE id = $1").bind(id))
            .await?;
        work.commit().await?;
        Ok(deleted == 1)
    }

    async fn rules_of_version(
        &self,
        ctx: &TenantContext,
        version_id: Uuid,
    ) -> Result<Vec<PolicyRule>, StorageError> {
        let statement = sqlx::query_as::<_, PolicyRule>(concat!(
            "SELECT ",
            rule_columns!(),
            " FROM policy.rules WHERE pack_version_id = $1 ORDER BY priority DESC, name, id"
        ))
        .bind(version_id);
        self.source
            .call(ctx, &RULES, "listing a version's rules")
            .all(statement)
            .await
    }
}
