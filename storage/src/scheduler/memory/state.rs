//! The in-memory Scheduler backend's state: schedules, triggers and runs
//! behind one lock.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::Clock;
use crate::scheduler::{Run, Schedule, Trigger};

pub(crate) use crate::memory_rows::{Rows, key, of_tenant};

#[derive(Debug, Default)]
pub(crate) struct State {
    pub schedules: Rows<Schedule>,
    pub triggers: Rows<Trigger>,
    pub runs: Rows<Run>,
}

/// The in-memory Scheduler backend: one state behind the schedule, trigger
/// and run repositories, as one database is behind the PostgreSQL ones.
#[derive(Debug, Clone)]
pub struct MemoryScheduler {
    state: Arc<Mutex<State>>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl MemoryScheduler {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        MemoryScheduler {
            state: Arc::default(),
            clock,
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        crate::memory_rows::lock(&self.state)
    }
}
