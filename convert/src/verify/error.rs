/// A verification that could not run (as opposed to one that found differences).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{what}: {source}")]
    Database {
        what: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("{table}.{column}: cannot read the value back: {detail}")]
    Unreadable {
        table: String,
        column: String,
        detail: String,
    },
    #[error("repository {repository}, tenant {tenant}: {detail}")]
    Repository {
        repository: &'static str,
        tenant: String,
        detail: String,
    },
    #[error("report {file}: {detail}")]
    Report { file: String, detail: String },
}

impl VerifyError {
    pub(crate) fn db(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> VerifyError {
        let what = what.into();
        move |source| VerifyError::Database { what, source }
    }
}
