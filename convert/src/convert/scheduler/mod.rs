//! Scheduler collections (conversion plan, section 3.2).

pub mod graph_jobs;
pub mod impact_snapshots;
pub mod policy_jobs;
pub mod runs;
pub mod schedules;
