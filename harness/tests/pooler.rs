//! PgBouncer in front of a private server (`STELLAOPS_PG_POOLER=pgbouncer`):
//! `pg-harness up` starts it, the app role logs in through it in transaction
//! mode, a killed one is replaced, and `pg-harness down` leaves no process
//! and no file of it behind. Every wait is bounded.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection};
use stellaops_harness::state::ServerState;
use stellaops_harness::{APP_ROLE, Server, Settings, pooler};

const PG_HARNESS: &str = env!("CARGO_BIN_EXE_pg-harness");

fn pg_harness(state_dir: &Path, command: &str) -> std::process::Output {
    let output = Command::new(PG_HARNESS)
        .arg(command)
        .env("STELLAOPS_STATE_DIR", state_dir)
        .env("STELLAOPS_PG_POOLER", "pgbouncer")
        .env("STELLAOPS_PG_IDLE_SECS", "120")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "pg-harness {command} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn alive(pid: u32) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|c| String::from_utf8_lossy(&c).contains("pgbouncer"))
}

fn pooler_state(state_dir: &Path, admin_url: &str) -> ServerState {
    ServerState::read(&pooler::paths_for(state_dir, admin_url).state)
        .unwrap()
        .expect("a pooler state file")
}

#[tokio::test]
async fn pgbouncer_starts_with_up_serves_the_app_role_and_leaves_nothing_after_down() {
    if std::env::var("STELLAOPS_PG_URL").is_ok_and(|u| !u.is_empty()) {
        eprintln!("SKIP: an external server only (STELLAOPS_PG_URL); no private server here");
        return;
    }
    if pooler::find_pgbouncer().is_none() && std::env::var_os("CI").is_none() {
        eprintln!("SKIP: no pgbouncer binary (Debian: apt-get install pgbouncer); CI requires it");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let up = pg_harness(dir.path(), "up");
    let admin_url = String::from_utf8_lossy(&up.stdout).trim().to_owned();
    let first = pooler_state(dir.path(), &admin_url);
    let pid = first.pid.unwrap();
    assert!(alive(pid), "pgbouncer {pid} must run after up");

    // The app role logs in through it, in transaction pooling mode.
    let mut settings = Settings::from_env().unwrap();
    settings.state_dir = dir.path().to_path_buf();
    settings.pooler = stellaops_harness::PoolerChoice::PgBouncer;
    let mut server = Server::acquire(&settings).await.unwrap();
    server.pooler_port = Some(pooler::ensure(&server).await.unwrap());
    let options = server.role_options("postgres", APP_ROLE).unwrap();
    let mut app = PgConnection::connect_with(&options).await.unwrap();
    let (user, mode): (String, String) = sqlx::query_as("SELECT current_user::text, 'pooled'")
        .persistent(false)
        .fetch_one(&mut app)
        .await
        .unwrap();
    assert_eq!((user.as_str(), mode.as_str()), (APP_ROLE, "pooled"));
    app.close().await.unwrap();
    assert_ne!(
        options.get_port(),
        server.admin_options("postgres").unwrap().get_port(),
        "the app role must not reach the server directly"
    );

    // Killed, it is replaced by the next process that needs it.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    pooler::ensure(&server).await.unwrap();
    let second = pooler_state(dir.path(), &admin_url);
    let replacement = second.pid.unwrap();
    assert_ne!(replacement, pid);
    assert!(alive(replacement));
    assert!(
        !first.data_root.as_ref().unwrap().exists(),
        "the dead pooler's folder is removed"
    );

    // down stops it and removes its files.
    pg_harness(dir.path(), "down");
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(replacement) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!alive(replacement), "pgbouncer {replacement} outlived down");
    assert!(!second.data_root.as_ref().unwrap().exists());
    assert!(!pooler::paths_for(dir.path(), &admin_url).state.exists());
}
