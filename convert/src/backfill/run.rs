//! One backfill run over a converted plan.

use std::time::Duration;

use serde::Serialize;
use sqlx::{Connection, PgConnection};

use super::checkpoint;
use super::copy::write_rows;
use super::error::BackfillError;
use crate::convert::{ConvertedRow, LeftOut};
use crate::plan::{Plan, PlannedCollection};
use crate::progress::Progress;

/// What a paused backfill prints (stderr) before it waits to be killed.
pub const PAUSE_SIGNAL: &str = "@stellaops-convert paused after batch";

/// How a backfill runs.
#[derive(Debug, Clone)]
pub struct BackfillOptions {
    /// Documents per batch (and per transaction).
    pub batch_size: usize,
    /// Test hook: after this many batches of this run, print
    /// [`PAUSE_SIGNAL`] and wait (at most `pause_limit`) to be killed.
    pub pause_after_batches: Option<usize>,
    pub pause_limit: Duration,
}

impl Default for BackfillOptions {
    fn default() -> Self {
        BackfillOptions {
            batch_size: 500,
            pause_after_batches: None,
            pause_limit: Duration::from_secs(120),
        }
    }
}

/// What a backfill did for one collection.
#[derive(Debug, Clone, Serialize)]
pub struct CollectionBackfill {
    pub collection: String,
    pub table: Option<String>,
    pub documents: usize,
    pub converted: usize,
    pub skipped: usize,
    pub rejected: usize,
    /// Documents an earlier run had committed (this run started after them).
    pub resumed_after: usize,
    /// Batches this run committed.
    pub batches: usize,
    /// Rows this run wrote.
    pub written: u64,
    /// Rows of this run's batches that were already there (an earlier run wrote them).
    pub already_present: u64,
    /// Rows the database refused, one by one, with its reason.
    pub refused: Vec<LeftOut>,
}

/// What a backfill did.
#[derive(Debug, Clone, Serialize)]
pub struct BackfillSummary {
    pub collections: Vec<CollectionBackfill>,
}

impl BackfillSummary {
    pub fn refused(&self) -> usize {
        self.collections.iter().map(|c| c.refused.len()).sum()
    }
}

/// Writes every converted row of `plan` through `conn` (an admin
/// connection; rows are written as `stellaops_system`).
pub async fn backfill(
    conn: &mut PgConnection,
    plan: &Plan<'_>,
    options: &BackfillOptions,
    progress: &mut Progress,
) -> Result<BackfillSummary, BackfillError> {
    checkpoint::ensure(conn).await?;
    let batch_size = options.batch_size.max(1);
    let mut batches_this_run = 0;
    let mut collections = Vec::new();
    for planned in &plan.collections {
        let file = planned.file;
        let result = &planned.result;
        let mut summary = CollectionBackfill {
            collection: file.collection.name.to_owned(),
            table: file.collection.table.map(|t| t.qualified()),
            documents: result.documents,
            converted: result.rows.len(),
            skipped: result.skipped.len(),
            rejected: result.rejected.len(),
            resumed_after: 0,
            batches: 0,
            written: 0,
            already_present: 0,
            refused: Vec::new(),
        };
        let Some(table) = file
            .collection
            .table
            .filter(|_| file.collection.converter.is_some())
        else {
            progress.line(&format!(
                "{}: tier {}, not converted ({} documents)",
                file.collection.name, file.collection.tier, result.documents
            ));
            progress.skip(result.documents);
            collections.push(summary);
            continue;
        };
        let (mut done, mut batches_done) = checkpoint::read(conn, file).await?;
        done = done.min(result.documents);
        summary.resumed_after = done;
        if done > 0 && done == result.documents {
            progress.line(&format!(
                "{}: all {done} documents committed earlier ({batches_done} batches)",
                file.collection.name
            ));
            progress.skip(done);
        } else if done > 0 {
            progress.line(&format!(
                "{}: resuming after document {done} of {} ({batches_done} batches committed earlier)",
                file.collection.name, result.documents
            ));
            progress.skip(done);
        }
        while done < result.documents {
            let end = (done + batch_size).min(result.documents);
            let rows = rows_between(planned, done, end);
            let (written, refused) =
                write_batch(conn, table, planned, &rows, end, batches_done + 1).await?;
            summary.written += written;
            summary.already_present += (rows.len() - refused.len()) as u64 - written;
            summary.refused.extend(refused);
            summary.batches += 1;
            batches_done += 1;
            batches_this_run += 1;
            progress.batch(
                file.collection.name,
                batches_done,
                end - done,
                end,
                result.documents,
            );
            done = end;
            if options.pause_after_batches == Some(batches_this_run) {
                progress.finish();
                eprintln!("{PAUSE_SIGNAL} {batches_this_run}");
                tokio::time::sleep(options.pause_limit).await;
                return Err(BackfillError::PausedTooLong {
                    batch: batches_this_run,
                    seconds: options.pause_limit.as_secs(),
                });
            }
        }
        collections.push(summary);
    }
    progress.finish();
    Ok(BackfillSummary { collections })
}

