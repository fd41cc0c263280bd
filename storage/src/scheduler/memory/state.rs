use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use uuid::Uuid;

use crate::scheduler::{Run, Schedule, Trigger};
use crate::{Clock, TenantContext};

/// Rows of one tenant table, keyed like its primary key.
pub(crate) type Rows<T> = BTreeMap<(String, Uuid), T>;

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
        // Every operation checks first and writes last, so a panic cannot
        // leave a half-applied change behind a poisoned lock.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub(crate) fn key(ctx: &TenantContext, id: Uuid) -> (String, Uuid) {
    (ctx.tenant().as_str().to_owned(), id)
}

/// The rows of one tenant, in primary-key order.
pub(crate) fn of_tenant<'a, T>(
    rows: &'a Rows<T>,
    ctx: &TenantContext,
) -> impl Iterator<Item = &'a T> {
    let tenant = ctx.tenant().as_str().to_owned();
    rows.range((tenant.clone(), Uuid::nil())..=(tenant, Uuid::max()))
        .map(|(_, row)| row)
}
