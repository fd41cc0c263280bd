//! The Scheduler module value (schedule, trigger and run repositories on one
//! backend) and its backend switch.

use std::sync::Arc;

use super::audit::TRAIL;
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
use crate::{Backend, Clock, DataSource, Module, ModuleStorage, StorageError, StorageOptions};

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
    &TRAIL.table,
    &RUN_SUMMARIES,
];

/// The Scheduler's schedule, trigger and run repositories on one backend.
///
/// Workers, locks, graph and policy jobs, impact snapshots, execution logs,
/// run summaries and audit exist on PostgreSQL only ([`super::PgWorkers`],
/// [`super::PgLocks`], …): what they promise is what PostgreSQL does
/// (`FOR UPDATE SKIP LOCKED` leases, advisory locks, fencing tokens,
/// summaries computed by SQL), so a memory copy would restate the database
/// rather than give an independent reference; their suites run on
/// PostgreSQL and check histories instead. The memory backend covers
/// schedules, triggers and the run life cycle, the model tests' subject.
#[derive(Debug, Clone)]
pub struct Scheduler {
    pub backend: Backend,
    pub schedules: Arc<dyn ScheduleRepository>,
    pub triggers: Arc<dyn TriggerRepository>,
    pub runs: Arc<dyn RunRepository>,
}

impl ModuleStorage for Scheduler {
    const MODULE: Module = Module::Scheduler;

    fn postgres(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        Scheduler {
            backend: Backend::Postgres,
            schedules: Arc::new(PgSchedules::new(source.clone(), clock.clone())),
            triggers: Arc::new(PgTriggers::new(source.clone(), clock.clone())),
            runs: Arc::new(PgRuns::new(source, clock)),
        }
    }

    fn memory(clock: Arc<dyn Clock>) -> Self {
        let memory = Arc::new(MemoryScheduler::new(clock));
        Scheduler {
            backend: Backend::Memory,
            schedules: memory.clone(),
            triggers: memory.clone(),
            runs: memory,
        }
    }

    fn backend(&self) -> Backend {
        self.backend
    }
}

/// The backend switch for the Scheduler ([`crate::open`]).
///
/// ```
/// use std::sync::Arc;
/// use stellaops_storage::{Backend, Module, ModuleStorage, Persistence, StorageOptions, SystemClock};
/// use stellaops_storage::scheduler::open_scheduler;
/// let mut persistence = Persistence::default();
/// persistence.set(Module::Scheduler, Backend::Memory);
/// let options = StorageOptions { postgres: None, persistence };
/// let scheduler = open_scheduler(&options, Arc::new(SystemClock)).unwrap();
/// assert_eq!(scheduler.backend(), Backend::Memory);
/// ```
pub fn open_scheduler(
    options: &StorageOptions,
    clock: Arc<dyn Clock>,
) -> Result<Scheduler, StorageError> {
    crate::open(options, clock)
}
