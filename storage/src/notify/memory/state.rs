//! The in-memory Notify backend's state: every table as a map behind one
//! lock.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::Clock;
use crate::notify::{
    AuditEntry, Channel, Delivery, Digest, Escalation, EscalationPolicy, InboxItem, Incident,
    MaintenanceWindow, OnCallSchedule, QuietHours, Rule, Template,
};

pub(crate) use crate::memory_rows::{Rows, key, of_tenant};

#[derive(Debug, Default)]
pub(crate) struct State {
    pub channels: Rows<Channel>,
    pub templates: Rows<Template>,
    pub rules: Rows<Rule>,
    pub deliveries: Rows<Delivery>,
    pub digests: Rows<Digest>,
    pub policies: Rows<EscalationPolicy>,
    pub incidents: Rows<Incident>,
    pub escalations: Rows<Escalation>,
    pub quiet_hours: Rows<QuietHours>,
    pub maintenance: Rows<MaintenanceWindow>,
    pub schedules: Rows<OnCallSchedule>,
    pub inbox: Rows<InboxItem>,
    pub audit: Rows<AuditEntry>,
}

/// The in-memory Notify backend.
#[derive(Debug, Clone)]
pub struct MemoryNotify {
    state: Arc<Mutex<State>>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl MemoryNotify {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        MemoryNotify {
            state: Arc::default(),
            clock,
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        crate::memory_rows::lock(&self.state)
    }
}
