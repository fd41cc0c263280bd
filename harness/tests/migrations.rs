//! The migration runner against a real server: templates, checksums,
//! categories, rollback and the lock.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

mod support;

use std::fs;
use std::path::Path;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgPool};
use stellaops_harness::TestDb;
use stellaops_migrations::{
    Category, MIGRATION_LOCK_KEY, MigrateError, MigrationSet, MigrationState, Migrator,
};

/// Runners racing for one database in the concurrency test.
const CONCURRENT_RUNNERS: usize = 2;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            if entry.file_name() != "src" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The shipped migrations with one applied file edited.
fn edited_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&stellaops_migrations::default_dir(), dir.path());
    let file = dir.path().join("authority/0001_authority_schema.sql");
    let mut sql = fs::read_to_string(&file).unwrap();
    sql.push_str("\n-- an innocent-looking edit\n");
    fs::write(file, sql).unwrap();
    dir
}

fn write(dir: &Path, rel: &str, body: &str) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, body).unwrap();
}

async fn pool(db: &TestDb) -> PgPool {
    PgPoolOptions::new()
        .max_connections(2)
        .connect(&db.url())
        .await
        .unwrap()
}

async fn table_counts(pool: &PgPool) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT table_schema::text, count(*) FROM information_schema.tables
          WHERE table_schema IN ('authority', 'scheduler') AND table_type = 'BASE TABLE'
          GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn template_holds_every_table_of_both_modules() {
    let db = TestDb::new().await.unwrap();
    assert_eq!(
        table_counts(db.admin()).await,
        vec![("authority".to_owned(), 12), ("scheduler".to_owned(), 11)]
    );
}

#[tokio::test]
async fn a_changed_migration_yields_a_new_template() {
    let shipped = TestDb::new().await.unwrap();
    let edited = edited_copy();
    let db = TestDb::builder()
        .migrations(edited.path())
        .build()
        .await
        .unwrap();
    assert_ne!(db.template(), shipped.template());
    assert_eq!(table_counts(db.admin()).await.len(), 2);
    // The same set again reuses the template it just built.
    let again = TestDb::builder()
        .migrations(edited.path())
        .build()
        .await
        .unwrap();
    assert_eq!(again.template(), db.template());
}

#[tokio::test]
async fn a_changed_applied_migration_fails_apply_and_validate_by_name() {
    let db = TestDb::new().await.unwrap();
    let edited = edited_copy();
    let migrator = Migrator::new(MigrationSet::load(edited.path()).unwrap());
    for result in [
        migrator.validate(db.admin()).await,
        migrator.apply(db.admin()).await.map(drop),
    ] {
        let err = result.unwrap_err();
        assert!(
            matches!(&err, MigrateError::ChecksumMismatch { module, version: 1, file, .. }
                if module == "authority" && file == "authority/0001_authority_schema.sql"),
            "{err}"
        );
        let message = err.to_string();
        assert!(
            message.contains("module authority, version 1")
                && message.contains("0001_authority_schema.sql"),
            "{message}"
        );
    }
    let rows = migrator.status(db.admin()).await.unwrap();
    assert!(
        rows.iter()
            .any(|r| matches!(r.state, MigrationState::Changed { .. }))
    );
}

#[tokio::test]
async fn concurrent_applies_serialize_into_one_consistent_result() {
    let db = TestDb::builder().empty().build().await.unwrap();
    let set = MigrationSet::load(stellaops_migrations::default_dir()).unwrap();
    let total = set.migrations().len();
    let mut runners = Vec::new();
    for _ in 0..CONCURRENT_RUNNERS {
        let migrator = Migrator::new(set.clone());
        let pool = pool(&db).await;
        runners.push(tokio::spawn(async move { migrator.apply(&pool).await }));
    }
    let mut applied = 0;
    for runner in runners {
        applied += runner.await.unwrap().unwrap().applied.len();
    }
    assert_eq!(
        applied, total,
        "every migration applied exactly once across runners"
    );
    let recorded: i64 = sqlx::query_scalar("SELECT count(*) FROM stellaops_migrations.applied")
        .fetch_one(db.admin())
        .await
        .unwrap();
    assert_eq!(recorded as usize, total);
    assert_eq!(table_counts(db.admin()).await.len(), 2);
    let second = Migrator::new(set).apply(db.admin()).await.unwrap();
    assert!(second.applied.is_empty(), "a second apply is a no-op");
}

