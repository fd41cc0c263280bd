//! Scheduler (shared/seeds, Phase 2): schedules with cron expressions in
//! time zones, triggers, runs with their life cycle and claiming, workers,
//! the distributed lock (a transaction-scoped advisory lock on a stable key,
//! and a lease in `scheduler.locks` with an expiry and a fencing token that
//! only grows), graph and policy jobs, impact snapshots, execution logs,
//! run summaries and audit.

mod audit;
mod cron;
mod cursor;
mod execution_logs;
mod graph_jobs;
mod impact_snapshots;
mod jobs;
mod kinds;
mod lock_key;
mod locks;
pub mod memory;
mod policy_jobs;
mod run_summaries;
mod runs;
mod schedules;
mod store;
mod triggers;
mod workers;

pub use crate::audit::{ActorType, AuditRepository};
pub use crate::lease::Lease;
pub use audit::{AuditEntry, NewAuditEntry, PgAudit};
pub use cron::CronSpec;
pub use execution_logs::{LogEntry, MAX_LOG_LINES, NewLogEntry, PgExecutionLogs};
pub use graph_jobs::{GraphJob, MAX_JOB_LIST, NewGraphJob, PgGraphJobs};
pub use impact_snapshots::{
    ImpactSnapshot, MAX_SNAPSHOT_IMAGES, MAX_SNAPSHOT_LIST, NewImpactSnapshot, PgImpactSnapshots,
};
pub use jobs::{JobLease, MAX_JOB_TTL};
pub use kinds::{
    AuditCategory, GraphJobKind, GraphJobTrigger, JobStatus, LogLevel, PolicyJobMode, ScheduleMode,
    TriggerKind, TriggerStatus,
};
pub use lock_key::lock_key;
pub use locks::PgLocks;
pub use memory::MemoryScheduler;
pub use policy_jobs::{NewPolicyJob, PgPolicyJobs, PolicyJob};
pub use run_summaries::{PgRunSummaries, RECENT_RUNS, RunSummary};
pub use runs::{
    Claim, MAX_ATTEMPTS, MAX_CLAIM, MAX_RUN_LIST, NewRun, Outcome, PgRuns, Run, RunQuery,
    RunRepository, RunState,
};
pub use schedules::{
    MAX_DUE, PgSchedules, Schedule, ScheduleFields, ScheduleQuery, ScheduleRepository, tick_run_id,
};
pub use store::{Scheduler, TABLES, open_scheduler};
pub use triggers::{MAX_TRIGGER_LIST, NewTrigger, PgTriggers, Trigger, TriggerRepository};
pub use workers::{PgWorkers, Worker};
