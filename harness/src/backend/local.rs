//! The embedded default: a throwaway cluster from the installed binaries.

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::unistd::{Uid, User};
use tokio::process::Command;

use crate::HarnessError;
use crate::config::Settings;
use crate::process::run_bounded;
use crate::state::{ServerState, random_hex, unix_now};

/// The superuser every harness cluster is created with.
pub const ADMIN_USER: &str = "stellaops_admin";

const INITDB_LIMIT: Duration = Duration::from_secs(120);
const START_LIMIT_SECS: u64 = 60;
const START_ATTEMPTS: usize = 3;

/// Settings that trade durability for speed: a test cluster is thrown away.
const SERVER_OPTIONS: &[&str] = &[
    "-c listen_addresses=127.0.0.1",
    "-c unix_socket_directories=",
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=300",
    "-c shared_buffers=128MB",
    "-c max_wal_size=1GB",
    "-c checkpoint_timeout=30min",
    // A client that stalls mid-login must not hold up DROP DATABASE for the default minute.
    "-c authentication_timeout=10s",
    // The load gate's noise-free work measure (buffers and rows per call).
    "-c shared_preload_libraries=pg_stat_statements",
];

/// Where the binaries are: `STELLAOPS_PG_BIN`, then `pg_config --bindir`,
/// then PATH, then the newest `/usr/lib/postgresql/*/bin`.
pub fn find_bin_dir(settings: &Settings) -> Result<PathBuf, String> {
    let has_tools = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|t| dir.join(t).is_file())
    };
    if let Some(dir) = &settings.pg_bin {
        return if has_tools(dir) {
            Ok(dir.clone())
        } else {
            Err(format!(
                "STELLAOPS_PG_BIN={} lacks initdb, pg_ctl or postgres",
                dir.display()
            ))
        };
    }
    let mut looked = Vec::new();
    if let Ok(out) = std::process::Command::new("pg_config")
        .arg("--bindir")
        .output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_tools(&dir) {
            return Ok(dir);
        }
        looked.push(dir.display().to_string());
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_tools(&dir) {
                // initdb on PATH is often a symlink into the real bin folder.
                return Ok(fs::canonicalize(dir.join("initdb"))
                    .ok()
                    .and_then(|p| p.parent().map(Path::to_path_buf))
                    .filter(|d| has_tools(d))
                    .unwrap_or(dir));
            }
        }
        looked.push("PATH".to_owned());
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, dir)| has_tools(dir))
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Ok(dir);
    }
    looked.push("/usr/lib/postgresql/*/bin".to_owned());
    Err(format!(
        "no initdb/pg_ctl/postgres found (looked in pg_config --bindir, {})",
        looked.join(", ")
    ))
}

