//! The storage's table descriptors (`stellaops_storage::Table`) against the
//! migrated catalog: every table of a module's schema has one, with the
//! catalog's columns (read or listed as unread) and every unique and foreign-key constraint
//! declared by name, as the kind it is. A renamed constraint, an added
//! column or a new table fails here by name, before a caller meets a
//! `Conflict` on the wrong field.
//!
//! The expectations come from `pg_catalog` by plain queries, not from the
//! descriptors or the migrations' text.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use sqlx::PgPool;
use stellaops_storage::{Constraint, Module, Table};
use stellaops_suites::TestDb;

/// The modules whose storage is written (the registry says which).
fn modules_with_storage() -> Vec<Module> {
    Module::ALL
        .into_iter()
        .filter(|m| !m.implemented().is_empty())
        .collect()
}

async fn schema_tables(pool: &PgPool, schema: &str) -> BTreeSet<String> {
    sqlx::query_scalar(
        "SELECT n.nspname || '.' || c.relname FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

async fn catalog_columns(pool: &PgPool, table: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT attname::text FROM pg_attribute
          WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
          ORDER BY attnum",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Unique keys (primary keys, unique constraints and unique indexes that
/// back no constraint) as `None`, foreign keys with the table they point at.
async fn catalog_constraints(pool: &PgPool, table: &str) -> BTreeMap<String, Option<String>> {
    sqlx::query_as::<_, (String, Option<String>)>(
        "SELECT k.conname::text,
                CASE WHEN k.contype = 'f' THEN rn.nspname || '.' || r.relname END
           FROM pg_constraint k
           LEFT JOIN pg_class r ON r.oid = k.confrelid
           LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
          WHERE k.conrelid = $1::regclass AND k.contype IN ('p', 'u', 'f')
         UNION ALL
         SELECT c.relname::text, NULL FROM pg_index i
           JOIN pg_class c ON c.oid = i.indexrelid
          WHERE i.indrelid = $1::regclass AND i.indisunique
            AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

/// Every way `table` differs from the catalog, one line each.
async fn differences(pool: &PgPool, table: &Table, entities: &BTreeMap<&str, &str>) -> Vec<String> {
    let mut found = Vec::new();
    let columns = catalog_columns(pool, table.name).await;
    // Read and unread together are the catalog's columns, each once (rows
    // map by name, so the order of the select list is free).
    let read: Vec<&str> = table.column_names().collect();
    let mut described: Vec<&str> = read.iter().chain(table.unread).copied().collect();
    described.sort_unstable();
    let mut catalog_sorted: Vec<&str> = columns.iter().map(String::as_str).collect();
    catalog_sorted.sort_unstable();
    if described != catalog_sorted {
        found.push(format!(
            "{}: reads {read:?} and leaves {:?}, the catalog has {columns:?}",
            table.name, table.unread
        ));
    }
    let catalog = catalog_constraints(pool, table.name).await;
    for (name, meaning) in table.constraints {
        match (meaning, catalog.get(*name)) {
            (_, None) => found.push(format!(
                "{}: declares {name}, which the catalog does not have",
                table.name
            )),
            (Constraint::Unique(field), Some(Some(target))) => found.push(format!(
                "{}: declares {name} a unique key on {field}, the catalog has a foreign key to {target}",
                table.name
            )),
            (Constraint::References(entity), Some(None)) => found.push(format!(
                "{}: declares {name} a reference to {entity}, the catalog has a unique key",
                table.name
            )),
            (Constraint::References(entity), Some(Some(target))) => {
                let target_entity = entities.get(target.as_str()).copied();
                if target_entity != Some(*entity) {
                    found.push(format!(
                        "{}: {name} points at {target} ({target_entity:?}), declared as {entity}",
                        table.name
                    ));
                }
            }
            (Constraint::Unique(_), Some(None)) => {}
        }
    }
    for name in catalog.keys() {
        if !table
            .constraints
            .iter()
            .any(|(declared, _)| declared == name)
        {
            found.push(format!(
                "{}: the catalog's {name} is not declared (its violation would be an unnamed conflict)",
                table.name
            ));
        }
    }
    found
}

#[tokio::test]
async fn descriptors_match_the_migrated_catalog() {
    let db = TestDb::new().await.unwrap();
    let described_modules: Vec<Module> = Module::ALL
        .into_iter()
        .filter(|m| !m.tables().is_empty())
        .collect();
    assert!(
        !modules_with_storage().is_empty(),
        "the registry lists no module with storage"
    );
    let entities: BTreeMap<&str, &str> = described_modules
        .iter()
        .flat_map(|m| m.tables())
        .map(|t| (t.name, t.entity))
        .collect();
    let mut found = Vec::new();
    for module in described_modules {
        let described: BTreeSet<String> =
            module.tables().iter().map(|t| t.name.to_owned()).collect();
        let catalog = schema_tables(db.admin(), module.schema()).await;
        // A module whose storage is on describes every table; one being
        // written describes those it has so far, each exactly.
        if !module.implemented().is_empty() {
            for missing in catalog.difference(&described) {
                found.push(format!("{module}: {missing} has no descriptor"));
            }
        }
        for extra in described.difference(&catalog) {
            found.push(format!("{module}: {extra} is described but not migrated"));
        }
        for table in module.tables() {
            if catalog.contains(table.name) {
                found.extend(differences(db.admin(), table, &entities).await);
            }
        }
    }
    assert!(
        found.is_empty(),
        "descriptors differ from the catalog:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_module_with_storage_describes_its_tables() {
    for module in modules_with_storage() {
        let row = stellaops_kit::modules::module(module.name()).unwrap();
        assert_eq!(
            module.tables().len() as i64,
            row.tables,
            "{module}: descriptors against the registry's table count"
        );
    }
}
