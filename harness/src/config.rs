use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::HarnessError;

/// Which way the harness gets a server (`STELLAOPS_PG_BACKEND`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    /// External if `STELLAOPS_PG_URL` is set, else Docker if the engine is
    /// reachable and the image is present, else local binaries.
    Auto,
    External,
    Docker,
    Local,
}

impl FromStr for BackendChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" | "auto" => Ok(BackendChoice::Auto),
            "external" => Ok(BackendChoice::External),
            "docker" => Ok(BackendChoice::Docker),
            "local" => Ok(BackendChoice::Local),
            _ => Err("expected auto, external, docker or local".to_owned()),
        }
    }
}

/// What stands between the app and system roles and the server
/// (`STELLAOPS_PG_POOLER`). Admin connections always go direct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolerChoice {
    /// Straight to the server.
    None,
    /// Debian's `pgbouncer` in transaction pooling mode, started and stopped
    /// by the harness with the server.
    PgBouncer,
}

impl FromStr for PoolerChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" | "none" | "off" => Ok(PoolerChoice::None),
            "pgbouncer" => Ok(PoolerChoice::PgBouncer),
            _ => Err("expected none or pgbouncer".to_owned()),
        }
    }
}

/// How a test database is cloned from the template (`STELLAOPS_PG_CLONE_STRATEGY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloneStrategy {
    /// `STRATEGY FILE_COPY`: copies the files, one checkpoint per clone.
    FileCopy,
    /// `STRATEGY WAL_LOG`: copies block by block through the WAL.
    WalLog,
}

impl CloneStrategy {
    pub fn sql_keyword(self) -> &'static str {
        match self {
            CloneStrategy::FileCopy => "FILE_COPY",
            CloneStrategy::WalLog => "WAL_LOG",
        }
    }
}

impl FromStr for CloneStrategy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "file_copy" | "file-copy" => Ok(CloneStrategy::FileCopy),
            "wal_log" | "wal-log" => Ok(CloneStrategy::WalLog),
            _ => Err("expected file_copy or wal_log".to_owned()),
        }
    }
}

/// `STELLAOPS_PG_KEEPER`: whether test processes leave hand-out and drop to a keeper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeeperChoice {
    Auto,
    Off,
}

impl FromStr for KeeperChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" | "on" => Ok(KeeperChoice::Auto),
            "off" => Ok(KeeperChoice::Off),
            _ => Err("expected auto or off".to_owned()),
        }
    }
}

/// Pre-cloned databases kept ready per template; a keeper grows a pool that
/// ran dry up to four times this.
pub const DEFAULT_POOL_SIZE: usize = 8;

/// The default image of the docker backend.
pub const DEFAULT_IMAGE: &str = "postgres:16-alpine";
/// How long a shared server may sit unused before it stops itself.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(300);

/// The harness's settings, read from the environment.
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `STELLAOPS_PG_BACKEND` | auto, external, docker, local | auto |
/// | `STELLAOPS_PG_URL` | admin URL of an existing server | — |
/// | `STELLAOPS_PG_IMAGE` | image of the docker backend | postgres:16-alpine |
/// | `STELLAOPS_PG_BIN` | folder of initdb/pg_ctl/postgres | pg_config, PATH, newest /usr/lib/postgresql |
/// | `STELLAOPS_PG_DATA_DIR` | folder the local cluster is created in | /dev/shm, else the temp folder |
/// | `STELLAOPS_PG_OS_USER` | unprivileged user the local cluster runs as under root | postgres, else nobody |
/// | `STELLAOPS_PG_IDLE_SECS` | idle seconds before a shared server stops | 300 |
/// | `STELLAOPS_PG_CLONE_STRATEGY` | file_copy or wal_log | file_copy |
/// | `STELLAOPS_PG_POOL_SIZE` | pre-cloned databases kept ready per template (0: clone on demand) | 8 |
/// | `STELLAOPS_PG_KEEP_TEMPLATES` | templates kept per server | 3 |
/// | `STELLAOPS_PG_KEEPER` | `auto`: a keeper process hands out and drops databases; `off`: each test does it itself | auto |
/// | `STELLAOPS_PG_POOLER` | `pgbouncer`: app and system roles connect through PgBouncer in transaction mode | none |
/// | `STELLAOPS_STATE_DIR` | where the server lock and state live | `<target>/stellaops-pg` |
#[derive(Debug, Clone)]
pub struct Settings {
    pub backend: BackendChoice,
    pub url: Option<String>,
    pub image: String,
    pub pg_bin: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub os_user: Option<String>,
    pub idle: Duration,
    pub clone_strategy: CloneStrategy,
    pub pool_size: usize,
    pub keep_templates: usize,
    /// Whether test processes use (and launch) the keeper.
    pub keeper: bool,
    pub pooler: PoolerChoice,
    pub state_dir: PathBuf,
}

