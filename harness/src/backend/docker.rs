//! Containers through testcontainers: one reusable container per workspace.

use std::collections::HashMap;
use std::time::Duration;

use testcontainers::ReuseDirective;
use testcontainers::bollard::models::{HostConfig, PortBinding};
use testcontainers::core::Mount;
use testcontainers_modules::postgres::Postgres;
use testcontainers_modules::testcontainers::ImageExt;
use testcontainers_modules::testcontainers::runners::AsyncRunner;
use tokio::process::Command;

use crate::HarnessError;
use crate::backend::local::ADMIN_USER;
use crate::process::run_bounded;
use crate::state::{ServerState, random_hex, unix_now};

/// Label on every container the harness starts; `pg-harness down` finds them by it.
pub const HARNESS_LABEL: &str = "org.stellaops.harness";
/// Label naming the state folder (workspace) a container belongs to.
pub const WORKSPACE_LABEL: &str = "org.stellaops.harness.workspace";

const PROBE_LIMIT: Duration = Duration::from_secs(10);
/// Attempts after a name conflict, backing off 100 ms more each time (5.5 s in all).
const NAME_CONFLICT_RETRIES: u32 = 10;
const NAME_CONFLICT_BACKOFF: Duration = Duration::from_millis(100);
const STARTUP_LIMIT: Duration = Duration::from_secs(180);

/// Whether a Docker engine answers, within a few seconds.
pub async fn engine_reachable() -> Result<String, String> {
    let mut cmd = Command::new("docker");
    cmd.args(["version", "--format", "{{.Server.Version}}"]);
    match run_bounded(cmd, "docker version", PROBE_LIMIT).await {
        Ok(out) => Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned()),
        Err(e) => Err(format!("no reachable Docker engine ({e})")),
    }
}

/// Whether `image` is already in the engine's local store (auto never pulls).
pub async fn image_present(image: &str) -> bool {
    let mut cmd = Command::new("docker");
    cmd.args(["image", "inspect", "--format", "{{.Id}}", image]);
    run_bounded(cmd, "docker image inspect", PROBE_LIMIT)
        .await
        .is_ok()
}

/// Whether the container `id` exists and runs (paused counts as running).
pub async fn container_running(id: &str) -> bool {
    let mut cmd = Command::new("docker");
    cmd.args(["inspect", "--format", "{{.State.Running}}", id]);
    run_bounded(cmd, "docker inspect", PROBE_LIMIT)
        .await
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "true")
}

/// Splits `repo[:tag]` (a registry host may carry a port: `host:5000/repo:tag`).
fn split_image(image: &str) -> (&str, &str) {
    match image.rfind(':') {
        Some(colon) if !image[colon..].contains('/') => (&image[..colon], &image[colon + 1..]),
        _ => (image, "latest"),
    }
}

/// Where the image keeps its data; the harness mounts a tmpfs there, because
/// creating a database creates about a thousand files and a container's
/// overlay filesystem pays for each of them.
const DATA_DIR: &str = "/var/lib/postgresql/data";
/// Room for parallel query workers' dynamic shared memory (Docker's default is 64 MiB).
const SHM_BYTES: u64 = 256 * 1024 * 1024;

/// The one container name of a workspace: a second process that races to
/// create it gets a name conflict and adopts the winner's container.
pub fn container_name(workspace: &str) -> String {
    format!("stellaops-pg-{workspace}")
}

