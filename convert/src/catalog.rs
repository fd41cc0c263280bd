//! The collections the conversion knows, in the order they convert (a
//! collection after those it refers to), with their tier and rule
//! (conversion plan, section 3.2).

use std::fmt;

use serde::Serialize;

use crate::convert::{Converter, authority as a, notify as n, policy as p, scheduler as s};
use crate::table::Table;

/// The conversion plan's data tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Tier {
    /// Critical: converted in full.
    A,
    /// Recoverable: only active or recent documents are converted.
    B,
    /// Ephemeral: not converted; the table starts empty.
    C,
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::A => "A",
            Tier::B => "B",
            Tier::C => "C",
        })
    }
}

/// One exported collection.
#[derive(Debug)]
pub struct Collection {
    pub module: &'static str,
    pub name: &'static str,
    pub tier: Tier,
    /// The tier's rule in words, as the report shows it.
    pub rule: &'static str,
    /// The table it converts into (tier C names the table that starts empty).
    pub table: Option<&'static Table>,
    pub converter: Option<Converter>,
}

/// The modules with converters: those whose row in the registry
/// (`stellaops_kit::modules`) names collections.
pub static MODULES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    stellaops_kit::modules::MODULES
        .iter()
        .filter(|m| !m.collections.is_empty())
        .map(|m| m.name)
        .collect()
});

