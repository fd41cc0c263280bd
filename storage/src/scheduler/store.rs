//! The Scheduler module value (schedule, trigger and run repositories on one
//! backend) and its backend switch.

use std::sync::Arc;

use super::audit::AUDIT;
use super::execution_logs::EXECUTION_LOGS;
use super::graph_jobs::GRAPH_JOBS;
use super::impact_snapshots::IMPACT_SNAPSHOTS;
use super::locks::LOCKS;
use super::memory::MemoryScheduler;
use super::policy_jobs::POLICY_JOBS;
use super::run_summaries::RUN_SUMMARIES;
use super::runs::RUNS;
use super::schedules::SCHEDULES;
use super::triggers::TRIGGERS;
use super::workers::WORKERS;
use super::{
    PgRuns, PgSchedules, PgTriggers, RunRepository, ScheduleRepository, TriggerRepository,
};
use crate::Table;
use crate::{Backend, Clock, DataSource, Module, StorageError, StorageOptions};

/// Every Scheduler table as the repositories see it, one descriptor each
/// (a contract test holds them to the migrated catalog).
pub const TABLES: &[&Table] = &[
    &SCHEDULES,
    &TRIGGERS,
    &RUNS,
    &GRAPH_JOBS,
    &POLICY_JOBS,
    &IMPACT_SNAPSHOTS,
    &WORKERS,
    &EXECUTION_LOGS,
    &LOCKS,
    &AUDIT,
    &RUN_SUMMARIES,
];

/// The Scheduler's schedule, trigger and run repositories on one backend.
///
/// Workers, locks, jobs, snapshots, logs, summaries and audit exist on
/// PostgreSQL only ([`super::PgWorkers`], [`super::PgLocks`], …): the memory
/// backend is the reference of the model tests, which cover schedules,
/// triggers and the run life cycle.
#[derive(Debug, Clone)]
pub struct Scheduler {
    pub backend: Backend,
    pub schedules: Arc<dyn ScheduleRepository>,
    pub triggers: Arc<dyn TriggerRepository>,
    pub runs: Arc<dyn RunRepository>,
}

impl Scheduler {
    /// The PostgreSQL repositories on `source`.
    pub fn postgres(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        Scheduler {
            backend: Backend::Postgres,
            schedules: Arc::new(PgSchedules::new(source.clone(), clock.clone())),
            triggers: Arc::new(PgTriggers::new(source.clone(), clock.clone())),
            runs: Arc::new(PgRuns::new(source, clock)),
        }
    }

    /// The in-memory reference, one state behind all three.
    pub fn memory(clock: Arc<dyn Clock>) -> Self {
        let memory = MemoryScheduler::new(clock);
        Scheduler {
            backend: Backend::Memory,
            schedules: Arc::new(memory.clone()),
            triggers: Arc::new(memory.clone()),
            runs: Arc::new(memory),
        }
    }
}

/// The backend switch: the Scheduler on the backend the options choose.
///
/// ```
/// use std::sync::Arc;
/// use stellaops_storage::{Backend, Module, Persistence, StorageOptions, SystemClock};
/// use stellaops_storage::scheduler::open_scheduler;
/// let mut persistence = Persistence::default();
/// persistence.set(Module::Scheduler, Backend::Memory);
/// let options = StorageOptions { postgres: None, persistence };
/// let scheduler = open_scheduler(&options, Arc::new(SystemClock)).unwrap();
/// assert_eq!(scheduler.backend, Backend::Memory);
/// ```
pub fn open_scheduler(
    options: &StorageOptions,
    clock: Arc<dyn Clock>,
) -> Result<Scheduler, StorageError> {
    match options.persistence.require(Module::Scheduler)? {
        Backend::Memory => Ok(Scheduler::memory(clock)),
        Backend::Postgres => {
            let postgres = options.postgres.as_ref().ok_or_else(|| {
                StorageError::invalid("options", "scheduler is on postgres but no URL is set")
            })?;
            Ok(Scheduler::postgres(
                DataSource::connect_lazy(postgres),
                clock,
            ))
        }
    }
}
