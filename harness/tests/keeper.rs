//! The keeper: it hands out and takes back databases for real test
//! processes, and when it is killed, the next process or `pg-harness down`
//! cleans up what it would have.
//!
//! Each test runs on a private server (its own state folder), with child
//! processes of this binary as the "test processes", so killing a keeper
//! never touches the one the rest of the run shares. Every wait is bounded.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection};
use stellaops_harness::handle::ServerHandle;
use stellaops_harness::keeper::{self, KeeperPaths, Reply, Request};
use stellaops_harness::{Settings, TestDb};

const PG_HARNESS: &str = env!("CARGO_BIN_EXE_pg-harness");
/// Longest a keeper may take to come up or go away.
const KEEPER_LIMIT: Duration = Duration::from_secs(20);
/// What a child process does after taking its database.
const CHILD_MODE: &str = "STELLAOPS_KEEPER_TEST_CHILD";

/// A "test process" of the keeper tests: takes a database, runs a query,
/// says which database it had, and passes or dies without teardown.
#[tokio::test]
#[ignore = "a child process of the keeper tests"]
async fn child_takes_a_database() {
    let db = TestDb::new().await.unwrap();
    sqlx::query("SELECT 1").execute(db.admin()).await.unwrap();
    println!("DATABASE {}", db.name());
    if std::env::var(CHILD_MODE).as_deref() == Ok("abort") {
        // A crash: no teardown, no return to the keeper.
        std::process::abort();
    }
}

