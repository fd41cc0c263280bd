use crate::load::LoadError;

/// What can stop the gate, its self-test or a baseline command: each is a
/// usage or setup error (exit code 2), naming the thing at fault.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("git ref {reference:?} does not name a commit: {reason}")]
    UnknownRef { reference: String, reason: String },
    #[error("git while {doing}: {reason}")]
    Git { doing: String, reason: String },
    #[error("building the base {reference} ({rev}) failed; the build said:\n{log}")]
    BaseBuild {
        reference: String,
        rev: String,
        log: String,
    },
    #[error(
        "the base {reference} ({rev}) has no `stellaops-load serve`: it predates the gate; compare against a newer base"
    )]
    BaseTooOld { reference: String, rev: String },
    #[error("round {round}, {side} side: {reason}")]
    Side {
        round: usize,
        side: String,
        reason: String,
    },
    #[error("canary: {0}")]
    Canary(String),
    #[error("{what} {file}: {reason}")]
    File {
        what: &'static str,
        file: String,
        reason: String,
    },
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl GateError {
    /// Maps an I/O error on `file` to a file error saying what was being done.
    pub fn io(
        what: &'static str,
        file: &std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> GateError {
        let file = file.display().to_string();
        move |e| GateError::File {
            what,
            file,
            reason: e.to_string(),
        }
    }
}
