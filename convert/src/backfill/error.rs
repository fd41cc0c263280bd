/// A backfill that cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    #[error("{what}: {source}")]
    Database {
        what: String,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "backfill paused after batch {batch} (test hook) and was not killed within {seconds} s"
    )]
    PausedTooLong { batch: usize, seconds: u64 },
}

impl BackfillError {
    pub(crate) fn db(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> BackfillError {
        let what = what.into();
        move |source| BackfillError::Database { what, source }
    }
}
