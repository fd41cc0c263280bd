//! Schema-wide facts the per-table contract suite (tests/contract.rs) cannot
//! state one table at a time: exact table counts, the global-table list in
//! both directions, and who may write shared reference data.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use stellaops_suites::{GLOBAL_TABLES, MODULE_TABLE_COUNTS, TestDb, module_schemas};

async fn offenders(db: &TestDb, sql: &'static str) -> Vec<String> {
    sqlx::query_scalar(sql)
        .bind(module_schemas())
        .fetch_all(db.admin())
        .await
        .unwrap()
}

#[tokio::test]
async fn every_schema_has_its_exact_table_count() {
    let db = TestDb::new().await.unwrap();
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT n.nspname::text, count(c.oid) FROM pg_namespace n
           LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind = 'r'
          WHERE n.nspname = ANY($1) GROUP BY 1 ORDER BY 1",
    )
    .bind(module_schemas())
    .fetch_all(db.admin())
    .await
    .unwrap();
    let expected: Vec<(String, i64)> = MODULE_TABLE_COUNTS
        .iter()
        .map(|(s, n)| ((*s).to_owned(), *n))
        .collect();
    assert_eq!(counts, expected);
}

/// The migrations apply the module schemas in the registry's order
/// (`stellaops_kit::modules`), after the cluster roles.
#[test]
fn modules_order_follows_the_registry() {
    let file = stellaops_migrations::default_dir().join("modules.order");
    let order: Vec<String> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let registry: Vec<String> = std::iter::once("roles")
        .chain(stellaops_kit::modules::MODULES.iter().map(|m| m.schema))
        .map(str::to_owned)
        .collect();
    assert_eq!(order, registry, "{}", file.display());
}

#[tokio::test]
async fn tables_without_tenants_are_exactly_the_listed_global_ones() {
    let db = TestDb::new().await.unwrap();
    let global: Vec<String> = offenders(
        &db,
        "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1) AND c.relkind = 'r'
            AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                             WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
          ORDER BY 1",
    )
    .await;
    let mut listed: Vec<String> = GLOBAL_TABLES
        .iter()
        .map(|(s, t, _)| format!("{s}.{t}"))
        .collect();
    listed.sort();
    assert_eq!(global, listed);
}

#[tokio::test]
async fn the_app_role_cannot_write_global_reference_data() {
    let db = TestDb::new().await.unwrap();
    let writable = offenders(
        &db,
        "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1) AND c.relkind = 'r'
            AND (n.nspname = 'vuln' OR (n.nspname, c.relname) IN (('authority', 'tenants'), ('authority', 'scopes')))
            AND has_table_privilege('stellaops_app', c.oid, 'INSERT, UPDATE, DELETE')
          ORDER BY 1",
    )
    .await;
    assert!(
        writable.is_empty(),
        "stellaops_app may write shared reference data: {writable:?}"
    );
}
