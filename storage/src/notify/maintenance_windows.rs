//! Maintenance windows (`notify.maintenance_windows`): spans of instants in
//! which events of some kinds (or all) are suppressed; trait and PostgreSQL
//! implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::postgres::PgNotify;
use crate::error::Constraint;
use crate::page::{Page, PageRequest};
use crate::table::Table;
use crate::work::TimeKeyset;
use crate::{StorageError, TenantContext, input};

/// A maintenance window of one tenant: [starts_at, ends_at).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MaintenanceWindow {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// The event kinds it suppresses; every kind when empty.
    pub suppressed_event_kinds: Vec<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl MaintenanceWindow {
    /// Whether it suppresses `event_kind` at `at`.
    pub fn suppresses(&self, event_kind: &str, at: DateTime<Utc>) -> bool {
        self.starts_at <= at
            && at < self.ends_at
            && (self.suppressed_event_kinds.is_empty()
                || self.suppressed_event_kinds.iter().any(|k| k == event_kind))
    }
}

/// A maintenance window to schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMaintenanceWindow {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub suppressed_event_kinds: Vec<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
}

impl NewMaintenanceWindow {
    /// The window as stored: instants to the microsecond, kinds sorted and
    /// once each. Refuses a window that ends before it starts (or when it
    /// starts).
    pub(crate) fn normalized(&self) -> Result<NewMaintenanceWindow, StorageError> {
        input::key("maintenance window name", &self.name)?;
        input::optional_text("description", self.description.as_deref())?;
        input::keys("event kind", &self.suppressed_event_kinds)?;
        input::key("created by", &self.created_by)?;
        let starts_at = crate::clock::to_micros(self.starts_at);
        let ends_at = crate::clock::to_micros(self.ends_at);
        if ends_at <= starts_at {
            return Err(StorageError::invalid(
                "maintenance window",
                format!("ends at {ends_at}, not after it starts at {starts_at}"),
            ));
        }
        let mut kinds = self.suppressed_event_kinds.clone();
        kinds.sort();
        kinds.dedup();
        Ok(NewMaintenanceWindow {
            suppressed_event_kinds: kinds,
            starts_at,
            ends_at,
            ..self.clone()
        })
    }
}

/// Notify's maintenance windows.
#[async_trait]
pub trait MaintenanceWindowRepository: Send + Sync + std::fmt::Debug {
    async fn schedule_maintenance(
        &self,
        ctx: &TenantContext,
        window: &NewMaintenanceWindow,
    ) -> Result<MaintenanceWindow, StorageError>;
    async fn get_maintenance(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<MaintenanceWindow>, StorageError>;
    /// Keyset pages of the tenant's windows, by (starts_at, id).
    async fn list_maintenance(
        &self,
        ctx: &TenantContext,
        page: &PageRequest,
    ) -> Result<Page<MaintenanceWindow>, StorageError>;
    async fn cancel_maintenance(&self, ctx: &TenantContext, id: Uuid)
    -> Result<bool, StorageError>;
    /// The window suppressing `event_kind` at `at` that ends last (then by
    /// id), if any.
    async fn suppressing(
        &self,
        ctx: &TenantContext,
        event_kind: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<MaintenanceWindow>, StorageError>;
}

macro_rules! maintenance_columns {
    () => {
        "tenant_id, id, name, description, suppressed_event_kinds, starts_at, ends_at, \
         created_by, created_at"
    };
}

pub(crate) const MAINTENANCE_WINDOWS: Table = Table {
    name: "notify.maintenance_windows",
    entity: "maintenance window",
    columns: maintenance_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        maintenance_columns!(),
        " FROM notify.maintenance_windows WHERE id = $1"
    )),
    unread: &[],
    constraints: &[("maintenance_windows_pkey", Constraint::Unique("id"))],
};

#[async_trait]
impl MaintenanceWindowRepository for PgNotify {
    async fn schedule_maintenance(
        &self,
        ctx: &TenantContext,
        window: &NewMaintenanceWindow,
    ) -> Result<MaintenanceWindow, StorageError> {
        let w = window.normalized()?;
        self.source
            .call(ctx, &MAINTENANCE_WINDOWS, "scheduling a maintenance window")
            .one(
                sqlx::query_as::<_, MaintenanceWindow>(concat!(
                    "INSERT INTO notify.maintenance_windows (tenant_id, id, name, description, \
                     suppressed_event_kinds, starts_at, ends_at, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ",
                    maintenance_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(w.id)
                .bind(&w.name)
                .bind(&w.description)
                .bind(&w.suppressed_event_kinds)
                .bind(w.starts_at)
                .bind(w.ends_at)
                .bind(&w.created_by)
                .bind(self.clock.now()),
            )
            .await
    }

    async fn get_maintenance(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<MaintenanceWindow>, StorageError> {
        self.source
            .get_by_id(
                ctx,
                &MAINTENANCE_WINDOWS,
                "reading a maintenance window",
                id,
            )
            .await
    }

    async fn list_maintenance(
        &self,
        ctx: &TenantContext,
        page: &PageRequest,
    ) -> Result<Page<MaintenanceWindow>, StorageError> {
        self.source
            .time_keyset_page(
                ctx,
                &MAINTENANCE_WINDOWS,
                "listing maintenance windows",
                TimeKeyset {
                    page,
                    forward: concat!(
                        "SELECT ",
                        maintenance_columns!(),
                        " FROM notify.maintenance_windows \
                         WHERE ($1::timestamptz IS NULL OR (starts_at, id) > ($1, $2)) \
                         ORDER BY starts_at, id LIMIT $3"
                    ),
                    backward: concat!(
                        "SELECT ",
                        maintenance_columns!(),
                        " FROM notify.maintenance_windows \
                         WHERE ($1::timestamptz IS NULL OR (starts_at, id) < ($1, $2)) \
                         ORDER BY starts_at DESC, id DESC LIMIT $3"
                    ),
                },
                |q| q,
                |w: &MaintenanceWindow| (w.starts_at, w.id),
            )
            .await
    }

    async fn cancel_maintenance(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<bool, StorageError> {
        let deleted = self
            .source
            .call(ctx, &MAINTENANCE_WINDOWS, "cancelling a maintenance window")
            .execute(sqlx::query("DELETE FROM notify.maintenance_windows WHERE id = $1").bind(id))
            .await?;
        Ok(deleted == 1)
    }

    async fn suppressing(
        &self,
        ctx: &TenantContext,
        event_kind: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<MaintenanceWindow>, StorageError> {
        input::key("event kind", event_kind)?;
        self.source
            .call(
                ctx,
                &MAINTENANCE_WINDOWS,
                "finding a suppressing maintenance window",
            )
            .optional(
                sqlx::query_as::<_, MaintenanceWindow>(concat!(
                    "SELECT ",
                    maintenance_columns!(),
                    " FROM notify.maintenance_windows \
                     WHERE starts_at <= $1 AND ends_at > $1 \
                       AND (cardinality(suppressed_event_kinds) = 0 \
                            OR $2 = ANY(suppressed_event_kinds)) \
                     ORDER BY ends_at DESC, id LIMIT 1"
                ))
                .bind(crate::clock::to_micros(at))
                .bind(event_kind),
            )
            .await
    }
}
