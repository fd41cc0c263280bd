//! Faults: the server killed or frozen under a test, and a session killed
//! while it holds a lock. Each killing or freezing test runs on a private
//! server (its own state folder, so its own cluster or container), never the
//! one the rest of the run shares, and stops it again.
//!
//! Every wait here is bounded by a named limit; a limit that passes is a
//! failure ("it hung"), never a measurement.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

mod trials;

use std::sync::Arc;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Trial};
use sqlx::{Connection, PgConnection};
use stellaops_harness::state::{ServerState, StatePaths};
use stellaops_harness::{
    BackendChoice, DockerGate, Server, Settings, TestDb, Unavailable, connect_with_retry, reaper,
    server_unavailable,
};
use trials::{bounded, run};

/// Longest a test may wait for the failure a fault must cause.
const FAILURE_LIMIT: Duration = Duration::from_secs(30);
/// Connect bound the frozen-server test gives a login.
const LOGIN_LIMIT: Duration = Duration::from_secs(3);
/// How long the server stays frozen; longer than the statement timeout below.
const FREEZE_FOR: Duration = Duration::from_secs(4);
/// Statement timeout of the statement caught by the freeze.
const STATEMENT_TIMEOUT: &str = "2s";
/// A statement that would outlive every limit here if nothing stopped it.
const LONG_SLEEP: &str = "SELECT pg_sleep(120)";

fn main() {
    let args = Arguments::from_args();
    let gate = DockerGate::detect();
    if !args.list {
        gate.announce();
    }
    let mut trials = vec![
        gate.availability_trial(),
        Trial::test(
            "session_lock::released_when_its_session_is_terminated",
            || run(session_lock_released_when_its_session_is_terminated()),
        ),
        Trial::test("local::server_killed_mid_test", || {
            run(server_killed_mid_test(BackendChoice::Local))
        }),
        Trial::test("local::server_frozen", || {
            run(server_frozen(BackendChoice::Local))
        }),
    ];
    trials.push(gate.trial("docker::server_killed_mid_test", |_| {
        run(server_killed_mid_test(BackendChoice::Docker))
    }));
    trials.push(gate.trial("docker::server_frozen", |_| {
        run(server_frozen(BackendChoice::Docker))
    }));
    libtest_mimic::run(&args, trials).exit();
}

/// A server of the test's own, stopped (every instance it had) when dropped.
struct PrivateServer {
    settings: Settings,
    server: Arc<Server>,
    started: Vec<ServerState>,
    _state_dir: tempfile::TempDir,
}

impl PrivateServer {
    async fn start(backend: BackendChoice) -> PrivateServer {
        let state_dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::from_env().unwrap();
        settings.backend = backend;
        settings.url = None;
        settings.state_dir = state_dir.path().to_path_buf();
        // No refill worker racing the fault; the idle stop is only a fallback.
        settings.pool_size = 0;
        settings.idle = Duration::from_secs(120);
        let server = Arc::new(Server::acquire(&settings).await.unwrap());
        let started = vec![server.state.clone().unwrap()];
        PrivateServer {
            settings,
            server,
            started,
            _state_dir: state_dir,
        }
    }

    fn state(&self) -> &ServerState {
        self.server.state.as_ref().unwrap()
    }

    /// What every test process does next: find the workspace's server or start one.
    async fn next_run(&mut self) -> Arc<Server> {
        let server = Arc::new(Server::acquire(&self.settings).await.unwrap());
        self.started.push(server.state.clone().unwrap());
        self.server = server.clone();
        server
    }

    /// Kills every process of the server at once, like a crash or the OOM killer.
    async fn kill(&self) {
        match &self.state().container_id {
            Some(id) => docker(&["kill", id]).await,
            None => signal_cluster(self.state(), nix::sys::signal::Signal::SIGKILL),
        }
    }

    async fn freeze(&self) {
        match &self.state().container_id {
            Some(id) => docker(&["pause", id]).await,
            None => signal_cluster(self.state(), nix::sys::signal::Signal::SIGSTOP),
        }
    }

    async fn thaw(&self) {
        match &self.state().container_id {
            Some(id) => docker(&["unpause", id]).await,
            None => signal_cluster(self.state(), nix::sys::signal::Signal::SIGCONT),
        }
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        if let Some(state) = &self.server.state
            && state.container_id.is_none()
        {
            // A frozen cluster ignores the stop until it runs again.
            signal_cluster(state, nix::sys::signal::Signal::SIGCONT);
        }
        for state in &self.started {
            let _ = reaper::run_stop_script(state);
        }
        let paths = StatePaths::new(&self.settings.state_dir, self.server.kind.as_str());
        reaper::remove_if_present(&paths.state);
    }
}

