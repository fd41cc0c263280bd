//! What every Authority test starts from (River's bundle plus `setup()`).

#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use stellaops_harness::TestDb;
use stellaops_storage::ModuleStorage;
use stellaops_storage::authority::{Authority, NewTenant, NewUser, User, UserFields};
use stellaops_storage::{
    Backend, ErrorKind, ManualClock, StorageError, SystemContext, TenantCode, TenantContext,
};

pub const ACME: &str = "acme";
/// A code that shares a prefix with `acme`: a loose policy leaks between them.
pub const ACME_EU: &str = "acme-eu";
pub const GLOBEX: &str = "globex";

/// The injected clock's start: every time in a test derives from it.
pub fn epoch() -> DateTime<Utc> {
    "2026-03-01T12:00:00.123456Z".parse().unwrap()
}

pub struct Bundle {
    /// Present on the postgres backend; keeps the database alive.
    pub db: Option<TestDb>,
    pub authority: Authority,
    pub clock: Arc<ManualClock>,
    pub acme: TenantContext,
    pub acme_eu: TenantContext,
    pub globex: TenantContext,
    pub system: SystemContext,
}

/// A fresh PostgreSQL database with tenants `acme`, `acme-eu` and `globex`.
pub async fn setup() -> Bundle {
    setup_on(Backend::Postgres).await
}

/// The same start on either backend: the conformance suite runs on both.
pub async fn setup_on(backend: Backend) -> Bundle {
    let clock = Arc::new(ManualClock::at(epoch()));
    let (db, authority): (Option<TestDb>, Authority) = match backend {
        Backend::Postgres => {
            let db = TestDb::new().await.expect("test database");
            let source = data_source(&db).await;
            (Some(db), Authority::postgres(source, clock.clone()))
        }
        Backend::Memory => (None, Authority::memory(clock.clone())),
    };
    let system = SystemContext::new("test setup");
    for code in [ACME, ACME_EU, GLOBEX] {
        authority
            .tenants
            .create_tenant(
                &system,
                &NewTenant::new(TenantCode::parse(code).unwrap(), code),
            )
            .await
            .expect("register tenant");
    }
    Bundle {
        db,
        authority,
        clock,
        acme: TenantContext::new(ACME).unwrap(),
        acme_eu: TenantContext::new(ACME_EU).unwrap(),
        globex: TenantContext::new(GLOBEX).unwrap(),
        system,
    }
}

pub use stellaops_suites::sources::data_source;

/// A pool of `role` straight to the server: for raw SQL that checks what a
/// role may do, whatever stands in front of the server.
pub async fn direct_pool(db: &TestDb, role: &str) -> sqlx::PgPool {
    direct_pool_of(db, role, 2).await
}

async fn direct_pool_of(db: &TestDb, role: &str, connections: u32) -> sqlx::PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(connections)
        .connect_with(db.server().direct_role_options(db.name(), role).unwrap())
        .await
        .unwrap()
}

impl Bundle {
    pub fn db(&self) -> &TestDb {
        self.db.as_ref().expect("a postgres bundle")
    }

    pub async fn user(&self, ctx: &TenantContext, username: &str) -> User {
        self.authority
            .users
            .create_user(ctx, &NewUser::new(UserFields::named(username)))
            .await
            .expect("create user")
    }
}

/// Asserts the error's kind, and returns it for closer checks.
#[track_caller]
pub fn expect_kind<T: std::fmt::Debug>(
    result: Result<T, StorageError>,
    kind: ErrorKind,
) -> StorageError {
    match result {
        Ok(value) => panic!("expected a {kind:?} error, got Ok({value:?})"),
        Err(err) => {
            assert_eq!(err.kind(), kind, "unexpected error: {err}");
            err
        }
    }
}

/// Connect options of `stellaops_app` straight to the server.
pub fn one_app_options(db: &TestDb) -> sqlx::postgres::PgConnectOptions {
    db.server()
        .direct_role_options(db.name(), stellaops_harness::APP_ROLE)
        .unwrap()
}

/// A pool of exactly one `stellaops_app` connection straight to the server
/// (never through a pooler): every request reuses the same server session.
pub async fn one_app_connection(db: &TestDb) -> sqlx::PgPool {
    direct_pool_of(db, stellaops_harness::APP_ROLE, 1).await
}

/// One page of the tenant's users, unfiltered.
pub async fn users_page(
    authority: &Authority,
    ctx: &TenantContext,
    request: stellaops_storage::PageRequest,
) -> stellaops_storage::Page<User> {
    let query = stellaops_storage::authority::UserQuery {
        page: request,
        ..Default::default()
    };
    authority.users.list_users(ctx, &query).await.unwrap()
}
