//! Test processes for the provisioning bench (`benches/provisioning.rs`),
//! which spawns them one at a time exactly as nextest does
//! (`<binary> --exact <name> --ignored`), and runs the `harness_way` and
//! `sqlx_way` modules whole under `cargo nextest run`.
//!
//! Every probe is `#[ignore]`d: the workspace's test run passes them by;
//! the bench sets what they need (`STELLAOPS_PROBE_URL`, `DATABASE_URL`,
//! `STELLAOPS_FLAT_MIGRATIONS`).

// Probes: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::LazyLock;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool, SqlSafeStr};
use stellaops_harness::TestDb;

/// The shipped migrations flattened into sqlx's layout by the bench
/// (`STELLAOPS_FLAT_MIGRATIONS`), so `#[sqlx::test]` runs the same SQL the
/// harness's template holds. Generated at bench time, never committed.
static FLAT: LazyLock<Migrator> = LazyLock::new(|| {
    let dir = std::env::var("STELLAOPS_FLAT_MIGRATIONS")
        .expect("STELLAOPS_FLAT_MIGRATIONS names the flattened migrations (set by the bench)");
    Migrator::with_migrations(flat_migrations(Path::new(&dir)))
});

fn flat_migrations(dir: &Path) -> Vec<Migration> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let stem = path.file_stem().unwrap().to_str().unwrap();
            let (version, description) = stem.split_once('_').unwrap();
            let sql = std::fs::read_to_string(path).unwrap();
            let no_tx = sql.starts_with("-- no-transaction");
            Migration::new(
                version.parse().unwrap(),
                description.to_owned().into(),
                MigrationType::Simple,
                AssertSqlSafe(sql).into_sql_str(),
                no_tx,
            )
        })
        .collect()
}

/// The floor: a process, one login, one query; no harness.
#[tokio::test]
#[ignore = "spawned by the provisioning bench"]
async fn floor() {
    let url = std::env::var("STELLAOPS_PROBE_URL").unwrap();
    let mut conn = PgConnection::connect(&url).await.unwrap();
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(one, 1);
}

/// What a harness test pays: a database of its own, one query, teardown.
#[tokio::test]
#[ignore = "spawned by the provisioning bench"]
async fn testdb() {
    harness_query().await;
}

/// The same test under `#[sqlx::test]` on the same migrations.
#[sqlx::test(migrator = "FLAT")]
#[ignore = "spawned by the provisioning bench"]
async fn sqlx_test(pool: PgPool) {
    sqlx_query(pool).await;
}

async fn harness_query() {
    let db = TestDb::new().await.unwrap();
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM authority.users")
        .fetch_one(db.admin())
        .await
        .unwrap();
    assert_eq!(users, 0);
}

async fn sqlx_query(pool: PgPool) {
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM authority.users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 0);
}

/// 100 trivial tests each way, for the wall time of a whole nextest run.
macro_rules! trivial_tests {
    ($($name:ident),*) => {
        mod harness_way {
            $(
                #[tokio::test]
                #[ignore = "run by the provisioning bench"]
                async fn $name() {
                    super::harness_query().await;
                }
            )*
        }
        mod sqlx_way {
            use sqlx::PgPool;
            $(
                #[sqlx::test(migrator = "crate::FLAT")]
                #[ignore = "run by the provisioning bench"]
                async fn $name(pool: PgPool) {
                    super::sqlx_query(pool).await;
                }
            )*
        }
    };
}

trivial_tests!(
    t000, t001, t002, t003, t004, t005, t006, t007, t008, t009, t010, t011, t012, t013, t014, t015,
    t016, t017, t018, t019, t020, t021, t022, t023, t024, t025, t026, t027, t028, t029, t030, t031,
    t032, t033, t034, t035, t036, t037, t038, t039, t040, t041, t042, t043, t044, t045, t046, t047,
    t048, t049, t050, t051, t052, t053, t054, t055, t056, t057, t058, t059, t060, t061, t062, t063,
    t064, t065, t066, t067, t068, t069, t070, t071, t072, t073, t074, t075, t076, t077, t078, t079,
    t080, t081, t082, t083, t084, t085, t086, t087, t088, t089, t090, t091, t092, t093, t094, t095,
    t096, t097, t098, t099
);
