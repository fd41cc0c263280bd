//! `policy_rules` (tier A) to `policy.rules`: the rules of a version, a
//! key unique in it, a priority in the repositories' range; fields the
//! table has no column for are carried in `condition` under `_mongo`.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "policy",
    name: "rules",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("pack_version_id", Uuid),
        ("rule_key", Text),
        ("name", Text),
        ("severity", Text),
        ("action", Text),
        ("condition", Jsonb),
        ("priority", Int4),
        ("created_at", Time),
    ],
    tenant_scoped: true,
};

/// The severities of the schema's CHECK lists (rules and explanations).
pub const SEVERITIES: &[&str] = &["critical", "high", "medium", "low", "info", "none"];

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let version_ref = f.opt_reference("revisionId", "policy_revisions")?;
    let rule_key = f.nonempty_text("ruleKey")?;
    let name = f.text("name")?;
    let severity = f.one_of("severity", SEVERITIES)?;
    let action = f.one_of(
        "action",
        &[
            "block",
            "warn",
            "ignore",
            "escalate",
            "require_vex",
            "defer",
        ],
    )?;
    let mut condition = f.document("condition")?;
    let priority = f.opt_int32("priority")?.unwrap_or(0);
    let bound = i64::from(stellaops_storage::policy::MAX_RULE_PRIORITY);
    if !(-bound..=bound).contains(&priority) {
        return Err(Reject::field(
            "priority",
            format!("{priority} is outside -{bound} to {bound}"),
        ));
    }
    let created_at = f.time("createdAt")?;
    f.carry_rest_into("condition", &mut condition)?;
    let version_id = cx
        .full_reference("revisionId", "policy_revisions", &tenant, version_ref)?
        .ok_or_else(|| Reject::field("revisionId", "is missing"))?;
    cx.unique(
        &format!("rule key of a pack version of tenant {tenant}"),
        &format!("{version_id}/{rule_key}"),
    )?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Uuid(version_id),
        Value::Text(rule_key),
        Value::Text(name),
        Value::Text(severity),
        Value::Text(action),
        json(condition),
        Value::Int(priority),
        Value::Time(created_at),
    ]))
}
