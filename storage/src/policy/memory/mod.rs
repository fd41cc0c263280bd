//! The in-memory Policy backend: the reference the conformance tests hold
//! PostgreSQL to.

mod audit;
mod evaluations;
mod exceptions;
mod packs;
mod profiles;
mod rules;
mod state;
mod versions;

pub use state::MemoryPolicy;
