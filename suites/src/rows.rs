//! Rows generated from the catalog: deterministic from a seed, respecting
//! CHECK constraints (the server arbitrates between candidate values) and
//! foreign keys (parents are generated first, in the same tenant).

use std::collections::HashMap;

use serde_json::Value;
use sqlx::{AssertSqlSafe, PgPool};

use crate::catalog::{Column, Table};

/// Attempts per row before giving up on satisfying its CHECK constraints.
const MAX_ATTEMPTS: usize = 64;
/// Parent chains deeper than this are a cycle, not a schema.
const MAX_DEPTH: usize = 8;

/// Generates and inserts rows through a pool (normally a tenant pool).
#[derive(Debug)]
pub struct RowGenerator<'a> {
    tables: HashMap<String, &'a Table>,
}

impl<'a> RowGenerator<'a> {
    pub fn new(tables: &'a [Table]) -> Self {
        RowGenerator {
            tables: tables.iter().map(|t| (t.qualified(), t)).collect(),
        }
    }

    /// Inserts a row of `table` for `tenant` (and the parents it needs) and
    /// returns it as the server stored it (`to_jsonb`).
    pub async fn insert(
        &self,
        pool: &PgPool,
        table: &Table,
        tenant: &str,
        seed: u64,
    ) -> Result<Value, String> {
        self.insert_at(pool, table, tenant, seed, 0).await
    }

    async fn insert_at(
        &self,
        pool: &PgPool,
        table: &Table,
        tenant: &str,
        seed: u64,
        depth: usize,
    ) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "{}: foreign keys nest deeper than {MAX_DEPTH}",
                table.qualified()
            ));
        }
        let mut fixed: Vec<(String, String)> = Vec::new();
        if table.is_tenant_table() {
            fixed.push(("tenant_id".to_owned(), tenant.to_owned()));
        }
        for fk in &table.foreign_keys {
            let required = fk
                .columns
                .iter()
                .all(|c| table.column(c).is_some_and(|col| col.not_null));
            let only_tenant = fk.columns.iter().all(|c| c == "tenant_id");
            if !required || only_tenant {
                continue;
            }
            let parent_table = *self
                .tables
                .get(&fk.target)
                .ok_or_else(|| format!("{}: unknown referenced table {}", fk.name, fk.target))?;
            let parent_seed = mix(seed, &fk.name);
            let parent =
                Box::pin(self.insert_at(pool, parent_table, tenant, parent_seed, depth + 1))
                    .await?;
            for (column, target) in fk.columns.iter().zip(&fk.target_columns) {
                if column != "tenant_id" && !fixed.iter().any(|(c, _)| c == column) {
                    fixed.push((column.clone(), json_text(&parent[target.as_str()])));
                }
            }
        }
        let mut varying: Vec<(&Column, Vec<String>)> = Vec::new();
        let mut timestamp_index = 0;
        for column in &table.columns {
            if !column.not_null
                || column.has_default
                || fixed.iter().any(|(c, _)| c == &column.name)
            {
                continue;
            }
            let candidates = candidates(table, column, seed, &mut timestamp_index);
            varying.push((column, candidates));
        }
        let mut choice = vec![0usize; varying.len()];
        for _ in 0..MAX_ATTEMPTS {
            let mut names: Vec<&str> = fixed.iter().map(|(c, _)| c.as_str()).collect();
            let mut values: Vec<String> = fixed.iter().map(|(_, v)| v.clone()).collect();
            for ((column, options), index) in varying.iter().zip(&choice) {
                names.push(&column.name);
                values.push(options[*index].clone());
            }
            let types: Vec<&str> = names
                .iter()
                .map(|n| {
                    table
                        .column(n)
                        .map(|c| c.sql_type.as_str())
                        .unwrap_or("text")
                })
                .collect();
            let placeholders: Vec<String> = types
                .iter()
                .enumerate()
                .map(|(i, t)| format!("${}::text::{t}", i + 1))
                .collect();
            let sql = format!(
                "INSERT INTO {} AS t ({}) VALUES ({}) RETURNING to_jsonb(t)",
                table.qualified(),
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
                placeholders.join(", ")
            );
            let mut query = sqlx::query_scalar::<_, Value>(AssertSqlSafe(sql));
            for value in &values {
                query = query.bind(value.clone());
            }
            match query.fetch_one(pool).await {
                Ok(row) => return Ok(row),
                Err(e) => {
                    let Some(db) = e.as_database_error() else {
                        return Err(format!("{}: {e}", table.qualified()));
                    };
                    if db.code().as_deref() != Some("23514") {
                        return Err(format!("{}: {e}", table.qualified()));
                    }
                    // A CHECK refused the row: move one of its columns to its next candidate.
                    let constraint = db.constraint().unwrap_or_default().to_owned();
                    let columns = table
                        .checks
                        .iter()
                        .find(|c| c.name == constraint)
                        .map(|c| c.columns.clone())
                        .unwrap_or_default();
                    let advanced = varying.iter().enumerate().any(|(i, (column, options))| {
                        if columns.contains(&column.name) && choice[i] + 1 < options.len() {
                            choice[i] += 1;
                            true
                        } else {
                            false
                        }
                    });
                    if !advanced {
                        return Err(format!(
                            "{}: no generated value satisfies {constraint}: {e}",
                            table.qualified()
                        ));
                    }
                }
            }
        }
        Err(format!(
            "{}: gave up after {MAX_ATTEMPTS} attempts",
            table.qualified()
        ))
    }
}

