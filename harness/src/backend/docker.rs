//! Containers through testcontainers: one reusable container per workspace.

use std::time::Duration;

use testcontainers::ReuseDirective;
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

/// Splits `repo[:tag]` (a registry host may carry a port: `host:5000/repo:tag`).
fn split_image(image: &str) -> (&str, &str) {
    match image.rfind(':') {
        Some(colon) if !image[colon..].contains('/') => (&image[..colon], &image[colon + 1..]),
        _ => (image, "latest"),
    }
}

/// Starts a labelled container of `image`, published on 127.0.0.1, and leaves
/// it running after this process ends: the state file, the idle reaper and
/// `pg-harness down` own its life from then on.
pub async fn start(image: &str, workspace: &str) -> Result<ServerState, HarnessError> {
    let token = random_hex()?;
    let password = random_hex()?;
    let (repo, tag) = split_image(image);
    let request = Postgres::default()
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
        ])
        .with_label(HARNESS_LABEL, "1")
        .with_label(WORKSPACE_LABEL, workspace)
        .with_label("org.stellaops.harness.token", &token)
        .with_container_name(format!("stellaops-pg-{}", &token[..12]))
        .with_startup_timeout(STARTUP_LIMIT)
        .with_reuse(ReuseDirective::Always);
    let container = request.start().await.map_err(|e| HarnessError::Backend {
        backend: "docker",
        reason: format!("starting {image}: {e}"),
    })?;
    let port = container
        .get_host_port_ipv4(5432)
        .await
        .map_err(|e| HarnessError::Backend {
            backend: "docker",
            reason: format!("reading the published port of {image}: {e}"),
        })?;
    let id = container.id().to_owned();
    // Reuse is on: dropping the handle leaves the container running.
    drop(container);
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
    use super::split_image;

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
