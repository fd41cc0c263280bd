use std::path::PathBuf;
use std::time::Duration;

use stellaops_kit::TenantCodeError;
use stellaops_migrations::MigrateError;

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

    #[error("{what}: {}", explain(.source))]
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

/// Why a server could not serve a request, when the error says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// The connection broke or the server shut down or crashed.
    WentAway,
    /// The server accepted the connection but did not answer in time (frozen, overloaded).
    NotAnswering,
}

/// Classifies `error`: `Some` when the server went away or stopped answering,
/// `None` for errors a working server returns (SQL errors, decoding, …).
///
/// ```
/// use stellaops_harness::{Unavailable, server_unavailable};
/// let reset = sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into());
/// assert_eq!(server_unavailable(&reset), Some(Unavailable::WentAway));
/// assert_eq!(server_unavailable(&sqlx::Error::RowNotFound), None);
/// ```
pub fn server_unavailable(error: &sqlx::Error) -> Option<Unavailable> {
    match error {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            Some(Unavailable::NotAnswering)
        }
        sqlx::Error::Io(_) => Some(Unavailable::WentAway),
        // admin_shutdown (also pg_terminate_backend), crash_shutdown, cannot_connect_now
        sqlx::Error::Database(db)
            if matches!(db.code().as_deref(), Some("57P01" | "57P02" | "57P03")) =>
        {
            Some(Unavailable::WentAway)
        }
        sqlx::Error::Protocol(message)
            if message.contains("closed") || message.contains("unexpected end") =>
        {
            Some(Unavailable::WentAway)
        }
        _ => None,
    }
}

fn explain(error: &sqlx::Error) -> String {
    match server_unavailable(error) {
        Some(Unavailable::WentAway) => format!("the server went away ({error})"),
        Some(Unavailable::NotAnswering) => format!("the server is not answering ({error})"),
        None => error.to_string(),
    }
}
