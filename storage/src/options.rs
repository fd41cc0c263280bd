//! Storage options from the environment, validated at start: URLs, pools,
//! timeouts, backends.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use stellaops_kit::redact;

use serde::Deserialize;
use sqlx::postgres::PgConnectOptions;

use crate::backend::{Backend, Module, Persistence};

/// The environment variables the options are read from.
pub mod vars {
    /// Optional TOML file; the environment overrides what it says.
    pub const CONFIG_FILE: &str = "STELLAOPS_STORAGE_CONFIG";
    /// URL that logs in as `stellaops_app` (tenant work).
    pub const DATABASE_URL: &str = "STELLAOPS_DB_URL";
    /// URL that logs in as `stellaops_system` (the named cross-tenant operations).
    pub const SYSTEM_DATABASE_URL: &str = "STELLAOPS_DB_SYSTEM_URL";
    pub const COMMAND_TIMEOUT: &str = "STELLAOPS_DB_COMMAND_TIMEOUT_SECS";
    pub const CONNECT_TIMEOUT: &str = "STELLAOPS_DB_CONNECT_TIMEOUT_SECS";
    pub const POOL_SIZE: &str = "STELLAOPS_DB_POOL_SIZE";
    /// Prepared statements cached per connection; 0 behind a transaction-mode
    /// pooler that does not track them (PgBouncer before 1.21).
    pub const STATEMENT_CACHE: &str = "STELLAOPS_DB_STATEMENT_CACHE";
    /// `STELLAOPS_PERSISTENCE_<MODULE>`: `postgres` or `memory`.
    pub const PERSISTENCE_PREFIX: &str = "STELLAOPS_PERSISTENCE_";
}

pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
pub const DEFAULT_POOL_SIZE: u32 = 10;
pub const DEFAULT_STATEMENT_CACHE: usize = 100;

/// A setting that was refused at start: names the variable (or the file's
/// key) and the value, with any password redacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var}={value}: {reason}")]
pub struct ConfigError {
    pub var: String,
    pub value: String,
    pub reason: String,
}

/// Connection settings of the PostgreSQL backend, validated at start.
#[derive(Clone)]
pub struct PostgresOptions {
    pub app: PgConnectOptions,
    pub system: Option<PgConnectOptions>,
    pub command_timeout: Duration,
    pub connect_timeout: Duration,
    pub pool_size: u32,
    pub statement_cache: usize,
}

impl std::fmt::Debug for PostgresOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // PgConnectOptions would print the password.
        f.debug_struct("PostgresOptions")
            .field("command_timeout", &self.command_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("pool_size", &self.pool_size)
            .field("statement_cache", &self.statement_cache)
            .field("system", &self.system.is_some())
            .finish_non_exhaustive()
    }
}

impl PostgresOptions {
    /// Options for the given connect options with the defaults.
    pub fn new(app: PgConnectOptions, system: Option<PgConnectOptions>) -> Self {
        PostgresOptions {
            app,
            system,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            pool_size: DEFAULT_POOL_SIZE,
            statement_cache: DEFAULT_STATEMENT_CACHE,
        }
    }
}

