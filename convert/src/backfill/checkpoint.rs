//! Where a backfill records its committed batches: a row per collection
//! and export file, updated in the same transaction as the batch it
//! counts, so a killed run resumes exactly after its last commit.

use sqlx::PgConnection;

use super::error::BackfillError;
use crate::export::ExportFile;

/// The schema of the bookkeeping table (outside the module schemas; the
/// backfill creates it).
pub const SCHEMA: &str = "stellaops_convert";

/// Creates the checkpoint table if it is not there.
pub async fn ensure(conn: &mut PgConnection) -> Result<(), BackfillError> {
    for statement in [
        "CREATE SCHEMA IF NOT EXISTS stellaops_convert",
        "CREATE TABLE IF NOT EXISTS stellaops_convert.checkpoints (
             collection     text        NOT NULL,
             export_sha256  text        NOT NULL,
             documents_done bigint      NOT NULL CHECK (documents_done >= 0),
             batches_done   integer     NOT NULL CHECK (batches_done >= 0),
             updated_at     timestamptz NOT NULL DEFAULT now(),
             PRIMARY KEY (collection, export_sha256))",
        "GRANT USAGE ON SCHEMA stellaops_convert TO stellaops_system",
        "GRANT SELECT, INSERT, UPDATE ON stellaops_convert.checkpoints TO stellaops_system",
    ] {
        sqlx::query(statement)
            .execute(&mut *conn)
            .await
            .map_err(BackfillError::db("creating the checkpoint table"))?;
    }
    Ok(())
}

/// Documents and batches of `file` already committed.
pub async fn read(
    conn: &mut PgConnection,
    file: &ExportFile,
) -> Result<(usize, usize), BackfillError> {
    let row: Option<(i64, i32)> = sqlx::query_as(
        "SELECT documents_done, batches_done FROM stellaops_convert.checkpoints
          WHERE collection = $1 AND export_sha256 = $2",
    )
    .bind(file.collection.name)
    .bind(&file.sha256)
    .fetch_optional(&mut *conn)
    .await
    .map_err(BackfillError::db("reading the checkpoint"))?;
    Ok(row.map_or((0, 0), |(docs, batches)| {
        (
            usize::try_from(docs).unwrap_or(0),
            usize::try_from(batches).unwrap_or(0),
        )
    }))
}

/// Records that `file` is committed up to `documents_done`, inside the batch's transaction.
pub async fn write(
    conn: &mut PgConnection,
    file: &ExportFile,
    documents_done: usize,
    batches_done: usize,
) -> Result<(), BackfillError> {
    sqlx::query(
        "INSERT INTO stellaops_convert.checkpoints
             (collection, export_sha256, documents_done, batches_done)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (collection, export_sha256) DO UPDATE
            SET documents_done = EXCLUDED.documents_done,
                batches_done = EXCLUDED.batches_done,
                updated_at = now()",
    )
    .bind(file.collection.name)
    .bind(&file.sha256)
    .bind(documents_done as i64)
    .bind(batches_done as i32)
    .execute(&mut *conn)
    .await
    .map_err(BackfillError::db("writing the checkpoint"))?;
    Ok(())
}
