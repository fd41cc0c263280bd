//! The Policy collections, declared. Definitions, profiles, exceptions and
//! the audit trail convert in full, so references into them are
//! `Required`; runs keep the active and the recent, and an explanation
//! goes with its run.

use super::Default::{EmptyArray, EmptyDocument, Null, Required, SameAs};
use super::Kind::{Array, Document, Enum, Int, Ref, Text, Time};
use super::{Default, Hashed, Keep, Mapping, Reference, TRAIL_COLUMNS, field, hashed, id};

pub static MAPPINGS: &[&Mapping] = &[
    &POLICIES,
    &POLICY_REVISIONS,
    &POLICY_RULES,
    &RISK_PROFILES,
    &POLICY_EXCEPTIONS,
    &POLICY_RUNS,
    &POLICY_EXPLANATIONS,
    &POLICY_AUDIT,
];

pub static POLICIES: Mapping = Mapping {
    module: "policy",
    collection: "policies",
    table: "policy.packs",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field("name", "name", Text, Required),
        field("description", "description", Text, Null),
        field("status", "status", Enum, Default::Text("draft")),
        field("active_version", "activeVersion", Int, Null),
        field("created_by", "createdBy", Text, Required),
        field("created_at", "createdAt", Time, Required),
        field("updated_at", "updatedAt", Time, SameAs("createdAt")),
    ],
    carry: None,
    dropped: &[],
    keep: Keep::All,
};

pub static POLICY_REVISIONS: Mapping = Mapping {
    module: "policy",
    collection: "policy_revisions",
    table: "policy.pack_versions",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field(
            "pack_id",
            "policyId",
            Ref("policies", Reference::Required),
            Required,
        ),
        field("version", "version", Int, Required),
        field("status", "status", Enum, Required),
        field("source", "source", Text, Required),
        field("compiled", "compiled", Document, EmptyDocument),
        hashed("digest", Hashed::Text("source")),
        field("submitted_by", "submittedBy", Text, Null),
        field("approved_by", "approvedBy", Text, Null),
        field("published_at", "publishedAt", Time, Null),
        field("created_at", "createdAt", Time, Required),
    ],
    carry: Some("compiled"),
    dropped: &[(
        "digest",
        "computed again from the source: the export's own digest is not trusted",
    )],
    keep: Keep::All,
};

pub static POLICY_RULES: Mapping = Mapping {
    module: "policy",
    collection: "policy_rules",
    table: "policy.rules",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field(
            "pack_version_id",
            "revisionId",
            Ref("policy_revisions", Reference::Required),
            Required,
        ),
        field("rule_key", "ruleKey", Text, Required),
        field("name", "name", Text, Required),
        field("severity", "severity", Enum, Required),
        field("action", "action", Enum, Required),
        field("condition", "condition", Document, EmptyDocument),
        field("priority", "priority", Int, Default::Int(0)),
        field("created_at", "createdAt", Time, Required),
    ],
    carry: Some("condition"),
    dropped: &[],
    keep: Keep::All,
};

pub static RISK_PROFILES: Mapping = Mapping {
    module: "policy",
    collection: "risk_profiles",
    table: "policy.risk_profiles",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field("name", "name", Text, Required),
        field("version", "version", Int, Required),
        field("status", "status", Enum, Default::Text("draft")),
        field("signals", "signals", Array, EmptyArray),
        field("weights", "weights", Document, EmptyDocument),
        field("thresholds", "thresholds", Document, EmptyDocument),
        field("overrides", "overrides", Document, EmptyDocument),
        hashed(
            "digest",
            Hashed::ProfileContent {
                status: "status",
                unless: "draft",
            },
        ),
        field("created_at", "createdAt", Time, Required),
        field("updated_at", "updatedAt", Time, SameAs("createdAt")),
    ],
    carry: None,
    dropped: &[(
        "contentHash",
        "computed again from the content: the export's own hash is not trusted",
    )],
    keep: Keep::All,
};

pub static POLICY_EXCEPTIONS: Mapping = Mapping {
    module: "policy",
    collection: "policy_exceptions",
    table: "policy.exceptions",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field("name", "name", Text, Required),
        field(
            "pack_id",
            "policyId",
            Ref("policies", Reference::Required),
            Null,
        ),
        field("rule_key", "ruleKey", Text, Null),
        field("scope", "scope", Document, EmptyDocument),
        field("status", "status", Enum, Default::Text("proposed")),
        field("reason", "reason", Text, Required),
        field("requested_by", "requestedBy", Text, Required),
        field("approved_by", "approvedBy", Text, Null),
        field("approved_at", "approvedAt", Time, Null),
        field("expires_at", "expiresAt", Time, Required),
        field("created_at", "createdAt", Time, Required),
        field("updated_at", "updatedAt", Time, SameAs("createdAt")),
    ],
    carry: Some("scope"),
    dropped: &[],
    keep: Keep::All,
};

pub static POLICY_RUNS: Mapping = Mapping {
    module: "policy",
    collection: "policy_runs",
    table: "policy.evaluation_runs",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field(
            "pack_version_id",
            "revisionId",
            Ref("policy_revisions", Reference::Required),
            Required,
        ),
        field(
            "risk_profile_id",
            "riskProfileId",
            Ref("risk_profiles", Reference::Required),
            Null,
        ),
        field("mode", "mode", Enum, Required),
        field("status", "status", Enum, Required),
        field("input_digest", "inputDigest", Text, Null),
        field("determinism_hash", "determinismHash", Text, Null),
        field("findings_total", "findingsTotal", Int, Default::Int(0)),
        field("findings_changed", "findingsChanged", Int, Default::Int(0)),
        field("stats", "stats", Document, EmptyDocument),
        field("error", "error", Text, Null),
        field("created_at", "createdAt", Time, Required),
        field("started_at", "startedAt", Time, Null),
        field("completed_at", "completedAt", Time, Null),
    ],
    carry: Some("stats"),
    dropped: &[],
    keep: Keep::ActiveOrRecent {
        status: "status",
        active: &["queued", "running"],
        field: "createdAt",
        days: 30,
    },
};

pub static POLICY_EXPLANATIONS: Mapping = Mapping {
    module: "policy",
    collection: "policy_explanations",
    table: "policy.explanations",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field(
            "evaluation_run_id",
            "runId",
            Ref("policy_runs", Reference::Cascade),
            Required,
        ),
        field("finding_key", "findingKey", Text, Required),
        field(
            "rule_id",
            "ruleId",
            Ref("policy_rules", Reference::Required),
            Null,
        ),
        field("verdict", "verdict", Enum, Required),
        field("severity", "severity", Enum, Null),
        field("inputs", "inputs", Document, EmptyDocument),
        field("trace", "trace", Array, EmptyArray),
        field("created_at", "createdAt", Time, Required),
    ],
    carry: Some("inputs"),
    dropped: &[],
    keep: Keep::All,
};

pub static POLICY_AUDIT: Mapping = Mapping {
    module: "policy",
    collection: "policy_audit",
    table: "policy.audit",
    id_column: "id",
    columns: TRAIL_COLUMNS,
    carry: Some("payload"),
    dropped: &[],
    keep: Keep::All,
};