/// Everything the storage layer is configured with.
#[derive(Debug, Clone)]
pub struct StorageOptions {
    /// Present when any module's backend is `postgres`.
    pub postgres: Option<PostgresOptions>,
    pub persistence: Persistence,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOptions {
    #[serde(default)]
    postgres: FilePostgres,
    #[serde(default)]
    persistence: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePostgres {
    url: Option<String>,
    system_url: Option<String>,
    command_timeout_secs: Option<toml::Value>,
    connect_timeout_secs: Option<toml::Value>,
    pool_size: Option<toml::Value>,
    statement_cache: Option<toml::Value>,
}

/// One raw setting and where it came from, for the error message.
struct Raw {
    source: String,
    value: String,
}

impl StorageOptions {
    /// Reads the process environment (and the TOML file it may name).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (an environment), so tests need
    /// not touch the process's.
    ///
    /// ```
    /// use stellaops_storage::{Backend, Module, StorageOptions};
    /// let env = [("STELLAOPS_PERSISTENCE_AUTHORITY", "memory")];
    /// let options = StorageOptions::from_lookup(|name| {
    ///     env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    /// })
    /// .unwrap();
    /// assert_eq!(options.persistence.backend(Module::Authority), Some(Backend::Memory));
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let file = match lookup(vars::CONFIG_FILE) {
            Some(path) if !path.is_empty() => read_file(Path::new(&path))?,
            _ => (FileOptions::default(), PathBuf::new()),
        };
        let (file, file_path) = file;
        let from_file = |key: &str, value: Option<String>| {
            value.map(|value| Raw {
                source: format!("{}:{key}", file_path.display()),
                value,
            })
        };
        let pick = |var: &str, key: &str, file_value: Option<String>| -> Option<Raw> {
            match lookup(var) {
                Some(value) => Some(Raw {
                    source: var.to_owned(),
                    value,
                }),
                None => from_file(key, file_value),
            }
        };
        let toml_text = |v: &Option<toml::Value>| {
            v.as_ref().map(|v| match v {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };

        let mut persistence = Persistence::default();
        for module in Module::ALL {
            let var = format!(
                "{}{}",
                vars::PERSISTENCE_PREFIX,
                module.name().to_uppercase()
            );
            let raw = pick(
                &var,
                &format!("persistence.{}", module.name()),
                file.persistence.get(module.name()).cloned(),
            );
            if let Some(raw) = raw {
                let backend = Backend::from_str(&raw.value).map_err(|reason| ConfigError {
                    var: raw.source.clone(),
                    value: raw.value.clone(),
                    reason: format!("{} backend: {reason}", module.name()),
                })?;
                persistence.set(module, backend);
            }
        }
        for key in file.persistence.keys() {
            if Module::from_str(key).is_err() {
                return Err(ConfigError {
                    var: format!("{}:persistence.{key}", file_path.display()),
                    value: file.persistence[key].clone(),
                    reason: format!("unknown module; known: {}", Module::names()),
                });
            }
        }

        let url = pick(
            vars::DATABASE_URL,
            "postgres.url",
            file.postgres.url.clone(),
        );
        let system_url = pick(
            vars::SYSTEM_DATABASE_URL,
            "postgres.system_url",
            file.postgres.system_url.clone(),
        );
        let needs_postgres = persistence.uses(Backend::Postgres);
        let postgres = match url {
            None if needs_postgres => {
                return Err(ConfigError {
                    var: vars::DATABASE_URL.to_owned(),
                    value: String::new(),
                    reason: "is not set, and a module's backend is postgres".to_owned(),
                });
            }
            None => None,
            Some(url) => {
                let app = parse_url(&url)?;
                let system = system_url.as_ref().map(parse_url).transpose()?;
                let mut options = PostgresOptions::new(app, system);
                if let Some(raw) = pick(
                    vars::COMMAND_TIMEOUT,
                    "postgres.command_timeout_secs",
                    toml_text(&file.postgres.command_timeout_secs),
                ) {
                    options.command_timeout = Duration::from_secs(number(&raw, 1, 3600)?);
                }
                if let Some(raw) = pick(
                    vars::CONNECT_TIMEOUT,
                    "postgres.connect_timeout_secs",
                    toml_text(&file.postgres.connect_timeout_secs),
                ) {
                    options.connect_timeout = Duration::from_secs(number(&raw, 1, 600)?);
                }
                if let Some(raw) = pick(
                    vars::POOL_SIZE,
                    "postgres.pool_size",
                    toml_text(&file.postgres.pool_size),
                ) {
                    options.pool_size = number(&raw, 1, 1000)? as u32;
                }
                if let Some(raw) = pick(
                    vars::STATEMENT_CACHE,
                    "postgres.statement_cache",
                    toml_text(&file.postgres.statement_cache),
                ) {
                    options.statement_cache = number(&raw, 0, 10_000)? as usize;
                }
                Some(options)
            }
        };
        Ok(StorageOptions {
            postgres,
            persistence,
        })
    }
}

fn read_file(path: &Path) -> Result<(FileOptions, PathBuf), ConfigError> {
    let refuse = |reason: String| ConfigError {
        var: vars::CONFIG_FILE.to_owned(),
        value: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| refuse(format!("cannot read: {e}")))?;
    let parsed: FileOptions = toml::from_str(&text).map_err(|e| {
        // toml's message quotes the offending line, which may hold a password.
        refuse(redact(&format!("not valid storage options: {e}")))
    })?;
    Ok((parsed, path.to_owned()))
}

fn parse_url(raw: &Raw) -> Result<PgConnectOptions, ConfigError> {
    let refuse = |reason: &str| ConfigError {
        var: raw.source.clone(),
        value: redact(&raw.value),
        reason: reason.to_owned(),
    };
    if !(raw.value.starts_with("postgres://") || raw.value.starts_with("postgresql://")) {
        return Err(refuse("expected a postgres:// or postgresql:// URL"));
    }
    PgConnectOptions::from_str(&raw.value).map_err(|e| {
        refuse(&format!(
            "not a usable database URL: {}",
            redact(&e.to_string())
        ))
    })
}

fn number(raw: &Raw, min: u64, max: u64) -> Result<u64, ConfigError> {
    let refuse = |reason: String| ConfigError {
        var: raw.source.clone(),
        value: raw.value.clone(),
        reason,
    };
    let value: u64 = raw
        .value
        .trim()
        .parse()
        .map_err(|_| refuse(format!("expected a whole number from {min} to {max}")))?;
    if !(min..=max).contains(&value) {
        return Err(refuse(format!("must be from {min} to {max}")));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(env: &[(&str, &str)]) -> Result<StorageOptions, ConfigError> {
        StorageOptions::from_lookup(|name| {
            env.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn defaults_apply_and_values_are_read() {
        let parsed = options(&[
            ("STELLAOPS_DB_URL", "postgres://app:pw@localhost/db"),
            ("STELLAOPS_DB_POOL_SIZE", "4"),
            ("STELLAOPS_PERSISTENCE_AUTHORITY", "postgres"),
        ])
        .unwrap();
        let pg = parsed.postgres.unwrap();
        assert_eq!(pg.pool_size, 4);
        assert_eq!(pg.command_timeout, DEFAULT_COMMAND_TIMEOUT);
        assert_eq!(
            parsed.persistence.backend(Module::Authority),
            Some(Backend::Postgres)
        );
    }

    #[test]
    fn a_bad_value_names_the_variable_and_the_value_without_the_password() {
        let err = options(&[("STELLAOPS_DB_URL", "mysql://app:hunter2@localhost/db")]).unwrap_err();
        assert_eq!(err.var, "STELLAOPS_DB_URL");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(err.to_string().contains("app:***@localhost"), "{err}");

        let err = options(&[
            ("STELLAOPS_DB_URL", "postgres://app:pw@localhost/db"),
            ("STELLAOPS_DB_COMMAND_TIMEOUT_SECS", "soon"),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "STELLAOPS_DB_COMMAND_TIMEOUT_SECS=soon: expected a whole number from 1 to 3600"
        );
        let err = options(&[
            ("STELLAOPS_DB_URL", "postgres://app:pw@localhost/db"),
            ("STELLAOPS_DB_POOL_SIZE", "0"),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "STELLAOPS_DB_POOL_SIZE=0: must be from 1 to 1000"
        );
    }

    #[test]
    fn an_unknown_backend_names_the_module_and_the_value() {
        let err = options(&[("STELLAOPS_PERSISTENCE_SCHEDULER", "mongo")]).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("STELLAOPS_PERSISTENCE_SCHEDULER=mongo"),
            "{message}"
        );
        assert!(message.contains("scheduler backend"), "{message}");
    }

    #[test]
    fn postgres_without_a_url_is_refused_at_start() {
        let err = options(&[("STELLAOPS_PERSISTENCE_AUTHORITY", "postgres")]).unwrap_err();
        assert_eq!(err.var, "STELLAOPS_DB_URL");
    }

    #[test]
    fn the_file_is_read_and_the_environment_wins() {
        let dir = std::env::temp_dir().join(format!("stellaops-options-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("storage.toml");
        std::fs::write(
            &file,
            "[postgres]\nurl = \"postgres://app:pw@localhost/db\"\npool_size = 3\n\
             command_timeout_secs = 7\n[persistence]\nauthority = \"memory\"\n",
        )
        .unwrap();
        let path = file.display().to_string();
        let parsed = options(&[
            ("STELLAOPS_STORAGE_CONFIG", &path),
            ("STELLAOPS_DB_POOL_SIZE", "5"),
        ])
        .unwrap();
        let pg = parsed.postgres.unwrap();
        assert_eq!(pg.pool_size, 5, "the environment overrides the file");
        assert_eq!(pg.command_timeout, Duration::from_secs(7));
        assert_eq!(
            parsed.persistence.backend(Module::Authority),
            Some(Backend::Memory)
        );

        std::fs::write(
            &file,
            "[postgres]\nurl = \"postgres://app:topsecret@h/db\"\npool_size = -1\n",
        )
        .unwrap();
        let err = options(&[("STELLAOPS_STORAGE_CONFIG", &path)]).unwrap_err();
        assert!(
            err.var.ends_with("storage.toml:postgres.pool_size"),
            "{err}"
        );
        assert!(!err.to_string().contains("topsecret"), "{err}");

        std::fs::write(&file, "[persistence]\nbilling = \"postgres\"\n").unwrap();
        let err = options(&[("STELLAOPS_STORAGE_CONFIG", &path)]).unwrap_err();
        assert!(err.to_string().contains("unknown module"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn redaction_covers_urls_and_pairs() {
        assert_eq!(redact("x postgres://u:p@h/d y"), "x postgres://u:***@h/d y");
        assert_eq!(redact("postgres://u@h/d"), "postgres://u@h/d");
        assert_eq!(redact("postgres://u:p/a?s@h:1/d"), "postgres://u:***@h:1/d");
        assert_eq!(
            redact("from postgres://a:x@h/d to \"postgres://b:y@h/e\""),
            "from postgres://a:***@h/d to \"postgres://b:***@h/e\""
        );
        assert_eq!(
            redact("host=h password=abc user=u"),
            "host=h password=*** user=u"
        );
    }
}
