//! Scheduler workers (`scheduler.workers`, global): heartbeats and
//! dead-worker rescue, on PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::error::Constraint;
use crate::table::Table;
use crate::{Clock, DataSource, StorageError, SystemContext, input};

/// A scheduler worker (`scheduler.workers`, a global table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Worker {
    pub id: String,
    pub hostname: String,
    pub process_id: Option<i32>,
    pub kinds: Vec<String>,
    pub status: String,
    pub capacity: i32,
    pub started_at: DateTime<Utc>,
    pub last_heartbeat_at: DateTime<Utc>,
}

macro_rules! worker_columns {
    () => {
        "id, hostname, process_id, kinds, status, capacity, started_at, last_heartbeat_at"
    };
}

pub(crate) const WORKERS: Table = Table {
    name: "scheduler.workers",
    entity: "worker",
    columns: worker_columns!(),
    by_id: None,
    unread: &["current_load", "metadata"],
    constraints: &[("workers_pkey", Constraint::Unique("id"))],
};

/// Workers register, heartbeat, and are declared dead when their heartbeat
/// is strictly older than a limit (by the injected clock). All system
/// operations: workers serve every tenant.
#[derive(Debug, Clone)]
pub struct PgWorkers {
    source: DataSource,
    clock: Arc<dyn Clock>,
}

impl PgWorkers {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgWorkers { source, clock }
    }

    /// Registers `id` (again, after a restart): active, heartbeat now.
    pub async fn register(
        &self,
        ctx: &SystemContext,
        id: &str,
        hostname: &str,
        kinds: &[String],
        capacity: i32,
    ) -> Result<Worker, StorageError> {
        input::key("worker id", id)?;
        input::key("hostname", hostname)?;
        input::keys("worker kind", kinds)?;
        if capacity < 1 {
            return Err(StorageError::invalid(
                "capacity",
                format!("{capacity} is not positive"),
            ));
        }
        let now = self.clock.now();
        let statement = sqlx::query_as::<_, Worker>(concat!(
            "INSERT INTO scheduler.workers (id, hostname, kinds, capacity, status, started_at, \
             last_heartbeat_at) VALUES ($1, $2, $3, $4, 'active', $5, $5) \
             ON CONFLICT (id) DO UPDATE SET hostname = EXCLUDED.hostname, kinds = EXCLUDED.kinds, \
               capacity = EXCLUDED.capacity, status = 'active', started_at = EXCLUDED.started_at, \
               last_heartbeat_at = EXCLUDED.last_heartbeat_at \
             RETURNING ",
            worker_columns!()
        ))
        .bind(id)
        .bind(hostname)
        .bind(kinds)
        .bind(capacity)
        .bind(now);
        self.source
            .call(ctx, &WORKERS, "registering a worker")
            .one(statement)
            .await
    }

    /// Marks a live worker alive now; false for an unknown or dead one (a
    /// worker declared dead must register again).
    pub async fn heartbeat(&self, ctx: &SystemContext, id: &str) -> Result<bool, StorageError> {
        input::key("worker id", id)?;
        let now = self.clock.now();
        let updated = self
            .source
            .call(ctx, &WORKERS, "recording a worker heartbeat")
            .execute(
                sqlx::query(
                    "UPDATE scheduler.workers SET last_heartbeat_at = $2 \
             WHERE id = $1 AND status IN ('active', 'draining')",
                )
                .bind(id)
                .bind(now),
            )
            .await?;
        Ok(updated == 1)
    }

    /// Declares dead every live worker whose heartbeat is strictly older
    /// than `stale_after`; returns their ids, sorted.
    pub async fn mark_dead(
        &self,
        ctx: &SystemContext,
        stale_after: Duration,
    ) -> Result<Vec<String>, StorageError> {
        input::positive("stale after", stale_after)?;
        let now = self.clock.now();
        let mut dead: Vec<String> = self
            .source
            .call(ctx, &WORKERS, "declaring workers dead")
            .all(
                sqlx::query_scalar(
                    "UPDATE scheduler.workers SET status = 'dead' \
             WHERE status IN ('active', 'draining') AND last_heartbeat_at < $1 RETURNING id",
                )
                .bind(now - stale_after),
            )
            .await?;
        dead.sort();
        Ok(dead)
    }
}
