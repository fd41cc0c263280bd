//! An audit trail, the same in every module that keeps one: entries
//! appended per entity and never changed, read in keyset pages by
//! (occurred_at, id). Each module names its categories and its table;
//! the entries, the repository trait and both backends are written here
//! once.

use std::fmt::Debug;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, Row};
use uuid::Uuid;

use crate::memory_rows::{Rows, key, keyset_page, of_tenant};
use crate::page::{Page, PageRequest, parse_time_key, time_key};
use crate::table::Table;
use crate::text_enum::text_enum;
use crate::work::TimeKeyset;
use crate::{DataSource, StorageError, TenantContext, input};

text_enum!(
    /// Who acted, by kind (`<schema>.audit.actor_type`).
    ActorType, "actor type" { User => "user", Service => "service", System => "system" }
);

/// A module's audit categories (its table's CHECK list).
pub trait Category:
    Copy + Eq + Debug + Serialize + FromStr<Err = String> + Send + Sync + Unpin + 'static
{
    fn text(self) -> &'static str;
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry<C> {
    pub tenant_id: String,
    pub id: Uuid,
    pub category: C,
    pub action: String,
    pub entity_id: String,
    pub actor: String,
    pub actor_type: ActorType,
    pub correlation_id: Option<String>,
    pub payload: Value,
    pub occurred_at: DateTime<Utc>,
}

impl<'r, C: Category> FromRow<'r, PgRow> for AuditEntry<C> {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        let decode = |column: &str, e: String| sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: e.into(),
        };
        let category: String = row.try_get("category")?;
        let actor_type: String = row.try_get("actor_type")?;
        Ok(AuditEntry {
            tenant_id: row.try_get("tenant_id")?,
            id: row.try_get("id")?,
            category: category.parse().map_err(|e| decode("category", e))?,
            action: row.try_get("action")?,
            entity_id: row.try_get("entity_id")?,
            actor: row.try_get("actor")?,
            actor_type: actor_type.parse().map_err(|e| decode("actor_type", e))?,
            correlation_id: row.try_get("correlation_id")?,
            payload: row.try_get("payload")?,
            occurred_at: row.try_get("occurred_at")?,
        })
    }
}

/// An entry to append; it occurs at the injected now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry<C> {
    pub id: Uuid,
    pub category: C,
    pub action: String,
    pub entity_id: String,
    pub actor: String,
    pub actor_type: ActorType,
    pub correlation_id: Option<String>,
    pub payload: Value,
}

