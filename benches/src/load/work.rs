//! The noise-free work measure: what PostgreSQL did for a path, from
//! `pg_stat_statements` (shared buffers touched and rows, per operation),
//! and the plan of each statement the path ran (EXPLAIN, costs off, of the
//! generic plan, as the role that ran it). With the same data and the same
//! plan these do not move with the machine's noise, so a change in them is
//! a change in the code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};
use stellaops_harness::naming::quote_ident;

use super::LoadError;

/// What one path cost the server in one round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathWork {
    /// Shared buffers hit, read, dirtied or written, per operation.
    pub buffers_per_op: f64,
    /// Rows returned or changed, per operation.
    pub rows_per_op: f64,
    /// Statement calls per operation.
    pub calls_per_op: f64,
    /// Normalized statement text -> its plan, when plans were asked for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub plans: BTreeMap<String, String>,
}

/// One statement as `pg_stat_statements` saw it (summed over its entries).
#[derive(Debug, Clone, PartialEq)]
struct Statement {
    query: String,
    role: String,
    calls: i64,
    rows: i64,
    buffers: i64,
}

/// The counters of every statement at one moment, by role and query id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot(BTreeMap<(String, i64), Statement>);

/// The work probe of one round's database: an admin connection that reads
/// `pg_stat_statements` before and after each path. The round's database
/// is new, so its entries are made when its statements are first
/// prepared, with normalized text; they are reset (this database's only)
/// when the probe opens, and never again: an entry made after a reset from
/// a statement prepared before it keeps its constants, and would not match
/// the other side's.
/// `Err` from [`WorkProbe::open`] says why the server cannot give it.
#[derive(Debug)]
pub struct WorkProbe {
    admin: PgConnection,
    admin_role: String,
}

impl WorkProbe {
    /// The probe, or why there is none: the extension not loaded
    /// (`shared_preload_libraries`), or no right to reset it.
    pub async fn open(options: sqlx::postgres::PgConnectOptions) -> Result<WorkProbe, String> {
        let mut admin = PgConnection::connect_with(&options)
            .await
            .map_err(|e| format!("connecting for pg_stat_statements: {e}"))?;
        let loaded: bool = sqlx::query_scalar(
            "SELECT 'pg_stat_statements' = ANY (string_to_array(current_setting('shared_preload_libraries'), ', '))",
        )
        .fetch_one(&mut admin)
        .await
        .map_err(|e| format!("reading shared_preload_libraries: {e}"))?;
        if !loaded {
            return Err(
                "pg_stat_statements is not in the server's shared_preload_libraries".into(),
            );
        }
        sqlx::raw_sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            .execute(&mut admin)
            .await
            .map_err(|e| format!("creating the pg_stat_statements extension: {e}"))?;
        let admin_role: String = sqlx::query_scalar("SELECT current_user::text")
            .fetch_one(&mut admin)
            .await
            .map_err(|e| format!("reading the admin role: {e}"))?;
        // This database's entries only: a server-wide reset would wipe the
        // counters of another round running on the same server.
        sqlx::raw_sql(
            "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)",
        )
        .execute(&mut admin)
            .await
            .map_err(|e| format!("resetting pg_stat_statements: {e}"))?;
        Ok(WorkProbe { admin, admin_role })
    }

    /// The counters now, of this database's statements by roles other
    /// than the admin.
    pub async fn snapshot(&mut self) -> Result<Snapshot, LoadError> {
        let rows = sqlx::query(
            "SELECT r.rolname::text AS role, coalesce(s.queryid, 0) AS queryid, min(s.query) AS query,
                    sum(s.calls)::bigint AS calls, sum(s.rows)::bigint AS rows,
                    sum(s.shared_blks_hit + s.shared_blks_read + s.shared_blks_dirtied
                        + s.shared_blks_written)::bigint AS buffers
               FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
              WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND r.rolname <> $1
              GROUP BY r.rolname, s.queryid",
        )
        .bind(&self.admin_role)
        .fetch_all(&mut self.admin)
        .await
        .map_err(LoadError::db("reading pg_stat_statements"))?;
        Ok(Snapshot(
            rows.iter()
                .map(|row| {
                    let role: String = row.get("role");
                    let queryid: i64 = row.get("queryid");
                    (
                        (role.clone(), queryid),
                        Statement {
                            query: row.get("query"),
                            role,
                            calls: row.get("calls"),
                            rows: row.get("rows"),
                            buffers: row.get("buffers"),
                        },
                    )
                })
                .collect(),
        ))
    }