/// Every collection, in conversion order.
pub static COLLECTIONS: &[Collection] = &[
    Collection {
        module: "authority",
        name: "authority_tenants",
        tier: Tier::A,
        rule: "full conversion (the tenant registry; Phase 1 T1.11.1)",
        table: Some(&a::tenants::TABLE),
        converter: Some(a::tenants::convert),
    },
    Collection {
        module: "authority",
        name: "authority_users",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&a::users::TABLE),
        converter: Some(a::users::convert),
    },
    Collection {
        module: "authority",
        name: "authority_service_accounts",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&a::service_accounts::TABLE),
        converter: Some(a::service_accounts::convert),
    },
    Collection {
        module: "authority",
        name: "authority_clients",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&a::clients::TABLE),
        converter: Some(a::clients::convert),
    },
    Collection {
        module: "authority",
        name: "authority_scopes",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&a::scopes::TABLE),
        converter: Some(a::scopes::convert),
    },
    Collection {
        module: "authority",
        name: "authority_tokens",
        tier: Tier::B,
        rule: "active tokens only (status valid, not expired)",
        table: Some(&a::tokens::TABLE),
        converter: Some(a::tokens::convert),
    },
    Collection {
        module: "authority",
        name: "authority_revocations",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&a::revocations::TABLE),
        converter: Some(a::revocations::convert),
    },
    Collection {
        module: "authority",
        name: "authority_login_attempts",
        tier: Tier::B,
        rule: "recent 90 days (by occurredAt)",
        table: Some(&a::login_attempts::TABLE),
        converter: Some(a::login_attempts::convert),
    },
    Collection {
        module: "scheduler",
        name: "schedules",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&s::schedules::TABLE),
        converter: Some(s::schedules::convert),
    },
    Collection {
        module: "scheduler",
        name: "runs",
        tier: Tier::B,
        rule: "recent 180 days (by createdAt)",
        table: Some(&s::runs::TABLE),
        converter: Some(s::runs::convert),
    },
    Collection {
        module: "scheduler",
        name: "graph_jobs",
        tier: Tier::B,
        rule: "active (pending, queued, running) or created in the last 30 days",
        table: Some(&s::graph_jobs::TABLE),
        converter: Some(s::graph_jobs::convert),
    },
    Collection {
        module: "scheduler",
        name: "policy_jobs",
        tier: Tier::B,
        rule: "active (pending, queued, running) or created in the last 30 days",
        table: Some(&s::policy_jobs::TABLE),
        converter: Some(s::policy_jobs::convert),
    },
    Collection {
        module: "scheduler",
        name: "impact_snapshots",
        tier: Tier::B,
        rule: "recent 90 days (by generatedAt)",
        table: Some(&s::impact_snapshots::TABLE),
        converter: Some(s::impact_snapshots::convert),
    },
    Collection {
        module: "scheduler",
        name: "locks",
        tier: Tier::C,
        rule: "fresh start: not converted",
        table: None,
        converter: None,
    },
    Collection {
        module: "notify",
        name: "channels",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&n::channels::TABLE),
        converter: Some(n::channels::convert),
    },
    Collection {
        module: "notify",
        name: "templates",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&n::templates::TABLE),
        converter: Some(n::templates::convert),
    },
    Collection {
        module: "notify",
        name: "rules",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&n::rules::TABLE),
        converter: Some(n::rules::convert),
    },
    Collection {
        module: "notify",
        name: "escalation_policies",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&n::escalation_policies::TABLE),
        converter: Some(n::escalation_policies::convert),
    },
    Collection {
        module: "notify",
        name: "on_call_schedules",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&n::on_call_schedules::TABLE),
        converter: Some(n::on_call_schedules::convert),
    },
    Collection {
        module: "notify",
        name: "quiet_hours",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&n::quiet_hours::TABLE),
        converter: Some(n::quiet_hours::convert),
    },
    Collection {
        module: "notify",
        name: "maintenance_windows",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&n::maintenance_windows::TABLE),
        converter: Some(n::maintenance_windows::convert),
    },
    Collection {
        module: "notify",
        name: "incidents",
        tier: Tier::B,
        rule: "open or acknowledged, or opened in the last 90 days",
        table: Some(&n::incidents::TABLE),
        converter: Some(n::incidents::convert),
    },
    Collection {
        module: "notify",
        name: "escalation_states",
        tier: Tier::B,
        rule: "active, or created in the last 30 days; with its incident",
        table: Some(&n::escalation_states::TABLE),
        converter: Some(n::escalation_states::convert),
    },
    Collection {
        module: "notify",
        name: "deliveries",
        tier: Tier::B,
        rule: "to send (pending, queued, sending), or created in the last 30 days",
        table: Some(&n::deliveries::TABLE),
        converter: Some(n::deliveries::convert),
    },
    Collection {
        module: "notify",
        name: "digests",
        tier: Tier::B,
        rule: "collecting or sending, or window started in the last 30 days",
        table: Some(&n::digests::TABLE),
        converter: Some(n::digests::convert),
    },
    Collection {
        module: "notify",
        name: "inbox",
        tier: Tier::B,
        rule: "recent 90 days (by createdAt)",
        table: Some(&n::inbox::TABLE),
        converter: Some(n::inbox::convert),
    },
    Collection {
        module: "notify",
        name: "audit",
        tier: Tier::A,
        rule: "full conversion (the audit trail is kept whole)",
        table: Some(&n::audit::TABLE),
        converter: Some(n::audit::convert),
    },
    Collection {
        module: "notify",
        name: "locks",
        tier: Tier::C,
        rule: "fresh start: not converted",
        table: None,
        converter: None,
    },
    Collection {
        module: "policy",
        name: "policies",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&p::packs::TABLE),
        converter: Some(p::packs::convert),
    },
    Collection {
        module: "policy",
        name: "policy_revisions",
        tier: Tier::A,
        rule: "full conversion (the digest computed again from the source)",
        table: Some(&p::pack_versions::TABLE),
        converter: Some(p::pack_versions::convert),
    },
    Collection {
        module: "policy",
        name: "policy_rules",
        tier: Tier::A,
        rule: "full conversion",
        table: Some(&p::rules::TABLE),
        converter: Some(p::rules::convert),
    },
    Collection {
        module: "policy",
        name: "risk_profiles",
        tier: Tier::A,
        rule: "full conversion (a promoted profile's digest computed again)",
        table: Some(&p::risk_profiles::TABLE),
        converter: Some(p::risk_profiles::convert),
    },
    Collection {
        module: "policy",
        name: "policy_exceptions",
        tier: Tier::A,
        rule: "full conversion (expired and revoked waivers kept)",
        table: Some(&p::exceptions::TABLE),
        converter: Some(p::exceptions::convert),
    },
    Collection {
        module: "policy",
        name: "policy_runs",
        tier: Tier::B,
        rule: "queued or running, or created in the last 30 days",
        table: Some(&p::evaluation_runs::TABLE),
        converter: Some(p::evaluation_runs::convert),
    },
    Collection {
        module: "policy",
        name: "policy_explanations",
        tier: Tier::B,
        rule: "with their run (ON DELETE CASCADE)",
        table: Some(&p::explanations::TABLE),
        converter: Some(p::explanations::convert),
    },
    Collection {
        module: "policy",
        name: "policy_audit",
        tier: Tier::A,
        rule: "full conversion (the audit trail is kept whole)",
        table: Some(&p::audit::TABLE),
        converter: Some(p::audit::convert),
    },
];

/// The collection `name` of `module`.
pub fn find(module: &str, name: &str) -> Option<&'static Collection> {
    COLLECTIONS
        .iter()
        .find(|c| c.module == module && c.name == name)
}

/// The collection names of `module`, for messages.
pub fn names_of(module: &str) -> String {
    COLLECTIONS
        .iter()
        .filter(|c| c.module == module)
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_names_exactly_the_collections_of_the_catalog() {
        for row in stellaops_kit::modules::MODULES {
            let catalog: Vec<&str> = COLLECTIONS
                .iter()
                .filter(|c| c.module == row.name)
                .map(|c| c.name)
                .collect();
            assert_eq!(catalog, row.collections, "module {}", row.name);
        }
    }
}
