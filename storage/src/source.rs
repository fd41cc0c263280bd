//! The data source: tenant and system contexts, and transactions on the app
//! and system role pools.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, PgPool};

use crate::TenantCode;
use crate::error::{StorageError, classify};
use crate::options::PostgresOptions;
use crate::work::Work;

/// Work for one tenant. Repository calls that take it see and touch only
/// that tenant's rows: they run as `stellaops_app` under row-level security,
/// in a transaction with the tenant set transaction-locally.
///
/// ```
/// use stellaops_storage::TenantContext;
/// let acme = TenantContext::new("acme").unwrap();
/// assert!(TenantContext::new("Acme; DROP").is_err());
/// # let _ = acme;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantContext {
    tenant: TenantCode,
}

impl TenantContext {
    /// Validates `code` before anything reaches SQL.
    pub fn new(code: &str) -> Result<Self, StorageError> {
        Ok(TenantContext {
            tenant: TenantCode::parse(code)?,
        })
    }

    pub fn tenant(&self) -> &TenantCode {
        &self.tenant
    }
}

impl From<TenantCode> for TenantContext {
    fn from(tenant: TenantCode) -> Self {
        TenantContext { tenant }
    }
}

/// Work across tenants, as `stellaops_system` (BYPASSRLS). Only the few
/// operations the seeds need take it (token by hash, pruning, user by
/// subject id, due schedules, the global tables), so every cross-tenant call
/// is visible at its call site by this argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemContext {
    purpose: &'static str,
}

impl SystemContext {
    /// `purpose` says why the caller crosses tenants (errors name it).
    pub fn new(purpose: &'static str) -> Self {
        SystemContext { purpose }
    }

    pub fn purpose(&self) -> &'static str {
        self.purpose
    }
}

/// Hands out tenant-scoped and system-scoped transactions on two pools:
/// one logged in as `stellaops_app`, one as `stellaops_system`.
///
/// Every transaction begins with `timezone` set to UTC and the command
/// timeout as `statement_timeout`, both `SET LOCAL` inside the `BEGIN`
/// round trip, and a tenant transaction then binds its tenant with
/// `set_config(.., true)`: nothing outlives the transaction, so the pools
/// work behind a pooler in transaction mode.
#[derive(Debug, Clone)]
pub struct DataSource {
    app: PgPool,
    system: Option<PgPool>,
    begin: Arc<str>,
    prepared: bool,
}

impl DataSource {
    /// Pools for the given options; connections open on first use.
    pub fn connect_lazy(options: &PostgresOptions) -> Self {
        let pool = |connect: &PgConnectOptions| {
            PgPoolOptions::new()
                .max_connections(options.pool_size)
                .acquire_timeout(options.connect_timeout)
                // A dead connection surfaces as `Unavailable` on use; the
                // release-time check already weeds them out, and the check
                // on acquire would cost every request a round trip.
                .test_before_acquire(false)
                .connect_lazy_with(
                    connect
                        .clone()
                        .statement_cache_capacity(options.statement_cache),
                )
        };
        DataSource {
            app: pool(&options.app),
            system: options.system.as_ref().map(pool),
            begin: begin_statement(options.command_timeout),
            prepared: options.statement_cache > 0,
        }
    }

    /// A data source on pools the caller made (the test harness's role pools).
    /// The pools must log in as `stellaops_app` and `stellaops_system`.
    pub fn from_pools(app: PgPool, system: Option<PgPool>, command_timeout: Duration) -> Self {
        DataSource {
            app,
            system,
            begin: begin_statement(command_timeout),
            prepared: true,
        }
    }

    /// Whether statements are prepared under a name and kept per connection
    /// (the default: one round trip per statement once prepared). Behind a
    /// transaction-mode pooler that does not track prepared statements
    /// (PgBouncer before 1.21) they must not be: a name prepared on one
    /// server connection is missing, or taken, on the next. Unnamed
    /// statements cost a second round trip each (parse and describe, then
    /// bind and execute).
    pub fn with_prepared_statements(mut self, prepared: bool) -> Self {
        self.prepared = prepared;
        self
    }

    /// Whether queries are prepared under a name (see [`Self::with_prepared_statements`]).
    pub fn prepared(&self) -> bool {
        self.prepared
    }

    /// Begins a transaction for `context`'s tenant: two round trips (BEGIN
    /// with the session settings, then the bound tenant).
    pub async fn tenant(&self, context: &TenantContext) -> Result<Work, StorageError> {
        let mut tx = self
            .app
            .begin_with(AssertSqlSafe(self.begin.clone()))
            .await
            .map_err(|e| classify(e, "beginning a tenant transaction", "tenant", &[]))?;
        sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
            .persistent(self.prepared)
            .bind(context.tenant.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| classify(e, "binding the tenant", "tenant", &[]))?;
        Ok(Work::new(tx, self.prepared, Some(context.tenant.clone())))
    }

    /// Begins a transaction as `stellaops_system` (one round trip).
    pub async fn system(&self, context: &SystemContext) -> Result<Work, StorageError> {
        let pool = self.system.as_ref().ok_or_else(|| {
            StorageError::invalid(
                "system context",
                format!(
                    "no system connection configured (set {}) for {}",
                    crate::options::vars::SYSTEM_DATABASE_URL,
                    context.purpose
                ),
            )
        })?;
        let tx = pool
            .begin_with(AssertSqlSafe(self.begin.clone()))
            .await
            .map_err(|e| classify(e, "beginning a system transaction", "system", &[]))?;
        Ok(Work::new(tx, self.prepared, None))
    }

    pub fn app_pool(&self) -> &PgPool {
        &self.app
    }

    pub fn system_pool(&self) -> Option<&PgPool> {
        self.system.as_ref()
    }

    pub async fn close(&self) {
        self.app.close().await;
        if let Some(system) = &self.system {
            system.close().await;
        }
    }
}

fn begin_statement(command_timeout: Duration) -> Arc<str> {
    // Both values come from validated options (a constant and an integer),
    // never from a request, so formatting them is safe; the tenant is bound.
    format!(
        "BEGIN; SET LOCAL TimeZone = 'UTC'; SET LOCAL statement_timeout = {}",
        command_timeout.as_millis().max(1)
    )
    .into()
}
