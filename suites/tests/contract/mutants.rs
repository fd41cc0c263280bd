//! Schema mutants: deliberately broken copies of the migrations, each run
//! through the same check the suite runs on the shipped schemas, which must
//! fail on it. One trial per mutant, named `mutants::<class>::<mutant>`.
//!
//! Each mutant is migrated into an empty database of its own (no template,
//! so no shipped template is evicted). Role mutants rename the app role to
//! a role of their own first: roles are cluster-wide, and the shared
//! `stellaops_app` must never gain a membership while other tests run.

use std::path::{Path, PathBuf};

use libtest_mimic::{Failed, Trial};
use sqlx::AssertSqlSafe;
use stellaops_migrations::{MigrationSet, Migrator};
use stellaops_suites::TestDb;
use stellaops_suites::catalog::{Table, read_tables};

use super::{
    app_cannot_become_privileged, foreign_keys_scoped_by_tenant, policies_keyed_on_tenant,
    related_tenants_isolated, run, unqualified_commands_isolated,
};

/// The policy predicate every module's migration writes (inside a format string).
const POLICY: &str = "tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')";
const SETTING: &str = "NULLIF(current_setting(''app.tenant_id'', true), '''')";

/// Loose comparisons of tenant codes: each lets a related tenant in.
const LOOSE_POLICIES: &[(&str, &str)] = &[
    // Inside format(): a literal % is written %%.
    ("prefix", "tenant_id LIKE {s} || ''%%''"),
    ("extension", "starts_with({s}, tenant_id)"),
    (
        "shared_segment",
        "split_part(tenant_id, ''-'', 1) = split_part({s}, ''-'', 1)",
    ),
    ("like_wildcard", "tenant_id LIKE {s}"),
    ("substring", "strpos(tenant_id, {s}) > 0"),
];

/// One extra policy on `policy.packs` beside its tenant policy, appended to
/// the module's migration: (name, SQL, whether a tenant of the app role
/// reaches another tenant's rows with it). The last one leaks only to a
/// client that sets a setting of its own, which the catalog check names.
const EXTRA_POLICIES: &[(&str, &str, bool)] = &[
    (
        "select_always_true",
        "CREATE POLICY loose ON policy.packs FOR SELECT USING (true);",
        true,
    ),
    (
        "insert_always_true",
        "CREATE POLICY loose ON policy.packs FOR INSERT WITH CHECK (true);",
        true,
    ),
    (
        "update_always_true",
        "CREATE POLICY loose ON policy.packs FOR UPDATE USING (true) WITH CHECK (true);",
        true,
    ),
    (
        "delete_always_true",
        "CREATE POLICY loose ON policy.packs FOR DELETE USING (true);",
        true,
    ),
    (
        "delete_true_in_disguise",
        "CREATE POLICY loose ON policy.packs FOR DELETE TO stellaops_app USING (tenant_id IS NOT NULL);",
        true,
    ),
    (
        "all_tenant_or_prefix",
        "CREATE POLICY loose ON policy.packs USING (
             tenant_id = NULLIF(current_setting('app.tenant_id', true), '')
             OR tenant_id LIKE NULLIF(current_setting('app.tenant_id', true), '') || '%');",
        true,
    ),
    (
        "select_keyed_on_a_client_setting",
        "CREATE POLICY loose ON policy.packs FOR SELECT USING (tenant_id = current_setting('app.viewer', true));",
        false,
    ),
];

/// Extra policies that only narrow what the tenant policy allows: both
/// policy checks must pass on them (no false alarm).
const NARROWING_POLICIES: &[(&str, &str)] = &[
    (
        "restrictive_always_true",
        "CREATE POLICY narrow ON policy.packs AS RESTRICTIVE FOR SELECT USING (true);",
    ),
    (
        "keyed_and_narrower",
        "CREATE POLICY narrow ON policy.packs FOR UPDATE
             USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '') AND name <> '')
             WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''));",
    ),
];

