//! One server per workspace, shared by every test process.

use std::fs::{self, File};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};

use crate::HarnessError;
use crate::backend::{self, BackendKind, docker, local};
use crate::config::{Settings, credentials, redact};
use crate::handle::ServerHandle;
use crate::keeper::KeeperPaths;
use crate::reaper;
use crate::state::{ServerState, StatePaths};

const CONNECT_LIMIT: Duration = Duration::from_secs(10);
const READY_LIMIT: Duration = Duration::from_secs(90);
const SERVER_LOCK_WAIT: Duration = Duration::from_secs(300);

/// A running server the harness may use as superuser.
#[derive(Debug, Clone)]
pub struct Server {
    pub kind: BackendKind,
    /// Why this backend was picked, for the one line the harness prints.
    pub reason: String,
    admin_url: String,
    pub major_version: u32,
    /// Present for servers the harness started (local, docker).
    pub state: Option<ServerState>,
    pub settings: Settings,
    /// Found by a login in this process, not only read from a handle.
    pub verified: bool,
    /// The port of the PgBouncer the app and system roles go through
    /// (`STELLAOPS_PG_POOLER=pgbouncer`).
    pub pooler_port: Option<u16>,
}

/// This process's shared server; replaced when a handle turned out stale.
static SHARED: tokio::sync::Mutex<Option<Arc<Server>>> = tokio::sync::Mutex::const_new(None);

impl Server {
    /// The server of this workspace, found or started once per process from
    /// the environment's settings.
    ///
    /// A process after the first reads the handle the first one left
    /// (two small files, no login); the first finds or starts the server
    /// under the state folder's lock and leaves that handle. A handle that
    /// turns out stale is replaced through [`Server::reacquire`].
    pub async fn shared() -> Result<Arc<Server>, HarnessError> {
        let mut slot = SHARED.lock().await;
        if let Some(server) = slot.as_ref() {
            return Ok(server.clone());
        }
        let settings = Settings::from_env()?;
        let server = match ServerHandle::read_current(&settings) {
            Some((handle, state)) => {
                let server = Server::from_handle(&handle, state, &settings)?;
                if let Some(state) = &server.state {
                    let paths = StatePaths::new(&settings.state_dir, &state.backend);
                    reaper::touch(&paths.activity)?;
                    reaper::keep_alive_while_running(&paths.activity);
                }
                server
            }
            None => Server::acquire(&settings).await?,
        };
        let server = with_pooler(server).await?;
        eprintln!(
            "stellaops-harness: using the {} backend ({}): {}",
            server.kind,
            server.reason,
            redact(&server.admin_url)
        );
        let server = Arc::new(server);
        *slot = Some(server.clone());
        Ok(server)
    }

    /// Finds or starts the server the verified way (lock, probe, start if
    /// dead) and makes it this process's shared server: for when the one a
    /// handle named turned out gone.
    pub async fn reacquire() -> Result<Arc<Server>, HarnessError> {
        let mut slot = SHARED.lock().await;
        let settings = Settings::from_env()?;
        ServerHandle::remove(&settings);
        let server = Arc::new(with_pooler(Server::acquire(&settings).await?).await?);
        eprintln!(
            "stellaops-harness: the recorded server did not answer; now using {}",
            redact(&server.admin_url)
        );
        *slot = Some(server.clone());
        Ok(server)
    }

    /// A server as a handle records it, without asking it anything.
    pub fn from_handle(
        handle: &ServerHandle,
        state: Option<ServerState>,
        settings: &Settings,
    ) -> Result<Server, HarnessError> {
        let kind = handle.kind().ok_or_else(|| HarnessError::State {
            path: crate::handle::handle_path(settings),
            reason: format!("unknown backend {:?}", handle.backend),
        })?;
        Ok(Server {
            kind,
            reason: handle.reason.clone(),
            admin_url: handle.admin_url.clone(),
            major_version: handle.major_version,
            state,
            settings: settings.clone(),
            verified: false,
            pooler_port: None,
        })
    }

