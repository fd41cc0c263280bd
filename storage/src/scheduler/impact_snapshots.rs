//! Impact snapshots (`scheduler.impact_snapshots`): the images a run's
//! selector matched, on PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::Constraint;
use crate::table::Table;
use crate::{Clock, DataSource, StorageError, TenantContext, input};

/// The images a run's selector matched at a time (`scheduler.impact_snapshots`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ImpactSnapshot {
    pub tenant_id: String,
    pub id: Uuid,
    pub run_id: Option<Uuid>,
    pub snapshot_id: String,
    pub selector: Value,
    pub images: Value,
    pub image_count: i32,
    pub generated_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A snapshot to store; the image count is taken from `images`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImpactSnapshot {
    pub id: Uuid,
    pub run_id: Option<Uuid>,
    pub snapshot_id: String,
    pub selector: Value,
    /// A JSON array of images.
    pub images: Value,
    pub generated_at: DateTime<Utc>,
}

/// The most images one snapshot holds.
pub const MAX_SNAPSHOT_IMAGES: usize = 10_000;
/// The most snapshots one list returns.
pub const MAX_SNAPSHOT_LIST: i64 = 500;

macro_rules! snapshot_columns {
    () => {
        "tenant_id, id, run_id, snapshot_id, selector, images, image_count, generated_at, \
         created_at"
    };
}

pub(crate) const IMPACT_SNAPSHOTS: Table = Table {
    name: "scheduler.impact_snapshots",
    entity: "impact snapshot",
    columns: snapshot_columns!(),
    by_id: None,
    unread: &[],
    constraints: &[
        ("impact_snapshots_pkey", Constraint::Unique("id")),
        (
            "impact_snapshots_tenant_id_snapshot_id_key",
            Constraint::Unique("snapshot id"),
        ),
        (
            "impact_snapshots_tenant_id_run_id_fkey",
            Constraint::References("run"),
        ),
    ],
};

/// Impact snapshots on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgImpactSnapshots {
    source: DataSource,
    clock: Arc<dyn Clock>,
}

impl PgImpactSnapshots {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgImpactSnapshots { source, clock }
    }

    pub async fn create(
        &self,
        ctx: &TenantContext,
        snapshot: &NewImpactSnapshot,
    ) -> Result<ImpactSnapshot, StorageError> {
        input::key("snapshot id", &snapshot.snapshot_id)?;
        input::json_object("selector", &snapshot.selector)?;
        let count = match &snapshot.images {
            Value::Array(images) if images.len() <= MAX_SNAPSHOT_IMAGES => images.len(),
            Value::Array(images) => {
                return Err(StorageError::invalid(
                    "images",
                    format!(
                        "has {} entries; at most {MAX_SNAPSHOT_IMAGES} are allowed",
                        images.len()
                    ),
                ));
            }
            _ => return Err(StorageError::invalid("images", "must be a JSON array")),
        };
        // Checked as an object, for the size and NUL rules.
        input::json_object("images", &serde_json::json!({ "images": snapshot.images }))?;
        let now = self.clock.now();
        self.source
            .call(ctx, &IMPACT_SNAPSHOTS, "storing an impact snapshot")
            .one(
                sqlx::query_as::<_, ImpactSnapshot>(concat!(
                    "INSERT INTO scheduler.impact_snapshots (tenant_id, id, run_id, snapshot_id, \
               selector, images, image_count, generated_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ",
                    snapshot_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(snapshot.id)
                .bind(snapshot.run_id)
                .bind(&snapshot.snapshot_id)
                .bind(&snapshot.selector)
                .bind(&snapshot.images)
                .bind(count as i32)
                .bind(crate::clock::to_micros(snapshot.generated_at))
                .bind(now),
            )
            .await
    }

    /// A snapshot by its snapshot id (unique per tenant).
    pub async fn by_snapshot_id(
        &self,
        ctx: &TenantContext,
        snapshot_id: &str,
    ) -> Result<Option<ImpactSnapshot>, StorageError> {
        input::key("snapshot id", snapshot_id)?;
        self.source
            .call(ctx, &IMPACT_SNAPSHOTS, "reading an impact snapshot")
            .optional(
                sqlx::query_as::<_, ImpactSnapshot>(concat!(
                    "SELECT ",
                    snapshot_columns!(),
                    " FROM scheduler.impact_snapshots WHERE snapshot_id = $1"
                ))
                .bind(snapshot_id),
            )
            .await
    }

    /// A run's snapshots by generation time (then id), at most `limit`.
    pub async fn of_run(
        &self,
        ctx: &TenantContext,
        run_id: Uuid,
        limit: i64,
    ) -> Result<Vec<ImpactSnapshot>, StorageError> {
        let limit = input::limit("limit", limit, MAX_SNAPSHOT_LIST)?;
        self.source
            .call(ctx, &IMPACT_SNAPSHOTS, "listing impact snapshots")
            .all(
                sqlx::query_as::<_, ImpactSnapshot>(concat!(
                    "SELECT ",
                    snapshot_columns!(),
                    " FROM scheduler.impact_snapshots WHERE run_id = $1 \
             ORDER BY generated_at, id LIMIT $2"
                ))
                .bind(run_id)
                .bind(limit),
            )
            .await
    }
}
