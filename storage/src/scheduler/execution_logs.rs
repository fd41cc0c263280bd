//! Run logs (`scheduler.execution_logs`): append and ordered reads, on
//! PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::kinds::LogLevel;
use crate::error::Constraint;
use crate::table::Table;
use crate::{Clock, DataSource, StorageError, TenantContext, input};

/// One line of a run's log (`scheduler.execution_logs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LogEntry {
    pub tenant_id: String,
    pub id: Uuid,
    pub run_id: Uuid,
    pub worker_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub level: LogLevel,
    pub message: String,
    pub details: Value,
    pub logged_at: DateTime<Utc>,
}

/// A line to append; it is stamped with the clock's now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogEntry {
    pub id: Uuid,
    pub run_id: Uuid,
    pub worker_id: Option<String>,
    pub level: LogLevel,
    pub message: String,
    pub details: Value,
}

impl NewLogEntry {
    pub fn new(run_id: Uuid, level: LogLevel, message: impl Into<String>) -> Self {
        NewLogEntry {
            id: Uuid::new_v4(),
            run_id,
            worker_id: None,
            level,
            message: message.into(),
            details: Value::Object(Default::default()),
        }
    }
}

/// The most lines one read returns.
pub const MAX_LOG_LINES: i64 = 1_000;

macro_rules! log_columns {
    () => {
        "tenant_id, id, run_id, worker_id, level, message, details, logged_at"
    };
}

pub(crate) const EXECUTION_LOGS: Table = Table {
    name: "scheduler.execution_logs",
    entity: "log line",
    columns: log_columns!(),
    by_id: None,
    unread: &[],
    constraints: &[
        ("execution_logs_pkey", Constraint::Unique("id")),
        (
            "execution_logs_tenant_id_run_id_fkey",
            Constraint::References("run"),
        ),
    ],
};

/// Execution logs on PostgreSQL: append-only, read per run in time order.
#[derive(Debug, Clone)]
pub struct PgExecutionLogs {
    source: DataSource,
    clock: Arc<dyn Clock>,
}

impl PgExecutionLogs {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgExecutionLogs { source, clock }
    }

    pub async fn append(
        &self,
        ctx: &TenantContext,
        entry: &NewLogEntry,
    ) -> Result<LogEntry, StorageError> {
        input::text("message", &entry.message)?;
        input::optional_text("worker id", entry.worker_id.as_deref())?;
        input::json_object("details", &entry.details)?;
        let now = self.clock.now();
        let statement = sqlx::query_as::<_, LogEntry>(concat!(
            "INSERT INTO scheduler.execution_logs (tenant_id, id, run_id, worker_id, level, \
               message, details, logged_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
            log_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(entry.id)
        .bind(entry.run_id)
        .bind(&entry.worker_id)
        .bind(entry.level.as_str())
        .bind(&entry.message)
        .bind(&entry.details)
        .bind(now);
        self.source
            .call(ctx, &EXECUTION_LOGS, "appending a log line")
            .one(statement)
            .await
    }

    /// A run's lines at `min_level` or above, oldest first, at most `limit`.
    pub async fn of_run(
        &self,
        ctx: &TenantContext,
        run_id: Uuid,
        min_level: LogLevel,
        limit: i64,
    ) -> Result<Vec<LogEntry>, StorageError> {
        let limit = input::limit("limit", limit, MAX_LOG_LINES)?;
        let levels: Vec<&str> = LogLevel::ALL
            .iter()
            .filter(|l| **l >= min_level)
            .map(|l| l.as_str())
            .collect();
        self.source
            .call(ctx, &EXECUTION_LOGS, "reading a run's log")
            .all(
                sqlx::query_as::<_, LogEntry>(concat!(
                    "SELECT ",
                    log_columns!(),
                    " FROM scheduler.execution_logs WHERE run_id = $1 AND level = ANY($2) \
             ORDER BY logged_at, id LIMIT $3"
                ))
                .bind(run_id)
                .bind(&levels)
                .bind(limit),
            )
            .await
    }
}
