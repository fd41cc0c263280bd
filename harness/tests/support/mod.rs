//! What every harness test starts from: a fresh database with two tenants.

#![allow(dead_code)]

use sqlx::PgPool;
use stellaops_harness::TestDb;

pub const ACME: &str = "acme";
pub const GLOBEX: &str = "globex";

pub struct Bundle {
    pub db: TestDb,
    pub acme: PgPool,
    pub globex: PgPool,
}

/// A fresh database with tenants `acme` and `globex` registered (by the
/// system role, as the real service does) and a tenant pool for each.
pub async fn setup() -> Bundle {
    let db = TestDb::new().await.expect("test database");
    let system = db.system().await.expect("system pool");
    sqlx::query(
        "INSERT INTO authority.tenants (code, display_name) VALUES ($1, 'Acme'), ($2, 'Globex')",
    )
    .bind(ACME)
    .bind(GLOBEX)
    .execute(&system)
    .await
    .expect("register tenants");
    system.close().await;
    let acme = db.tenant(ACME).await.expect("acme pool");
    let globex = db.tenant(GLOBEX).await.expect("globex pool");
    Bundle { db, acme, globex }
}

pub async fn insert_user(
    pool: &PgPool,
    tenant: &str,
    username: &str,
) -> Result<uuid::Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO authority.users (tenant_id, username) VALUES ($1, $2) RETURNING id",
    )
    .bind(tenant)
    .bind(username)
    .fetch_one(pool)
    .await
}

pub async fn count_users(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM authority.users")
        .fetch_one(pool)
        .await
        .expect("count users")
}

/// Whether a database of that name exists on the test server.
pub async fn database_exists(db: &TestDb, name: &str) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(db.admin())
        .await
        .expect("pg_database lookup")
}
