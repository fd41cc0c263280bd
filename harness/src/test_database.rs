//! A database of one's own for each test.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};
use stellaops_kit::{TenantCode, set_tenant_for_session};
use stellaops_migrations::MigrationSet;
use tokio::sync::OnceCell;

use crate::backend::BackendKind;
use crate::config::redact;
use crate::handle::{handle_path, migrations_fingerprint};
use crate::keeper::{self, KeeperUnavailable, Launch, Reply, Request};
use crate::naming::{next_test_db_name, template_name};
use crate::pool;
use crate::sweep::{drop_database, mark_kept, sweep_dead_runs};
use crate::template::{APP_ROLE, SYSTEM_ROLE, enable_role_logins, ensure_template_with};
use crate::{HarnessError, Server, server_unavailable};

const POOL_SIZE: u32 = 4;
const ACQUIRE_LIMIT: Duration = Duration::from_secs(10);
const TEARDOWN_LIMIT: Duration = Duration::from_secs(30);
/// A keeper answers in well under a millisecond; past this it is taken as stuck.
const KEEPER_LIMIT: Duration = Duration::from_secs(15);

/// A fully migrated database of a test's own, cloned from the shared template.
///
/// Dropped when the test passes; kept, with its URL printed, when the test
/// panics. A database whose process died is swept by a later run.
///
/// ```no_run
/// # async fn demo() -> Result<(), stellaops_harness::HarnessError> {
/// use stellaops_harness::TestDb;
/// let db = TestDb::new().await?;
/// let acme = db.tenant("acme").await?; // stellaops_app, app.tenant_id = 'acme'
/// let n: i64 = sqlx::query_scalar("SELECT count(*) FROM authority.users")
///     .fetch_one(&acme)
///     .await
///     .map_err(|e| stellaops_harness::HarnessError::Database { what: "count".into(), source: e })?;
/// assert_eq!(n, 0);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TestDb {
    server: Arc<Server>,
    name: String,
    admin: PgPool,
    template: Option<String>,
    /// Set by [`TestDb::close`]: nothing left for `Drop` to do.
    closed: bool,
}

/// Options for a [`TestDb`].
#[derive(Debug, Default, Clone)]
pub struct TestDbBuilder {
    migrations: Option<PathBuf>,
    empty: bool,
}

impl TestDbBuilder {
    /// Clone from the template of this migration folder instead of the shipped one.
    pub fn migrations(mut self, dir: impl Into<PathBuf>) -> Self {
        self.migrations = Some(dir.into());
        self
    }

    /// An empty database with no template: for migrating from scratch.
    pub fn empty(mut self) -> Self {
        self.empty = true;
        self
    }

    pub async fn build(self) -> Result<TestDb, HarnessError> {
        let server = Server::shared().await?;
        match TestDb::create(server.clone(), &self).await {
            // The handle named a server that is gone or was replaced: find
            // the workspace's server the verified way (restarting it if it
            // died) and try once more.
            Err(e) if !server.verified && suggests_stale_server(&e) => {
                let server = Server::reacquire().await?;
                TestDb::create(server, &self).await
            }
            outcome => outcome,
        }
    }

    /// Like [`build`](Self::build), on a given server rather than the shared one.
    pub async fn build_on(self, server: Arc<Server>) -> Result<TestDb, HarnessError> {
        TestDb::create(server, &self).await
    }
}

impl TestDb {
    /// A database cloned from the template of the shipped migrations.
    pub async fn new() -> Result<TestDb, HarnessError> {
        TestDb::builder().build().await
    }

    pub fn builder() -> TestDbBuilder {
        TestDbBuilder::default()
    }

    async fn create(server: Arc<Server>, options: &TestDbBuilder) -> Result<TestDb, HarnessError> {
        let name = next_test_db_name();
        // The fast path needs only the set's fingerprint (cached); the set
        // itself is loaded when this process has to build or clone.
        let migrations_dir = options
            .migrations
            .clone()
            .unwrap_or_else(stellaops_migrations::default_dir);
        let expected_template = if options.empty {
            None
        } else {
            let fingerprint = migrations_fingerprint(&server.settings, &migrations_dir)?;
            Some(template_name(&fingerprint, server.major_version))
        };
        let pooled = server.settings.pool_size > 0;

        // The fast path: the keeper renames a pre-cloned database to our
        // name. No login, no clone, no catalog query on this process's side.
        let mut keeper_answers = false;
        if server.settings.keeper
            && pooled
            && let Some(template) = &expected_template
        {
            let paths = server.keeper_paths();
            let take = Request::Take {
                template: template.clone(),
                database: name.clone(),
            };
            match keeper::request(&paths, &take, KEEPER_LIMIT).await {
                Ok(Reply::Ok(_)) => {
                    return TestDb::assemble(server, name, Some(template.clone()));
                }
                Ok(Reply::Miss) => keeper_answers = true,
                Ok(Reply::Err(why)) => {
                    eprintln!("stellaops-harness: the keeper could not hand out a database: {why}")
                }
                Err(KeeperUnavailable::NotRunning(_)) => launch_keeper(&server, &paths, template),
                Err(e) => eprintln!("stellaops-harness: {e}; working without it"),
            }
        }

        let mut conn = server.connect_admin().await?;
        if !keeper_answers {
            sweep_once(&mut conn).await;
        }
        let template = if options.empty {
            None
        } else {
            let set = match &options.migrations {
                Some(dir) => MigrationSet::load(dir)?,
                None => shipped_set()?,
            };
            Some(ensure_template_with(&server, &set, &mut conn).await?.name)
        };
        match &template {
            // The keeper just found the pool empty: clone rather than look again.
            Some(template) if pooled && !keeper_answers => {
                if !pool::take(&mut conn, template, &name).await? {
                    pool::create_database(&server, &mut conn, Some(template), &name).await?;
                }
                pool::spawn_refill(server.clone(), template.to_string());
            }
            template => {
                pool::create_database(&server, &mut conn, template.as_deref(), &name).await?
            }
        }
        let _ = conn.close().await;
        TestDb::assemble(server, name, template)
    }