#[tokio::test]
async fn release_and_data_migrations_wait_to_be_asked_for() {
    let db = TestDb::builder().empty().build().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "modules.order", "demo\n");
    write(
        dir.path(),
        "demo/0001_init.sql",
        "CREATE SCHEMA demo; CREATE TABLE demo.t (id int PRIMARY KEY);",
    );
    write(
        dir.path(),
        "demo/0002_codes.seed.sql",
        "INSERT INTO demo.t VALUES (1) ON CONFLICT DO NOTHING;",
    );
    write(
        dir.path(),
        "demo/0003_drop_old.release.sql",
        "ALTER TABLE demo.t ADD COLUMN note text;",
    );
    write(
        dir.path(),
        "demo/0004_after.sql",
        "CREATE TABLE demo.u (id int PRIMARY KEY);",
    );
    write(
        dir.path(),
        "demo/0005_fill.data.sql",
        "UPDATE demo.t SET note = 'filled';",
    );
    let set = MigrationSet::load(dir.path()).unwrap();

    let first = Migrator::new(set.clone()).apply(db.admin()).await.unwrap();
    let versions: Vec<i64> = first.applied.iter().map(|m| m.version).collect();
    assert_eq!(
        versions,
        vec![1, 2],
        "startup and seed apply; the release holds back what follows"
    );
    assert_eq!(
        first
            .held_back
            .iter()
            .map(|m| m.version)
            .collect::<Vec<_>>(),
        vec![3]
    );

    let second = Migrator::new(set.clone())
        .include(Category::Release)
        .apply(db.admin())
        .await
        .unwrap();
    assert_eq!(
        second.applied.iter().map(|m| m.version).collect::<Vec<_>>(),
        vec![3, 4]
    );
    assert_eq!(
        second
            .held_back
            .iter()
            .map(|m| m.category)
            .collect::<Vec<_>>(),
        vec![Category::Data]
    );

    let third = Migrator::new(set)
        .include(Category::Data)
        .apply(db.admin())
        .await
        .unwrap();
    assert_eq!(
        third.applied.iter().map(|m| m.version).collect::<Vec<_>>(),
        vec![5]
    );
    let note: String = sqlx::query_scalar("SELECT note FROM demo.t")
        .fetch_one(db.admin())
        .await
        .unwrap();
    assert_eq!(note, "filled");
}

#[tokio::test]
async fn a_failing_migration_rolls_back_whole_and_releases_the_lock() {
    let db = TestDb::builder().empty().build().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "modules.order", "demo\n");
    write(dir.path(), "demo/0001_init.sql", "CREATE SCHEMA demo;");
    write(
        dir.path(),
        "demo/0002_broken.sql",
        "CREATE TABLE demo.half (id int); SELECT no_such_function();",
    );
    let err = Migrator::new(MigrationSet::load(dir.path()).unwrap())
        .apply(db.admin())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, MigrateError::Apply { module, version: 2, file, .. } if module == "demo" && file == "demo/0002_broken.sql"),
        "{err}"
    );
    let (half, recorded, advisory): (bool, i64, i64) = sqlx::query_as(
        "SELECT to_regclass('demo.half') IS NOT NULL,
                (SELECT count(*) FROM stellaops_migrations.applied),
                (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))",
    )
    .fetch_one(db.admin())
    .await
    .unwrap();
    assert!(!half, "the failed migration's table must be rolled back");
    assert_eq!(recorded, 1, "only the good migration is recorded");
    assert_eq!(
        advisory, 0,
        "the migration lock must be released on the error path"
    );

    write(
        dir.path(),
        "demo/0002_broken.sql",
        "CREATE TABLE demo.half (id int PRIMARY KEY);",
    );
    let fixed = Migrator::new(MigrationSet::load(dir.path()).unwrap())
        .apply(db.admin())
        .await
        .unwrap();
    assert_eq!(fixed.applied.len(), 1);
}

#[tokio::test]
async fn waiting_for_a_held_lock_is_bounded_and_names_the_holder() {
    let db = TestDb::builder().empty().build().await.unwrap();
    let mut holder = sqlx::PgConnection::connect(&db.url()).await.unwrap();
    let holder_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut holder)
        .await
        .unwrap();
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK_KEY)
        .execute(&mut holder)
        .await
        .unwrap();
    let set = MigrationSet::load(stellaops_migrations::default_dir()).unwrap();
    let err = Migrator::new(set.clone())
        .lock_wait(Duration::from_millis(300))
        .apply(db.admin())
        .await
        .unwrap_err();
    assert!(matches!(err, MigrateError::LockTimeout { .. }), "{err}");
    assert!(err.to_string().contains(&holder_pid.to_string()), "{err}");

    // The holder's session ends (a crashed runner): the lock goes with it.
    holder.close().await.unwrap();
    let report = Migrator::new(set)
        .lock_wait(Duration::from_secs(10))
        .apply(db.admin())
        .await
        .unwrap();
    assert!(!report.applied.is_empty());
}
