//! The docker backend on a real engine: the image's contract, one container
//! per workspace however many processes race to start it, and no container
//! left after `pg-harness down` or the idle stop.
//!
//! Docker-only: skipped (with the reason) without an engine or the image of
//! `STELLAOPS_PG_IMAGE`, failed instead under `STELLAOPS_REQUIRE_DOCKER=1`.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

mod trials;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use libtest_mimic::Arguments;
use sqlx::{Connection, PgConnection};
use stellaops_harness::backend::docker::{self, WORKSPACE_LABEL};
use stellaops_harness::{DockerGate, workspace_id_of};
use testcontainers_modules::postgres::Postgres;
use testcontainers_modules::testcontainers::ImageExt;
use testcontainers_modules::testcontainers::runners::AsyncRunner;
use trials::{bounded, run};

const PG_HARNESS: &str = env!("CARGO_BIN_EXE_pg-harness");
/// Starts racing for one workspace's container.
const RACING_STARTS: usize = 3;
/// Longest wait for a container to start, stop or be removed.
const CONTAINER_LIMIT: Duration = Duration::from_secs(120);
/// Idle period of the idle-stop test; the watchdog checks every second.
const IDLE_SECS: &str = "5";

fn main() {
    let args = Arguments::from_args();
    let gate = DockerGate::detect();
    if !args.list {
        gate.announce();
    }
    let trials = vec![
        gate.availability_trial(),
        gate.trial("docker::image_honours_the_official_contract", |image| {
            run(image_honours_the_official_contract(image.to_owned()))
        }),
        gate.trial(
            "docker::image_refuses_to_start_without_a_password",
            |image| run(image_refuses_to_start_without_a_password(image.to_owned())),
        ),
        gate.trial("docker::racing_starts_share_one_container", |image| {
            run(racing_starts_share_one_container(image.to_owned()))
        }),
        gate.trial(
            "docker::processes_share_one_container_and_down_removes_it",
            |image| {
                run(processes_share_one_container_and_down_removes_it(
                    image.to_owned(),
                ))
            },
        ),
        gate.trial("docker::idle_stop_leaves_no_container", |image| {
            run(idle_stop_leaves_no_container(image.to_owned()))
        }),
    ];
    libtest_mimic::run(&args, trials).exit();
}

