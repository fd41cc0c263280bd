//! The three ways to get a server, and the choice between them.

pub mod docker;
pub mod local;
mod select;

pub use select::{BackendKind, Selection, select};
