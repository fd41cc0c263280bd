//! The roles and the tenant setting every module's migrations and
//! repositories agree on, and tenant-scoped transactions on raw
//! connections: the tenant bound transaction-locally, never formatted into
//! SQL.

use sqlx::{Acquire, PgConnection, Postgres, Transaction};

use crate::TenantCode;

/// The role tenant work runs as (NOSUPERUSER, NOBYPASSRLS, owns nothing).
pub const APP_ROLE: &str = "stellaops_app";
/// The role of the few explicit cross-tenant operations (BYPASSRLS).
pub const SYSTEM_ROLE: &str = "stellaops_system";
/// The role that owns the schemas and runs the migrations.
pub const OWNER_ROLE: &str = "stellaops_owner";

/// The setting every tenant table's RLS policy reads.
pub const TENANT_SETTING: &str = "app.tenant_id";

/// Begins a transaction scoped to `tenant`: the setting is transaction-local,
/// so it ends with the transaction and a pooled connection never carries it
/// into another tenant's request. The code is bound, never formatted into SQL.
///
/// ```no_run
/// # async fn demo(pool: sqlx::PgPool) -> Result<(), Box<dyn std::error::Error>> {
/// use stellaops_kit::{begin_tenant, TenantCode};
/// let acme = TenantCode::parse("acme")?;
/// let mut tx = begin_tenant(&pool, &acme).await?;
/// let users: i64 = sqlx::query_scalar("SELECT count(*) FROM authority.users")
///     .fetch_one(&mut *tx)
///     .await?;
/// tx.commit().await?;
/// # let _ = users; Ok(()) }
/// ```
pub async fn begin_tenant<'c, A>(
    conn: A,
    tenant: &TenantCode,
) -> Result<Transaction<'c, Postgres>, sqlx::Error>
where
    A: Acquire<'c, Database = Postgres>,
{
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
        .bind(tenant.as_str())
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Binds `tenant` to the whole session of `conn`. Only for connections that
/// serve a single tenant for their whole life (a test's tenant pool); pooled
/// application connections use [`begin_tenant`].
pub async fn set_tenant_for_session(
    conn: &mut PgConnection,
    tenant: &TenantCode,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT set_config('app.tenant_id', $1, false)")
        .bind(tenant.as_str())
        .execute(conn)
        .await?;
    Ok(())
}
