//! The scheduler's audit trail (`scheduler.audit`): append and per-entity
//! reads, on PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::kinds::{ActorType, AuditCategory};
use crate::error::{Constraint, ConstraintMap, classify};
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

const AUDIT_CONSTRAINTS: ConstraintMap = &[("audit_pkey", Constraint::Unique("id"))];

macro_rules! audit_columns {
    () => {
        "tenant_id, id, category, action, entity_id, actor, actor_type, correlation_id, \
         payload, occurred_at"
    };
}

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
        let mut tx = self.source.tenant(ctx).await?;
        let recorded = sqlx::query_as::<_, AuditEntry>(concat!(
            "INSERT INTO scheduler.audit (tenant_id, id, category, action, entity_id, actor, \
               actor_type, correlation_id, payload, occurred_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ",
            audit_columns!()
        ))
        .persistent(self.source.prepared())
        .bind(ctx.tenant().as_str())
        .bind(entry.id)
        .bind(entry.category.as_str())
        .bind(&entry.action)
        .bind(&entry.entity_id)
        .bind(&entry.actor)
        .bind(entry.actor_type.as_str())
        .bind(&entry.correlation_id)
        .bind(&entry.payload)
        .bind(now)
        .fetch_one(tx.conn())
        .await
        .map_err(|e| {
            classify(
                e,
                "recording an audit entry",
                "audit entry",
                AUDIT_CONSTRAINTS,
            )
        })?;
        tx.commit().await?;
        Ok(recorded)
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
        let mut tx = self.source.tenant(ctx).await?;
        let entries = sqlx::query_as::<_, AuditEntry>(concat!(
            "SELECT ",
            audit_columns!(),
            " FROM scheduler.audit WHERE category = $1 AND entity_id = $2 \
             ORDER BY occurred_at, id LIMIT $3"
        ))
        .persistent(self.source.prepared())
        .bind(category.as_str())
        .bind(entity_id)
        .bind(limit)
        .fetch_all(tx.conn())
        .await
        .map_err(|e| {
            classify(
                e,
                "reading the audit trail",
                "audit entry",
                AUDIT_CONSTRAINTS,
            )
        })?;
        tx.commit().await?;
        Ok(entries)
    }
}