impl<C: Category> NewAuditEntry<C> {
    pub fn new(
        category: C,
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

    fn appended(&self, ctx: &TenantContext, now: DateTime<Utc>) -> AuditEntry<C> {
        AuditEntry {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: self.id,
            category: self.category,
            action: self.action.clone(),
            entity_id: self.entity_id.clone(),
            actor: self.actor.clone(),
            actor_type: self.actor_type,
            correlation_id: self.correlation_id.clone(),
            payload: self.payload.clone(),
            occurred_at: now,
        }
    }
}

/// An audit trail: append and read, never change.
#[async_trait]
pub trait AuditRepository<C: Category>: Send + Sync + Debug {
    async fn append_audit(
        &self,
        ctx: &TenantContext,
        entry: &NewAuditEntry<C>,
    ) -> Result<AuditEntry<C>, StorageError>;
    /// Keyset pages of one entity's entries, oldest first, by
    /// (occurred_at, id).
    async fn audit_of(
        &self,
        ctx: &TenantContext,
        category: C,
        entity_id: &str,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry<C>>, StorageError>;
}

/// The columns of every audit table.
macro_rules! audit_columns {
    () => {
        "tenant_id, id, category, action, entity_id, actor, actor_type, correlation_id, payload, \
         occurred_at"
    };
}

/// A module's audit table and its statements: `trail!("notify")`.
macro_rules! trail {
    ($schema:literal) => {
        crate::audit::Trail {
            table: crate::table::Table {
                name: concat!($schema, ".audit"),
                entity: "audit entry",
                columns: crate::audit::audit_columns!(),
                by_id: None,
                unread: &[],
                constraints: &[("audit_pkey", crate::error::Constraint::Unique("id"))],
            },
            insert: concat!(
                "INSERT INTO ",
                $schema,
                ".audit (tenant_id, id, category, action, entity_id, actor, actor_type, \
                 correlation_id, payload, occurred_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ",
                crate::audit::audit_columns!()
            ),
            forward: concat!(
                "SELECT ",
                crate::audit::audit_columns!(),
                " FROM ",
                $schema,
                ".audit WHERE category = $1 AND entity_id = $2 \
                 AND ($3::timestamptz IS NULL OR (occurred_at, id) > ($3, $4)) \
                 ORDER BY occurred_at, id LIMIT $5"
            ),
            backward: concat!(
                "SELECT ",
                crate::audit::audit_columns!(),
                " FROM ",
                $schema,
                ".audit WHERE category = $1 AND entity_id = $2 \
                 AND ($3::timestamptz IS NULL OR (occurred_at, id) < ($3, $4)) \
                 ORDER BY occurred_at DESC, id DESC LIMIT $5"
            ),
        }
    };
}

pub(crate) use {audit_columns, trail};

/// One module's audit table and the statements on it.
#[derive(Debug)]
pub(crate) struct Trail {
    pub table: Table,
    pub insert: &'static str,
    pub forward: &'static str,
    pub backward: &'static str,
}

impl Trail {
    pub(crate) async fn append<C: Category>(
        &'static self,
        source: &DataSource,
        ctx: &TenantContext,
        entry: &NewAuditEntry<C>,
        now: DateTime<Utc>,
    ) -> Result<AuditEntry<C>, StorageError> {
        entry.validate()?;
        source
            .call(ctx, &self.table, "appending an audit entry")
            .one(
                sqlx::query_as::<_, AuditEntry<C>>(self.insert)
                    .bind(ctx.tenant().as_str())
                    .bind(entry.id)
                    .bind(entry.category.text())
                    .bind(&entry.action)
                    .bind(&entry.entity_id)
                    .bind(&entry.actor)
                    .bind(entry.actor_type.as_str())
                    .bind(&entry.correlation_id)
                    .bind(&entry.payload)
                    .bind(now),
            )
            .await
    }

    pub(crate) async fn page<C: Category>(
        &'static self,
        source: &DataSource,
        ctx: &TenantContext,
        category: C,
        entity_id: &str,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry<C>>, StorageError> {
        input::key("entity id", entity_id)?;
        source
            .time_keyset_page(
                ctx,
                &self.table,
                "reading an audit trail",
                TimeKeyset {
                    page,
                    forward: self.forward,
                    backward: self.backward,
                },
                |q| q.bind(category.text()).bind(entity_id.to_owned()),
                |e: &AuditEntry<C>| (e.occurred_at, e.id),
            )
            .await
    }

    /// The memory backend's append, with the same refusals.
    pub(crate) fn append_in_memory<C: Category>(
        &self,
        rows: &mut Rows<AuditEntry<C>>,
        ctx: &TenantContext,
        entry: &NewAuditEntry<C>,
        now: DateTime<Utc>,
    ) -> Result<AuditEntry<C>, StorageError> {
        entry.validate()?;
        if rows.contains_key(&key(ctx, entry.id)) {
            return Err(self.table.violation("audit_pkey"));
        }
        let appended = entry.appended(ctx, now);
        rows.insert(key(ctx, entry.id), appended.clone());
        Ok(appended)
    }

    /// The memory backend's pages, in the same order.
    pub(crate) fn page_in_memory<C: Category>(
        rows: &Rows<AuditEntry<C>>,
        ctx: &TenantContext,
        category: C,
        entity_id: &str,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry<C>>, StorageError> {
        input::key("entity id", entity_id)?;
        let rows: Vec<AuditEntry<C>> = of_tenant(rows, ctx)
            .filter(|e| e.category == category && e.entity_id == entity_id)
            .cloned()
            .collect();
        keyset_page(
            rows,
            page,
            |e| (e.occurred_at, e.id),
            parse_time_key,
            |e| time_key(e.occurred_at, e.id),
        )
    }
}