/// Ways the app role comes to be able to become a privileged role.
/// `{app}` is the mutant's own app role, `{x}` a suffix for roles it creates.
const ROLE_MUTANTS: &[(&str, &str)] = &[
    ("member_of_owner", "GRANT stellaops_owner TO {app};"),
    (
        "inherits_owner_through_a_role",
        "CREATE ROLE mid_{x} NOLOGIN; GRANT stellaops_owner TO mid_{x}; GRANT mid_{x} TO {app};",
    ),
    ("member_of_system", "GRANT stellaops_system TO {app};"),
    (
        "member_of_a_bypassrls_role",
        "CREATE ROLE byp_{x} NOLOGIN BYPASSRLS; GRANT byp_{x} TO {app};",
    ),
    (
        "member_of_a_superuser_role",
        "CREATE ROLE su_{x} NOLOGIN SUPERUSER; GRANT su_{x} TO {app};",
    ),
    ("creates_roles", "ALTER ROLE {app} CREATEROLE;"),
    (
        "owns_a_table",
        "CREATE TABLE public.owned_{x} (id int PRIMARY KEY); ALTER TABLE public.owned_{x} OWNER TO {app};",
    ),
];

/// Foreign keys that let a row point into another tenant, appended to a
/// module's migration: (name, file, SQL, table the check must fail on).
const FK_MUTANTS: &[(&str, &str, &str, &str)] = &[
    (
        "on_id_alone",
        "policy/0001_policy_schema.sql",
        "ALTER TABLE policy.packs ADD CONSTRAINT packs_id_mutant UNIQUE (id);
         ALTER TABLE policy.pack_versions ADD CONSTRAINT pack_versions_pack_mutant
             FOREIGN KEY (pack_id) REFERENCES policy.packs (id);",
        "policy.pack_versions",
    ),
    (
        "tenant_from_another_column",
        "policy/0001_policy_schema.sql",
        "ALTER TABLE policy.pack_versions ADD COLUMN owner_tenant text;
         ALTER TABLE policy.pack_versions ADD CONSTRAINT pack_versions_owner_mutant
             FOREIGN KEY (owner_tenant, pack_id) REFERENCES policy.packs (tenant_id, id);",
        "policy.pack_versions",
    ),
    (
        "global_table_into_tenant_table",
        "authority/0001_authority_schema.sql",
        "ALTER TABLE authority.roles ADD CONSTRAINT roles_id_mutant UNIQUE (id);
         ALTER TABLE authority.scopes ADD COLUMN role_id uuid;
         ALTER TABLE authority.scopes ADD CONSTRAINT scopes_role_mutant
             FOREIGN KEY (role_id) REFERENCES authority.roles (id);",
        "authority.scopes",
    ),
];

/// What the check said of a mutant (the outer error: the mutant could not be built).
type Verdict = Result<Result<(), String>, String>;

pub fn trials() -> Vec<Trial> {
    let mut trials = Vec::new();
    for (name, predicate) in LOOSE_POLICIES {
        trials.push(Trial::test(
            format!("mutants::related_tenants::{name}"),
            move || killed(loose_policy(predicate)),
        ));
    }
    for (name, sql) in ROLE_MUTANTS {
        trials.push(Trial::test(
            format!("mutants::app_role_can_become::{name}"),
            move || killed(role_mutant(sql)),
        ));
    }
    for (name, sql, leaks) in EXTRA_POLICIES {
        trials.push(Trial::test(
            format!("mutants::extra_policy::catalog::{name}"),
            move || killed(extra_policy(sql, PolicyCheck::Catalog)),
        ));
        if *leaks {
            trials.push(Trial::test(
                format!("mutants::extra_policy::commands::{name}"),
                move || killed(extra_policy(sql, PolicyCheck::Commands)),
            ));
        }
    }
    for (name, sql) in NARROWING_POLICIES {
        for check in [PolicyCheck::Catalog, PolicyCheck::Commands] {
            trials.push(Trial::test(
                format!("mutants::narrowing_policy_passes::{check:?}::{name}").to_lowercase(),
                move || spared(extra_policy(sql, check)),
            ));
        }
    }
    for (name, file, sql, table) in FK_MUTANTS {
        trials.push(Trial::test(
            format!("mutants::foreign_key_not_scoped::{name}"),
            move || killed(fk_mutant(file, sql, table)),
        ));
    }
    trials
}