    fn assemble(
        server: Arc<Server>,
        name: String,
        template: Option<String>,
    ) -> Result<TestDb, HarnessError> {
        let admin = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(ACQUIRE_LIMIT)
            .connect_lazy_with(server.admin_options(&name)?);
        Ok(TestDb {
            server,
            name,
            admin,
            template,
            closed: false,
        })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The template it was cloned from (none for an empty database).
    pub fn template(&self) -> Option<&str> {
        self.template.as_deref()
    }

    pub fn server(&self) -> &Arc<Server> {
        &self.server
    }

    /// Superuser URL of this database. Carries a password.
    pub fn url(&self) -> String {
        self.server.database_url(&self.name)
    }

    /// pg_dump of this database with `args`, by a pg_dump of the server's
    /// major version (the container's own on the docker backend).
    pub async fn pg_dump(&self, args: &[&str]) -> Result<String, HarnessError> {
        self.server.pg_dump(&self.name, args).await
    }

    /// A superuser pool on this database: setup, catalog checks, fixtures.
    /// It bypasses RLS: never use it to show tenant isolation.
    pub fn admin(&self) -> &PgPool {
        &self.admin
    }

    /// A pool that logs in as `stellaops_app` with `app.tenant_id` bound to
    /// `tenant` on every connection. The code is validated before any SQL runs.
    /// It always connects straight to the server, even with a pooler: a
    /// session-level setting must not ride a pooled server connection.
    pub async fn tenant(&self, tenant: &str) -> Result<PgPool, HarnessError> {
        let tenant = TenantCode::parse(tenant)?;
        self.role_pool(APP_ROLE, Some(tenant)).await
    }

    /// A pool that logs in as `stellaops_app` with no tenant set: what a
    /// request that forgot its tenant would see. Through the pooler when
    /// there is one (`STELLAOPS_PG_POOLER`).
    pub async fn app_without_tenant(&self) -> Result<PgPool, HarnessError> {
        self.role_pool(APP_ROLE, None).await
    }

    /// A pool that logs in as `stellaops_system` (BYPASSRLS): only for the
    /// explicit cross-tenant operations.
    pub async fn system(&self) -> Result<PgPool, HarnessError> {
        self.role_pool(SYSTEM_ROLE, None).await
    }

    async fn role_pool(
        &self,
        role: &str,
        tenant: Option<TenantCode>,
    ) -> Result<PgPool, HarnessError> {
        let what = match &tenant {
            Some(tenant) => format!("connecting to {} as {role} for tenant {tenant}", self.name),
            None => format!("connecting to {} as {role}", self.name),
        };
        let session_bound = tenant.is_some();
        let connect = || {
            let tenant = tenant.clone();
            let what = what.clone();
            let options = PgPoolOptions::new()
                .max_connections(POOL_SIZE)
                .acquire_timeout(ACQUIRE_LIMIT)
                .after_connect(move |conn, _meta| {
                    let tenant = tenant.clone();
                    Box::pin(async move {
                        match &tenant {
                            Some(tenant) => set_tenant_for_session(conn, tenant).await,
                            None => Ok(()),
                        }
                    })
                });
            // A session-bound tenant cannot go through a transaction pooler:
            // the setting would stay on a server connection others get next.
            let connect_options = if session_bound {
                self.server.direct_role_options(&self.name, role)
            } else {
                self.server.role_options(&self.name, role)
            };
            async move {
                options
                    .connect_with(connect_options?)
                    .await
                    .map_err(HarnessError::db(what))
            }
        };
        match connect().await {
            // Another client of a shared server may have set the role's password
            // from a differently spelled admin URL: set ours again, once.
            Err(HarnessError::Database { source, .. }) if is_bad_password(&source) => {
                let mut conn = self.server.connect_admin().await?;
                enable_role_logins(&self.server, &mut conn).await?;
                connect().await
            }
            outcome => outcome,
        }
    }

    /// Hands the database back now and reports any error, instead of on drop.
    pub async fn close(mut self) -> Result<(), HarnessError> {
        self.closed = true;
        self.admin.close().await;
        if self.server.settings.keeper {
            let hand_back = Request::Return {
                database: self.name.clone(),
            };
            if let Ok(Reply::Ok(_)) =
                keeper::request(&self.server.keeper_paths(), &hand_back, KEEPER_LIMIT).await
            {
                return Ok(());
            }
        }
        let mut conn = self.server.connect_admin().await?;
        drop_database(&mut conn, &self.name).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        let failed = std::thread::panicking();
        // The keeper drops a passing test's database, or marks a failing
        // one's as kept, while this process exits.
        if self.server.settings.keeper {
            let request = if failed {
                Request::Keep {
                    database: self.name.clone(),
                }
            } else {
                Request::Return {
                    database: self.name.clone(),
                }
            };
            let answer =
                keeper::request_blocking(&self.server.keeper_paths(), &request, KEEPER_LIMIT);
            if let Ok(Reply::Ok(_)) = answer {
                if failed {
                    report_kept(&self.server, &self.name);
                }
                return;
            }
        }
        let server = self.server.clone();
        let name = self.name.clone();
        // Drop cannot await, and may run inside the test's runtime: finish on a thread of our own.
        let outcome = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match runtime {
                Ok(rt) => rt.block_on(async {
                    tokio::time::timeout(TEARDOWN_LIMIT, finish(&server, &name, failed))
                        .await
                        .unwrap_or_else(|_| {
                            Err(HarnessError::Timeout {
                                what: format!("tearing down {name}"),
                                waited: TEARDOWN_LIMIT,
                            })
                        })
                }),
                Err(e) => Err(HarnessError::io(
                    "starting a runtime for teardown of",
                    "test database",
                )(e)),
            }
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!(
                "stellaops-harness: teardown of {}: {e} (a later run sweeps it)",
                self.name
            ),
            Err(_) => eprintln!(
                "stellaops-harness: teardown of {} panicked (a later run sweeps it)",
                self.name
            ),
        }
    }
}

