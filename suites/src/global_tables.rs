//! The tables without tenants and the table counts of the module schemas,
//! read from the registry of modules (`stellaops_kit::modules`).
//!
//! Every other table of a StellaOps schema is a tenant table: `tenant_id`,
//! RLS enabled and forced, a policy with USING and WITH CHECK. The schema
//! suites check both directions: a table listed here has no `tenant_id`, and
//! a table without `tenant_id` is listed here.

use std::sync::LazyLock;

use stellaops_kit::modules::MODULES;

/// (schema, table, reason), from every module's row.
pub static GLOBAL_TABLES: LazyLock<Vec<(&'static str, &'static str, &'static str)>> =
    LazyLock::new(|| {
        MODULES
            .iter()
            .flat_map(|m| {
                m.global_tables
                    .iter()
                    .map(move |(table, why)| (m.schema, *table, *why))
            })
            .collect()
    });

/// The six module schemas and their table counts, by schema name.
pub static MODULE_TABLE_COUNTS: LazyLock<Vec<(&'static str, i64)>> = LazyLock::new(|| {
    let mut counts: Vec<(&'static str, i64)> =
        MODULES.iter().map(|m| (m.schema, m.tables)).collect();
    counts.sort();
    counts
});

/// The module schemas, for catalog queries.
pub fn module_schemas() -> Vec<String> {
    MODULE_TABLE_COUNTS
        .iter()
        .map(|(schema, _)| (*schema).to_owned())
        .collect()
}
