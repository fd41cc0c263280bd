//! Rules (`notify.rules`): which events go to which channel, with which
//! template; trait and PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::kinds::DigestMode;
use super::postgres::PgNotify;
use crate::error::Constraint;
use crate::table::Table;
use crate::work::RowQuery;
use crate::{StorageError, TenantContext, input};

/// The longest throttle a rule may ask for: a week.
pub const MAX_THROTTLE_SECONDS: i32 = 7 * 24 * 3600;

/// A rule of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Rule {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    pub enabled: bool,
    pub priority: i32,
    pub event_kinds: Vec<String>,
    pub filter: Value,
    pub channel_id: Uuid,
    pub template_id: Option<Uuid>,
    pub throttle_seconds: i32,
    #[sqlx(try_from = "String")]
    pub digest: DigestMode,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The fields a caller sets on create and update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFields {
    pub name: String,
    pub enabled: bool,
    pub priority: i32,
    pub event_kinds: Vec<String>,
    pub filter: Value,
    pub channel_id: Uuid,
    pub template_id: Option<Uuid>,
    pub throttle_seconds: i32,
    pub digest: DigestMode,
}

impl RuleFields {
    pub fn new(name: impl Into<String>, event_kind: impl Into<String>, channel_id: Uuid) -> Self {
        RuleFields {
            name: name.into(),
            enabled: true,
            priority: 0,
            event_kinds: vec![event_kind.into()],
            filter: Value::Object(Default::default()),
            channel_id,
            template_id: None,
            throttle_seconds: 0,
            digest: DigestMode::Instant,
        }
    }

    /// Binds the fields, in this order, after the statement's own
    /// parameters: create and update write them alike.
    fn bind<'q, O>(&'q self, statement: RowQuery<'q, O>) -> RowQuery<'q, O> {
        statement
            .bind(&self.name)
            .bind(self.enabled)
            .bind(self.priority)
            .bind(&self.event_kinds)
            .bind(&self.filter)
            .bind(self.channel_id)
            .bind(self.template_id)
            .bind(self.throttle_seconds)
            .bind(self.digest.as_str())
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("rule name", &self.name)?;
        input::keys("event kind", &self.event_kinds)?;
        input::json_object("rule filter", &self.filter)?;
        if !(0..=MAX_THROTTLE_SECONDS).contains(&self.throttle_seconds) {
            return Err(StorageError::invalid(
                "throttle seconds",
                format!(
                    "{} is not allowed; ask for 0 to {MAX_THROTTLE_SECONDS}",
                    self.throttle_seconds
                ),
            ));
        }
        Ok(())
    }
}

/// Notify's rule repository.
#[async_trait]
pub trait RuleRepository: Send + Sync + std::fmt::Debug {
    async fn get_rule(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Rule>, StorageError>;
    /// The tenant's rules by name.
    async fn list_rules(&self, ctx: &TenantContext) -> Result<Vec<Rule>, StorageError>;
    /// The enabled rules an event of `event_kind` matches, in a total
    /// order: priority (highest first), then name, then id.
    async fn matching_rules(
        &self,
        ctx: &TenantContext,
        event_kind: &str,
    ) -> Result<Vec<Rule>, StorageError>;
    async fn create_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RuleFields,
    ) -> Result<Rule, StorageError>;
    async fn update_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RuleFields,
    ) -> Result<Rule, StorageError>;
    async fn delete_rule(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
}

macro_rules! rule_columns {
    () => {
        "tenant_id, id, name, enabled, priority, event_kinds, filter, channel_id, template_id, \
         throttle_seconds, digest, created_at, updated_at"
    };
}

pub(crate) const RULES: Table = Table {
    name: "notify.rules",
    entity: "rule",
    columns: rule_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        rule_columns!(),
        " FROM notify.rules WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("rules_pkey", Constraint::Unique("id")),
        ("rules_tenant_id_name_key", Constraint::Unique("name")),
        (
            "rules_tenant_id_channel_id_fkey",
            Constraint::References("channel"),
        ),
        (
            "rules_tenant_id_template_id_fkey",
            Constraint::References("template"),
        ),
    ],
};

#[async_trait]
impl RuleRepository for PgNotify {
    async fn get_rule(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Rule>, StorageError> {
        self.source
            .get_by_id(ctx, &RULES, "reading a rule", id)
            .await
    }

    async fn list_rules(&self, ctx: &TenantContext) -> Result<Vec<Rule>, StorageError> {
        let statement = sqlx::query_as::<_, Rule>(concat!(
            "SELECT ",
            rule_columns!(),
            " FROM notify.rules ORDER BY name, id"
        ));
        self.source
            .call(ctx, &RULES, "listing rules")
            .all(statement)
            .await
    }

    async fn matching_rules(
        &self,
        ctx: &TenantContext,
        event_kind: &str,
    ) -> Result<Vec<Rule>, StorageError> {
        input::key("event kind", event_kind)?;
        let statement = sqlx::query_as::<_, Rule>(concat!(
            "SELECT ",
            rule_columns!(),
            " FROM notify.rules WHERE enabled AND $1 = ANY (event_kinds) \
             ORDER BY priority DESC, name, id"
        ))
        .bind(event_kind);
        self.source
            .call(ctx, &RULES, "matching rules")
            .all(statement)
            .await
    }

    async fn create_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RuleFields,
    ) -> Result<Rule, StorageError> {
        fields.validate()?;
        let statement = sqlx::query_as::<_, Rule>(concat!(
            "INSERT INTO notify.rules (tenant_id, id, name, enabled, priority, event_kinds, \
             filter, channel_id, template_id, throttle_seconds, digest, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING ",
            rule_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(id);
        let statement = fields.bind(statement).bind(self.clock.now());
        self.source
            .call(ctx, &RULES, "creating a rule")
            .one(statement)
            .await
    }

    async fn update_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RuleFields,
    ) -> Result<Rule, StorageError> {
        fields.validate()?;
        let statement = sqlx::query_as::<_, Rule>(concat!(
            "UPDATE notify.rules SET name = $2, enabled = $3, priority = $4, event_kinds = $5, \
             filter = $6, channel_id = $7, template_id = $8, throttle_seconds = $9, digest = $10, \
             updated_at = $11 WHERE id = $1 RETURNING ",
            rule_columns!()
        ))
        .bind(id);
        let statement = fields.bind(statement).bind(self.clock.now());
        self.source
            .call(ctx, &RULES, "updating a rule")
            .one(statement)
            .await
    }

    async fn delete_rule(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let statement = sqlx::query("DELETE FROM notify.rules WHERE id = $1").bind(id);
        let deleted = self
            .source
            .call(ctx, &RULES, "deleting a rule")
            .execute(statement)
            .await?;
        Ok(deleted == 1)
    }
}
