//! Scheduler suites: `cargo nextest run -E 'binary(scheduler)'`.
//!
//! Concurrency tests record what every worker did in a
//! [`stellaops_suites::history::History`] and check the record; worker
//! counts are named constants, every wait is bounded, no test sleeps where
//! a signal or the injected clock will do.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

#[path = "scheduler/support.rs"]
mod support;

#[path = "scheduler/bad_input.rs"]
mod bad_input;
#[path = "scheduler/claiming.rs"]
mod claiming;
#[path = "scheduler/determinism.rs"]
mod determinism;
#[path = "scheduler/isolation.rs"]
mod isolation;
#[path = "scheduler/jobs.rs"]
mod jobs;
#[path = "scheduler/locks.rs"]
mod locks;
#[path = "scheduler/model.rs"]
mod model;
#[path = "scheduler/runs.rs"]
mod runs;
#[path = "scheduler/schedules.rs"]
mod schedules;
#[path = "scheduler/states.rs"]
mod states;
#[path = "scheduler/workers.rs"]
mod workers;
