//! The scheduler's audit trail (`scheduler.audit`): append and per-entity
//! reads, on PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::kinds::{ActorType, AuditCategory};
use crate::error::Constraint;
use crate::table::Table;
use crate::{Clock, DataSource, StorageError, TenantContext, input};

/// Who did what to which scheduler entity (`scheduler.audit`).
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

/// An entry to record; it is stamped with the clock's now.
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
}

/// The most entries one read returns.
pub const MAX_AUDIT_LIST: i64 = 1_000;

macro_rules! audit_columns {
    () => {
        "tenant_id, id, category, action, entity_id, actor, actor_type, correlation_id, \
         payload, occurred_at"
    };
}

pub(crate) const AUDIT: Table = Table {
    name: "scheduler.audit",
    entity: "audit entry",
    columns: audit_columns!(),
    by_id: None,
    unread: &[],
    constraints: &[("audit_pkey", Constraint::Unique("id"))],
};

/// The scheduler's audit trail on PostgreSQL: append-only.
#[derive(Debug, Clone)]
pub struct PgAudit {
    source: DataSource,
    clock: Arc<dyn Clock>,
}

impl PgAudit {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgAudit { source, clock }
    }

    pub async fn record(
        &self,
        ctx: &TenantContext,
        entry: &NewAuditEntry,
    ) -> Result<AuditEntry, StorageError> {
        input::key("action", &entry.action)?;
        input::key("entity id", &entry.entity_id)?;
        input::key("actor", &entry.actor)?;
        input::optional_text("correlation id", entry.correlation_id.as_deref())?;
        input::json_object("payload", &entry.payload)?;
        let now = self.clock.now();
        let statement = sqlx::query_as::<_, AuditEntry>(concat!(
            "INSERT INTO scheduler.audit (tenant_id, id, category, action, entity_id, actor, \
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
        .bind(now);
        self.source
            .call(ctx, &AUDIT, "recording an audit entry")
            .one(statement)
            .await
    }

    /// One entity's trail, oldest first, at most `limit`.
    pub async fn of_entity(
        &self,
        ctx: &TenantContext,
        category: AuditCategory,
        entity_id: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        input::key("entity id", entity_id)?;
        let limit = input::limit("limit", limit, MAX_AUDIT_LIST)?;
        self.source
            .call(ctx, &AUDIT, "reading the audit trail")
            .all(
                sqlx::query_as::<_, AuditEntry>(concat!(
                    "SELECT ",
                    audit_columns!(),
                    " FROM scheduler.audit WHERE category = $1 AND entity_id = $2 \
             ORDER BY occurred_at, id LIMIT $3"
                ))
                .bind(category.as_str())
                .bind(entity_id)
                .bind(limit),
            )
            .await
    }
}
