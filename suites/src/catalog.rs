//! The tables of the module schemas as the catalog describes them: what the
//! contract suite generates its tests from.

use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use stellaops_harness::{Server, TestDb, ensure_template};
use stellaops_migrations::MigrationSet;

use crate::module_schemas;

/// One column.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// `format_type()`, usable as a cast target.
    pub sql_type: String,
    pub not_null: bool,
    /// A default, identity or generated value exists.
    pub has_default: bool,
}

/// One CHECK constraint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub definition: String,
    pub columns: Vec<String>,
}

/// One foreign key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    /// `schema.table` of the referenced table.
    pub target: String,
    pub target_columns: Vec<String>,
}

/// One row-level security policy (`pg_policies`), its expressions as the
/// server renders them (`pg_get_expr`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Policy {
    pub name: String,
    /// Permissive policies are ORed per command; restrictive ones ANDed.
    pub permissive: bool,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE` or `DELETE`.
    pub command: String,
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
}

/// One table of a module schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Table {
    pub schema: String,
    pub name: String,
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    pub checks: Vec<Check>,
    pub foreign_keys: Vec<ForeignKey>,
    /// Column lists of the table's indexes, in index order.
    pub indexes: Vec<Vec<String>>,
    pub rls_enabled: bool,
    pub rls_forced: bool,
    /// A policy for all commands with both USING and WITH CHECK exists.
    pub full_policy: bool,
    /// Every policy of the table, by name.
    pub policies: Vec<Policy>,
}

impl Table {
    /// `schema.table`.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    pub fn is_tenant_table(&self) -> bool {
        self.columns.iter().any(|c| c.name == "tenant_id")
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Every table of the module schemas, ordered by schema and name, from five
/// catalog queries (cached per template by [`load_catalog`]).
pub async fn read_tables(pool: &PgPool) -> Result<Vec<Table>, sqlx::Error> {
    let names: Vec<(String, String, bool, bool, bool)> = sqlx::query_as(
        "SELECT n.nspname::text, c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
                EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polcmd = '*'
                         AND p.polqual IS NOT NULL AND p.polwithcheck IS NOT NULL)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1) AND c.relkind = 'r' ORDER BY 1, 2",
    )
    .bind(module_schemas())
    .fetch_all(pool)
    .await?;
    let mut tables: Vec<Table> = names
        .into_iter()
        .map(
            |(schema, name, rls_enabled, rls_forced, full_policy)| Table {
                schema,
                name,
                columns: Vec::new(),
                primary_key: Vec::new(),
                checks: Vec::new(),
                foreign_keys: Vec::new(),
                indexes: Vec::new(),
                rls_enabled,
                rls_forced,
                full_policy,
                policies: Vec::new(),
            },
        )
        .collect();
    let index: std::collections::HashMap<String, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.qualified(), i))
        .collect();

    let columns: Vec<(String, String, String, bool, bool)> = sqlx::query_as(
        "SELECT n.nspname || '.' || c.relname, a.attname::text, format_type(a.atttypid, a.atttypmod),
                a.attnotnull, a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1) AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY 1, a.attnum",
    )
    .bind(module_schemas())
    .fetch_all(pool)
    .await?;
    for (table, name, sql_type, not_null, has_default) in columns {
        if let Some(&i) = index.get(&table) {
            tables[i].columns.push(Column {
                name,
                sql_type,
                not_null,
                has_default,
            });
        }
    }

    type ConstraintRow = (
        String,
        String,
        String,
        String,
        Vec<String>,
        Option<String>,
        Vec<String>,
    );
    let constraints: Vec<ConstraintRow> = sqlx::query_as(
        "SELECT n.nspname || '.' || c.relname, k.conname::text, k.contype::text, pg_get_constraintdef(k.oid),
                ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
                        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i),
                CASE WHEN k.contype = 'f' THEN k.confrelid::regclass::text END,
                ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
                        JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i)
           FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1) AND c.relkind = 'r' AND k.contype IN ('p', 'c', 'f')
          ORDER BY 1, k.conname",
    )
    .bind(module_schemas())
    .fetch_all(pool)
    .await?;
    for (table, name, kind, definition, columns, target, target_columns) in constraints {
        let Some(&i) = index.get(&table) else {
            continue;
        };
        let table = &mut tables[i];
        match kind.as_str() {
            "p" => table.primary_key = columns,
            "c" => table.checks.push(Check {
                name,
                definition,
                columns,
            }),
            _ => table.foreign_keys.push(ForeignKey {
                name,
                columns,
                target: target.unwrap_or_default(),
                target_columns,
            }),
        }
    }
    let indexes: Vec<(String, Vec<String>)> = sqlx::query_as(
        "SELECT n.nspname || '.' || c.relname,
                ARRAY(SELECT coalesce(a.attname::text, '<expression>')
                        FROM unnest(string_to_array(i.indkey::text, ' ')::int2[]) WITH ORDINALITY u(n, o)
                        LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n ORDER BY u.o)
           FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1) AND c.relkind = 'r' ORDER BY 1, 2",
    )
    .bind(module_schemas())
    .fetch_all(pool)
    .await?;
    for (table, columns) in indexes {
        if let Some(&i) = index.get(&table) {
            tables[i].indexes.push(columns);
        }
    }
    type PolicyRow = (
        String,
        String,
        String,
        String,
        Vec<String>,
        Option<String>,
        Option<String>,
    );
    let policies: Vec<PolicyRow> = sqlx::query_as(
        "SELECT schemaname || '.' || tablename, policyname::text, permissive, cmd,
                roles::text[], qual, with_check
           FROM pg_policies WHERE schemaname = ANY($1) ORDER BY 1, 2",
    )
    .bind(module_schemas())
    .fetch_all(pool)
    .await?;
    for (table, name, permissive, command, roles, using, with_check) in policies {
        if let Some(&i) = index.get(&table) {
            tables[i].policies.push(Policy {
                name,
                permissive: permissive == "PERMISSIVE",
                command,
                roles,
                using,
                with_check,
            });
        }
    }
    Ok(tables)
}

/// The catalog of the shipped migrations, read once per template and cached
/// beside the server state: every process of the contract suite needs it,
/// and reading it costs a database of its own.
pub async fn load_catalog() -> Result<Vec<Table>, String> {
    let server = Server::shared().await.map_err(|e| e.to_string())?;
    let set = MigrationSet::load(stellaops_migrations::default_dir()).map_err(|e| e.to_string())?;
    let template = ensure_template(&server, &set)
        .await
        .map_err(|e| e.to_string())?;
    let cache = server
        .settings
        .state_dir
        .join(format!("catalog-{}.json", template.name));
    if let Ok(text) = std::fs::read_to_string(&cache)
        && let Ok(tables) = serde_json::from_str(&text)
    {
        return Ok(tables);
    }
    let db = TestDb::builder()
        .build_on(server.clone())
        .await
        .map_err(|e| e.to_string())?;
    let tables = read_tables(db.admin()).await.map_err(|e| e.to_string())?;
    let text = serde_json::to_string(&tables).map_err(|e| e.to_string())?;
    // Through a rename: a concurrent reader never sees half a file.
    let tmp = cache.with_extension(format!("json.{}", std::process::id()));
    if std::fs::write(&tmp, text).is_ok() {
        let _ = std::fs::rename(&tmp, &cache);
    }
    Ok(tables)
}
