//! What every Notify test starts from: the module on one backend, an
//! injected clock, and the related tenants `acme` and `acme-eu`.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use stellaops_harness::TestDb;
use stellaops_storage::notify::{ChannelFields, ChannelType, Notify};
use stellaops_storage::{
    Backend, DataSource, ErrorKind, ManualClock, ModuleStorage, StorageError, SystemContext,
    TenantContext,
};
use uuid::Uuid;

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
    /// Present on the postgres backend.
    pub data_source: Option<DataSource>,
    pub notify: Notify,
    pub clock: Arc<ManualClock>,
    pub acme: TenantContext,
    pub acme_eu: TenantContext,
    /// The delivery and escalation workers' context (across tenants).
    pub system: SystemContext,
}

impl Bundle {
    /// The PostgreSQL data source (postgres backend only).
    pub fn source(&self) -> DataSource {
        self.data_source.clone().expect("a postgres bundle")
    }

    /// The injected clock's now.
    pub fn now(&self) -> DateTime<Utc> {
        stellaops_storage::Clock::now(self.clock.as_ref())
    }

    /// Creates an email channel `name` of `ctx`'s tenant with `id`.
    pub async fn channel(&self, ctx: &TenantContext, id: Uuid, name: &str) {
        self.notify
            .channels
            .create_channel(ctx, id, &ChannelFields::new(name, ChannelType::Email))
            .await
            .unwrap();
    }
}

pub async fn setup_on(backend: Backend) -> Bundle {
    let clock = Arc::new(ManualClock::at(epoch()));
    let (db, data_source, notify) = match backend {
        Backend::Postgres => {
            let db = TestDb::new().await.expect("test database");
            let source = data_source(&db).await;
            let notify = Notify::postgres(source.clone(), clock.clone());
            (Some(db), Some(source), notify)
        }
        Backend::Memory => (None, None, Notify::memory(clock.clone())),
    };
    Bundle {
        db,
        data_source,
        notify,
        clock,
        acme: TenantContext::new(ACME).unwrap(),
        acme_eu: TenantContext::new(ACME_EU).unwrap(),
        system: SystemContext::new("notify test"),
    }
}

/// The error's kind, or a failure naming what came back instead.
pub fn expect_kind<T: std::fmt::Debug>(result: Result<T, StorageError>, kind: ErrorKind) -> String {
    match result {
        Err(e) if e.kind() == kind => e.to_string(),
        other => panic!("expected a {kind:?} error, got {other:?}"),
    }
}
