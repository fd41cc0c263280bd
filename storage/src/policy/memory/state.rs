//! The in-memory Policy backend's state: every table as a map behind one
//! lock.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::Clock;
use crate::policy::{Exception, Pack, PackVersion, PolicyRule, RiskProfile};

pub(crate) use crate::memory_rows::{Rows, key, of_tenant};

#[derive(Debug, Default)]
pub(crate) struct State {
    pub packs: Rows<Pack>,
    pub versions: Rows<PackVersion>,
    pub rules: Rows<PolicyRule>,
    pub profiles: Rows<RiskProfile>,
    pub exceptions: Rows<Exception>,
}

/// The in-memory Policy backend.
#[derive(Debug, Clone)]
pub struct MemoryPolicy {
    state: Arc<Mutex<State>>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl MemoryPolicy {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        MemoryPolicy {
            state: Arc::default(),
            clock,
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        crate::memory_rows::lock(&self.state)
    }
}