    /// The keeper of this server: its socket, lock and log.
    pub fn keeper_paths(&self) -> KeeperPaths {
        KeeperPaths::new(&self.settings.state_dir, &self.admin_url)
    }

    /// Finds the workspace's running server for `settings`' backend, or starts
    /// one, under the state folder's file lock.
    pub async fn acquire(settings: &Settings) -> Result<Server, HarnessError> {
        let selection = backend::select(settings).await?;
        let (admin_url, state) = match selection.kind {
            BackendKind::External => {
                let url = settings.url.clone().unwrap_or_default();
                (url, None)
            }
            kind => {
                let state = find_or_start(settings, kind, selection.bin_dir.as_deref()).await?;
                (state.admin_url.clone(), Some(state))
            }
        };
        let mut conn = connect_with_retry(&admin_url, CONNECT_LIMIT)
            .await
            .map_err(|e| HarnessError::Backend {
                backend: selection.kind.as_str(),
                reason: format!("cannot connect to {}: {e}", redact(&admin_url)),
            })?;
        let version_num: String = sqlx::query_scalar("SHOW server_version_num")
            .fetch_one(&mut conn)
            .await
            .map_err(HarnessError::db("reading the server version"))?;
        let _ = conn.close().await;
        let server = Server {
            kind: selection.kind,
            reason: selection.reason,
            admin_url,
            major_version: version_num.parse::<u32>().map(|n| n / 10_000).unwrap_or(0),
            state,
            settings: settings.clone(),
            verified: true,
            pooler_port: None,
        };
        ServerHandle::new(
            server.kind,
            &server.reason,
            &server.admin_url,
            server.major_version,
            server.state.as_ref(),
        )
        .write(settings)
        // Only later processes' shortcut: without it they take the verified path too.
        .unwrap_or_else(|e| eprintln!("stellaops-harness: {e}"));
        Ok(server)
    }

    /// The superuser URL (it carries a password: print it through [`redact`]).
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// The admin URL with its database replaced by `database`.
    pub fn database_url(&self, database: &str) -> String {
        replace_database(&self.admin_url, database)
    }

    /// Connect options for `database` as the superuser.
    pub fn admin_options(&self, database: &str) -> Result<PgConnectOptions, HarnessError> {
        Ok(parse_url(&self.admin_url)?.database(database))
    }

    /// The database the admin URL names: where the harness runs CREATE/DROP DATABASE.
    pub fn maintenance_database(&self) -> String {
        parse_url(&self.admin_url)
            .ok()
            .and_then(|o| o.get_database().map(str::to_owned))
            .unwrap_or_else(|| "postgres".to_owned())
    }

    /// A single superuser connection to the maintenance database.
    pub async fn connect_admin(&self) -> Result<PgConnection, HarnessError> {
        connect_with_retry(&self.admin_url, CONNECT_LIMIT)
            .await
            .map_err(HarnessError::db(format!(
                "connecting to {}",
                redact(&self.admin_url)
            )))
    }

    /// The login password the harness gives `role`: derived from the admin
    /// URL, so every process computes the same one without sharing it.
    pub fn role_password(&self, role: &str) -> String {
        crate::naming::short_hash(
            &format!("stellaops-harness\0{}\0{role}", self.admin_url),
            16,
        )
    }

    /// Connect options for `database` as `role` with its harness password:
    /// through the pooler when there is one. A pooler in transaction mode
    /// does not keep prepared statements between transactions (PgBouncer
    /// before 1.21 does not track them at all), so pooled connections cache none.
    pub fn role_options(
        &self,
        database: &str,
        role: &str,
    ) -> Result<PgConnectOptions, HarnessError> {
        let direct = self.direct_role_options(database, role)?;
        Ok(match self.pooler_port {
            Some(port) => direct
                .host("127.0.0.1")
                .port(port)
                .statement_cache_capacity(0),
            None => direct,
        })
    }

