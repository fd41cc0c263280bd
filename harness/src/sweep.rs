//! Removal of what dead runs left: test databases whose process is gone, kept
//! databases of failed tests past their keep period, surplus templates.

use std::time::Duration;

use sqlx::{AssertSqlSafe, PgConnection};

use crate::HarnessError;
use crate::naming::{Owner, TEMPLATE_PREFIX, TEST_DB_PREFIX, quote_ident};
use crate::pool::{POOL_PREFIX, pool_prefix};
use crate::state::unix_now;

/// The comment that marks a failed test's database as kept, followed by the time.
pub const KEPT_MARK: &str = "stellaops-harness:kept";
/// How long a failed test's database is kept before a later run sweeps it.
pub const KEEP_FOR: Duration = Duration::from_secs(24 * 3600);

/// What a sweep removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    pub dropped: Vec<String>,
    pub kept: Vec<String>,
}

/// Drops this host's test databases whose owning process has ended, unless
/// they are kept for a failed test and younger than [`KEEP_FOR`].
pub async fn sweep_dead_runs(conn: &mut PgConnection) -> Result<SweepReport, HarnessError> {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database
          WHERE starts_with(datname, $1) ORDER BY datname",
    )
    .bind(TEST_DB_PREFIX)
    .fetch_all(&mut *conn)
    .await
    .map_err(HarnessError::db("listing test databases"))?;
    let me = Owner::current();
    let mut report = SweepReport::default();
    for (name, comment) in rows {
        let Some(owner) = Owner::parse(&name) else {
            continue;
        };
        if owner.host != me.host || owner.is_alive() {
            continue;
        }
        let kept_since = comment
            .as_deref()
            .and_then(|c| c.strip_prefix(KEPT_MARK))
            .and_then(|t| t.trim().parse::<u64>().ok());
        match kept_since {
            Some(since) if unix_now().saturating_sub(since) < KEEP_FOR.as_secs() => {
                report.kept.push(name)
            }
            _ => {
                drop_database(conn, &name).await?;
                report.dropped.push(name);
            }
        }
    }
    Ok(report)
}

/// Drops every harness template but the `keep` newest, with their pooled clones.
pub async fn sweep_templates(
    conn: &mut PgConnection,
    keep: usize,
) -> Result<Vec<String>, HarnessError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY oid DESC",
    )
    .bind(TEMPLATE_PREFIX)
    .fetch_all(&mut *conn)
    .await
    .map_err(HarnessError::db("listing templates"))?;
    let mut dropped = Vec::new();
    for name in names.iter().skip(keep) {
        drop_template(conn, name).await?;
        dropped.push(name.clone());
    }
    // Pooled clones of a template that is gone would never be handed out.
    let kept_prefixes: Vec<String> = names.iter().take(keep).map(|t| pool_prefix(t)).collect();
    let pooled: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
            .bind(POOL_PREFIX)
            .fetch_all(&mut *conn)
            .await
            .map_err(HarnessError::db("listing pooled databases"))?;
    for name in pooled {
        if !kept_prefixes.iter().any(|p| name.starts_with(p.as_str())) {
            drop_database(conn, &name).await?;
            dropped.push(name);
        }
    }
    Ok(dropped)
}

/// Marks a failed test's database as kept for [`KEEP_FOR`].
pub async fn mark_kept(conn: &mut PgConnection, name: &str) -> Result<(), HarnessError> {
    let sql = format!(
        "COMMENT ON DATABASE {} IS '{KEPT_MARK} {}'",
        quote_ident(name),
        unix_now()
    );
    sqlx::raw_sql(AssertSqlSafe(sql))
        .execute(conn)
        .await
        .map_err(HarnessError::db(format!(
            "marking the failed test's database {name} as kept"
        )))?;
    Ok(())
}

/// Drops a database, ending its sessions first.
pub async fn drop_database(conn: &mut PgConnection, name: &str) -> Result<(), HarnessError> {
    let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(name));
    sqlx::raw_sql(AssertSqlSafe(sql))
        .execute(conn)
        .await
        .map_err(HarnessError::db(format!("dropping database {name}")))?;
    Ok(())
}

/// A template cannot be dropped while it is marked as one.
pub async fn drop_template(conn: &mut PgConnection, name: &str) -> Result<(), HarnessError> {
    let sql = format!(
        "ALTER DATABASE {} WITH IS_TEMPLATE false",
        quote_ident(name)
    );
    sqlx::raw_sql(AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .map_err(HarnessError::db(format!("unmarking template {name}")))?;
    drop_database(conn, name).await
}
