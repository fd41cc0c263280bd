use std::path::PathBuf;

/// A scorecard that cannot be built: it names the file.
#[derive(Debug, thiserror::Error)]
pub enum ScorecardError {
    #[error("{}: {detail}", file.display())]
    Input { file: PathBuf, detail: String },
    #[error("writing {}: {source}", file.display())]
    Write {
        file: PathBuf,
        source: std::io::Error,
    },
}