    /// Connect options for `database` as `role` straight to the server, never
    /// through the pooler: for connections that keep session state (a
    /// session-bound tenant, session planner settings).
    pub fn direct_role_options(
        &self,
        database: &str,
        role: &str,
    ) -> Result<PgConnectOptions, HarnessError> {
        Ok(parse_url(&self.admin_url)?
            .database(database)
            .username(role)
            .password(&self.role_password(role)))
    }
}

fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    format!("{base}/{database}{query}")
}

pub(crate) fn parse_url(url: &str) -> Result<PgConnectOptions, HarnessError> {
    PgConnectOptions::from_str(url).map_err(|e| HarnessError::Config {
        var: "STELLAOPS_PG_URL",
        value: redact(url),
        reason: e.to_string(),
    })
}

/// Puts the pooler the settings ask for in front of `server`.
async fn with_pooler(mut server: Server) -> Result<Server, HarnessError> {
    if server.settings.pooler == crate::PoolerChoice::PgBouncer {
        server.pooler_port = Some(crate::pooler::ensure(&server).await?);
    }
    Ok(server)
}

/// Connects, retrying while the server is still coming up, for at most `limit`.
pub async fn connect_with_retry(url: &str, limit: Duration) -> Result<PgConnection, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?;
    let started = Instant::now();
    let mut backoff = Duration::from_millis(20);
    loop {
        let remaining = limit
            .saturating_sub(started.elapsed())
            .max(Duration::from_millis(100));
        let attempt = tokio::time::timeout(remaining, PgConnection::connect_with(&options)).await;
        match attempt {
            Ok(Ok(conn)) => return Ok(conn),
            Ok(Err(e)) if started.elapsed() + backoff >= limit => return Err(e),
            Err(_) => {
                return Err(sqlx::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("no answer to the login within {limit:?}"),
                )));
            }
            Ok(Err(_)) => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_millis(500));
            }
        }
    }
}

async fn find_or_start(
    settings: &Settings,
    kind: BackendKind,
    bin_dir: Option<&std::path::Path>,
) -> Result<ServerState, HarnessError> {
    fs::create_dir_all(&settings.state_dir).map_err(HarnessError::io(
        "creating the state folder",
        &settings.state_dir,
    ))?;
    let paths = StatePaths::new(&settings.state_dir, kind.as_str());
    let lock = lock_file(&paths).await?;

    let result = async {
        if let Some(state) = ServerState::read(&paths.state)? {
            match probe(&state).await {
                Probe::Alive => {
                    reaper::touch(&paths.activity)?;
                    return Ok(state);
                }
                // Replacing a server that still runs would fail every test
                // using it: say so and leave it alone.
                Probe::Refusing(reason) => {
                    return Err(HarnessError::Backend {
                        backend: kind.as_str(),
                        reason: format!(
                            "the workspace's server {} is running but {reason}; it is left \
                             alone (`pg-harness down` replaces it)",
                            redact(&state.admin_url)
                        ),
                    });
                }
                Probe::Dead => {
                    // A server of a dead run: clear what it left before starting anew.
                    let _ = reaper::run_stop_script(&state);
                    reaper::remove_if_present(&paths.state);
                }
            }
        }
        let state = match kind {
            BackendKind::Docker => docker::start(&settings.image, &workspace_id(settings)).await?,
            _ => {
                let bin_dir = bin_dir.ok_or_else(|| HarnessError::Backend {
                    backend: "local",
                    reason: "no binaries folder".to_owned(),
                })?;
                local::start(settings, bin_dir).await?
            }
        };
        let ready = async {
            let mut conn = connect_with_retry(&state.admin_url, READY_LIMIT)
                .await
                .map_err(|e| format!("server started but never accepted connections: {e}"))?;
            // Every later login of every test process pays for the admin verifier's rounds.
            let (user, password) = credentials(&state.admin_url).unwrap_or_default();
            crate::scram::set_password(&mut conn, &user, &password, false)
                .await
                .map_err(|e| e.to_string())?;
            let _ = conn.close().await;
            Ok::<(), String>(())
        }
        .await;
        if let Err(reason) = ready {
            let _ = reaper::run_stop_script(&state);
            return Err(HarnessError::Backend {
                backend: kind.as_str(),
                reason,
            });
        }
        state.write(&paths.state)?;
        reaper::touch(&paths.activity)?;
        reaper::spawn_watchdog(&paths, &state, settings.idle)?;
        Ok(state)
    }
    .await;
    drop(lock);
    let state = result?;
    reaper::keep_alive_while_running(&paths.activity);
    Ok(state)
}

