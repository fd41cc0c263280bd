//! What every scheduler test starts from.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use stellaops_harness::TestDb;
use stellaops_storage::ModuleStorage;
use stellaops_storage::scheduler::{PgLocks, PgRuns, Scheduler};
use stellaops_storage::{Backend, DataSource, ManualClock, SystemContext, TenantContext};

pub fn epoch() -> DateTime<Utc> {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

pub struct Bundle {
    pub db: TestDb,
    pub source: DataSource,
    pub locks: PgLocks,
    pub runs: PgRuns,
    pub acme: TenantContext,
    pub globex: TenantContext,
    pub clock: Arc<ManualClock>,
    pub system: SystemContext,
    /// Schedules, triggers and runs on this test's database.
    pub postgres: Scheduler,
    /// The same repositories in memory, on the same clock.
    pub memory: Scheduler,
}

impl Bundle {
    /// The repositories on `backend`: a conformance test runs as one case
    /// per backend (`case_1_postgres`, `case_2_memory`), so a failure names
    /// its backend and `-E 'test(/memory/)'` selects the reference.
    pub fn on(&self, backend: Backend) -> &Scheduler {
        match backend {
            Backend::Postgres => &self.postgres,
            Backend::Memory => &self.memory,
        }
    }
}

pub use stellaops_suites::sources::data_source;

pub async fn setup() -> Bundle {
    let db = TestDb::new().await.expect("test database");
    let source = data_source(&db).await;
    let clock = Arc::new(ManualClock::at(epoch()));
    Bundle {
        locks: PgLocks::new(source.clone(), clock.clone()),
        runs: PgRuns::new(source.clone(), clock.clone()),
        postgres: Scheduler::postgres(source.clone(), clock.clone()),
        memory: Scheduler::memory(clock.clone()),
        acme: TenantContext::new("acme").unwrap(),
        globex: TenantContext::new("globex").unwrap(),
        db,
        source,
        clock,
        system: SystemContext::new("scheduler test"),
    }
}
