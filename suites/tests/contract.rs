//! The schema contract suite: one named test per table and check, generated
//! from the catalog of a migrated database, so a new table is covered the
//! moment its migration exists. Select a schema with
//! `cargo nextest run -p stellaops-suites --test contract -E 'test(/^vex\./)'`.

use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;
use sqlx::{AssertSqlSafe, PgPool};
use stellaops_storage::{TenantCode, begin_tenant};
use stellaops_suites::catalog::{Table, load_catalog};
use stellaops_suites::rows::{RowGenerator, mix};
use stellaops_suites::{GLOBAL_TABLES, TestDb, module_schemas};

#[path = "contract/mutants.rs"]
mod mutants;

const ACME: &str = "acme";
const GLOBEX: &str = "globex";

type Check = fn(Arc<Vec<Table>>, usize) -> Result<(), Failed>;

/// Checks every table gets.
const TABLE_CHECKS: &[(&str, Check)] = &[
    ("primary_key", |t, i| run(primary_key(t, i))),
    ("foreign_keys_indexed", |t, i| {
        run(foreign_keys_indexed(t, i))
    }),
    ("timestamps_have_time_zone", |t, i| {
        run(timestamps_have_time_zone(t, i))
    }),
    ("status_constrained", |t, i| run(status_constrained(t, i))),
    ("foreign_keys_scoped_by_tenant", |t, i| {
        run(async move { foreign_keys_scoped_by_tenant(&t, i) })
    }),
];

/// Checks every tenant table gets.
const TENANT_CHECKS: &[(&str, Check)] = &[
    ("tenant_id_text_not_null", |t, i| {
        run(tenant_id_text_not_null(t, i))
    }),
    ("rls_forced", |t, i| run(rls_forced(t, i))),
    ("policy_using_and_with_check", |t, i| {
        run(policy_using_and_with_check(t, i))
    }),
    ("crud_round_trip", |t, i| run(crud_round_trip(t, i))),
    ("no_rows_without_tenant", |t, i| {
        run(no_rows_without_tenant(t, i))
    }),
    ("invisible_to_other_tenant", |t, i| {
        run(invisible_to_other_tenant(t, i))
    }),
    ("cross_tenant_update_delete_touch_nothing", |t, i| {
        run(cross_tenant_writes_touch_nothing(t, i))
    }),
    ("cross_tenant_insert_rejected", |t, i| {
        run(cross_tenant_insert_rejected(t, i))
    }),
    ("unique_conflict_reveals_nothing", |t, i| {
        run(unique_conflict_reveals_nothing(t, i))
    }),
    ("related_tenants_isolated", |t, i| {
        run(related_tenants_isolated_shipped(t, i))
    }),
    ("every_policy_keyed_on_tenant", |t, i| {
        run(async move { policies_keyed_on_tenant(&t, i) })
    }),
    ("unqualified_commands_isolated", |t, i| {
        run(unqualified_commands_isolated_shipped(t, i))
    }),
];

fn main() {
    let args = Arguments::from_args();
    let runtime = runtime();
    let tables = match runtime.block_on(load_catalog()) {
        Ok(tables) => Arc::new(tables),
        Err(e) => {
            eprintln!("contract: cannot read the catalog: {e}");
            std::process::exit(101);
        }
    };
    let mut trials = Vec::new();
    for (index, table) in tables.iter().enumerate() {
        let checks: Vec<&(&str, Check)> = if table.is_tenant_table() {
            TABLE_CHECKS.iter().chain(TENANT_CHECKS).collect()
        } else {
            TABLE_CHECKS.iter().collect()
        };
        for (name, check) in checks {
            let tables = tables.clone();
            let check = *check;
            trials.push(Trial::test(
                format!("{}::{name}", table.qualified()),
                move || check(tables, index),
            ));
        }
        if !table.is_tenant_table() {
            let listed = GLOBAL_TABLES
                .iter()
                .any(|(s, t, _)| *s == table.schema && *t == table.name);
            let name = table.qualified();
            trials.push(Trial::test(format!("{name}::listed_as_global"), move || {
                if listed {
                    Ok(())
                } else {
                    Err(format!("{name} has no tenant_id and is not a global table of its module's row (kit/src/modules.rs)").into())
                }
            }));
        }
    }
    for schema in module_schemas() {
        trials.push(Trial::test(
            format!("{schema}::no_view_or_security_definer_bypass"),
            move || run(no_bypass(schema)),
        ));
    }
    trials.push(Trial::test("roles::app_cannot_become_privileged", || {
        run(app_cannot_become_privileged_shipped())
    }));
    trials.extend(mutants::trials());
    libtest_mimic::run(&args, trials).exit();
}

fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("tokio runtime: {e}"),
    }
}

fn run(check: impl std::future::Future<Output = Result<(), String>>) -> Result<(), Failed> {
    runtime().block_on(check).map_err(Failed::from)
}

/// A fresh database with both tenants registered and a pool per tenant.
struct Bundle {
    db: TestDb,
    acme: PgPool,
    globex: PgPool,
}

async fn setup() -> Result<Bundle, String> {
    let db = TestDb::new().await.map_err(|e| e.to_string())?;
    let system = db.system().await.map_err(|e| e.to_string())?;
    sqlx::query(
        "INSERT INTO authority.tenants (code, display_name) VALUES ($1, 'Acme'), ($2, 'Globex')",
    )
    .bind(ACME)
    .bind(GLOBEX)
    .execute(&system)
    .await
    .map_err(|e| e.to_string())?;
    system.close().await;
    let acme = db.tenant(ACME).await.map_err(|e| e.to_string())?;
    let globex = db.tenant(GLOBEX).await.map_err(|e| e.to_string())?;
    Ok(Bundle { db, acme, globex })
}

async fn primary_key(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let table = &tables[i];
    if table.primary_key.is_empty() {
        Err(format!("{} has no primary key", table.qualified()))
    } else {
        Ok(())
    }
}

async fn foreign_keys_indexed(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let table = &tables[i];
    let uncovered: Vec<&str> = table
        .foreign_keys
        .iter()
        .filter(|fk| {
            !table.indexes.iter().any(|index| {
                index.len() >= fk.columns.len()
                    && fk
                        .columns
                        .iter()
                        .all(|c| index[..fk.columns.len()].contains(c))
            })
        })
        .map(|fk| fk.name.as_str())
        .collect();
    if uncovered.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: foreign keys without an index leading with their columns: {uncovered:?}",
            table.qualified()
        ))
    }
}

async fn timestamps_have_time_zone(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let table = &tables[i];
    let naive: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| c.sql_type.starts_with("timestamp without time zone"))
        .map(|c| c.name.as_str())
        .collect();
    if naive.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: timestamp without time zone: {naive:?}",
            table.qualified()
        ))
    }
}

async fn status_constrained(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let table = &tables[i];
    let free: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| {
            c.name == "status"
                || c.name == "state"
                || c.name.ends_with("_status")
                || c.name.ends_with("_state")
        })
        .filter(|c| !table.checks.iter().any(|k| k.columns.contains(&c.name)))
        .map(|c| c.name.as_str())
        .collect();
    if free.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: status columns without a CHECK: {free:?}",
            table.qualified()
        ))
    }
}

async fn tenant_id_text_not_null(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let table = &tables[i];
    match table.column("tenant_id") {
        Some(c) if c.sql_type == "text" && c.not_null => Ok(()),
        Some(c) => Err(format!(
            "{}.tenant_id is {} (not null: {}), not text NOT NULL",
            table.qualified(),
            c.sql_type,
            c.not_null
        )),
        None => Err(format!("{} has no tenant_id", table.qualified())),
    }
}

async fn rls_forced(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let table = &tables[i];
    if table.rls_enabled && table.rls_forced {
        Ok(())
    } else {
        Err(format!(
            "{}: row-level security enabled {}, forced {}",
            table.qualified(),
            table.rls_enabled,
            table.rls_forced
        ))
    }
}

async fn policy_using_and_with_check(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let table = &tables[i];
    if table.full_policy {
        Ok(())
    } else {
        Err(format!(
            "{}: no policy for all commands with both USING and WITH CHECK",
            table.qualified()
        ))
    }
}

fn seed_of(table: &Table) -> u64 {
    mix(0x5354_454c_4c41, &table.qualified())
}

/// `WHERE` clause matching the primary key of the row given as `$1` (jsonb).
fn by_key(table: &Table) -> String {
    let pk: Vec<String> = table
        .primary_key
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect();
    format!(
        "({}) = (SELECT {} FROM jsonb_populate_record(NULL::{}, $1::jsonb) r)",
        pk.iter()
            .map(|c| format!("t.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        pk.iter()
            .map(|c| format!("r.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        table.qualified()
    )
}

async fn count_key(pool: &PgPool, table: &Table, row: &Value) -> Result<i64, String> {
    sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM {} t WHERE {}",
        table.qualified(),
        by_key(table)
    )))
    .bind(row.clone())
    .fetch_one(pool)
    .await
    .map_err(|e| e.to_string())
}

async fn count_all(pool: &PgPool, table: &Table) -> Result<i64, String> {
    sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM {}",
        table.qualified()
    )))
    .fetch_one(pool)
    .await
    .map_err(|e| e.to_string())
}

