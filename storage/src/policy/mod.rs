//! Policy storage (shared/DESIGN.md section 10; issue 21): packs, their
//! versions and rules so far, each a trait with its PostgreSQL
//! implementation and the in-memory reference in `memory/`.

mod kinds;
pub mod memory;
mod packs;
mod postgres;
mod rules;
mod store;
mod versions;

pub use kinds::{PackStatus, RuleAction, RuleSeverity, VersionStatus};
pub use memory::MemoryPolicy;
pub use packs::{Pack, PackFields, PackRepository};
pub use postgres::PgPolicy;
pub use rules::{MAX_RULE_PRIORITY, PolicyRule, PolicyRuleFields, PolicyRuleRepository};
pub use store::{Policy, TABLES};
pub use versions::{
    Activated, MAX_SOURCE_BYTES, PackVersion, PackVersionRepository, VersionFields,
    derived_rule_id, source_digest,
};
