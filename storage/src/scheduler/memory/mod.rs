//! The in-memory Scheduler backend of schedules, triggers and runs: the
//! reference the model-based property tests hold PostgreSQL to.

mod runs;
mod schedules;
mod state;
mod triggers;

pub use state::MemoryScheduler;