/// `UPDATE … SET <first non-key column> = itself` on the row's key; rows touched.
async fn touch(pool: &PgPool, table: &Table, row: &Value) -> Result<u64, String> {
    let column = table
        .columns
        .iter()
        .find(|c| !table.primary_key.contains(&c.name) && c.name != "tenant_id")
        .unwrap_or(&table.columns[0]);
    let sql = format!(
        "UPDATE {} t SET \"{}\" = t.\"{}\" WHERE {}",
        table.qualified(),
        column.name,
        column.name,
        by_key(table)
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(row.clone())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        .map_err(|e| e.to_string())
}

async fn delete(pool: &PgPool, table: &Table, row: &Value) -> Result<u64, String> {
    sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM {} t WHERE {}",
        table.qualified(),
        by_key(table)
    )))
    .bind(row.clone())
    .execute(pool)
    .await
    .map(|r| r.rows_affected())
    .map_err(|e| e.to_string())
}

async fn crud_round_trip(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let table = &tables[i];
    let bundle = setup().await?;
    let rows = RowGenerator::new(&tables);
    let row = rows
        .insert(&bundle.acme, table, ACME, seed_of(table))
        .await?;
    let read: Value = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT to_jsonb(t) FROM {} t WHERE {}",
        table.qualified(),
        by_key(table)
    )))
    .bind(row.clone())
    .fetch_one(&bundle.acme)
    .await
    .map_err(|e| format!("read back: {e}"))?;
    if read != row {
        return Err(format!(
            "read back differs:\n  inserted {row}\n  read     {read}"
        ));
    }
    if touch(&bundle.acme, table, &row).await? != 1 {
        return Err("update of the row touched no row".into());
    }
    if delete(&bundle.acme, table, &row).await? != 1 {
        return Err("delete of the row touched no row".into());
    }
    match count_key(&bundle.acme, table, &row).await? {
        0 => Ok(()),
        n => Err(format!("{n} rows left after delete")),
    }
}

async fn no_rows_without_tenant(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let table = &tables[i];
    let bundle = setup().await?;
    RowGenerator::new(&tables)
        .insert(&bundle.acme, table, ACME, seed_of(table))
        .await?;
    let unset = bundle
        .db
        .app_without_tenant()
        .await
        .map_err(|e| e.to_string())?;
    if count_all(&unset, table).await? != 0 {
        return Err("rows visible with app.tenant_id never set".into());
    }
    let mut conn = unset.acquire().await.map_err(|e| e.to_string())?;
    let tenant = TenantCode::parse(GLOBEX).map_err(|e| e.to_string())?;
    let tx = begin_tenant(&mut *conn, &tenant)
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    let after: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM {}",
        table.qualified()
    )))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| format!("with app.tenant_id = '': {e}"))?;
    if after == 0 {
        Ok(())
    } else {
        Err(format!("{after} rows visible with app.tenant_id = ''"))
    }
}

async fn invisible_to_other_tenant(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let table = &tables[i];
    let bundle = setup().await?;
    let row = RowGenerator::new(&tables)
        .insert(&bundle.acme, table, ACME, seed_of(table))
        .await?;
    let by_key = count_key(&bundle.globex, table, &row).await?;
    let all = count_all(&bundle.globex, table).await?;
    if by_key == 0 && all == 0 {
        Ok(())
    } else {
        Err(format!("globex sees {all} rows, {by_key} by acme's key"))
    }
}

async fn cross_tenant_writes_touch_nothing(
    tables: Arc<Vec<Table>>,
    i: usize,
) -> Result<(), String> {
    let table = &tables[i];
    let bundle = setup().await?;
    let row = RowGenerator::new(&tables)
        .insert(&bundle.acme, table, ACME, seed_of(table))
        .await?;
    let updated = touch(&bundle.globex, table, &row).await?;
    let deleted = delete(&bundle.globex, table, &row).await?;
    let still = count_key(&bundle.acme, table, &row).await?;
    if updated == 0 && deleted == 0 && still == 1 {
        Ok(())
    } else {
        Err(format!(
            "globex updated {updated} and deleted {deleted} of acme's rows; acme still has {still}"
        ))
    }
}

