//! What every Notify test starts from: the module on one backend, an
//! injected clock, and the related tenants `acme` and `acme-eu`.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use stellaops_harness::TestDb;
use stellaops_storage::notify::Notify;
use stellaops_storage::{
    Backend, ErrorKind, ManualClock, ModuleStorage, StorageError, TenantContext,
};

pub use stellaops_suites::sources::data_source;

pub const ACME: &str = "acme";
/// Shares a prefix with `acme`: a loose policy leaks between them.
pub const ACME_EU: &str = "acme-eu";

pub fn epoch() -> DateTime<Utc> {
    "2026-03-01T12:00:00.123456Z".parse().unwrap()
}

pub struct Bundle {
    /// Present on the postgres backend; keeps the database alive.
    pub db: Option<TestDb>,
    pub notify: Notify,
    pub clock: Arc<ManualClock>,
    pub acme: TenantContext,
    pub acme_eu: TenantContext,
}

pub async fn setup_on(backend: Backend) -> Bundle {
    let clock = Arc::new(ManualClock::at(epoch()));
    let (db, notify) = match backend {
        Backend::Postgres => {
            let db = TestDb::new().await.expect("test database");
            let source = data_source(&db).await;
            (Some(db), Notify::postgres(source, clock.clone()))
        }
        Backend::Memory => (None, Notify::memory(clock.clone())),
    };
    Bundle {
        db,
        notify,
        clock,
        acme: TenantContext::new(ACME).unwrap(),
        acme_eu: TenantContext::new(ACME_EU).unwrap(),
    }
}

/// The error's kind, or a failure naming what came back instead.
pub fn expect_kind<T: std::fmt::Debug>(result: Result<T, StorageError>, kind: ErrorKind) -> String {
    match result {
        Err(e) if e.kind() == kind => e.to_string(),
        other => panic!("expected a {kind:?} error, got {other:?}"),
    }
}
