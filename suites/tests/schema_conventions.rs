//! The conventions of DESIGN section 2, read from the catalog of a migrated
//! database: every table of every module schema, no list to keep up to date.

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

#[tokio::test]
async fn every_table_has_a_primary_key() {
    let db = TestDb::new().await.unwrap();
    let missing = offenders(
        &db,
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1) AND c.relkind = 'r'
            AND NOT EXISTS (SELECT 1 FROM pg_constraint p WHERE p.conrelid = c.oid AND p.contype = 'p')
          ORDER BY 1",
    )
    .await;
    assert!(
        missing.is_empty(),
        "tables without a primary key: {missing:?}"
    );
}

#[tokio::test]
async fn every_foreign_key_has_an_index_leading_with_its_columns() {
    let db = TestDb::new().await.unwrap();
    let uncovered = offenders(
        &db,
        "SELECT f.conrelid::regclass::text || ' ' || f.conname FROM pg_constraint f
           JOIN pg_namespace n ON n.oid = f.connamespace
          WHERE f.contype = 'f' AND n.nspname = ANY($1)
            AND NOT EXISTS (
                SELECT 1 FROM pg_index i
                 WHERE i.indrelid = f.conrelid
                   AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(f.conkey)] @> f.conkey
                   AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(f.conkey)] <@ f.conkey)
          ORDER BY 1",
    )
    .await;
    assert!(
        uncovered.is_empty(),
        "foreign keys without a covering index: {uncovered:?}"
    );
}

#[tokio::test]
async fn no_column_is_a_timestamp_without_time_zone() {
    let db = TestDb::new().await.unwrap();
    let naive = offenders(
        &db,
        "SELECT c.oid::regclass::text || '.' || a.attname FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1) AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
            AND a.atttypid = 'timestamp'::regtype
          ORDER BY 1",
    )
    .await;
    assert!(naive.is_empty(), "timestamp without time zone: {naive:?}");
}

#[tokio::test]
async fn status_and_state_columns_are_constrained() {
    let db = TestDb::new().await.unwrap();
    let free = offenders(
        &db,
        "SELECT c.oid::regclass::text || '.' || a.attname FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1) AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
            AND (a.attname IN ('status', 'state') OR a.attname LIKE '%\\_status' OR a.attname LIKE '%\\_state')
            AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                             WHERE k.conrelid = c.oid AND k.contype = 'c' AND a.attnum = ANY(k.conkey))
          ORDER BY 1",
    )
    .await;
    assert!(free.is_empty(), "status columns without a CHECK: {free:?}");
}

#[tokio::test]
async fn tenant_tables_follow_the_tenant_conventions() {
    let db = TestDb::new().await.unwrap();
    let broken = offenders(
        &db,
        "SELECT c.oid::regclass::text FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
          WHERE n.nspname = ANY($1) AND c.relkind = 'r'
            AND NOT (a.atttypid = 'text'::regtype AND a.attnotnull
                     AND c.relrowsecurity AND c.relforcerowsecurity
                     AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid
                                  AND p.polqual IS NOT NULL AND p.polwithcheck IS NOT NULL))
          ORDER BY 1",
    )
    .await;
    assert!(
        broken.is_empty(),
        "tenant tables breaking the conventions: {broken:?}"
    );
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
