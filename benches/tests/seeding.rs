//! Seeding on a fresh server: sides that start together seed once, under a
//! lock, and all run on the gate's server; a seeding killed halfway leaves
//! nothing in the way of the next run. Each test has a server of its own
//! (a harness state folder of its own, local backend), stopped at the end.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::Connection;
use stellaops_benches::load::SEEDED_PREFIX;
use stellaops_benches::load::serve::{Reply, parse_reply};
use stellaops_harness::reaper;
use stellaops_harness::state::{ServerState, StatePaths};

const BIN: &str = env!("CARGO_BIN_EXE_stellaops-load");
/// The longest any process of these tests may take.
const BOUND: Duration = Duration::from_secs(600);

/// A server of this test alone.
struct FreshServer {
    dir: tempfile::TempDir,
}

impl FreshServer {
    fn new() -> FreshServer {
        FreshServer {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `stellaops-load` with this server's state folder, on local binaries.
    fn load(&self) -> Command {
        let mut command = Command::new(BIN);
        command
            .env("STELLAOPS_STATE_DIR", self.dir.path())
            .env("STELLAOPS_PG_BACKEND", "local")
            .env("STELLAOPS_PG_POOLER", "none")
            .env_remove("STELLAOPS_PG_URL")
            .stdin(Stdio::piped());
        command
    }

    fn state(&self) -> Option<ServerState> {
        ServerState::read(&StatePaths::new(self.dir.path(), "local").state).unwrap()
    }

    /// The names of the load databases on this server.
    async fn load_databases(&self) -> Vec<String> {
        let state = self.state().expect("the fresh server runs");
        let mut conn = sqlx::PgConnection::connect(&state.admin_url).await.unwrap();
        sqlx::query_scalar(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1",
        )
        .bind(SEEDED_PREFIX)
        .fetch_all(&mut conn)
        .await
        .unwrap()
    }
}

impl Drop for FreshServer {
    fn drop(&mut self) {
        if let Some(state) = self.state() {
            let _ = reaper::run_stop_script(&state);
            reaper::remove_if_present(&StatePaths::new(self.dir.path(), "local").state);
        }
    }
}

/// Seeded templates (not clones, builds or canaries).
fn templates(names: &[String]) -> Vec<&String> {
    names
        .iter()
        .filter(|n| {
            let rest = &n[SEEDED_PREFIX.len()..];
            !["round_", "build_", "canary_"]
                .iter()
                .any(|p| rest.starts_with(p))
        })
        .collect()
}

fn wait(mut child: Child) -> (Option<i32>, String) {
    let deadline = Instant::now() + BOUND;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut stderr, &mut err);
            }
            return (status.code(), err);
        }
        assert!(Instant::now() < deadline, "no end within {BOUND:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn calibrate_on_a_fresh_server_seeds_once_and_runs_every_side_on_it() {
    let server = FreshServer::new();
    let out = server.dir.path().join("calibration");
    let child = server
        .load()
        .args([
            "calibrate",
            "--rounds",
            "3",
            "--blocks",
            "2",
            "--canary-transactions",
            "0",
        ])
        .args([
            "--paths",
            "authority.user_page",
            "--users",
            "2",
            "--iterations",
            "4",
        ])
        .args(["--seed", "7", "--out"])
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (code, stderr) = wait(child);
    // Three rounds decide nothing (noisy, or not calibrated), but setting up
    // must not fail: exit 2 is a setup error.
    assert_ne!(code, Some(2), "{stderr}");
    assert!(!stderr.contains("already exists"), "{stderr}");
    let names = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(server.load_databases());
    assert_eq!(templates(&names).len(), 1, "seeded once: {names:?}");
    assert_eq!(names.len(), 1, "no clone, build or canary left: {names:?}");
    // Every side of every round reported the gate's server (or the run
    // would have ended with exit 2 naming them).
    let logs = std::fs::read_dir(out.join("logs")).unwrap().count();
    assert!(logs >= 8, "4 sides, a warm-up and 3 rounds: {logs} logs");
}

/// Talks to a `serve` process on the fresh server.
fn serve(server: &FreshServer, label: &str) -> (Child, std::sync::mpsc::Receiver<Reply>) {
    let mut child = server
        .load()
        .args([
            "serve",
            "--iterations",
            "4",
            "--users",
            "2",
            "--claim-workers",
            "2",
        ])
        .args(["--label", label])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, replies) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if let Some(Ok(reply)) = parse_reply(&line) {
                let _ = send.send(reply);
            }
        }
    });
    (child, replies)
}

#[test]
fn a_seeding_killed_halfway_leaves_nothing_in_the_way() {
    let server = FreshServer::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (mut first, _) = serve(&server, "killed");
    // Killed while its build database exists: mid-seeding.
    let deadline = Instant::now() + BOUND;
    loop {
        assert!(Instant::now() < deadline, "the seeding never started");
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first side ended early"
        );
        if server.state().is_some() {
            let names = runtime.block_on(server.load_databases());
            if names
                .iter()
                .any(|n| n[SEEDED_PREFIX.len()..].starts_with("build_"))
            {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let left = runtime.block_on(server.load_databases());
    assert!(
        templates(&left).is_empty(),
        "no template of a half seeding: {left:?}"
    );

    let (mut again, replies) = serve(&server, "again");
    let ready = replies.recv_timeout(BOUND).unwrap();
    let Reply::Ready {
        server: identity, ..
    } = ready
    else {
        panic!("expected ready, got {ready:?}");
    };
    assert!(
        identity.is_some_and(|id| id.contains(':')),
        "it says which server"
    );
    writeln!(again.stdin.as_mut().unwrap(), "\"close\"").unwrap();
    assert!(again.wait().unwrap().success());
    let names = runtime.block_on(server.load_databases());
    assert_eq!(templates(&names).len(), 1, "{names:?}");
    assert_eq!(
        names.len(),
        1,
        "the dead seeding's build was swept: {names:?}"
    );
}
