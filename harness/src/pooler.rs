//! PgBouncer in transaction pooling mode in front of the workspace's server
//! (`STELLAOPS_PG_POOLER=pgbouncer`), as production runs it (seeds, Phase 0,
//! T0.1.3). The app and system roles connect through it; admin connections
//! go direct.
//!
//! One pooler per server instance, found through a state file like the
//! server's own: the first process starts it under a lock, later ones reuse
//! it. It stops with `pg-harness down`, or by the idle watchdog once no
//! process has used it for the idle period, so nothing is left behind.

use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use std::time::{Duration, Instant};
use tokio::process::Command;

use crate::backend::local::{as_user, free_port, unprivileged_user};
use crate::config::Settings;
use crate::naming::short_hash;
use crate::server::{Server, lock_file, parse_url};
use crate::state::{ServerState, StatePaths, random_hex, unix_now};
use crate::{APP_ROLE, HarnessError, SYSTEM_ROLE, reaper};

const READY_LIMIT: Duration = Duration::from_secs(15);
const BACKEND_PREFIX: &str = "pgbouncer-";

/// Where Debian installs it; else the `PATH`.
pub fn find_pgbouncer() -> Option<PathBuf> {
    let debian = Path::new("/usr/sbin/pgbouncer");
    if debian.is_file() {
        return Some(debian.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("pgbouncer"))
            .find(|candidate| candidate.is_file())
    })
}

/// The state files of the pooler in front of the server at `admin_url`.
pub fn paths_for(state_dir: &Path, admin_url: &str) -> StatePaths {
    StatePaths::new(
        state_dir,
        &format!("{BACKEND_PREFIX}{}", short_hash(admin_url, 8)),
    )
}

/// The pooler's port, starting the pooler if it is not running.
pub async fn ensure(server: &Server) -> Result<u16, HarnessError> {
    let settings = &server.settings;
    let paths = paths_for(&settings.state_dir, server.admin_url());
    fs::create_dir_all(&paths.dir).map_err(HarnessError::io("creating", &paths.dir))?;
    if let Some(port) = running(&paths)? {
        reaper::touch(&paths.activity)?;
        reaper::keep_alive_while_running(&paths.activity);
        return Ok(port);
    }
    let _lock = lock_file(&paths).await?;
    let port = match running(&paths)? {
        Some(port) => port,
        None => start(server, &paths).await?,
    };
    reaper::touch(&paths.activity)?;
    reaper::keep_alive_while_running(&paths.activity);
    Ok(port)
}

/// The port of a live pooler the state file names, if any.
fn running(paths: &StatePaths) -> Result<Option<u16>, HarnessError> {
    let Some(state) = ServerState::read(&paths.state)? else {
        return Ok(None);
    };
    let alive = state.pid.is_some_and(|pid| {
        fs::read(format!("/proc/{pid}/cmdline"))
            .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains("pgbouncer"))
    });
    let port = parse_url(&state.admin_url).ok().map(|o| o.get_port());
    match port {
        Some(port) if alive && accepts(port, Duration::from_secs(1)) => Ok(Some(port)),
        _ => {
            // A dead pooler's leftovers: its folder and state.
            let _ = reaper::run_stop_script(&state);
            reaper::remove_if_present(&paths.state);
            Ok(None)
        }
    }
}

fn accepts(port: u16, limit: Duration) -> bool {
    TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), limit).is_ok()
}