async fn cross_tenant_insert_rejected(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let table = &tables[i];
    let bundle = setup().await?;
    let row = RowGenerator::new(&tables)
        .insert(&bundle.acme, table, ACME, seed_of(table))
        .await?;
    refused_by_policy(&bundle.globex, table, &row)
        .await
        .map_err(|why| format!("globex inserting acme's row: {why}"))
}

/// Inserts `row` (another tenant's) through `pool`: Ok only when the
/// policy's WITH CHECK refuses it (42501). WITH CHECK runs before any key
/// is compared; a key error instead would reveal that the row exists.
async fn refused_by_policy(pool: &PgPool, table: &Table, row: &Value) -> Result<(), String> {
    let sql = format!(
        "INSERT INTO {} SELECT * FROM jsonb_populate_record(NULL::{}, $1::jsonb)",
        table.qualified(),
        table.qualified()
    );
    match sqlx::query(AssertSqlSafe(sql))
        .bind(row.clone())
        .execute(pool)
        .await
    {
        Ok(_) => Err("inserted".into()),
        Err(e) if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("42501") => {
            Ok(())
        }
        Err(e) => Err(format!(
            "refused for the wrong reason (a key error reveals the row): {e}"
        )),
    }
}

async fn unique_conflict_reveals_nothing(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let table = &tables[i];
    let bundle = setup().await?;
    let rows = RowGenerator::new(&tables);
    rows.insert(&bundle.acme, table, ACME, seed_of(table))
        .await?;
    // The same generated values for another tenant must not collide with acme's keys.
    rows.insert(&bundle.globex, table, GLOBEX, seed_of(table))
        .await
        .map(drop)
        .map_err(|e| {
            format!("the same values for globex were refused (a key not scoped by tenant): {e}")
        })
}

async fn no_bypass(schema: String) -> Result<(), String> {
    let db = TestDb::new().await.map_err(|e| e.to_string())?;
    let offenders: Vec<String> = sqlx::query_scalar(
        "SELECT 'view ' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')
            AND NOT coalesce('security_invoker=true' = ANY(c.reloptions), false)
         UNION ALL
         SELECT 'security definer function ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = $1 AND p.prosecdef",
    )
    .bind(&schema)
    .fetch_all(db.admin())
    .await
    .map_err(|e| e.to_string())?;
    if offenders.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{schema}: run as their owner and can bypass RLS: {offenders:?}"
        ))
    }
}

/// A foreign key of a tenant table must carry the tenant: `tenant_id` maps
/// to the referenced table's `tenant_id`. A key on `(id)` alone lets a row
/// point into another tenant, and its check (which ignores RLS) tells
/// whether another tenant's row exists. A global table must not reference
/// a tenant table at all.
fn foreign_keys_scoped_by_tenant(tables: &[Table], i: usize) -> Result<(), String> {
    let table = &tables[i];
    let tenant_tables: std::collections::HashSet<String> = tables
        .iter()
        .filter(|t| t.is_tenant_table())
        .map(Table::qualified)
        .collect();
    let unscoped: Vec<String> = table
        .foreign_keys
        .iter()
        .filter(|fk| tenant_tables.contains(&fk.target))
        .filter(|fk| {
            !table.is_tenant_table()
                || !fk
                    .columns
                    .iter()
                    .zip(&fk.target_columns)
                    .any(|(from, to)| from == "tenant_id" && to == "tenant_id")
        })
        .map(|fk| {
            format!(
                "{} ({}) -> {} ({})",
                fk.name,
                fk.columns.join(", "),
                fk.target,
                fk.target_columns.join(", ")
            )
        })
        .collect();
    if unscoped.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: foreign keys into tenant tables not scoped by tenant_id: {unscoped:?}",
            table.qualified()
        ))
    }
}

/// Tenant codes related to [`RELATED_OWNER`] the way loose policies confuse
/// them: a prefix, an extension, a shared segment, a LIKE wildcard match, a
/// substring.
const RELATED_OWNER: &str = "acme-eu";
const RELATED_OBSERVERS: &[&str] = &["acme", "acme-e", "acme-eu-1", "acme-us", "acme_eu", "eu"];

