use stellaops_harness::HarnessError;
use stellaops_storage::StorageError;

/// What can stop a load run, each naming the thing at fault.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("unknown critical path {name:?}; known: {known}")]
    UnknownPath { name: String, known: String },
    #[error("harness: {0}")]
    Harness(#[from] HarnessError),
    #[error("database while {doing}: {source}")]
    Database {
        doing: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("path {path} failed: {source}")]
    Path {
        path: &'static str,
        #[source]
        source: StorageError,
    },
    #[error("goose: {0}")]
    Goose(String),
    #[error("{what} {file}: {reason}")]
    File {
        what: &'static str,
        file: String,
        reason: String,
    },
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl LoadError {
    pub(crate) fn db(doing: &'static str) -> impl FnOnce(sqlx::Error) -> LoadError {
        move |source| LoadError::Database { doing, source }
    }
}