    /// The work since `before` over `operations` operations; with the
    /// plans of the statements that ran when `plans`.
    pub async fn collect(
        &mut self,
        before: &Snapshot,
        operations: u64,
        plans: bool,
    ) -> Result<PathWork, LoadError> {
        let after = self.snapshot().await?;
        let statements: Vec<Statement> = after
            .0
            .into_iter()
            .filter_map(|(key, now)| {
                let earlier = before.0.get(&key);
                let delta = |f: fn(&Statement) -> i64| f(&now) - earlier.map_or(0, f);
                let (calls, rows, buffers) =
                    (delta(|s| s.calls), delta(|s| s.rows), delta(|s| s.buffers));
                (calls > 0).then_some(Statement {
                    calls,
                    rows,
                    buffers,
                    ..now
                })
            })
            .collect();
        let per_op = |total: i64| total as f64 / operations.max(1) as f64;
        let mut work = PathWork {
            buffers_per_op: per_op(statements.iter().map(|s| s.buffers).sum()),
            rows_per_op: per_op(statements.iter().map(|s| s.rows).sum()),
            calls_per_op: per_op(statements.iter().map(|s| s.calls).sum()),
            plans: BTreeMap::new(),
        };
        if plans {
            for statement in statements.iter().filter(|s| is_plannable(&s.query)) {
                let plan = self.plan_of(statement).await;
                work.plans.insert(normalize_query(&statement.query), plan);
            }
        }
        Ok(work)
    }

    /// The generic plan of a normalized statement as its role would get
    /// it, without running it; the error's text when it cannot be planned.
    async fn plan_of(&mut self, statement: &Statement) -> String {
        let params = highest_parameter(&statement.query);
        let nulls = vec!["NULL"; params].join(", ");
        let execute = if params == 0 {
            "EXECUTE stellaops_plan".to_owned()
        } else {
            format!("EXECUTE stellaops_plan({nulls})")
        };
        let setup = format!(
            "BEGIN; SET LOCAL ROLE {}; SET LOCAL plan_cache_mode = force_generic_plan; \
             PREPARE stellaops_plan AS {}",
            quote_ident(&statement.role),
            statement.query
        );
        let result = async {
            sqlx::raw_sql(AssertSqlSafe(setup))
                .execute(&mut self.admin)
                .await?;
            let lines: Vec<String> =
                sqlx::query_scalar(AssertSqlSafe(format!("EXPLAIN (COSTS OFF) {execute}")))
                    .fetch_all(&mut self.admin)
                    .await?;
            Ok::<_, sqlx::Error>(lines)
        }
        .await;
        let _ = sqlx::raw_sql("ROLLBACK; DEALLOCATE stellaops_plan")
            .execute(&mut self.admin)
            .await;
        match result {
            Ok(lines) => normalize_plan(&lines),
            Err(e) => format!("(no plan: {})", first_line(&e.to_string())),
        }
    }

    pub async fn close(self) {
        let _ = self.admin.close().await;
    }
}

/// Statements EXPLAIN can plan (not BEGIN, COMMIT, SET, …).
fn is_plannable(query: &str) -> bool {
    let head = query
        .trim_start()
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    matches!(
        head.as_str(),
        "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "WITH" | "MERGE"
    )
}

/// The highest `$n` in a statement (its parameter count).
fn highest_parameter(query: &str) -> usize {
    let bytes = query.as_bytes();
    let mut highest = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let digits: String = query[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse::<usize>() {
                highest = highest.max(n);
            }
            i += 1 + digits.len();
        } else {
            i += 1;
        }
    }
    highest
}

/// Whitespace runs collapsed: the same statement written on other lines
/// is the same statement.
pub fn normalize_query(query: &str) -> String {
    query.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plan lines without trailing blanks; lines that vary from run to run
/// with the same plan (JIT, planning times) dropped.
fn normalize_plan(lines: &[String]) -> String {
    lines
        .iter()
        .map(|line| line.trim_end())
        .filter(|line| !line.trim_start().starts_with("JIT:") && !line.contains("Planning Time"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parameters_and_knows_what_can_be_planned() {
        assert_eq!(
            highest_parameter("SELECT a FROM t WHERE b = $1 AND c = $12 LIMIT $3"),
            12
        );
        assert_eq!(highest_parameter("SELECT 'costs $' FROM t"), 0);
        assert!(is_plannable("  with x AS (SELECT 1) SELECT * FROM x"));
        assert!(is_plannable("UPDATE t SET a = $1"));
        assert!(!is_plannable("BEGIN"));
        assert!(is_plannable("SELECT set_config($1, $2, $3)"));
        assert_eq!(
            normalize_query("SELECT a\n    FROM t\n   WHERE b = $1"),
            "SELECT a FROM t WHERE b = $1"
        );
        assert_eq!(
            normalize_plan(&[
                "Index Scan using t_pkey on t   ".to_owned(),
                "  Index Cond: (id = $1)".to_owned()
            ]),
            "Index Scan using t_pkey on t\n  Index Cond: (id = $1)"
        );
    }
}