async fn docker(args: &[&str]) {
    let mut cmd = tokio::process::Command::new("docker");
    cmd.args(args).kill_on_drop(true);
    let status = bounded(FAILURE_LIMIT, &format!("docker {args:?}"), cmd.status())
        .await
        .unwrap();
    assert!(status.success(), "docker {args:?}: {status}");
}

/// Sends `signal` to the postmaster and every process it started.
fn signal_cluster(state: &ServerState, signal: nix::sys::signal::Signal) {
    use nix::sys::signal::kill;
    use nix::unistd::Pid;
    let Some(postmaster) = state.pid else { return };
    let mut pids = vec![postmaster];
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // Fields after the parenthesised command name: state, ppid, …
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|ppid| ppid.parse::<u32>().ok());
        if parent == Some(postmaster) {
            pids.push(pid);
        }
    }
    // The postmaster first, so that it cannot start replacements.
    for pid in pids {
        let _ = kill(Pid::from_raw(pid as i32), signal);
    }
}

/// Polls until a backend runs `LONG_SLEEP` in `database`.
async fn wait_until_running(observer: &mut PgConnection, database: &str) {
    let started = Instant::now();
    loop {
        let running: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                             WHERE datname = $1 AND state = 'active' AND query = $2)",
        )
        .bind(database)
        .bind(LONG_SLEEP)
        .fetch_one(&mut *observer)
        .await
        .unwrap();
        if running {
            return;
        }
        assert!(
            started.elapsed() < FAILURE_LIMIT,
            "the statement never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn server_killed_mid_test(backend: BackendChoice) {
    let mut private = PrivateServer::start(backend).await;
    let db = TestDb::builder()
        .build_on(private.server.clone())
        .await
        .unwrap();
    let old_token = private.state().token.clone();
    let template = db.template().unwrap().to_owned();

    let pool = db.admin().clone();
    let in_flight = tokio::spawn(async move { sqlx::query(LONG_SLEEP).execute(&pool).await });
    let mut observer = PgConnection::connect(&db.url()).await.unwrap();
    wait_until_running(&mut observer, db.name()).await;
    drop(observer);
    private.kill().await;

    // The test's own statement fails, bounded, and says why.
    let error = bounded(
        FAILURE_LIMIT,
        "the statement on the killed server",
        in_flight,
    )
    .await
    .unwrap()
    .expect_err("a statement cannot succeed on a killed server");
    assert_eq!(
        server_unavailable(&error),
        Some(Unavailable::WentAway),
        "{error}"
    );
    // So does the harness, for the next database the test asks for.
    let error = bounded(
        FAILURE_LIMIT,
        "a new database on the killed server",
        TestDb::builder().build_on(private.server.clone()),
    )
    .await
    .expect_err("no database from a killed server");
    assert!(
        error.to_string().contains("the server went away"),
        "{error}"
    );
    // Tearing down on a dead server ends too, with the same diagnosis (the
    // message a failing test's teardown prints).
    let error = bounded(FAILURE_LIMIT, "closing the test database", db.close())
        .await
        .expect_err("nothing to drop on a killed server");
    assert!(
        error.to_string().contains("the server went away"),
        "{error}"
    );

    // The next run finds the dead server, starts another and rebuilds the template.
    let server = bounded(
        Duration::from_secs(180),
        "the next run's server",
        private.next_run(),
    )
    .await;
    assert_ne!(server.state.as_ref().unwrap().token, old_token);
    let db = TestDb::builder().build_on(server).await.unwrap();
    assert_eq!(
        db.template(),
        Some(template.as_str()),
        "same migrations, same template name"
    );
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_tables WHERE schemaname IN ('authority', 'scheduler')",
    )
    .fetch_one(db.admin())
    .await
    .unwrap();
    assert!(tables > 0, "the rebuilt template is migrated");
    db.close().await.unwrap();
}

