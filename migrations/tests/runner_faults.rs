//! The runner killed mid-apply: nothing half-applied is recorded or left,
//! its lock goes with its session, and the next apply completes.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stellaops_harness::TestDb;

const MIGRATE: &str = env!("CARGO_BIN_EXE_stellaops-migrate");
/// Longest wait for the runner to reach its slow migration.
const REACH_LIMIT: Duration = Duration::from_secs(30);
/// Lock wait of the next runner: far shorter than the killed runner's
/// statement, so it only passes if the server ends the orphaned session early.
const NEXT_RUNNER_LOCK_WAIT_SECS: &str = "20";
/// The slow migration stalls only while this table exists.
const STALL_TABLE: &str = "stellaops_test_stall";

#[tokio::test]
async fn a_runner_killed_mid_apply_leaves_nothing_half_applied() {
    let db = TestDb::builder().empty().build().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("modules.order"), "demo\n").unwrap();
    fs::create_dir(dir.path().join("demo")).unwrap();
    fs::write(
        dir.path().join("demo/0001_init.sql"),
        "CREATE SCHEMA demo;\nCREATE TABLE demo.first (id int PRIMARY KEY);\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("demo/0002_backfill.sql"),
        format!(
            "CREATE TABLE demo.half (id int PRIMARY KEY);\n\
             INSERT INTO demo.half VALUES (1);\n\
             SELECT pg_sleep(120) FROM pg_tables WHERE tablename = '{STALL_TABLE}';\n"
        ),
    )
    .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE public.{STALL_TABLE} ()"
    )))
    .execute(db.admin())
    .await
    .unwrap();

    let mut runner = Command::new(MIGRATE)
        .arg("--database-url")
        .arg(db.url())
        .arg("--dir")
        .arg(dir.path())
        .arg("apply")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let stalled: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                             WHERE datname = current_database() AND state = 'active'
                               AND pid <> pg_backend_pid() AND query LIKE '%pg_sleep(120)%')",
        )
        .fetch_one(db.admin())
        .await
        .unwrap();
        if stalled {
            break;
        }
        if started.elapsed() > REACH_LIMIT {
            let _ = runner.kill();
            panic!("the runner never reached its slow migration");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    runner.kill().unwrap();
    runner.wait().unwrap();

    let recorded: Vec<(String, i64)> = sqlx::query_as(
        "SELECT module, version::bigint FROM stellaops_migrations.applied ORDER BY module, version",
    )
    .fetch_all(db.admin())
    .await
    .unwrap();
    assert_eq!(
        recorded,
        vec![("demo".to_owned(), 1)],
        "only the finished migration is recorded"
    );
    let half: Option<String> = sqlx::query_scalar("SELECT to_regclass('demo.half')::text")
        .fetch_one(db.admin())
        .await
        .unwrap();
    assert_eq!(half, None, "nothing of the killed migration is visible");

    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP TABLE public.{STALL_TABLE}"
    )))
    .execute(db.admin())
    .await
    .unwrap();
    let next = Command::new(MIGRATE)
        .arg("--database-url")
        .arg(db.url())
        .arg("--dir")
        .arg(dir.path())
        .args(["--lock-wait-secs", NEXT_RUNNER_LOCK_WAIT_SECS, "apply"])
        .output()
        .unwrap();
    assert!(
        next.status.success(),
        "the next apply must complete: {}",
        String::from_utf8_lossy(&next.stderr)
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM demo.half")
        .fetch_one(db.admin())
        .await
        .unwrap();
    assert_eq!(rows, 1);
    let recorded: i64 = sqlx::query_scalar("SELECT count(*) FROM stellaops_migrations.applied")
        .fetch_one(db.admin())
        .await
        .unwrap();
    assert_eq!(recorded, 2);
    db.close().await.unwrap();
}