/// Registers `codes` in the tenant registry, as `stellaops_system`.
async fn register_tenants(db: &TestDb, codes: &[&str]) -> Result<(), String> {
    let system = db.system().await.map_err(|e| e.to_string())?;
    for code in codes {
        sqlx::query("INSERT INTO authority.tenants (code, display_name) VALUES ($1, $1)")
            .bind(code)
            .execute(&system)
            .await
            .map_err(|e| format!("registering tenant {code}: {e}"))?;
    }
    system.close().await;
    Ok(())
}

async fn related_tenants_isolated_shipped(tables: Arc<Vec<Table>>, i: usize) -> Result<(), String> {
    let db = TestDb::new().await.map_err(|e| e.to_string())?;
    related_tenants_isolated(&db, &tables, i).await
}

/// A row of `acme-eu` is invisible to, and untouchable by, every related
/// tenant, which also cannot insert a row carrying `acme-eu`.
async fn related_tenants_isolated(db: &TestDb, tables: &[Table], i: usize) -> Result<(), String> {
    let table = &tables[i];
    let codes: Vec<&str> = std::iter::once(RELATED_OWNER)
        .chain(RELATED_OBSERVERS.iter().copied())
        .collect();
    register_tenants(db, &codes).await?;
    let owner = db.tenant(RELATED_OWNER).await.map_err(|e| e.to_string())?;
    let row = RowGenerator::new(tables)
        .insert(&owner, table, RELATED_OWNER, seed_of(table))
        .await?;
    let mut leaks = Vec::new();
    for observer_code in RELATED_OBSERVERS {
        let observer = db.tenant(observer_code).await.map_err(|e| e.to_string())?;
        let seen = count_all(&observer, table).await?;
        let updated = touch(&observer, table, &row).await?;
        let deleted = delete(&observer, table, &row).await?;
        if seen + updated as i64 + deleted as i64 > 0 {
            leaks.push(format!(
                "{observer_code} sees {seen}, updates {updated}, deletes {deleted}"
            ));
        }
        if let Err(why) = refused_by_policy(&observer, table, &row).await {
            leaks.push(format!(
                "{observer_code} inserting a row of {RELATED_OWNER}: {why}"
            ));
        }
        observer.close().await;
    }
    let still = count_key(&owner, table, &row).await?;
    if still != 1 {
        leaks.push(format!("{RELATED_OWNER}'s row is gone ({still} left)"));
    }
    if leaks.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: related tenants are not isolated from {RELATED_OWNER}: {leaks:?}",
            table.qualified()
        ))
    }
}

/// Every permissive policy, for every command it covers, is keyed on the
/// tenant setting (the catalog's view; see `stellaops_suites::policies`).
fn policies_keyed_on_tenant(tables: &[Table], i: usize) -> Result<(), String> {
    let table = &tables[i];
    let loose = stellaops_suites::policies::loose_policies(table);
    if loose.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: permissive policies not keyed on the tenant (PostgreSQL ORs them per command): {loose:?}",
            table.qualified()
        ))
    }
}

async fn unqualified_commands_isolated_shipped(
    tables: Arc<Vec<Table>>,
    i: usize,
) -> Result<(), String> {
    let db = TestDb::new().await.map_err(|e| e.to_string())?;
    unqualified_commands_isolated(&db, &tables, i).await
}