/// What a recorded server's process and one login to it show.
enum Probe {
    Alive,
    /// Its process runs, but it serves no login (frozen, overloaded, refusing).
    Refusing(String),
    /// Its process is gone: a server of a dead run.
    Dead,
}

async fn probe(state: &ServerState) -> Probe {
    let Ok(options) = PgConnectOptions::from_str(&state.admin_url) else {
        return Probe::Dead;
    };
    let refusal =
        match tokio::time::timeout(CONNECT_LIMIT, PgConnection::connect_with(&options)).await {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                return Probe::Alive;
            }
            Err(_) => {
                format!("does not answer a login within {CONNECT_LIMIT:?} (frozen or overloaded)")
            }
            // Nothing listens on its port: whatever runs under its pid now is not it.
            Ok(Err(sqlx::Error::Io(e))) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Probe::Dead;
            }
            Ok(Err(e)) => format!("refuses logins: {e}"),
        };
    // Whatever answers (or not) on the port, only the recorded process's
    // death makes the server replaceable.
    if server_process_alive(state).await {
        Probe::Refusing(refusal)
    } else {
        Probe::Dead
    }
}

async fn server_process_alive(state: &ServerState) -> bool {
    match (&state.container_id, state.pid) {
        (Some(id), _) => docker::container_running(id).await,
        (None, Some(pid)) => {
            let pid = nix::unistd::Pid::from_raw(i32::try_from(pid).unwrap_or(i32::MAX));
            // EPERM: it exists, under another account.
            matches!(
                nix::sys::signal::kill(pid, None),
                Ok(()) | Err(nix::errno::Errno::EPERM)
            )
        }
        (None, None) => false,
    }
}

/// Identifies this workspace's state folder in container labels.
pub fn workspace_id(settings: &Settings) -> String {
    workspace_id_of(&settings.state_dir)
}

/// [`workspace_id`] of a state folder.
pub fn workspace_id_of(state_dir: &std::path::Path) -> String {
    let path = fs::canonicalize(state_dir).unwrap_or_else(|_| state_dir.to_path_buf());
    crate::naming::short_hash(&path.to_string_lossy(), 8)
}

/// Takes the state folder's exclusive lock, waiting at most [`SERVER_LOCK_WAIT`].
pub async fn lock_file(paths: &StatePaths) -> Result<File, HarnessError> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&paths.lock)
        .map_err(HarnessError::io("opening the server lock", &paths.lock))?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < SERVER_LOCK_WAIT => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(HarnessError::Timeout {
                    what: format!(
                        "the server lock {} (another process is starting a server)",
                        paths.lock.display()
                    ),
                    waited: SERVER_LOCK_WAIT,
                });
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(HarnessError::io("locking", &paths.lock)(e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_is_replaced_in_urls() {
        assert_eq!(
            replace_database("postgres://a:b@h:1/postgres", "x"),
            "postgres://a:b@h:1/x"
        );
        assert_eq!(
            replace_database("postgres://a:b@h:1/postgres?sslmode=disable", "x"),
            "postgres://a:b@h:1/x?sslmode=disable"
        );
        assert_eq!(
            replace_database("postgres://a:b@h:1", "x"),
            "postgres://a:b@h:1/x"
        );
    }
}
