//! The in-memory Notify backend: the reference the conformance tests hold
//! PostgreSQL to.

mod channels;
mod deliveries;
mod digests;
mod escalation_policies;
mod escalations;
mod inbox;
mod incidents;
mod on_call;
mod quiet_hours;
mod rules;
mod state;
mod templates;

pub use state::MemoryNotify;
