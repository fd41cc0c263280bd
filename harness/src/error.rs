use std::path::PathBuf;
use std::time::Duration;

use stellaops_migrations::MigrateError;
use stellaops_storage::TenantCodeError;

/// Everything the harness can fail with. Each message names the thing it is
/// about and, where there is one, the way out.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error("environment variable {var}={value:?}: {reason}")]
    Config {
        var: &'static str,
        value: String,
        reason: String,
    },

    #[error(
        "no PostgreSQL server available; tried:\n{}\nfix one of: install PostgreSQL \
         (initdb and pg_ctl on PATH, or STELLAOPS_PG_BIN=/usr/lib/postgresql/<v>/bin), \
         start Docker (with the image of STELLAOPS_PG_IMAGE present), \
         or set STELLAOPS_PG_URL to an admin URL",
        .attempts.iter().map(|a| format!("  - {a}")).collect::<Vec<_>>().join("\n")
    )]
    NoServer { attempts: Vec<String> },

    #[error("{backend} backend: {reason}")]
    Backend {
        backend: &'static str,
        reason: String,
    },

    #[error("{program} failed ({status}): {output}")]
    Command {
        program: String,
        status: String,
        output: String,
    },

    #[error("{what} {}: {source}", .path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("timed out after {waited:?} waiting for {what}")]
    Timeout { what: String, waited: Duration },

    #[error("{what}: {source}")]
    Database {
        what: String,
        #[source]
        source: sqlx::Error,
    },

    #[error(transparent)]
    Migrate(#[from] MigrateError),

    #[error(transparent)]
    TenantCode(#[from] TenantCodeError),

    #[error("server state file {}: {reason}", .path.display())]
    State { path: PathBuf, reason: String },
}

impl HarnessError {
    pub(crate) fn db(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> HarnessError {
        let what = what.into();
        move |source| HarnessError::Database { what, source }
    }

    pub(crate) fn io(
        what: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> HarnessError {
        let path = path.into();
        move |source| HarnessError::Io { what, path, source }
    }
}
