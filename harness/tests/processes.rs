//! The shared server across processes: what nextest does to the harness.
//! Each test uses a state folder of its own, so it starts (and stops) a
//! server of its own without touching the one the rest of the run shares.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sqlx::Connection;

const PG_HARNESS: &str = env!("CARGO_BIN_EXE_pg-harness");
/// Processes started at once in the sharing test.
const RACING_PROCESSES: usize = 2;
/// Longest wait for an idle server to stop itself (idle period plus a check).
const IDLE_STOP_LIMIT: Duration = Duration::from_secs(60);

fn pg_harness(state_dir: &Path) -> Command {
    let mut cmd = Command::new(PG_HARNESS);
    // These tests start servers of their own: never an external one.
    cmd.env("STELLAOPS_STATE_DIR", state_dir)
        .env_remove("STELLAOPS_PG_URL")
        .env("STELLAOPS_PG_BACKEND", local_or_docker())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// The backend of the surrounding run, unless that is external.
fn local_or_docker() -> String {
    match std::env::var("STELLAOPS_PG_BACKEND").as_deref() {
        Ok("docker") => "docker".to_owned(),
        _ => "local".to_owned(),
    }
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "pg-harness failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

async fn reachable(url: &str) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(5), sqlx::PgConnection::connect(url)).await,
        Ok(Ok(_))
    )
}

#[tokio::test]
async fn processes_starting_at_once_share_one_server_and_one_template() {
    let state = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..RACING_PROCESSES)
        .map(|_| pg_harness(state.path()).arg("up").spawn().unwrap())
        .collect();
    let urls: Vec<String> = children
        .into_iter()
        .map(|child| stdout(&child.wait_with_output().unwrap()))
        .collect();
    assert!(
        urls.iter().all(|u| u == &urls[0]),
        "one server for all: {urls:?}"
    );

    let mut conn = sqlx::PgConnection::connect(&urls[0]).await.unwrap();
    let templates: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_database WHERE datname LIKE 'stellaops\\_tpl\\_%'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(templates, 1, "one template for all");
    conn.close().await.unwrap();

    let down = stdout(&pg_harness(state.path()).arg("down").output().unwrap());
    assert!(down.contains("stopped"), "{down}");
    assert!(!reachable(&urls[0]).await, "`down` must stop the server");
    assert!(
        !state
            .path()
            .join(format!("server-{}.json", local_or_docker()))
            .exists()
    );
}

#[tokio::test]
async fn an_unused_server_stops_by_itself() {
    let state = tempfile::tempdir().unwrap();
    let url = stdout(
        &pg_harness(state.path())
            .env("STELLAOPS_PG_IDLE_SECS", "5")
            .arg("up")
            .output()
            .unwrap(),
    );
    assert!(reachable(&url).await);
    let state_file = state
        .path()
        .join(format!("server-{}.json", local_or_docker()));
    let started = Instant::now();
    while state_file.exists() && started.elapsed() < IDLE_STOP_LIMIT {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let stopped = !state_file.exists();
    if !stopped {
        // Leave nothing behind even when the assertion below fails.
        let _ = pg_harness(state.path()).arg("down").output();
    }
    assert!(
        stopped,
        "the idle watchdog did not stop the server within {IDLE_STOP_LIMIT:?}"
    );
    assert!(
        !reachable(&url).await,
        "the server must be gone with its state file"
    );
}

/// Runs `pg-harness up` with `env` and returns what it said on failure.
fn failed_up(env: &[(&str, &str)]) -> String {
    let state = tempfile::tempdir().unwrap();
    let mut cmd = pg_harness(state.path());
    for (key, value) in env {
        cmd.env(key, value);
    }
    let output = cmd.arg("up").output().unwrap();
    assert!(
        !output.status.success(),
        "`pg-harness up` with {env:?} must fail"
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_missing_server_gives_one_error_that_lists_what_was_tried() {
    let message = failed_up(&[
        ("STELLAOPS_PG_BACKEND", "local"),
        ("STELLAOPS_PG_BIN", "/nonexistent/postgresql/bin"),
    ]);
    assert!(
        message.contains("no PostgreSQL server available; tried:"),
        "{message}"
    );
    assert!(
        message.contains("local: STELLAOPS_PG_BIN=/nonexistent/postgresql/bin lacks initdb"),
        "{message}"
    );
    assert!(
        message.contains("install PostgreSQL")
            && message.contains("start Docker")
            && message.contains("STELLAOPS_PG_URL"),
        "{message}"
    );

    let message = failed_up(&[("STELLAOPS_PG_BACKEND", "docker"), ("PATH", "/nonexistent")]);
    assert!(
        message.contains("docker: no reachable Docker engine"),
        "{message}"
    );
}

#[test]
fn bad_settings_are_refused_with_the_variable_named() {
    let message = failed_up(&[("STELLAOPS_PG_BACKEND", "podman")]);
    assert!(
        message.contains("STELLAOPS_PG_BACKEND=\"podman\""),
        "{message}"
    );
    let message = failed_up(&[("STELLAOPS_PG_URL", "mysql://root@localhost/db")]);
    assert!(
        message.contains("STELLAOPS_PG_URL") && message.contains("postgres://"),
        "{message}"
    );
}
