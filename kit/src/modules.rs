//! The registry of modules: one row per StellaOps module, in the order the
//! modules are cut over. The backend switch, the schema and contract
//! suites, the conversion catalog, the scorecard, the load paths and the
//! migrations' order all read it (or are tested against it), so a new
//! module is its own files plus one row here.

/// One module.
#[derive(Debug)]
pub struct ModuleRow {
    /// The name reports, suites (`binary(<name>)`), critical paths
    /// (`<name>.<path>`) and export folders use.
    pub name: &'static str,
    /// The name in the seeds' `PersistenceOptions` (`concelier` holds the
    /// vulnerabilities, `excititor` VEX).
    pub persistence: &'static str,
    /// The PostgreSQL schema its tables live in.
    pub schema: &'static str,
    /// How many tables its schema has (shared/DESIGN.md section 2).
    pub tables: i64,
    /// Its tables without tenants, each with the reason; every other table
    /// is a tenant table.
    pub global_tables: &'static [(&'static str, &'static str)],
    /// Whether its repositories exist, on PostgreSQL and in memory.
    pub storage: bool,
    /// The collections of its MongoDB export that the conversion converts.
    pub collections: &'static [&'static str],
    /// Its critical paths in the load run and the gate.
    pub critical_paths: &'static [&'static str],
}

/// Critical paths that span modules (named `mixed.<path>`).
pub const CROSS_MODULE_PATHS: &[&str] = &["mixed.multi_tenant"];

const ADVISORY_DATA: &str = "advisory data is shared by every tenant";

/// Every module, in cutover order.
pub static MODULES: &[ModuleRow] = &[
    ModuleRow {
        name: "authority",
        persistence: "authority",
        schema: "authority",
        tables: 12,
        global_tables: &[
            ("tenants", "the tenant registry itself"),
            (
                "scopes",
                "OAuth scopes are defined once for the whole platform",
            ),
        ],
        storage: true,
        collections: &[
            "authority_tenants",
            "authority_users",
            "authority_service_accounts",
            "authority_clients",
            "authority_scopes",
            "authority_tokens",
            "authority_revocations",
            "authority_login_attempts",
        ],
        critical_paths: &[
            "authority.token_issue",
            "authority.token_verify_by_hash",
            "authority.token_revoke",
            "authority.login_attempt",
            "authority.user_by_username",
            "authority.user_page",
            "authority.role_assign",
        ],
    },
    ModuleRow {
        name: "scheduler",
        persistence: "scheduler",
        schema: "scheduler",
        tables: 11,
        global_tables: &[
            ("workers", "worker processes serve every tenant"),
            ("locks", "leases on infrastructure jobs, no tenant data"),
        ],
        storage: true,
        collections: &[
            "schedules",
            "runs",
            "graph_jobs",
            "policy_jobs",
            "impact_snapshots",
            "locks",
        ],
        critical_paths: &[
            "scheduler.due_poll",
            "scheduler.run_claim",
            "scheduler.run_complete",
            "scheduler.heartbeat",
        ],
    },
    ModuleRow {
        name: "notify",
        persistence: "notify",
        schema: "notify",
        tables: 14,
        global_tables: &[(
            "locks",
            "leases of the delivery and escalation workers, no tenant data",
        )],
        storage: true,
        collections: &[
            "channels",
            "templates",
            "rules",
            "escalation_policies",
            "on_call_schedules",
            "quiet_hours",
            "maintenance_windows",
            "incidents",
            "escalation_states",
            "deliveries",
            "digests",
            "inbox",
            "audit",
            "locks",
        ],
        critical_paths: &[
            "notify.delivery_enqueue",
            "notify.delivery_claim",
            "notify.rule_match",
            "notify.escalation_due",
            "notify.inbox_page",
        ],
    },
    ModuleRow {
        name: "policy",
        persistence: "policy",
        schema: "policy",
        tables: 8,
        global_tables: &[],
        storage: true,
        collections: &[
            "policies",
            "policy_revisions",
            "policy_rules",
            "risk_profiles",
            "policy_exceptions",
            "policy_runs",
            "policy_explanations",
            "policy_audit",
        ],
        critical_paths: &[
            "policy.active_version",
            "policy.rules_of_version",
            "policy.exceptions_active",
            "policy.evaluation_record",
            "policy.explanations_page",
        ],
    },
    ModuleRow {
        name: "vuln",
        persistence: "concelier",
        schema: "vuln",
        tables: 12,
        global_tables: &[
            ("sources", ADVISORY_DATA),
            ("source_states", ADVISORY_DATA),
            ("feed_snapshots", ADVISORY_DATA),
            ("advisory_snapshots", ADVISORY_DATA),
            ("advisories", ADVISORY_DATA),
            ("advisory_aliases", ADVISORY_DATA),
            ("advisory_cvss", ADVISORY_DATA),
            ("advisory_affected", ADVISORY_DATA),
            ("advisory_references", ADVISORY_DATA),
            ("advisory_credits", ADVISORY_DATA),
            ("advisory_weaknesses", ADVISORY_DATA),
            ("kev_flags", ADVISORY_DATA),
        ],
        storage: false,
        collections: &[],
        critical_paths: &[],
    },
    ModuleRow {
        name: "vex",
        persistence: "excititor",
        schema: "vex",
        tables: 13,
        global_tables: &[],
        storage: false,
        collections: &[],
        critical_paths: &[],
    },
];

/// The row of the module `name` (or of the schema or persistence name).
pub fn module(name: &str) -> Option<&'static ModuleRow> {
    MODULES
        .iter()
        .find(|m| m.name == name || m.schema == name || m.persistence == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_paths_belong_to_their_module() {
        let mut names: Vec<&str> = MODULES.iter().map(|m| m.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), MODULES.len());
        for row in MODULES {
            assert!(
                row.critical_paths
                    .iter()
                    .all(|p| p.starts_with(&format!("{}.", row.name))),
                "{}",
                row.name
            );
            assert!(row.global_tables.len() as i64 <= row.tables);
        }
        assert_eq!(module("concelier").map(|m| m.name), Some("vuln"));
    }
}
