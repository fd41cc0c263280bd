//! What every Policy test starts from: the module on one backend, an
//! injected clock, and the related tenants `acme` and `acme-eu`.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use stellaops_harness::TestDb;
use stellaops_storage::policy::{PackFields, PackVersion, Policy, VersionFields};
use stellaops_storage::{
    Backend, DataSource, ErrorKind, ManualClock, ModuleStorage, StorageError, TenantContext,
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
    pub policy: Policy,
    pub clock: Arc<ManualClock>,
    pub acme: TenantContext,
    pub acme_eu: TenantContext,
}

impl Bundle {
    /// The PostgreSQL data source (postgres backend only).
    pub fn source(&self) -> DataSource {
        self.data_source.clone().expect("a postgres bundle")
    }

    /// A draft pack `name` of `ctx`'s tenant with `id`.
    pub async fn pack(&self, ctx: &TenantContext, id: Uuid, name: &str) {
        self.policy
            .packs
            .create_pack(ctx, id, &PackFields::new(name), "alice")
            .await
            .unwrap();
    }

    /// A new version of `pack` with `source`, submitted by alice and
    /// approved by bob.
    pub async fn approved(
        &self,
        ctx: &TenantContext,
        pack: Uuid,
        id: Uuid,
        source: &str,
    ) -> PackVersion {
        let versions = &self.policy.versions;
        versions
            .create_version(ctx, id, pack, &VersionFields::new(source))
            .await
            .unwrap();
        versions.submit_version(ctx, id, "alice").await.unwrap();
        versions.approve_version(ctx, id, "bob").await.unwrap()
    }

    /// A new version of `pack`, approved and activated.
    pub async fn published(
        &self,
        ctx: &TenantContext,
        pack: Uuid,
        id: Uuid,
        source: &str,
    ) -> PackVersion {
        self.approved(ctx, pack, id, source).await;
        self.policy
            .versions
            .activate_version(ctx, id)
            .await
            .unwrap()
            .version
    }
}

pub async fn setup_on(backend: Backend) -> Bundle {
    let clock = Arc::new(ManualClock::at(epoch()));
    let (db, data_source, policy) = match backend {
        Backend::Postgres => {
            let db = TestDb::new().await.expect("test database");
            let source = data_source(&db).await;
            let policy = Policy::postgres(source.clone(), clock.clone());
            (Some(db), Some(source), policy)
        }
        Backend::Memory => (None, None, Policy::memory(clock.clone())),
    };
    Bundle {
        db,
        data_source,
        policy,
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