/// Starts this workspace's labelled container of `image` (or adopts the one
/// that is already there), published on 127.0.0.1, and leaves it running
/// after this process ends: the state file, the idle reaper and
/// `pg-harness down` own its life from then on.
pub async fn start(image: &str, workspace: &str) -> Result<ServerState, HarnessError> {
    let token = random_hex()?;
    let password = random_hex()?;
    let (repo, tag) = split_image(image);
    let name = container_name(workspace);
    let request = || {
        Postgres::default()
            .with_user(ADMIN_USER)
            .with_password(&password)
            .with_db_name("postgres")
            .with_name(repo)
            .with_tag(tag)
            .with_cmd([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=300",
                "-c",
                "authentication_timeout=10s",
                // The load gate's noise-free work measure.
                "-c",
                "shared_preload_libraries=pg_stat_statements",
            ])
            .with_label(HARNESS_LABEL, "1")
            .with_label(WORKSPACE_LABEL, workspace)
            .with_container_name(&name)
            .with_mount(Mount::tmpfs_mount(DATA_DIR))
            .with_shm_size(SHM_BYTES)
            // testcontainers publishes on every interface; the harness's
            // superuser must be reachable from this host only.
            .with_host_config_modifier(publish_on_loopback)
            .with_startup_timeout(STARTUP_LIMIT)
            .with_reuse(ReuseDirective::Always)
    };
    // Another process may create the container between testcontainers'
    // lookup and its create. The engine reserves the name before the new
    // container is listed, so the loser retries until the lookup finds it
    // and reuses it.
    let mut conflicts = 0;
    let started = loop {
        match request().start().await {
            Err(e) if is_name_conflict(&e.to_string()) && conflicts < NAME_CONFLICT_RETRIES => {
                conflicts += 1;
                tokio::time::sleep(NAME_CONFLICT_BACKOFF * conflicts).await;
            }
            outcome => break outcome,
        }
    };
    let container = started.map_err(|e| HarnessError::Backend {
        backend: "docker",
        reason: format!(
            "starting {image}: {e}{}",
            if e.to_string().contains("pull") || e.to_string().contains("No such image") {
                " (this engine may not reach a registry: build an image with \
                 harness/image/build.sh and set STELLAOPS_PG_IMAGE to it)"
            } else {
                ""
            }
        ),
    })?;
    let port = container
        .get_host_port_ipv4(5432)
        .await
        .map_err(|e| HarnessError::Backend {
            backend: "docker",
            reason: format!("reading the published port of {name}: {e}"),
        })?;
    let id = container.id().to_owned();
    // Reuse is on: dropping the handle leaves the container running.
    drop(container);
    // An adopted container keeps the password it was created with.
    let password = container_password(&id).await?.unwrap_or(password);
    Ok(ServerState {
        token,
        backend: "docker".to_owned(),
        admin_url: format!("postgres://{ADMIN_USER}:{password}@127.0.0.1:{port}/postgres"),
        pid: None,
        data_root: None,
        stop_script: format!("docker rm -f -v {id} >/dev/null 2>&1 || true"),
        container_id: Some(id),
        started_at: unix_now(),
    })
}

fn publish_on_loopback(host_config: &mut HostConfig) {
    host_config.publish_all_ports = Some(false);
    host_config.port_bindings = Some(HashMap::from([(
        "5432/tcp".to_owned(),
        Some(vec![PortBinding {
            host_ip: Some("127.0.0.1".to_owned()),
            host_port: Some(String::new()),
        }]),
    )]));
}

fn is_name_conflict(message: &str) -> bool {
    message.contains("409") || message.contains("is already in use")
}

/// The superuser password a container was created with (its POSTGRES_PASSWORD).
async fn container_password(id: &str) -> Result<Option<String>, HarnessError> {
    let mut cmd = Command::new("docker");
    cmd.args(["inspect", "--format", "{{json .Config.Env}}", id]);
    let out = run_bounded(cmd, "docker inspect", PROBE_LIMIT).await?;
    let env: Vec<String> =
        serde_json::from_slice(&out.stdout).map_err(|e| HarnessError::Backend {
            backend: "docker",
            reason: format!("reading the environment of container {id}: {e}"),
        })?;
    Ok(env
        .iter()
        .find_map(|var| var.strip_prefix("POSTGRES_PASSWORD="))
        .map(str::to_owned))
}

/// Runs `args` inside a container (`docker exec`), bounded by `limit`.
pub async fn exec(
    container_id: &str,
    args: &[&str],
    limit: Duration,
) -> Result<std::process::Output, HarnessError> {
    let mut cmd = Command::new("docker");
    cmd.arg("exec").arg(container_id).args(args);
    run_bounded(cmd, "docker exec", limit).await
}

/// Removes every container this workspace's harness started, found by label.
pub async fn remove_labelled(workspace: &str) -> Result<usize, HarnessError> {
    let mut list = Command::new("docker");
    list.args(["ps", "-aq", "--filter"])
        .arg(format!("label={WORKSPACE_LABEL}={workspace}"));
    let out = run_bounded(list, "docker ps", PROBE_LIMIT).await?;
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if !ids.is_empty() {
        let mut rm = Command::new("docker");
        rm.args(["rm", "-f", "-v"]).args(&ids);
        run_bounded(rm, "docker rm", Duration::from_secs(60)).await?;
    }
    Ok(ids.len())
}

#[cfg(test)]
mod tests {
    use super::{is_name_conflict, split_image};

    #[test]
    fn name_conflicts_are_recognised() {
        assert!(is_name_conflict(
            "Docker responded with status code 409: Conflict. The container name \"/x\" is already in use"
        ));
        assert!(!is_name_conflict("No such image: postgres:16-alpine"));
    }

    #[test]
    fn image_references_split_into_repo_and_tag() {
        assert_eq!(split_image("postgres:16-alpine"), ("postgres", "16-alpine"));
        assert_eq!(split_image("postgres"), ("postgres", "latest"));
        assert_eq!(
            split_image("host:5000/pg/postgres"),
            ("host:5000/pg/postgres", "latest")
        );
        assert_eq!(split_image("host:5000/pg:17"), ("host:5000/pg", "17"));
    }
}
