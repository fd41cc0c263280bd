//! The regression gate: how it decides per path from interleaved rounds.
//! (The orchestration — base worktree, rounds, canary, reports — builds on
//! this.)

mod calibrate;
mod decision;

pub use calibrate::{Rates, estimate};
pub use decision::{Decision, GateSettings, Verdict, decide, median_interval};