async fn server_frozen(backend: BackendChoice) {
    let private = PrivateServer::start(backend).await;
    let db = TestDb::builder()
        .build_on(private.server.clone())
        .await
        .unwrap();

    // A statement in flight when the server freezes, with a statement timeout.
    let url = db.url();
    let in_flight = tokio::spawn(async move {
        let mut conn = PgConnection::connect(&url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SET statement_timeout = '{STATEMENT_TIMEOUT}'"
        )))
        .execute(&mut conn)
        .await?;
        sqlx::query(LONG_SLEEP).execute(&mut conn).await
    });
    let mut observer = PgConnection::connect(&db.url()).await.unwrap();
    wait_until_running(&mut observer, db.name()).await;
    drop(observer);
    private.freeze().await;
    let frozen_at = Instant::now();

    // A login: the connect bound fires and says the server is not answering.
    let error = bounded(
        FAILURE_LIMIT,
        "a login to the frozen server",
        connect_with_retry(&db.url(), LOGIN_LIMIT),
    )
    .await
    .expect_err("no login on a frozen server");
    assert_eq!(
        server_unavailable(&error),
        Some(Unavailable::NotAnswering),
        "{error}"
    );
    // The harness: a new database fails within its own bounds, naming the cause.
    let error = bounded(
        FAILURE_LIMIT,
        "a new database on the frozen server",
        TestDb::builder().build_on(private.server.clone()),
    )
    .await
    .expect_err("no database from a frozen server");
    assert!(
        error.to_string().contains("the server is not answering"),
        "{error}"
    );
    // A pooled connection: the pool's acquire timeout fires.
    let acquired = bounded(
        FAILURE_LIMIT,
        "a pool acquire on the frozen server",
        async {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .acquire_timeout(LOGIN_LIMIT)
                .connect_lazy(&db.url())
                .unwrap();
            pool.acquire().await.map(drop)
        },
    )
    .await;
    assert!(
        matches!(acquired, Err(sqlx::Error::PoolTimedOut)),
        "{acquired:?}"
    );

    // The next run leaves a frozen server alone instead of replacing it
    // under the tests that still use it.
    let error = bounded(
        FAILURE_LIMIT,
        "the next run on the frozen server",
        Server::acquire(&private.settings),
    )
    .await
    .expect_err("a frozen server is neither reused nor replaced");
    assert!(
        error.to_string().contains("does not answer a login"),
        "{error}"
    );

    let remaining = FREEZE_FOR.saturating_sub(frozen_at.elapsed());
    tokio::time::sleep(remaining).await;
    private.thaw().await;

    // The statement's timeout passed while frozen: it fires as soon as the
    // server runs again, rather than after the full sleep.
    let error = bounded(
        FAILURE_LIMIT,
        "the statement caught by the freeze",
        in_flight,
    )
    .await
    .unwrap()
    .expect_err("the statement timeout must cancel the sleep");
    let code = error
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned());
    assert_eq!(
        code.as_deref(),
        Some("57014"),
        "query_canceled by statement_timeout: {error}"
    );
    // And the server serves again.
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(db.admin())
        .await
        .unwrap();
    assert_eq!(one, 1);
    let next = Server::acquire(&private.settings).await.unwrap();
    assert_eq!(
        next.state.as_ref().unwrap().token,
        private.state().token,
        "the thawed server is reused, not replaced"
    );
    db.close().await.unwrap();
}

/// A session advisory lock dies with its session: terminating the holder's
/// connection hands the lock to the next session at once (no retry loop).
async fn session_lock_released_when_its_session_is_terminated() {
    const KEY: i64 = 0x5354_454C_4641_554C; // "STELFAUL"
    let db = TestDb::new().await.unwrap();
    let mut holder = PgConnection::connect(&db.url()).await.unwrap();
    let holder_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut holder)
        .await
        .unwrap();
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(KEY)
        .execute(&mut holder)
        .await
        .unwrap();

    let mut waiter = PgConnection::connect(&db.url()).await.unwrap();
    let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(KEY)
        .fetch_one(&mut waiter)
        .await
        .unwrap();
    assert!(!taken, "the lock is held");

    // Waits (at most 5 s) until the holder's backend has exited.
    let terminated: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1, 5000)")
        .bind(holder_pid)
        .fetch_one(db.admin())
        .await
        .unwrap();
    assert!(terminated);
    let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(KEY)
        .fetch_one(&mut waiter)
        .await
        .unwrap();
    assert!(taken, "the terminated session's lock must be free at once");

    let error = sqlx::query("SELECT 1")
        .execute(&mut holder)
        .await
        .expect_err("the terminated connection is gone");
    assert_eq!(
        server_unavailable(&error),
        Some(Unavailable::WentAway),
        "{error}"
    );
    db.close().await.unwrap();
}
