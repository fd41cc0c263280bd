//! Scheduler workers (`scheduler.workers`, global): heartbeats and
//! dead-worker rescue, on PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::error::{Constraint, ConstraintMap, classify};
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

const WORKER_CONSTRAINTS: ConstraintMap = &[("workers_pkey", Constraint::Unique("id"))];

macro_rules! worker_columns {
    () => {
        "id, hostname, process_id, kinds, status, capacity, started_at, last_heartbeat_at"
    };
}

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
        let mut tx = self.source.system(ctx).await?;
        let worker = sqlx::query_as::<_, Worker>(concat!(
            "INSERT INTO scheduler.workers (id, hostname, kinds, capacity, status, started_at, \
             last_heartbeat_at) VALUES ($1, $2, $3, $4, 'active', $5, $5) \
             ON CONFLICT (id) DO UPDATE SET hostname = EXCLUDED.hostname, kinds = EXCLUDED.kinds, \
               capacity = EXCLUDED.capacity, status = 'active', started_at = EXCLUDED.started_at, \
               last_heartbeat_at = EXCLUDED.last_heartbeat_at \
             RETURNING ",
            worker_columns!()
        ))
        .persistent(self.source.prepared())
        .bind(id)
        .bind(hostname)
        .bind(kinds)
        .bind(capacity)
        .bind(now)
        .fetch_one(tx.conn())
        .await
        .map_err(|e| classify(e, "registering a worker", "worker", WORKER_CONSTRAINTS))?;
        tx.commit().await?;
        Ok(worker)
    }

    /// Marks a live worker alive now; false for an unknown or dead one (a
    /// worker declared dead must register again).
    pub async fn heartbeat(&self, ctx: &SystemContext, id: &str) -> Result<bool, StorageError> {
        input::key("worker id", id)?;
        let now = self.clock.now();
        let mut tx = self.source.system(ctx).await?;
        let updated = sqlx::query(
            "UPDATE scheduler.workers SET last_heartbeat_at = $2 \
             WHERE id = $1 AND status IN ('active', 'draining')",
        )
        .persistent(self.source.prepared())
        .bind(id)
        .bind(now)
        .execute(tx.conn())
        .await
        .map_err(|e| {
            classify(
                e,
                "recording a worker heartbeat",
                "worker",
                WORKER_CONSTRAINTS,
            )
        })?;
        tx.commit().await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Declares dead every live worker whose heartbeat is strictly older
    /// than `stale_after`; returns their ids, sorted.
    pub async fn mark_dead(
        &self,
        ctx: &SystemContext,
        stale_after: Duration,
    ) -> Result<Vec<String>, StorageError> {
        if stale_after <= Duration::zero() {
            return Err(StorageError::invalid(
                "stale after",
                format!("{stale_after} is not positive"),
            ));
        }
        let now = self.clock.now();
        let mut tx = self.source.system(ctx).await?;
        let mut dead: Vec<String> = sqlx::query_scalar(
            "UPDATE scheduler.workers SET status = 'dead' \
             WHERE status IN ('active', 'draining') AND last_heartbeat_at < $1 RETURNING id",
        )
        .persistent(self.source.prepared())
        .bind(now - stale_after)
        .fetch_all(tx.conn())
        .await
        .map_err(|e| classify(e, "declaring workers dead", "worker", WORKER_CONSTRAINTS))?;
        tx.commit().await?;
        dead.sort();
        Ok(dead)
    }
}
