//! Policy storage (shared/DESIGN.md section 10; issue 21): packs, their
//! versions and rules, risk profiles, exceptions, evaluation runs with their explanations, and the audit trail, each a trait with its PostgreSQL
//! implementation and the in-memory reference in `memory/`.

mod audit;
mod evaluations;
mod exceptions;
mod explanations;
mod kinds;
pub mod memory;
mod packs;
mod postgres;
mod profiles;
mod rules;
mod store;
mod versions;

pub use crate::audit::{ActorType, AuditRepository};
pub use audit::{AuditEntry, NewAuditEntry};
pub use evaluations::{EvaluationOutcome, EvaluationRepository, EvaluationRun, NewEvaluation};
pub use exceptions::{
    Exception, ExceptionRepository, MAX_EXCEPTION_DAYS, MAX_EXPIRY_SWEEP, NewException,
};
pub use explanations::{Explanation, ExplanationRepository, MAX_EXPLANATION_BATCH, NewExplanation};
pub use kinds::{
    AuditCategory, EvaluationMode, EvaluationStatus, ExceptionStatus, PackStatus, ProfileStatus,
    RuleAction, RuleSeverity, Verdict, VersionStatus,
};
pub use memory::MemoryPolicy;
pub use packs::{Pack, PackFields, PackRepository};
pub use postgres::PgPolicy;
pub use profiles::{ProfileFields, RiskProfile, RiskProfileRepository};
pub use rules::{MAX_RULE_PRIORITY, PolicyRule, PolicyRuleFields, PolicyRuleRepository};
pub use store::{Policy, TABLES};
pub use versions::{
    Activated, MAX_SOURCE_BYTES, PackVersion, PackVersionRepository, VersionFields,
    derived_rule_id, source_digest,
};