/// The converted rows of documents `start..end`.
fn rows_between<'a>(
    planned: &'a PlannedCollection<'_>,
    start: usize,
    end: usize,
) -> Vec<&'a ConvertedRow> {
    let rows = &planned.result.rows;
    let from = rows.partition_point(|r| r.index < start);
    let to = rows.partition_point(|r| r.index < end);
    rows[from..to].iter().collect()
}

/// One batch in one transaction with its checkpoint. When the database
/// refuses the batch, it is written again row by row (a savepoint each),
/// so one bad row is refused alone, named, and the others go in.
async fn write_batch(
    conn: &mut PgConnection,
    table: &crate::table::Table,
    planned: &PlannedCollection<'_>,
    rows: &[&ConvertedRow],
    documents_done: usize,
    batches_done: usize,
) -> Result<(u64, Vec<LeftOut>), BackfillError> {
    let what = format!(
        "backfilling {} into {} (documents up to {documents_done})",
        planned.file.collection.name,
        table.qualified()
    );
    let mut tx = conn.begin().await.map_err(BackfillError::db(&what))?;
    history_guards(&mut tx, table, false)
        .await
        .map_err(BackfillError::db(&what))?;
    as_system(&mut tx).await.map_err(BackfillError::db(&what))?;
    match write_rows(&mut tx, table, rows).await {
        Ok(written) => {
            checkpoint::write(&mut tx, planned.file, documents_done, batches_done).await?;
            back_to_admin(&mut tx, table)
                .await
                .map_err(BackfillError::db(&what))?;
            tx.commit().await.map_err(BackfillError::db(&what))?;
            return Ok((written, Vec::new()));
        }
        Err(_) => tx.rollback().await.map_err(BackfillError::db(&what))?,
    }
    let mut tx = conn.begin().await.map_err(BackfillError::db(&what))?;
    history_guards(&mut tx, table, false)
        .await
        .map_err(BackfillError::db(&what))?;
    as_system(&mut tx).await.map_err(BackfillError::db(&what))?;
    let mut written = 0;
    let mut refused = Vec::new();
    for row in rows {
        sqlx::query("SAVEPOINT stellaops_row")
            .execute(&mut *tx)
            .await
            .map_err(BackfillError::db(&what))?;
        match write_rows(&mut tx, table, &[row]).await {
            Ok(n) => written += n,
            Err(error) => {
                sqlx::query("ROLLBACK TO SAVEPOINT stellaops_row")
                    .execute(&mut *tx)
                    .await
                    .map_err(BackfillError::db(&what))?;
                refused.push(LeftOut {
                    line: row.line,
                    source_id: row.source_id.clone(),
                    reason: format!("refused by {}: {}", table.qualified(), db_message(&error)),
                });
            }
        }
    }
    checkpoint::write(&mut tx, planned.file, documents_done, batches_done).await?;
    back_to_admin(&mut tx, table)
        .await
        .map_err(BackfillError::db(&what))?;
    tx.commit().await.map_err(BackfillError::db(&what))?;
    Ok((written, refused))
}

/// Triggers that refuse writes into history the backfill replays: a rule
/// of a version past draft is immutable once the version is published,
/// and the backfill writes published versions before their rules. Each is
/// disabled inside the batch's transaction only (DDL is transactional: a
/// failed batch restores it with its rollback), while the table is locked,
/// and enabled again before the commit.
const HISTORY_GUARDS: &[(&str, &str)] = &[("policy.rules", "rules_immutable_past_draft")];

/// Disables (`on` false) or enables the history guards of `table`, as the
/// admin the connection is before `as_system`.
async fn history_guards(
    conn: &mut PgConnection,
    table: &crate::table::Table,
    on: bool,
) -> Result<(), sqlx::Error> {
    let qualified = table.qualified();
    for (guarded, trigger) in HISTORY_GUARDS {
        if *guarded == qualified {
            let verb = if on { "ENABLE" } else { "DISABLE" };
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "ALTER TABLE {guarded} {verb} TRIGGER {trigger}"
            )))
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Leaves the system role and enables the history guards again.
async fn back_to_admin(
    conn: &mut PgConnection,
    table: &crate::table::Table,
) -> Result<(), sqlx::Error> {
    if HISTORY_GUARDS
        .iter()
        .any(|(guarded, _)| *guarded == table.qualified())
    {
        sqlx::query("RESET ROLE").execute(&mut *conn).await?;
        history_guards(conn, table, true).await?;
    }
    Ok(())
}

async fn as_system(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SET LOCAL ROLE stellaops_system")
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

fn db_message(error: &sqlx::Error) -> String {
    match error.as_database_error() {
        Some(db) => match db.constraint() {
            Some(constraint) => format!("{} (constraint {constraint})", db.message()),
            None => db.message().to_owned(),
        },
        None => error.to_string(),
    }
}
