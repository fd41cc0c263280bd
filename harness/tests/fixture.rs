//! The rstest fixture, used the way suites use it.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use rstest::rstest;
use stellaops_harness::{TestDb, test_db};

#[rstest]
#[tokio::test]
async fn the_fixture_hands_out_a_migrated_database_of_its_own(#[future] test_db: TestDb) {
    let db = test_db.await;
    let (tables, current): (i64, String) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM information_schema.tables
                  WHERE table_schema IN ('authority', 'scheduler') AND table_type = 'BASE TABLE'),
                current_database()::text",
    )
    .fetch_one(db.admin())
    .await
    .unwrap();
    assert_eq!(tables, 23);
    assert_eq!(current, db.name());
}

#[rstest]
#[case::acme("acme")]
#[case::globex("globex")]
#[tokio::test]
async fn the_fixture_composes_with_cases(#[future] test_db: TestDb, #[case] tenant: &str) {
    let db = test_db.await;
    let pool = db.tenant(tenant).await.unwrap();
    let bound: String = sqlx::query_scalar("SELECT current_setting('app.tenant_id')")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(bound, tenant);
}
