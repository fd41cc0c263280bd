//! The in-memory Policy backend's state: every table as a map behind one
//! lock.

use std::sync::{Arc, Mutex, MutexGuard};

use uuid::Uuid;

use crate::Clock;
use crate::policy::{
    AuditEntry, EvaluationRun, Exception, Explanation, Pack, PackVersion, PolicyRule, RiskProfile,
};

pub(crate) use crate::memory_rows::{Rows, key, of_tenant};

#[derive(Debug, Default)]
pub(crate) struct State {
    pub packs: Rows<Pack>,
    pub versions: Rows<PackVersion>,
    pub rules: Rows<PolicyRule>,
    pub profiles: Rows<RiskProfile>,
    pub exceptions: Rows<Exception>,
    pub evaluations: Rows<EvaluationRun>,
    pub explanations: Rows<Explanation>,
    pub audit: Rows<AuditEntry>,
}

impl State {
    /// ON DELETE CASCADE of `versions` of `tenant`: their rules (the
    /// explanations naming those rules keep no rule), their evaluation runs
    /// and those runs' explanations.
    pub(crate) fn cascade_versions(&mut self, tenant: &str, versions: &[Uuid]) {
        let rules: Vec<Uuid> = self
            .rules
            .values()
            .filter(|r| r.tenant_id == tenant && versions.contains(&r.pack_version_id))
            .map(|r| r.id)
            .collect();
        self.rules
            .retain(|(t, id), _| t != tenant || !rules.contains(id));
        self.clear_rule_references(tenant, &rules);
        let runs: Vec<Uuid> = self
            .evaluations
            .values()
            .filter(|r| r.tenant_id == tenant && versions.contains(&r.pack_version_id))
            .map(|r| r.id)
            .collect();
        self.evaluations
            .retain(|(t, id), _| t != tenant || !runs.contains(id));
        self.explanations
            .retain(|(t, _), e| t != tenant || !runs.contains(&e.evaluation_run_id));
    }

    /// ON DELETE SET NULL (rule_id) of explanations naming `rules`.
    pub(crate) fn clear_rule_references(&mut self, tenant: &str, rules: &[Uuid]) {
        for explanation in self.explanations.values_mut() {
            if explanation.tenant_id == tenant
                && explanation.rule_id.is_some_and(|r| rules.contains(&r))
            {
                explanation.rule_id = None;
            }
        }
    }
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
