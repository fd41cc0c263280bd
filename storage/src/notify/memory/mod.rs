//! The in-memory Notify backend: the reference the conformance tests hold
//! PostgreSQL to.

mod channels;
mod rules;
mod state;
mod templates;

pub use state::MemoryNotify;
