//! rstest fixtures around [`TestDb`].

use rstest::fixture;

use crate::TestDb;

/// A fresh, fully migrated database for one test.
///
/// ```ignore
/// use rstest::rstest;
/// use stellaops_harness::{test_db, TestDb};
///
/// #[rstest]
/// #[tokio::test]
/// async fn lists_nothing_at_first(#[future] test_db: TestDb) {
///     let db = test_db.await;
///     let acme = db.tenant("acme").await.unwrap();
///     // …
/// }
/// ```
#[fixture]
pub async fn test_db() -> TestDb {
    match TestDb::new().await {
        Ok(db) => db,
        // A fixture cannot return an error: the panic is the test's failure report.
        Err(e) => panic!("stellaops-harness: no test database: {e}"),
    }
}