async fn finish(server: &Server, name: &str, failed: bool) -> Result<(), HarnessError> {
    let mut conn = server.connect_admin().await?;
    if failed {
        mark_kept(&mut conn, name).await?;
        report_kept(server, name);
        Ok(())
    } else {
        drop_database(&mut conn, name).await
    }
}

fn report_kept(server: &Server, name: &str) {
    let url = server.database_url(name);
    let shown = if server.kind == BackendKind::External {
        redact(&url)
    } else {
        url
    };
    eprintln!(
        "stellaops-harness: test failed; its database is kept for 24 h: {shown}\n  \
         (psql '{shown}'; `pg-harness down` removes it with the server)"
    );
}

/// Starts a keeper for the next processes; this one works without it.
fn launch_keeper(server: &Server, paths: &keeper::KeeperPaths, template: &str) {
    static HINTED: std::sync::Once = std::sync::Once::new();
    match keeper::launch(paths, &handle_path(&server.settings), Some(template)) {
        Launch::NoBinary(why) => HINTED.call_once(|| {
            eprintln!(
                "stellaops-harness: no keeper ({why}); each test clones and drops its own \
                 database, which is slower"
            )
        }),
        Launch::Failed(why) => eprintln!("stellaops-harness: starting the keeper: {why}"),
        Launch::Started(_) | Launch::AlreadyStarting => {}
    }
}

/// Errors that a server other than the one a handle named would explain.
fn suggests_stale_server(error: &HarnessError) -> bool {
    match error {
        HarnessError::Database { source, .. } => {
            server_unavailable(source).is_some()
                || source
                    .as_database_error()
                    .and_then(|e| e.code())
                    .is_some_and(|code| code == "28P01" || code == "28000")
        }
        HarnessError::Timeout { .. } => true,
        _ => false,
    }
}

/// SQLSTATE 28P01: invalid_password.
fn is_bad_password(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "28P01")
}

fn shipped_set() -> Result<MigrationSet, HarnessError> {
    static SHIPPED: std::sync::OnceLock<MigrationSet> = std::sync::OnceLock::new();
    if let Some(set) = SHIPPED.get() {
        return Ok(set.clone());
    }
    let set = MigrationSet::load(stellaops_migrations::default_dir())?;
    Ok(SHIPPED.get_or_init(|| set).clone())
}

/// Sweeps the databases of dead runs once per process and server.
async fn sweep_once(conn: &mut PgConnection) {
    static SWEPT: OnceCell<()> = OnceCell::const_new();
    SWEPT
        .get_or_init(|| async {
            match sweep_dead_runs(conn).await {
                Ok(report) if !report.dropped.is_empty() => {
                    eprintln!(
                        "stellaops-harness: swept {} database(s) of dead runs",
                        report.dropped.len()
                    );
                }
                Ok(_) => {}
                Err(e) => eprintln!("stellaops-harness: sweeping dead runs failed: {e}"),
            }
        })
        .await;
}