impl Settings {
    pub fn from_env() -> Result<Self, HarnessError> {
        let backend = parse_var("STELLAOPS_PG_BACKEND", BackendChoice::Auto)?;
        let url = non_empty("STELLAOPS_PG_URL");
        if backend == BackendChoice::External && url.is_none() {
            return Err(HarnessError::Config {
                var: "STELLAOPS_PG_BACKEND",
                value: "external".to_owned(),
                reason: "needs STELLAOPS_PG_URL set to an admin URL".to_owned(),
            });
        }
        if let Some(url) = &url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(HarnessError::Config {
                var: "STELLAOPS_PG_URL",
                value: redact(url),
                reason: "expected postgres://user:password@host:port/database".to_owned(),
            });
        }
        let idle_secs: u64 = parse_var("STELLAOPS_PG_IDLE_SECS", DEFAULT_IDLE.as_secs())?;
        Ok(Settings {
            backend,
            url,
            image: non_empty("STELLAOPS_PG_IMAGE").unwrap_or_else(|| DEFAULT_IMAGE.to_owned()),
            pg_bin: non_empty("STELLAOPS_PG_BIN").map(PathBuf::from),
            data_dir: non_empty("STELLAOPS_PG_DATA_DIR").map(PathBuf::from),
            os_user: non_empty("STELLAOPS_PG_OS_USER"),
            idle: Duration::from_secs(idle_secs.max(5)),
            clone_strategy: parse_var("STELLAOPS_PG_CLONE_STRATEGY", CloneStrategy::FileCopy)?,
            pool_size: parse_var("STELLAOPS_PG_POOL_SIZE", DEFAULT_POOL_SIZE)?,
            keep_templates: parse_var("STELLAOPS_PG_KEEP_TEMPLATES", 3usize)?.max(1),
            keeper: parse_var("STELLAOPS_PG_KEEPER", KeeperChoice::Auto)? == KeeperChoice::Auto,
            pooler: parse_var("STELLAOPS_PG_POOLER", PoolerChoice::None)?,
            state_dir: non_empty("STELLAOPS_STATE_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(default_state_dir),
        })
    }
}

/// `<target>/stellaops-pg`: `CARGO_TARGET_DIR` when set, else the workspace's `target/`.
pub fn default_state_dir() -> PathBuf {
    let target = non_empty("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .map(|workspace| workspace.join("target"))
                .unwrap_or_else(|| PathBuf::from("target"))
        });
    target.join("stellaops-pg")
}

fn non_empty(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

fn parse_var<T: FromStr>(var: &'static str, default: T) -> Result<T, HarnessError>
where
    T::Err: ToString,
{
    match non_empty(var) {
        None => Ok(default),
        Some(value) => value
            .trim()
            .parse()
            .map_err(|e: T::Err| HarnessError::Config {
                var,
                reason: e.to_string(),
                value,
            }),
    }
}

/// The user and password of a `postgres://user:password@…` URL, as written.
pub fn credentials(url: &str) -> Option<(String, String)> {
    let scheme_end = url.find("://")? + 3;
    let at = url.rfind('@').filter(|at| *at > scheme_end)?;
    let (user, password) = url[scheme_end..at].split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Hides the passwords of URLs in messages: the storage layer's, so the
/// harness and the storage options redact alike.
pub use stellaops_kit::redact;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(
            redact("postgres://admin:s3cret@127.0.0.1:5432/postgres"),
            "postgres://admin:***@127.0.0.1:5432/postgres"
        );
        assert_eq!(
            redact("postgres://admin@host/db"),
            "postgres://admin@host/db"
        );
    }

    #[test]
    fn credentials_are_read_back() {
        let got = credentials("postgres://admin:s3cret@127.0.0.1:5432/postgres");
        assert_eq!(got, Some(("admin".to_owned(), "s3cret".to_owned())));
        assert_eq!(credentials("postgres://127.0.0.1/postgres"), None);
    }

    #[test]
    fn choices_parse_and_refuse_unknown_values() {
        assert_eq!("docker".parse::<BackendChoice>(), Ok(BackendChoice::Docker));
        assert!("podman".parse::<BackendChoice>().is_err());
        assert_eq!(
            "WAL_LOG".parse::<CloneStrategy>(),
            Ok(CloneStrategy::WalLog)
        );
    }
}
