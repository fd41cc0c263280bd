//! Writing rows with COPY: into a session-local staging table, then into
//! the target with `ON CONFLICT` on the primary key doing nothing, so a
//! row written by an earlier run is found, not duplicated. Any other
//! conflict (a unique key taken by another row) is an error the caller sees.

use sqlx::{AssertSqlSafe, PgConnection};

use crate::convert::ConvertedRow;
use crate::table::Table;

/// Writes `rows` into `table`; how many were new.
pub async fn write_rows(
    conn: &mut PgConnection,
    table: &Table,
    rows: &[&ConvertedRow],
) -> Result<u64, sqlx::Error> {
    if rows.is_empty() {
        return Ok(0);
    }
    let stage = format!("stellaops_stage_{}_{}", table.schema, table.name);
    let columns = table.column_list();
    sqlx::query(AssertSqlSafe(format!(
        "CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
        table.qualified()
    )))
    .execute(&mut *conn)
    .await?;
    let mut text = String::new();
    for row in rows {
        for (i, value) in row.values.iter().enumerate() {
            if i > 0 {
                text.push('\t');
            }
            value.copy_text(&mut text);
        }
        text.push('\n');
    }
    let mut copy = conn
        .copy_in_raw(&format!("COPY {stage} ({columns}) FROM STDIN"))
        .await?;
    copy.send(text.into_bytes()).await?;
    copy.finish().await?;
    let key = if table.tenant_scoped {
        "(tenant_id, id)"
    } else {
        "(id)"
    };
    let inserted = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO {} ({columns}) SELECT {columns} FROM {stage} ON CONFLICT {key} DO NOTHING",
        table.qualified()
    )))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query(AssertSqlSafe(format!("TRUNCATE {stage}")))
        .execute(&mut *conn)
        .await?;
    Ok(inserted)
}
