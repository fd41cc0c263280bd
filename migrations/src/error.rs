//! The runner's error type: every refusal and failure names module, version
//! and file.

use std::path::PathBuf;
use std::time::Duration;

/// Everything the migration runner can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("migration directory {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("migration directory {dir}: module folder `{module}` is not listed in modules.order")]
    UnlistedModule { dir: PathBuf, module: String },

    #[error(
        "migration directory {dir}: module `{module}` is listed in modules.order but has no folder"
    )]
    MissingModule { dir: PathBuf, module: String },

    #[error("migration file {path}: {reason}")]
    BadFileName { path: PathBuf, reason: String },

    #[error("module {module}: version {version} is used by both {first} and {second}")]
    DuplicateVersion {
        module: String,
        version: i64,
        first: String,
        second: String,
    },

    #[error(
        "module {module}, version {version}: applied migration {file} has changed \
         (recorded checksum {recorded}, file now {current}); \
         never edit an applied migration, add a new one"
    )]
    ChecksumMismatch {
        module: String,
        version: i64,
        file: String,
        recorded: String,
        current: String,
    },

    #[error(
        "module {module}, version {version}: migration {name} is recorded as applied \
         but its file is gone from the migration set"
    )]
    MissingApplied {
        module: String,
        version: i64,
        name: String,
    },

    #[error(
        "module {module}, version {version}: migration {file} failed and was rolled back: {source}"
    )]
    Apply {
        module: String,
        version: i64,
        file: String,
        #[source]
        source: sqlx::Error,
    },

    #[error(
        "timed out after {waited:?} waiting for the migration lock \
         (another runner holds it{holder})"
    )]
    LockTimeout { waited: Duration, holder: String },

    #[error("{}, line {line}: expected `<module>/<file>.sql <sha256>`", .path.display())]
    BadManifest { path: PathBuf, line: usize },

    #[error(
        "migration {file} changed after it was recorded in checksums.manifest \
         (recorded {recorded}, file now {current}); never edit a merged migration, add a new one"
    )]
    ManifestChanged {
        file: String,
        recorded: String,
        current: String,
    },

    #[error("migration {file} is recorded in checksums.manifest but its file is gone")]
    ManifestMissingFile { file: String },

    #[error(
        "migration {file} is not recorded in checksums.manifest yet; run \
         `cargo run -p stellaops-migrations --bin stellaops-migrate -- manifest --write`"
    )]
    ManifestUnrecorded { file: String },

    #[error("migration tracking table: {0}")]
    Database(#[from] sqlx::Error),
}