async fn start(server: &Server, paths: &StatePaths) -> Result<u16, HarnessError> {
    let settings = &server.settings;
    let binary = find_pgbouncer().ok_or_else(|| HarnessError::Backend {
        backend: "pgbouncer",
        reason: "STELLAOPS_PG_POOLER=pgbouncer, but no pgbouncer binary was found \
                 (Debian: apt-get install pgbouncer)"
            .to_owned(),
    })?;
    let target = parse_url(server.admin_url())?;
    let token = random_hex()?;
    let root = pooler_root(settings, &token);
    fs::create_dir_all(&root).map_err(HarnessError::io("creating", &root))?;
    let user = unprivileged_user(settings)?;
    let port = free_port()?;
    let userlist = [APP_ROLE, SYSTEM_ROLE]
        .iter()
        .map(|role| format!("\"{role}\" \"{}\"\n", server.role_password(role)))
        .collect::<String>();
    write_private(&root.join("userlist.txt"), &userlist, user.as_ref())?;
    let ini = format!(
        "[databases]\n\
         * = host={host} port={server_port}\n\
         \n\
         [pgbouncer]\n\
         listen_addr = 127.0.0.1\n\
         listen_port = {port}\n\
         unix_socket_dir =\n\
         auth_type = scram-sha-256\n\
         auth_file = {root}/userlist.txt\n\
         pool_mode = transaction\n\
         max_client_conn = 2000\n\
         default_pool_size = 20\n\
         ; sqlx sends it; PgBouncer 1.18 does not track it.\n\
         ignore_startup_parameters = extra_float_digits\n\
         ; Every wait is bounded.\n\
         query_wait_timeout = 30\n\
         server_connect_timeout = 10\n\
         server_login_retry = 1\n\
         logfile = {root}/pgbouncer.log\n",
        host = target.get_host(),
        server_port = target.get_port(),
        root = root.display(),
    );
    write_private(&root.join("pgbouncer.ini"), &ini, user.as_ref())?;
    let mut command = as_user(Command::new(&binary), &user, &root);
    command
        .arg(root.join("pgbouncer.ini"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Out of the test's process group: a killed test must not kill the pooler.
        .process_group(0);
    let child = command
        .spawn()
        .map_err(HarnessError::io("starting pgbouncer from", &binary))?;
    let pid = child.id().ok_or_else(|| HarnessError::Backend {
        backend: "pgbouncer",
        reason: "exited at once".to_owned(),
    })?;
    let state = ServerState {
        token,
        backend: format!("{BACKEND_PREFIX}{}", short_hash(server.admin_url(), 8)),
        admin_url: format!("postgres://127.0.0.1:{port}/"),
        pid: Some(pid),
        data_root: Some(root.clone()),
        container_id: None,
        started_at: unix_now(),
        stop_script: stop_script(pid, &root),
    };
    let started = Instant::now();
    while !accepts(port, Duration::from_millis(200)) {
        let exited = fs::metadata(format!("/proc/{pid}")).is_err();
        if exited || started.elapsed() > READY_LIMIT {
            let log = fs::read_to_string(root.join("pgbouncer.log")).unwrap_or_default();
            let _ = reaper::run_stop_script(&state);
            return Err(HarnessError::Backend {
                backend: "pgbouncer",
                reason: format!(
                    "did not accept connections on 127.0.0.1:{port} within {READY_LIMIT:?}; \
                     its log ends: {}",
                    log.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
                ),
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The child is detached; its exit is the watchdog's and `down`'s business.
    drop(child);
    state.write(&paths.state)?;
    reaper::spawn_watchdog(paths, &state, settings.idle)?;
    Ok(port)
}

/// Beside the clusters (memory-backed where possible), readable by the
/// unprivileged account pgbouncer runs as under root.
fn pooler_root(settings: &Settings, token: &str) -> PathBuf {
    crate::backend::local::data_parent(settings)
        .join(format!("stellaops-pgbouncer-{}", &token[..12]))
}

fn write_private(
    path: &Path,
    text: &str,
    owner: Option<&crate::backend::local::OsUser>,
) -> Result<(), HarnessError> {
    fs::write(path, text).map_err(HarnessError::io("writing", path))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
        .map_err(HarnessError::io("restricting", path))?;
    if let Some(owner) = owner {
        owner.chown(path)?;
        if let Some(dir) = path.parent() {
            owner.chown(dir)?;
        }
    }
    Ok(())
}

/// Stops pgbouncer (checking the pid is still ours) and removes its folder.
fn stop_script(pid: u32, root: &Path) -> String {
    let root = root.display().to_string().replace('\'', "");
    format!(
        "if grep -qF 'pgbouncer' /proc/{pid}/cmdline 2>/dev/null; then \
           kill -TERM {pid} 2>/dev/null; i=0; \
           while [ -d /proc/{pid} ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; \
           kill -KILL {pid} 2>/dev/null; \
         fi; rm -rf '{root}'"
    )
}

/// Stops every pooler the state folder records (for `pg-harness down`);
/// returns how many were stopped.
pub fn stop_all(state_dir: &Path) -> Result<usize, HarnessError> {
    let mut stopped = 0;
    let Ok(entries) = fs::read_dir(state_dir) else {
        return Ok(0);
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(backend) = name
            .strip_prefix("server-")
            .and_then(|rest| rest.strip_suffix(".json"))
            .filter(|backend| backend.starts_with(BACKEND_PREFIX))
        else {
            continue;
        };
        let paths = StatePaths::new(state_dir, backend);
        if let Some(state) = ServerState::read(&paths.state)? {
            reaper::run_stop_script(&state)?;
            stopped += 1;
        }
        reaper::remove_if_present(&paths.state);
        reaper::remove_if_present(&paths.activity);
    }
    Ok(stopped)
}