/// A stable per-purpose variant of a seed (FNV-1a; never a randomized hash).
pub fn mix(seed: u64, salt: &str) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for byte in salt.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn json_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The values to try for `column`, best guess first.
fn candidates(table: &Table, column: &Column, seed: u64, timestamp_index: &mut u32) -> Vec<String> {
    let short = seed % 100_000;
    match column.sql_type.as_str() {
        "uuid" => vec![format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            (seed >> 32) as u32,
            (seed >> 16) & 0xffff,
            (seed >> 4) & 0xfff,
            seed & 0xfff,
            mix(seed, &column.name) & 0xffff_ffff_ffff
        )],
        "integer" | "bigint" | "smallint" => vec!["1".into(), "2".into(), "0".into()],
        t if t.starts_with("numeric") => vec!["1".into(), "0.5".into(), "0".into()],
        "boolean" => vec!["true".into(), "false".into()],
        "jsonb" | "json" => vec!["{}".into(), "[]".into()],
        "timestamp with time zone" => {
            *timestamp_index += 1;
            let day = *timestamp_index;
            vec![
                format!("2030-01-{day:02} 00:00:00+00"),
                format!("2031-01-{day:02} 00:00:00+00"),
            ]
        }
        "date" => {
            *timestamp_index += 1;
            vec![format!("2030-02-{:02}", *timestamp_index)]
        }
        "time without time zone" => vec!["08:00".into(), "18:00".into()],
        "inet" => vec!["127.0.0.1".into()],
        "smallint[]" | "integer[]" => vec!["{1}".into()],
        t if t.ends_with("[]") => vec!["{}".into()],
        _ => {
            let mut options: Vec<String> = table
                .checks
                .iter()
                .filter(|c| {
                    c.columns == [column.name.clone()] && c.definition.contains("ANY (ARRAY[")
                })
                .flat_map(|c| quoted_literals(&c.definition))
                .filter(|v| !v.is_empty())
                .collect();
            let hex: String = (0..4)
                .map(|i| format!("{:016x}", mix(seed, &format!("{}{i}", column.name))))
                .collect();
            options.extend([
                format!("{}-{short}", column.name.replace('_', "-")),
                format!("sha256:{hex}"),
                format!("CVE-2030-{}", 10_000 + short),
                "GHSA-2345-6789-cfgh".to_owned(),
                format!("CWE-{}", 1 + short),
                format!("https://example.test/{short}"),
                format!("k{short}"),
            ]);
            options
        }
    }
}

/// The '…' literals of a constraint definition, unescaped.
fn quoted_literals(definition: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = definition.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut literal = String::new();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    literal.push('\'');
                } else {
                    break;
                }
            } else {
                literal.push(c);
            }
        }
        out.push(literal);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_of_an_in_list_are_read() {
        let def = "CHECK ((status = ANY (ARRAY['active'::text, 'it''s'::text])))";
        assert_eq!(quoted_literals(def), vec!["active", "it's"]);
    }

    #[test]
    fn seeds_mix_stably() {
        assert_eq!(mix(1, "a"), mix(1, "a"));
        assert_ne!(mix(1, "a"), mix(1, "b"));
    }
}
