//! A database per test: isolated, dropped on success, kept on failure.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

mod support;

use stellaops_harness::TestDb;
use stellaops_harness::pool::{pool_prefix, refill};
use stellaops_harness::sweep::{KEPT_MARK, drop_database};
use support::{ACME, count_users, database_exists, insert_user, setup};

#[tokio::test]
async fn each_test_database_is_invisible_to_another() {
    let first = setup().await;
    let second = setup().await;
    assert_ne!(first.db.name(), second.db.name());
    insert_user(&first.acme, ACME, "alice").await.unwrap();
    assert_eq!(count_users(&first.acme).await, 1);
    assert_eq!(
        count_users(&second.acme).await,
        0,
        "rows must not cross test databases"
    );
}

#[tokio::test]
async fn a_passed_tests_database_is_dropped() {
    let observer = TestDb::new().await.unwrap();
    let db = TestDb::new().await.unwrap();
    let name = db.name().to_owned();
    assert!(database_exists(&observer, &name).await);
    drop(db);
    // Handed back to the keeper (or dropped by this process without one):
    // gone within a bound, never on the test's path.
    let started = std::time::Instant::now();
    while database_exists(&observer, &name).await {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{name} must be dropped"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_failed_tests_database_is_kept_and_marked() {
    let observer = TestDb::new().await.unwrap();
    // A "test" on a thread of its own that panics while it holds its database.
    let failed = std::thread::spawn(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let db = TestDb::new().await.unwrap();
            let name = db.name().to_owned();
            std::panic::panic_any(name);
        })
    })
    .join()
    .unwrap_err();
    let name = failed
        .downcast_ref::<String>()
        .expect("panic payload is the database name")
        .clone();

    let comment: Option<String> = sqlx::query_scalar(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
    )
    .bind(&name)
    .fetch_optional(observer.admin())
    .await
    .unwrap()
    .expect("the failed test's database must still exist");
    assert!(comment.unwrap_or_default().starts_with(KEPT_MARK));

    // Clean up what this test made on purpose.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE \"{name}\" WITH (FORCE)"
    )))
    .execute(observer.admin())
    .await
    .unwrap();
}

#[tokio::test]
async fn databases_of_dead_runs_are_swept_and_live_ones_are_not() {
    use stellaops_harness::naming::next_test_db_name;
    use stellaops_harness::sweep::sweep_dead_runs;

    let observer = TestDb::new().await.unwrap();
    // A name owned by a process that no longer exists: this pid with a start time it never had.
    let live = next_test_db_name();
    let parts: Vec<&str> = live.rsplitn(3, '_').collect();
    let dead = format!(
        "{}_{}_{}",
        parts[2],
        parts[1].parse::<u64>().unwrap() + 1,
        parts[0]
    );
    for name in [&live, &dead] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(observer.admin())
            .await
            .unwrap();
    }
    let mut conn = observer.server().connect_admin().await.unwrap();
    let report = sweep_dead_runs(&mut conn).await.unwrap();
    assert!(report.dropped.contains(&dead), "{report:?}");
    assert!(!database_exists(&observer, &dead).await);
    assert!(
        database_exists(&observer, &live).await,
        "a live process's database must survive"
    );
    assert!(database_exists(&observer, observer.name()).await);
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE \"{live}\"")))
        .execute(observer.admin())
        .await
        .unwrap();
}

/// Refills watched while they run: more than a pool's usual size.
const WATCHED_REFILLS: usize = 6;

#[tokio::test]
async fn a_pooled_clone_is_listed_only_once_its_grants_and_settings_are_applied() {
    let db = TestDb::new().await.unwrap();
    let template = db.template().unwrap().to_owned();
    let prefix = pool_prefix(&template);
    let pooled = || {
        sqlx::query_scalar::<_, String>(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
        )
        .bind(&prefix)
        .fetch_all(db.admin())
    };
    let before = pooled().await.unwrap();

    let server = db.server().clone();
    let filling = tokio::spawn({
        let template = template.clone();
        async move {
            for round in 1..=WATCHED_REFILLS {
                refill(&server, &template, 100 + 2 * round).await.unwrap();
            }
        }
    });
    // A clone taken between its CREATE and its ALTER DATABASE … SET would
    // hand a test a database without timeouts or grants.
    let mut unprepared = Vec::new();
    let mut looks = 0;
    while !filling.is_finished() {
        let seen: Vec<String> = sqlx::query_scalar(
            "SELECT datname FROM pg_database d
              WHERE starts_with(datname, $1)
                AND NOT EXISTS (SELECT 1 FROM pg_db_role_setting s
                                 WHERE s.setdatabase = d.oid AND s.setrole = 0)",
        )
        .bind(&prefix)
        .fetch_all(db.admin())
        .await
        .unwrap();
        unprepared.extend(seen);
        looks += 1;
    }
    filling.await.unwrap();

    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url())
        .await
        .unwrap();
    for name in pooled().await.unwrap() {
        if !before.contains(&name) {
            drop_database(&mut conn, &name).await.unwrap();
        }
    }
    assert!(looks > 0);
    unprepared.sort();
    unprepared.dedup();
    assert!(
        unprepared.is_empty(),
        "listed in the pool before it was prepared: {unprepared:?}"
    );
}