/// Where clusters live: `STELLAOPS_PG_DATA_DIR`, else the memory-backed
/// `/dev/shm` when it is there, else the temporary folder. A test cluster is
/// thrown away, and every clone creates a few hundred files: on a disk that
/// costs an order of magnitude more than in memory.
pub fn data_parent(settings: &Settings) -> PathBuf {
    if let Some(dir) = &settings.data_dir {
        return dir.clone();
    }
    let shm = Path::new("/dev/shm");
    let writable = fs::metadata(shm).is_ok_and(|m| m.is_dir() && !m.permissions().readonly());
    if writable {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// The account the cluster runs as: initdb and postgres refuse to run as root.
#[derive(Debug, Clone)]
pub(crate) struct OsUser {
    name: String,
    uid: u32,
    gid: u32,
}

impl OsUser {
    /// Hands `path` to this account, so a process running as it can use it.
    pub(crate) fn chown(&self, path: &Path) -> Result<(), HarnessError> {
        nix::unistd::chown(
            path,
            Some(nix::unistd::Uid::from_raw(self.uid)),
            Some(nix::unistd::Gid::from_raw(self.gid)),
        )
        .map_err(|e| HarnessError::io("handing over", path)(std::io::Error::from(e)))
    }
}

pub(crate) fn unprivileged_user(settings: &Settings) -> Result<Option<OsUser>, HarnessError> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    let candidates: Vec<String> = match &settings.os_user {
        Some(name) => vec![name.clone()],
        None => vec!["postgres".to_owned(), "nobody".to_owned()],
    };
    for name in &candidates {
        if let Ok(Some(user)) = User::from_name(name)
            && !user.uid.is_root()
        {
            return Ok(Some(OsUser {
                name: user.name,
                uid: user.uid.as_raw(),
                gid: user.gid.as_raw(),
            }));
        }
    }
    Err(HarnessError::Backend {
        backend: "local",
        reason: format!(
            "running as root, and none of the users {candidates:?} exists to run PostgreSQL as; \
             create one or set STELLAOPS_PG_OS_USER"
        ),
    })
}

pub(crate) fn as_user(mut cmd: Command, user: &Option<OsUser>, cwd: &Path) -> Command {
    cmd.current_dir(cwd).env("LC_ALL", "C").env("LANG", "C");
    if let Some(user) = user {
        cmd.uid(user.uid)
            .gid(user.gid)
            .env("USER", &user.name)
            .env("HOME", cwd);
    }
    cmd
}

/// Creates a cluster in a fresh temporary folder, starts it on a free
/// loopback port and returns its state. Nothing is left behind on failure.
pub async fn start(settings: &Settings, bin_dir: &Path) -> Result<ServerState, HarnessError> {
    let token = random_hex()?;
    let data_root = data_parent(settings).join(format!("stellaops-pg-{}", &token[..12]));
    let result = start_in(settings, bin_dir, &token, &data_root).await;
    if result.is_err() {
        let _ = fs::remove_dir_all(&data_root);
    }
    result
}

async fn start_in(
    settings: &Settings,
    bin_dir: &Path,
    token: &str,
    data_root: &Path,
) -> Result<ServerState, HarnessError> {
    let user = unprivileged_user(settings)?;
    fs::create_dir_all(data_root)
        .map_err(HarnessError::io("creating cluster folder", data_root))?;
    fs::set_permissions(data_root, fs::Permissions::from_mode(0o700))
        .map_err(HarnessError::io("restricting cluster folder", data_root))?;
    if let Some(u) = &user {
        nix::unistd::chown(data_root, Some(u.uid.into()), Some(u.gid.into())).map_err(|e| {
            HarnessError::Io {
                what: "handing the cluster folder to the postgres user",
                path: data_root.to_path_buf(),
                source: e.into(),
            }
        })?;
    }

    let password = random_hex()?;
    let pwfile = data_root.join("pwfile");
    fs::write(&pwfile, &password).map_err(HarnessError::io("writing", &pwfile))?;
    if let Some(u) = &user {
        nix::unistd::chown(&pwfile, Some(u.uid.into()), Some(u.gid.into())).map_err(|e| {
            HarnessError::Io {
                what: "handing the password file to the postgres user",
                path: pwfile.clone(),
                source: e.into(),
            }
        })?;
    }
    let data_dir = data_root.join("data");
    let mut initdb = Command::new(bin_dir.join("initdb"));
    initdb
        .arg("-D")
        .arg(&data_dir)
        .args(["-U", ADMIN_USER, "-E", "UTF8", "--locale=C", "--no-sync"])
        .args(["--auth-host=scram-sha-256", "--auth-local=peer"])
        .arg(format!("--pwfile={}", pwfile.display()));
    let initdb_result =
        run_bounded(as_user(initdb, &user, data_root), "initdb", INITDB_LIMIT).await;
    let _ = fs::remove_file(&pwfile);
    initdb_result?;

    let log = data_root.join("server.log");
    let mut last_error = None;
    for _ in 0..START_ATTEMPTS {
        let port = free_port()?;
        let mut options = vec![format!("-p {port}")];
        options.extend(SERVER_OPTIONS.iter().map(|s| (*s).to_owned()));
        let mut pg_ctl = Command::new(bin_dir.join("pg_ctl"));
        pg_ctl
            .arg("-D")
            .arg(&data_dir)
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", &START_LIMIT_SECS.to_string(), "-o", &options.join(" "), "start"])
            // Its own process group: a test runner killing its test's group must not take the shared server.
            .process_group(0);
        let limit = Duration::from_secs(START_LIMIT_SECS + 10);
        match run_bounded(as_user(pg_ctl, &user, data_root), "pg_ctl start", limit).await {
            Ok(_) => {
                let pid = read_postmaster_pid(&data_dir)?;
                return Ok(ServerState {
                    token: token.to_owned(),
                    backend: "local".to_owned(),
                    admin_url: format!(
                        "postgres://{ADMIN_USER}:{password}@127.0.0.1:{port}/postgres"
                    ),
                    pid: Some(pid),
                    data_root: Some(data_root.to_path_buf()),
                    container_id: None,
                    started_at: unix_now(),
                    stop_script: stop_script(pid, data_root),
                });
            }
            Err(e) => {
                let tail = fs::read_to_string(&log).unwrap_or_default();
                let tail: Vec<&str> = tail.lines().rev().take(5).collect();
                last_error = Some(HarnessError::Backend {
                    backend: "local",
                    reason: format!(
                        "{e}; server log: {}",
                        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
                    ),
                });
            }
        }
    }
    Err(last_error.unwrap_or_else(|| HarnessError::Backend {
        backend: "local",
        reason: "server did not start".to_owned(),
    }))
}

fn read_postmaster_pid(data_dir: &Path) -> Result<u32, HarnessError> {
    let path = data_dir.join("postmaster.pid");
    let text = fs::read_to_string(&path).map_err(HarnessError::io("reading", &path))?;
    text.lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| HarnessError::Backend {
            backend: "local",
            reason: format!("{} has no pid on its first line", path.display()),
        })
}

/// A port the kernel says is free now. Another process may take it before
/// the server binds it: `start` then retries on a new port.
pub(crate) fn free_port() -> Result<u16, HarnessError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(HarnessError::io("finding a free port on", "127.0.0.1"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(HarnessError::io("finding a free port on", "127.0.0.1"))
}

/// Stops the postmaster with a fast shutdown (SIGINT works whoever owns it),
/// escalates after 30 s, then removes the cluster folder. It checks that the
/// pid still belongs to this cluster, so a reused pid is never signalled.
fn stop_script(pid: u32, data_root: &Path) -> String {
    let root = data_root.display().to_string().replace('\'', "");
    format!(
        "if grep -qF '{root}' /proc/{pid}/cmdline 2>/dev/null; then \
           kill -INT {pid} 2>/dev/null; i=0; \
           while [ -d /proc/{pid} ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; \
           kill -KILL {pid} 2>/dev/null; \
         fi; rm -rf '{root}'"
    )
}
