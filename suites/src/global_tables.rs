//! The tables without tenants, listed once, each with the reason.
//!
//! Every other table of a StellaOps schema is a tenant table: `tenant_id`,
//! RLS enabled and forced, a policy with USING and WITH CHECK. The schema
//! suites check both directions: a table listed here has no `tenant_id`, and
//! a table without `tenant_id` is listed here.

/// (schema, table, reason).
pub const GLOBAL_TABLES: &[(&str, &str, &str)] = &[
    ("authority", "tenants", "the tenant registry itself"),
    (
        "authority",
        "scopes",
        "OAuth scopes are defined once for the whole platform",
    ),
    (
        "scheduler",
        "workers",
        "worker processes serve every tenant",
    ),
    (
        "scheduler",
        "locks",
        "leases on infrastructure jobs, no tenant data",
    ),
    (
        "notify",
        "locks",
        "leases of the delivery and escalation workers, no tenant data",
    ),
    ("vuln", "sources", "advisory data is shared by every tenant"),
    (
        "vuln",
        "source_states",
        "advisory data is shared by every tenant",
    ),
    (
        "vuln",
        "feed_snapshots",
        "advisory data is shared by every tenant",
    ),
    (
        "vuln",
        "advisory_snapshots",
        "advisory data is shared by every tenant",
    ),
    (
        "vuln",
        "advisories",
        "advisory data is shared by every tenant",
    ),
    (
        "vuln",
        "advisory_aliases",
        "advisory data is shared by every tenant",
    ),
    (
        "vuln",
        "advisory_cvss",
        "advisory data is shared by every tenant",
    ),
    (
        "vuln",
        "advisory_affected",
        "advisory data is shared by every tenant",
    ),
    (
        "vuln",
        "advisory_references",
        "advisory data is shared by every tenant",
    ),
    (
        "vuln",
        "advisory_credits",
        "advisory data is shared by every tenant",
    ),
    (
        "vuln",
        "advisory_weaknesses",
        "advisory data is shared by every tenant",
    ),
    (
        "vuln",
        "kev_flags",
        "advisory data is shared by every tenant",
    ),
];

/// The six module schemas and their table counts (shared/DESIGN.md section 2).
pub const MODULE_TABLE_COUNTS: &[(&str, i64)] = &[
    ("authority", 12),
    ("notify", 14),
    ("policy", 8),
    ("scheduler", 11),
    ("vex", 13),
    ("vuln", 12),
];

/// The module schemas, for catalog queries.
pub fn module_schemas() -> Vec<String> {
    MODULE_TABLE_COUNTS
        .iter()
        .map(|(schema, _)| (*schema).to_owned())
        .collect()
}