/// Ids of the containers labelled with `workspace`, running or not.
fn labelled_containers(workspace: &str) -> Vec<String> {
    let output = Command::new("docker")
        .args(["ps", "-aq", "--filter"])
        .arg(format!("label={WORKSPACE_LABEL}={workspace}"))
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn pg_harness(state_dir: &Path, image: &str) -> Command {
    let mut cmd = Command::new(PG_HARNESS);
    cmd.env("STELLAOPS_STATE_DIR", state_dir)
        .env_remove("STELLAOPS_PG_URL")
        .env("STELLAOPS_PG_BACKEND", "docker")
        .env("STELLAOPS_PG_IMAGE", image)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "pg-harness failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

async fn image_honours_the_official_contract(image: String) {
    let (repo, tag) = image.rsplit_once(':').unwrap_or((&image, "latest"));
    let container = bounded(
        CONTAINER_LIMIT,
        "starting the image",
        Postgres::default()
            .with_user("alice")
            .with_password("s3cret")
            .with_db_name("inventory")
            .with_name(repo)
            .with_tag(tag)
            .with_cmd(["-c", "max_connections=42"])
            .with_copy_to(
                "/docker-entrypoint-initdb.d/01-seed.sql",
                b"CREATE TABLE seeded (id int); INSERT INTO seeded VALUES (7);".to_vec(),
            )
            .with_label("org.stellaops.harness.test", "contract")
            .start(),
    )
    .await
    .unwrap();
    let port = container.get_host_port_ipv4(5432).await.unwrap();
    let url = |password: &str| format!("postgres://alice:{password}@127.0.0.1:{port}/inventory");

    let mut conn = PgConnection::connect(&url("s3cret")).await.unwrap();
    let (user, database, max_connections, superuser): (String, String, String, bool) =
        sqlx::query_as(
            "SELECT current_user::text, current_database()::text,
                    current_setting('max_connections'),
                    (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(user, "alice", "POSTGRES_USER is the superuser");
    assert!(superuser);
    assert_eq!(database, "inventory", "POSTGRES_DB is created");
    assert_eq!(max_connections, "42", "arguments reach postgres");
    let seeded: i32 = sqlx::query_scalar("SELECT id FROM seeded")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(seeded, 7, "init scripts run once, in POSTGRES_DB");
    conn.close().await.unwrap();

    let refused = PgConnection::connect(&url("wrong")).await.unwrap_err();
    let code = refused.as_database_error().and_then(|e| e.code());
    assert_eq!(
        code.as_deref(),
        Some("28P01"),
        "passwords are checked over TCP: {refused}"
    );
    container.rm().await.unwrap();
}

async fn image_refuses_to_start_without_a_password(image: String) {
    let mut cmd = tokio::process::Command::new("docker");
    cmd.args(["run", "--rm", &image]).kill_on_drop(true);
    let output = bounded(
        CONTAINER_LIMIT,
        "a container without a password",
        cmd.output(),
    )
    .await
    .unwrap();
    assert!(!output.status.success(), "it must not start");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("POSTGRES_PASSWORD is not set"), "{stderr}");
}

async fn racing_starts_share_one_container(image: String) {
    let state = tempfile::tempdir().unwrap();
    let workspace = workspace_id_of(state.path());
    let mut starts = tokio::task::JoinSet::new();
    for _ in 0..RACING_STARTS {
        let (image, workspace) = (image.clone(), workspace.clone());
        starts.spawn(async move { docker::start(&image, &workspace).await });
    }
    let started = bounded(
        CONTAINER_LIMIT,
        "racing container starts",
        starts.join_all(),
    )
    .await;
    let states: Vec<_> = started.into_iter().map(Result::unwrap).collect();
    let ids: Vec<_> = states.iter().map(|s| s.container_id.clone()).collect();
    let outcome = async {
        assert!(ids.iter().all(|id| id == &ids[0]), "one container: {ids:?}");
        assert_eq!(labelled_containers(&workspace).len(), 1);
        for state in &states {
            // Every racer knows the password the container was created with.
            let conn = stellaops_harness::connect_with_retry(&state.admin_url, CONTAINER_LIMIT)
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
    };
    outcome.await;
    assert_eq!(docker::remove_labelled(&workspace).await.unwrap(), 1);
    assert!(labelled_containers(&workspace).is_empty());
}

async fn processes_share_one_container_and_down_removes_it(image: String) {
    let state = tempfile::tempdir().unwrap();
    let workspace = workspace_id_of(state.path());
    // Processes starting at once, as nextest starts them, share one container.
    let racers: Vec<_> = (0..RACING_STARTS)
        .map(|_| pg_harness(state.path(), &image).arg("up").spawn().unwrap())
        .collect();
    let urls: Vec<String> = racers
        .into_iter()
        .map(|child| stdout(&child.wait_with_output().unwrap()))
        .collect();
    assert!(urls[0].starts_with("postgres://"), "{urls:?}");
    assert!(urls.iter().all(|url| url == &urls[0]), "{urls:?}");
    assert_eq!(labelled_containers(&workspace).len(), 1);

    // Even with its state file lost, `down` finds the container by label.
    std::fs::remove_file(state.path().join("server-docker.json")).unwrap();
    let down = stdout(
        &pg_harness(state.path(), &image)
            .arg("down")
            .output()
            .unwrap(),
    );
    assert!(down.contains("removed 1 labelled container"), "{down}");
    assert!(labelled_containers(&workspace).is_empty());
}

async fn idle_stop_leaves_no_container(image: String) {
    let state = tempfile::tempdir().unwrap();
    let workspace = workspace_id_of(state.path());
    let up = pg_harness(state.path(), &image)
        .env("STELLAOPS_PG_IDLE_SECS", IDLE_SECS)
        .arg("up")
        .output()
        .unwrap();
    stdout(&up);
    assert_eq!(labelled_containers(&workspace).len(), 1);
    let started = Instant::now();
    while !labelled_containers(&workspace).is_empty() && started.elapsed() < CONTAINER_LIMIT {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let left = labelled_containers(&workspace);
    if !left.is_empty() {
        let _ = pg_harness(state.path(), &image).arg("down").output();
    }
    assert!(
        left.is_empty(),
        "the idle stop left containers behind: {left:?}"
    );
}