/// Passes when the check failed on the mutant (and prints what it said);
/// fails when the check passed, or when the mutant could not be built.
fn killed(verdict: impl std::future::Future<Output = Verdict>) -> Result<(), Failed> {
    let mut outcome = Ok(());
    run(async {
        outcome = match verdict.await {
            Err(setup) => Err(format!("the mutant could not be built: {setup}")),
            Ok(Ok(())) => {
                Err("the mutant survived: the check passed on a broken schema".to_owned())
            }
            Ok(Err(caught)) => {
                println!("killed: {caught}");
                Ok(())
            }
        };
        Ok(())
    })?;
    outcome.map_err(Failed::from)
}

/// Passes when the check passed on a schema that is not broken; fails with
/// what the check said otherwise.
fn spared(verdict: impl std::future::Future<Output = Verdict>) -> Result<(), Failed> {
    let mut outcome = Ok(());
    run(async {
        outcome = match verdict.await {
            Err(setup) => Err(format!("the schema could not be built: {setup}")),
            Ok(Ok(())) => Ok(()),
            Ok(Err(alarm)) => Err(format!("false alarm on a sound schema: {alarm}")),
        };
        Ok(())
    })?;
    outcome.map_err(Failed::from)
}

/// The shipped migrations (`modules.order` and every migration file) copied
/// into a temporary folder.
fn copy_migrations() -> Result<tempfile::TempDir, String> {
    let source = stellaops_migrations::default_dir();
    let set = MigrationSet::load(&source).map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let copy = |file: &str| -> std::io::Result<()> {
        let target = dir.path().join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(source.join(file), target).map(drop)
    };
    copy("modules.order").map_err(|e| format!("copying modules.order: {e}"))?;
    for migration in set.migrations() {
        copy(&migration.file).map_err(|e| format!("copying {}: {e}", migration.file))?;
    }
    Ok(dir)
}

/// The migration files of a copied folder.
fn migration_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let set = MigrationSet::load(dir).map_err(|e| e.to_string())?;
    Ok(set.migrations().iter().map(|m| dir.join(&m.file)).collect())
}

fn edit(dir: &Path, file: &str, change: impl Fn(String) -> String) -> Result<(), String> {
    let path: PathBuf = dir.join(file);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let changed = change(text.clone());
    if changed == text {
        return Err(format!("the mutation changed nothing in {file}"));
    }
    std::fs::write(&path, changed).map_err(|e| e.to_string())
}

/// An empty database migrated with the migrations of `dir`.
async fn migrated(dir: &Path) -> Result<TestDb, String> {
    let db = TestDb::builder()
        .empty()
        .build()
        .await
        .map_err(|e| e.to_string())?;
    let set = MigrationSet::load(dir).map_err(|e| e.to_string())?;
    Migrator::new(set)
        .include_all()
        .apply(db.admin())
        .await
        .map_err(|e| format!("migrating the mutant: {e}"))?;
    Ok(db)
}

/// The policy module's migration changed by `change`, migrated into a
/// database of its own, with its catalog and the position of `policy.packs`.
async fn policy_mutant(
    change: impl Fn(String) -> String,
) -> Result<(TestDb, Vec<Table>, usize), String> {
    let dir = copy_migrations()?;
    edit(dir.path(), "policy/0001_policy_schema.sql", change)?;
    let db = migrated(dir.path()).await?;
    let tables = read_tables(db.admin()).await.map_err(|e| e.to_string())?;
    let index = tables
        .iter()
        .position(|t| t.qualified() == "policy.packs")
        .ok_or("no policy.packs in the mutant")?;
    Ok((db, tables, index))
}

async fn loose_policy(predicate: &str) -> Verdict {
    let loose = predicate.replace("{s}", SETTING);
    let (db, tables, index) = policy_mutant(|sql| sql.replace(POLICY, &loose)).await?;
    Ok(related_tenants_isolated(&db, &tables, index).await)
}

