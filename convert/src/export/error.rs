use std::path::PathBuf;

/// An export that cannot be read at all: it names the file and the line.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("export {}: {source}", file.display())]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("export {}, line {line}: wrong encoding: {detail}", file.display())]
    Encoding {
        file: PathBuf,
        line: usize,
        detail: String,
    },
    #[error("export {}, line {line}: the file is cut short (truncated export?): {detail}", file.display())]
    Truncated {
        file: PathBuf,
        line: usize,
        detail: String,
    },
    #[error("export {}, line {line}: not JSON: {detail}", file.display())]
    Syntax {
        file: PathBuf,
        line: usize,
        detail: String,
    },
    #[error("export {}, line {line}: expected a document, found {found}", file.display())]
    NotADocument {
        file: PathBuf,
        line: usize,
        found: &'static str,
    },
    #[error(
        "export {}, line 1: unknown collection {collection:?} of module {module}; known: {known}",
        file.display()
    )]
    UnknownCollection {
        file: PathBuf,
        module: String,
        collection: String,
        known: String,
    },
    #[error("export {}, line 1: unknown module folder {module:?}; known: {known}", file.display())]
    UnknownModule {
        file: PathBuf,
        module: String,
        known: String,
    },
    #[error(
        "exports {}: collection {collection} is exported twice ({} and {})",
        dir.display(), first.display(), second.display()
    )]
    Twice {
        dir: PathBuf,
        collection: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("exports {}: no export files found (expected <module>/<collection>.json)", dir.display())]
    Empty { dir: PathBuf },
    #[error("exports {}: {detail}", file.display())]
    Manifest { file: PathBuf, detail: String },
}