/// A private state folder whose server and keepers `pg-harness down` stops on drop.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    /// None where a private server cannot be had (an external server only).
    fn new() -> Option<Workspace> {
        if std::env::var("STELLAOPS_PG_URL").is_ok_and(|u| !u.is_empty()) {
            eprintln!("SKIP: an external server only (STELLAOPS_PG_URL); no private server here");
            return None;
        }
        Some(Workspace {
            dir: tempfile::tempdir().unwrap(),
        })
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env("STELLAOPS_STATE_DIR", self.dir.path())
            .env("STELLAOPS_PG_HARNESS_BIN", PG_HARNESS)
            .env("STELLAOPS_PG_IDLE_SECS", "120");
        command
    }

    /// Runs one child test process; returns its output and the database it had.
    fn child(&self, mode: &str, keeper: bool) -> (Output, Option<String>) {
        self.child_with(mode, keeper, &[])
    }

    fn child_with(
        &self,
        mode: &str,
        keeper: bool,
        env: &[(&str, &str)],
    ) -> (Output, Option<String>) {
        let output = self
            .command(std::env::current_exe().unwrap())
            .envs(env.iter().copied())
            .args([
                "--exact",
                "child_takes_a_database",
                "--ignored",
                "--nocapture",
            ])
            .env(CHILD_MODE, mode)
            .env("STELLAOPS_PG_KEEPER", if keeper { "auto" } else { "off" })
            .output()
            .unwrap();
        let database = String::from_utf8_lossy(&output.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("DATABASE ").map(str::to_owned));
        (output, database)
    }

    fn settings(&self) -> Settings {
        let mut settings = Settings::from_env().unwrap();
        settings.state_dir = self.dir.path().to_path_buf();
        settings
    }

    fn handle(&self) -> ServerHandle {
        ServerHandle::read_current(&self.settings())
            .expect("the first process leaves a server handle")
            .0
    }

    fn keeper_paths(&self) -> KeeperPaths {
        KeeperPaths::new(self.dir.path(), &self.handle().admin_url)
    }

    /// The pid of the keeper once it answers.
    fn wait_for_keeper(&self, not: Option<i32>) -> i32 {
        let paths = self.keeper_paths();
        let started = Instant::now();
        loop {
            if let Ok(Reply::Ok(detail)) =
                keeper::request_blocking(&paths, &Request::Ping, Duration::from_secs(2))
            {
                let pid: i32 = detail.split_whitespace().next().unwrap().parse().unwrap();
                if Some(pid) != not {
                    return pid;
                }
            }
            assert!(
                started.elapsed() < KEEPER_LIMIT,
                "no keeper answered within {KEEPER_LIMIT:?}; its log:\n{}",
                std::fs::read_to_string(&paths.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The keeper's count of `what` (`taken`, `missed`, `returned`).
    fn keeper_count(&self, what: &str) -> u64 {
        let reply = keeper::request_blocking(&self.keeper_paths(), &Request::Ping, KEEPER_LIMIT);
        let Ok(Reply::Ok(detail)) = reply else {
            panic!("the keeper did not answer a ping: {reply:?}")
        };
        detail
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{what}=")).map(str::to_owned))
            .unwrap_or_else(|| panic!("no {what}= in {detail:?}"))
            .parse()
            .unwrap()
    }

    async fn admin(&self) -> PgConnection {
        PgConnection::connect(&self.handle().admin_url)
            .await
            .unwrap()
    }

    fn down(&self) -> Output {
        self.command(PG_HARNESS).arg("down").output().unwrap()
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = self.down();
    }
}

fn passed(output: &Output) -> bool {
    output.status.success()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn exists(conn: &mut PgConnection, database: &str) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(database)
        .fetch_one(conn)
        .await
        .unwrap()
}

/// Waits (bounded) until `database` is gone: the keeper drops it on its own time.
async fn wait_until_dropped(conn: &mut PgConnection, database: &str) {
    let started = Instant::now();
    while exists(conn, database).await {
        assert!(
            started.elapsed() < KEEPER_LIMIT,
            "{database} still exists after {KEEPER_LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits (bounded) until the keeper has put a clone in a pool.
async fn wait_for_a_pooled_clone(conn: &mut PgConnection) {
    let started = Instant::now();
    loop {
        let pooled: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_database WHERE starts_with(datname, 'stellaops_pool_')",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        if pooled > 0 {
            return;
        }
        assert!(
            started.elapsed() < KEEPER_LIMIT,
            "the keeper filled no pool within {KEEPER_LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn alive(pid: i32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
}

/// SIGKILL, like the OOM killer: no cleanup of its own.
fn kill_and_wait(pid: i32) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    wait_for_exit(pid);
}

fn wait_for_exit(pid: i32) {
    let started = Instant::now();
    while alive(pid) {
        assert!(
            started.elapsed() < KEEPER_LIMIT,
            "keeper {pid} still runs after {KEEPER_LIMIT:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn keeper_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pid" || e == "sock"))
        .collect()
}

#[tokio::test]
async fn the_keeper_serves_test_processes_and_a_killed_one_is_cleaned_up_after() {
    let Some(ws) = Workspace::new() else { return };

    // The first process finds no server and no keeper: it starts both.
    let (first, _) = ws.child("pass", true);
    assert!(passed(&first), "{}", text(&first));
    let keeper_pid = ws.wait_for_keeper(None);

    // The keeper fills the pool of the template its launcher needed.
    let mut admin = ws.admin().await;
    wait_for_a_pooled_clone(&mut admin).await;

    // The next one is served by the keeper, which drops its database after it passed.
    let (taken, returned) = (ws.keeper_count("taken"), ws.keeper_count("returned"));
    let (served, database) = ws.child("pass", true);
    assert!(passed(&served), "{}", text(&served));
    assert_eq!(
        (ws.keeper_count("taken"), ws.keeper_count("returned")),
        (taken + 1, returned + 1),
        "the child must be served by the keeper and hand its database back to it"
    );
    let database = database.unwrap();
    wait_until_dropped(&mut admin, &database).await;

    // The keeper is killed; then a process dies without teardown.
    kill_and_wait(keeper_pid);
    let (crashed, orphan) = ws.child("abort", false);
    assert!(!passed(&crashed), "the child was meant to abort");
    let orphan = orphan.expect("the crashed child said which database it had");
    assert!(
        exists(&mut admin, &orphan).await,
        "with no keeper, nothing has swept {orphan} yet"
    );

    // The next process sweeps the dead run's database and starts a new keeper.
    let (next, _) = ws.child("pass", true);
    assert!(passed(&next), "{}", text(&next));
    assert!(
        !exists(&mut admin, &orphan).await,
        "the next process must sweep {orphan}"
    );
    let new_keeper = ws.wait_for_keeper(Some(keeper_pid));
    let _ = admin.close().await;
    let url = ws.handle().admin_url;

    // `pg-harness down` stops the keeper and the server, and leaves no files of theirs.
    let down = ws.down();
    assert!(passed(&down), "{}", text(&down));
    assert!(text(&down).contains("stopped 1 keeper"), "{}", text(&down));
    wait_for_exit(new_keeper);
    assert_eq!(keeper_files(ws.dir.path()), Vec::<PathBuf>::new());
    assert!(
        PgConnection::connect(&url).await.is_err(),
        "the server must be stopped"
    );
}

#[tokio::test]
async fn pg_harness_down_cleans_up_after_a_killed_keeper() {
    let Some(ws) = Workspace::new() else { return };
    let (first, _) = ws.child("pass", true);
    assert!(passed(&first), "{}", text(&first));
    let keeper_pid = ws.wait_for_keeper(None);
    let url = ws.handle().admin_url;
    kill_and_wait(keeper_pid);
    assert!(
        !keeper_files(ws.dir.path()).is_empty(),
        "a killed keeper leaves its pid and socket files"
    );

    let down = ws.down();
    assert!(passed(&down), "{}", text(&down));
    assert_eq!(keeper_files(ws.dir.path()), Vec::<PathBuf>::new());
    assert!(
        PgConnection::connect(&url).await.is_err(),
        "the server must be stopped"
    );
}

#[tokio::test]
async fn an_empty_pool_still_clones_on_demand() {
    let Some(ws) = Workspace::new() else { return };
    // Server and template, with no pool at all (no refill in the process either).
    let (first, _) = ws.child_with("pass", false, &[("STELLAOPS_PG_POOL_SIZE", "0")]);
    assert!(passed(&first), "{}", text(&first));
    let mut admin = ws.admin().await;
    let pooled: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_database WHERE starts_with(datname, 'stellaops_pool_')",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(pooled, 0, "the pool must start empty");
    let _ = admin.close().await;
    // A keeper that keeps no pool: every hand-out is a miss.
    let keeper = ws
        .command(PG_HARNESS)
        .arg("keeper")
        .arg("--handle")
        .arg(stellaops_harness::handle::handle_path(&ws.settings()))
        .env("STELLAOPS_PG_POOL_SIZE", "0")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let spawned = i32::try_from(keeper.id()).unwrap();
    // Reaped as soon as it exits, so `down` sees it gone rather than a zombie.
    let reaper = std::thread::spawn(move || {
        let mut keeper = keeper;
        keeper.wait()
    });
    let keeper_pid = ws.wait_for_keeper(None);
    assert_eq!(keeper_pid, spawned);

    let paths = ws.keeper_paths();
    let miss = keeper::request_blocking(
        &paths,
        &Request::Take {
            template: "stellaops_tpl_0000000000000000".to_owned(),
            database: "stellaops_test_never".to_owned(),
        },
        KEEPER_LIMIT,
    )
    .unwrap();
    assert_eq!(miss, Reply::Miss);

    let missed = ws.keeper_count("missed");
    let (served, database) = ws.child("pass", true);
    assert!(passed(&served), "{}", text(&served));
    assert!(database.is_some(), "{}", text(&served));
    assert_eq!(
        ws.keeper_count("missed"),
        missed + 1,
        "the child must have asked the keeper and been told the pool was empty; it said:\n{}",
        text(&served)
    );
    let down = ws.down();
    assert!(passed(&down), "{}", text(&down));
    assert!(reaper.join().unwrap().is_ok());
}
