//! The Policy module value (every repository on one backend) and its table descriptors.

use std::sync::Arc;

use super::audit::TRAIL;
use super::evaluations::EVALUATION_RUNS;
use super::exceptions::EXCEPTIONS;
use super::explanations::EXPLANATIONS;
use super::packs::PACKS;
use super::profiles::RISK_PROFILES;
use super::rules::RULES;
use super::versions::PACK_VERSIONS;
use super::{
    AuditCategory, AuditRepository, EvaluationRepository, ExceptionRepository,
    ExplanationRepository, MemoryPolicy, PackRepository, PackVersionRepository, PgPolicy,
    PolicyRuleRepository, RiskProfileRepository,
};
use crate::{Backend, Clock, DataSource, Module, ModuleStorage, Table};

/// Every Policy table, one descriptor each (a contract test holds them
/// to the migrated catalog).
pub const TABLES: &[&Table] = &[
    &PACKS,
    &PACK_VERSIONS,
    &RULES,
    &RISK_PROFILES,
    &EXCEPTIONS,
    &EVALUATION_RUNS,
    &EXPLANATIONS,
    &TRAIL.table,
];

/// Every Policy repository on one backend, by name.
#[derive(Debug, Clone)]
pub struct Policy {
    pub backend: Backend,
    pub packs: Arc<dyn PackRepository>,
    pub versions: Arc<dyn PackVersionRepository>,
    pub rules: Arc<dyn PolicyRuleRepository>,
    pub profiles: Arc<dyn RiskProfileRepository>,
    pub exceptions: Arc<dyn ExceptionRepository>,
    pub evaluations: Arc<dyn EvaluationRepository>,
    pub explanations: Arc<dyn ExplanationRepository>,
    pub audit: Arc<dyn AuditRepository<AuditCategory>>,
}

impl Policy {
    fn of<B>(backend: Backend, one: B) -> Self
    where
        B: PackRepository
            + PackVersionRepository
            + PolicyRuleRepository
            + RiskProfileRepository
            + ExceptionRepository
            + EvaluationRepository
            + ExplanationRepository
            + AuditRepository<AuditCategory>
            + 'static,
    {
        let one = Arc::new(one);
        Policy {
            backend,
            packs: one.clone(),
            versions: one.clone(),
            rules: one.clone(),
            profiles: one.clone(),
            exceptions: one.clone(),
            evaluations: one.clone(),
            explanations: one.clone(),
            audit: one,
        }
    }
}

impl ModuleStorage for Policy {
    const MODULE: Module = Module::Policy;

    fn postgres(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        Policy::of(Backend::Postgres, PgPolicy::new(source, clock))
    }

    fn memory(clock: Arc<dyn Clock>) -> Self {
        Policy::of(Backend::Memory, MemoryPolicy::new(clock))
    }

    fn backend(&self) -> Backend {
        self.backend
    }
}
