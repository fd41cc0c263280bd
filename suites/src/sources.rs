//! The storage layer's data source on a test database, as the module
//! suites build it: plainly, or with the planner pushed off its usual plans.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use stellaops_harness::{APP_ROLE, SYSTEM_ROLE, TestDb};
use stellaops_storage::DataSource;

/// The command timeout of the suites' data sources.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Planner settings that push each read off its usual plan: the
/// determinism tests read the same data under each and compare bytes.
pub const PERTURBED_PLANS: [&[(&str, &str)]; 2] = [
    &[("enable_seqscan", "off")],
    &[("enable_indexscan", "off"), ("enable_bitmapscan", "off")],
];

/// The app and system roles on `db` (through PgBouncer when the run asks
/// for it, with unnamed statements there).
pub async fn data_source(db: &TestDb) -> DataSource {
    DataSource::from_pools(
        db.app_without_tenant().await.expect("app pool"),
        Some(db.system().await.expect("system pool")),
        COMMAND_TIMEOUT,
    )
    .with_prepared_statements(db.server().pooler_port.is_none())
}

/// A data source whose connections run with the given planner settings
/// (session settings: straight to the server, never through a pooler).
pub async fn perturbed(db: &TestDb, settings: &[(&str, &str)]) -> DataSource {
    let pool = |role| {
        let options = db
            .server()
            .direct_role_options(db.name(), role)
            .expect("role options")
            .options(settings.iter().copied());
        PgPoolOptions::new()
            .max_connections(2)
            .connect_with(options)
    };
    DataSource::from_pools(
        pool(APP_ROLE).await.expect("app pool"),
        Some(pool(SYSTEM_ROLE).await.expect("system pool")),
        COMMAND_TIMEOUT,
    )
}

/// Cases of a model-based test: `STELLAOPS_MODEL_CASES`, default 48.
pub fn model_cases() -> u32 {
    std::env::var("STELLAOPS_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}
