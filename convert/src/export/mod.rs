//! `mongoexport` files: where they are, how they are laid out, and their documents.

mod error;
mod layout;
mod read;

pub use error::ExportError;
pub use layout::{DocumentCounts, ExportFile, Exports, MANIFEST};
pub use read::{Layout, SourceDoc, parse_documents, read_documents};
