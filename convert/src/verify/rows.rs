//! The rows a table holds, read back as `stellaops_system` with every
//! column, and the expected rows of a plan in the same shape.

use std::collections::BTreeMap;

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use uuid::Uuid;

use super::error::VerifyError;
use crate::convert::ConvertedRow;
use crate::table::{Table, Value};

/// A row's key: its tenant (empty for global tables) and id.
pub type RowKey = (String, Uuid);

/// Every row of `table`, keyed, each value read back by its column type.
pub async fn actual_rows(
    conn: &mut PgConnection,
    table: &Table,
) -> Result<BTreeMap<RowKey, Vec<Value>>, VerifyError> {
    let what = format!("reading {}", table.qualified());
    let mut tx = conn.begin().await.map_err(VerifyError::db(&what))?;
    for statement in [
        "SET LOCAL ROLE stellaops_system",
        "SET LOCAL TimeZone = 'UTC'",
    ] {
        sqlx::query(statement)
            .execute(&mut *tx)
            .await
            .map_err(VerifyError::db(&what))?;
    }
    let rows: Vec<(serde_json::Value,)> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT to_jsonb(t) FROM (SELECT {} FROM {}) t",
        table.column_list(),
        table.qualified()
    )))
    .fetch_all(&mut *tx)
    .await
    .map_err(VerifyError::db(&what))?;
    tx.rollback().await.map_err(VerifyError::db(&what))?;
    let mut out = BTreeMap::new();
    for (json,) in rows {
        let values = table
            .columns
            .iter()
            .map(|(name, kind)| {
                let field = json.get(*name).unwrap_or(&serde_json::Value::Null);
                Value::from_row_json(*kind, field).map_err(|detail| VerifyError::Unreadable {
                    table: table.qualified(),
                    column: (*name).to_owned(),
                    detail,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.insert(key_of(table, &values), values);
    }
    Ok(out)
}

/// The key of a row of `table` given its values.
pub fn key_of(table: &Table, values: &[Value]) -> RowKey {
    let tenant = match (table.tenant_scoped, values.first()) {
        (true, Some(Value::Text(code))) => code.clone(),
        _ => String::new(),
    };
    let id = table
        .position("id")
        .and_then(|i| match values.get(i) {
            Some(Value::Uuid(id)) => Some(*id),
            _ => None,
        })
        .unwrap_or_default();
    (tenant, id)
}

/// The converted rows of a collection, keyed.
pub fn expected_rows<'a>(
    table: &Table,
    rows: &'a [ConvertedRow],
) -> BTreeMap<RowKey, &'a ConvertedRow> {
    rows.iter()
        .map(|row| (key_of(table, &row.values), row))
        .collect()
}