/// The two checks of policies: the catalog's (every permissive policy keyed
/// on the tenant) and the behavioural one (statements without WHERE).
#[derive(Debug, Clone, Copy)]
enum PolicyCheck {
    Catalog,
    Commands,
}

async fn extra_policy(sql: &str, check: PolicyCheck) -> Verdict {
    let (db, tables, index) = policy_mutant(|text| format!("{text}\n{sql}\n")).await?;
    if tables[index].policies.len() < 2 {
        return Err("the extra policy was not created".into());
    }
    Ok(match check {
        PolicyCheck::Catalog => policies_keyed_on_tenant(&tables, index),
        PolicyCheck::Commands => unqualified_commands_isolated(&db, &tables, index).await,
    })
}

async fn role_mutant(sql: &str) -> Verdict {
    let suffix =
        stellaops_harness::state::random_hex().map_err(|e| e.to_string())?[..10].to_owned();
    let app = format!("stellaops_app_m{suffix}");
    let dir = copy_migrations()?;
    // Every file names the mutant's own app role instead of the shared one.
    for path in migration_files(dir.path())? {
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        std::fs::write(&path, text.replace("stellaops_app", &app)).map_err(|e| e.to_string())?;
    }
    let mutation = sql.replace("{app}", &app).replace("{x}", &suffix);
    edit(dir.path(), "roles/0001_cluster_roles.sql", |text| {
        format!("{text}\n{mutation}\n")
    })?;
    let outcome = async {
        let db = migrated(dir.path()).await?;
        let mut conn = db.admin().acquire().await.map_err(|e| e.to_string())?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                .bind(&app)
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| e.to_string())?;
        if !exists {
            return Err(format!("the mutant's app role {app} was not created"));
        }
        Ok(app_cannot_become_privileged(&mut conn, &app).await)
    }
    .await;
    drop_mutant_roles(&suffix, &app).await?;
    outcome
}

/// Drops the mutant's databases' roles (cluster-wide, so never left behind).
async fn drop_mutant_roles(suffix: &str, app: &str) -> Result<(), String> {
    let server = stellaops_harness::Server::shared()
        .await
        .map_err(|e| e.to_string())?;
    let mut conn = server.connect_admin().await.map_err(|e| e.to_string())?;
    // The databases that hold grants to these roles go first.
    let databases: Vec<String> = sqlx::query_scalar(
        "SELECT d.datname FROM pg_database d
          WHERE EXISTS (SELECT 1 FROM pg_shdepend s JOIN pg_roles r ON r.oid = s.refobjid
                         WHERE s.dbid = d.oid AND r.rolname LIKE '%' || $1)",
    )
    .bind(suffix)
    .fetch_all(&mut conn)
    .await
    .map_err(|e| e.to_string())?;
    for database in databases {
        stellaops_harness::sweep::drop_database(&mut conn, &database)
            .await
            .map_err(|e| e.to_string())?;
    }
    for role in [
        format!("mid_{suffix}"),
        format!("byp_{suffix}"),
        format!("su_{suffix}"),
        app.to_owned(),
    ] {
        sqlx::raw_sql(AssertSqlSafe(format!("DROP ROLE IF EXISTS \"{role}\"")))
            .execute(&mut conn)
            .await
            .map_err(|e| format!("dropping mutant role {role}: {e}"))?;
    }
    Ok(())
}

async fn fk_mutant(file: &str, sql: &str, table: &str) -> Verdict {
    let dir = copy_migrations()?;
    edit(dir.path(), file, |text| format!("{text}\n{sql}\n"))?;
    let db = migrated(dir.path()).await?;
    let tables = read_tables(db.admin()).await.map_err(|e| e.to_string())?;
    let index = tables
        .iter()
        .position(|t| t.qualified() == table)
        .ok_or_else(|| format!("no {table} in the mutant"))?;
    Ok(foreign_keys_scoped_by_tenant(&tables, index))
}