/// As `acme`, one statement per command without a WHERE clause, so that
/// nothing but the policies of that command stands between `acme` and a row
/// of `acme-eu`: SELECT sees none, UPDATE (setting a column to a value that
/// reads no column, so no SELECT policy joins in) and DELETE touch none,
/// and INSERT of `acme-eu`'s row is refused by the policy.
async fn unqualified_commands_isolated(
    db: &TestDb,
    tables: &[Table],
    i: usize,
) -> Result<(), String> {
    let table = &tables[i];
    let observer_code = ACME;
    register_tenants(db, &[RELATED_OWNER, observer_code]).await?;
    let owner = db.tenant(RELATED_OWNER).await.map_err(|e| e.to_string())?;
    let observer = db.tenant(observer_code).await.map_err(|e| e.to_string())?;
    let row = RowGenerator::new(tables)
        .insert(&owner, table, RELATED_OWNER, seed_of(table))
        .await?;
    let name = table.qualified();
    let mut leaks = Vec::new();
    let seen = count_all(&observer, table).await?;
    if seen != 0 {
        leaks.push(format!("SELECT without WHERE sees {seen} rows"));
    }
    let column = table
        .columns
        .iter()
        .find(|c| !table.primary_key.contains(&c.name) && c.name != "tenant_id")
        .unwrap_or(&table.columns[0]);
    let updated = sqlx::query(AssertSqlSafe(format!(
        "UPDATE {name} SET \"{col}\" = (jsonb_populate_record(NULL::{name}, $1::jsonb)).\"{col}\"",
        col = column.name
    )))
    .bind(row.clone())
    .execute(&observer)
    .await
    .map(|r| r.rows_affected())
    .map_err(|e| format!("UPDATE without WHERE: {e}"))?;
    if updated != 0 {
        leaks.push(format!("UPDATE without WHERE touched {updated} rows"));
    }
    let deleted = sqlx::query(AssertSqlSafe(format!("DELETE FROM {name}")))
        .execute(&observer)
        .await
        .map(|r| r.rows_affected())
        .map_err(|e| format!("DELETE without WHERE: {e}"))?;
    if deleted != 0 {
        leaks.push(format!("DELETE without WHERE deleted {deleted} rows"));
    }
    let still = count_key(&owner, table, &row).await?;
    if still != 1 {
        leaks.push(format!("{RELATED_OWNER}'s row is gone ({still} left)"));
    } else {
        // Gone first, so that only the policy (not the primary key) can refuse it.
        delete(&owner, table, &row).await?;
        if let Err(why) = refused_by_policy(&observer, table, &row).await {
            leaks.push(format!("INSERT of a row of {RELATED_OWNER}: {why}"));
        }
    }
    owner.close().await;
    observer.close().await;
    if leaks.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{name}: as {observer_code}, statements without WHERE reach rows of {RELATED_OWNER}: {leaks:?}"
        ))
    }
}

async fn app_cannot_become_privileged_shipped() -> Result<(), String> {
    let db = TestDb::new().await.map_err(|e| e.to_string())?;
    let mut conn = db.admin().acquire().await.map_err(|e| e.to_string())?;
    app_cannot_become_privileged(&mut conn, stellaops_harness::APP_ROLE).await
}

/// Every role `role` is or can become (membership, direct or inherited, lets
/// it `SET ROLE`) is checked: none may be a superuser, bypass RLS, create
/// roles (it could grant itself any other), or own a schema, table, view,
/// sequence or function of the database (owners bypass RLS unless forced,
/// and can disable it).
async fn app_cannot_become_privileged(
    conn: &mut sqlx::PgConnection,
    role: &str,
) -> Result<(), String> {
    let findings: Vec<String> = sqlx::query_scalar(
        "WITH RECURSIVE reach(oid, path) AS (
             SELECT oid, rolname::text FROM pg_roles WHERE rolname = $1
             UNION
             SELECT m.roleid, r.path || ' -> ' || g.rolname
               FROM pg_auth_members m
               JOIN reach r ON m.member = r.oid
               JOIN pg_roles g ON g.oid = m.roleid
         ),
         user_schemas AS (
             SELECT oid, nspowner FROM pg_namespace
              WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
         ),
         flags AS (
             SELECT r.path,
                    g.rolsuper AS superuser,
                    g.rolbypassrls AS bypasses_rls,
                    g.rolcreaterole AS creates_roles,
                    EXISTS (SELECT 1 FROM user_schemas n WHERE n.nspowner = g.oid) AS owns_schema,
                    EXISTS (SELECT 1 FROM pg_class c JOIN user_schemas n ON n.oid = c.relnamespace
                             WHERE c.relowner = g.oid) AS owns_tables,
                    EXISTS (SELECT 1 FROM pg_proc p JOIN user_schemas n ON n.oid = p.pronamespace
                             WHERE p.proowner = g.oid) AS owns_functions
               FROM reach r JOIN pg_roles g ON g.oid = r.oid
         )
         SELECT path || ': ' || concat_ws(', ',
                  CASE WHEN superuser THEN 'superuser' END,
                  CASE WHEN bypasses_rls THEN 'bypasses RLS' END,
                  CASE WHEN creates_roles THEN 'creates roles' END,
                  CASE WHEN owns_schema THEN 'owns a schema' END,
                  CASE WHEN owns_tables THEN 'owns tables' END,
                  CASE WHEN owns_functions THEN 'owns functions' END)
           FROM flags
          WHERE superuser OR bypasses_rls OR creates_roles
             OR owns_schema OR owns_tables OR owns_functions
          ORDER BY 1",
    )
    .bind(role)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| e.to_string())?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(role)
            .fetch_one(conn)
            .await
            .map_err(|e| e.to_string())?;
    if !exists {
        return Err(format!("role {role} does not exist"));
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{role} is, or can become, a privileged role: {findings:?}"
        ))
    }
}
