//! Notify's audit trail (`notify.audit`): append-only entries per entity;
//! trait and PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::kinds::{ActorType, AuditCategory};
use super::postgres::PgNotify;
use crate::error::Constraint;
use crate::page::{Page, PageRequest};
use crate::table::Table;
use crate::work::TimeKeyset;
use crate::{StorageError, TenantContext, input};

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub tenant_id: String,
    pub id: Uuid,
    #[sqlx(try_from = "String")]
    pub category: AuditCategory,
    pub action: String,
    pub entity_id: String,
    pub actor: String,
    #[sqlx(try_from = "String")]
    pub actor_type: ActorType,
    pub correlation_id: Option<String>,
    pub payload: Value,
    pub occurred_at: DateTime<Utc>,
}

/// An entry to append; it occurs at the injected now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub id: Uuid,
    pub category: AuditCategory,
    pub action: String,
    pub entity_id: String,
    pub actor: String,
    pub actor_type: ActorType,
    pub correlation_id: Option<String>,
    pub payload: Value,
}

impl NewAuditEntry {
    pub fn new(
        category: AuditCategory,
        action: impl Into<String>,
        entity_id: impl Into<String>,
        actor: impl Into<String>,
        actor_type: ActorType,
    ) -> Self {
        NewAuditEntry {
            id: Uuid::new_v4(),
            category,
            action: action.into(),
            entity_id: entity_id.into(),
            actor: actor.into(),
            actor_type,
            correlation_id: None,
            payload: Value::Object(Default::default()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("audit action", &self.action)?;
        input::key("entity id", &self.entity_id)?;
        input::key("actor", &self.actor)?;
        if let Some(correlation) = &self.correlation_id {
            input::key("correlation id", correlation)?;
        }
        input::json_object("audit payload", &self.payload)?;
        Ok(())
    }
}

/// Notify's audit trail: append and read, never change.
#[async_trait]
pub trait AuditRepository: Send + Sync + std::fmt::Debug {
    async fn append_audit(
        &self,
        ctx: &TenantContext,
        entry: &NewAuditEntry,
    ) -> Result<AuditEntry, StorageError>;
    /// Keyset pages of one entity's entries, oldest first, by
    /// (occurred_at, id).
    async fn audit_of(
        &self,
        ctx: &TenantContext,
        category: AuditCategory,
        entity_id: &str,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>, StorageError>;
}

macro_rules! audit_columns {
    () => {
        "tenant_id, id, category, action, entity_id, actor, actor_type, correlation_id, payload, \
         occurred_at"
    };
}

pub(crate) const AUDIT: Table = Table {
    name: "notify.audit",
    entity: "audit entry",
    columns: audit_columns!(),
    by_id: None,
    unread: &[],
    constraints: &[("audit_pkey", Constraint::Unique("id"))],
};

#[async_trait]
impl AuditRepository for PgNotify {
    async fn append_audit(
        &self,
        ctx: &TenantContext,
        entry: &NewAuditEntry,
    ) -> Result<AuditEntry, StorageError> {
        entry.validate()?;
        self.source
            .call(ctx, &AUDIT, "appending an audit entry")
            .one(
                sqlx::query_as::<_, AuditEntry>(concat!(
                    "INSERT INTO notify.audit (tenant_id, id, category, action, entity_id, actor, \
                     actor_type, correlation_id, payload, occurred_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ",
                    audit_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(entry.id)
                .bind(entry.category.as_str())
                .bind(&entry.action)
                .bind(&entry.entity_id)
                .bind(&entry.actor)
                .bind(entry.actor_type.as_str())
                .bind(&entry.correlation_id)
                .bind(&entry.payload)
                .bind(self.clock.now()),
            )
            .await
    }

    async fn audit_of(
        &self,
        ctx: &TenantContext,
        category: AuditCategory,
        entity_id: &str,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>, StorageError> {
        input::key("entity id", entity_id)?;
        self.source
            .time_keyset_page(
                ctx,
                &AUDIT,
                "reading an audit trail",
                TimeKeyset {
                    page,
                    forward: concat!(
                        "SELECT ",
                        audit_columns!(),
                        " FROM notify.audit WHERE category = $1 AND entity_id = $2 \
                         AND ($3::timestamptz IS NULL OR (occurred_at, id) > ($3, $4)) \
                         ORDER BY occurred_at, id LIMIT $5"
                    ),
                    backward: concat!(
                        "SELECT ",
                        audit_columns!(),
                        " FROM notify.audit WHERE category = $1 AND entity_id = $2 \
                         AND ($3::timestamptz IS NULL OR (occurred_at, id) < ($3, $4)) \
                         ORDER BY occurred_at DESC, id DESC LIMIT $5"
                    ),
                },
                |q| q.bind(category.as_str()).bind(entity_id.to_owned()),
                |e: &AuditEntry| (e.occurred_at, e.id),
            )
            .await
    }
}
