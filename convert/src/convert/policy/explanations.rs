//! `policy_explanations` (tier B, with their run) to `policy.explanations`:
//! an explanation whose run was left out by its window goes with it (ON
//! DELETE CASCADE); one per finding of a run; fields the table has no
//! column for are carried in `inputs` under `_mongo`.

use uuid::Uuid;

use super::rules::SEVERITIES;
use crate::convert::{
    Context, Conversion, Fields, OnSkipped, Reference, Reject, json, opt_text, opt_uuid,
};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "policy",
    name: "explanations",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("evaluation_run_id", Uuid),
        ("finding_key", Text),
        ("rule_id", Uuid),
        ("verdict", Text),
        ("severity", Text),
        ("inputs", Jsonb),
        ("trace", Jsonb),
        ("created_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let run_ref = f.opt_reference("runId", "policy_runs")?;
    let finding_key = f.nonempty_text("findingKey")?;
    let rule_ref = f.opt_reference("ruleId", "policy_rules")?;
    let verdict = f.one_of("verdict", &["pass", "warn", "fail", "ignored", "deferred"])?;
    let severity = f.opt_one_of("severity", SEVERITIES)?;
    let mut inputs = f.document("inputs")?;
    let trace = f.array("trace")?;
    let created_at = f.time("createdAt")?;
    f.carry_rest_into("inputs", &mut inputs)?;
    if run_ref.is_none() {
        return Err(Reject::field("runId", "is missing"));
    }
    let run_id =
        match cx.foreign_key("runId", "policy_runs", &tenant, run_ref, OnSkipped::Cascade)? {
            Reference::Kept(Some(id)) => id,
            Reference::Kept(None) => return Err(Reject::field("runId", "is missing")),
            Reference::Cleared(note) | Reference::Cascaded(note) => {
                return Ok(Conversion::Skipped(note));
            }
        };
    let rule_id = cx.full_reference("ruleId", "policy_rules", &tenant, rule_ref)?;
    cx.unique(
        &format!("finding of a run of tenant {tenant}"),
        &format!("{run_id}/{finding_key}"),
    )?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Uuid(run_id),
        Value::Text(finding_key),
        opt_uuid(rule_id),
        Value::Text(verdict),
        opt_text(severity),
        json(inputs),
        Value::Json(serde_json::Value::Array(trace)),
        Value::Time(created_at),
    ]))
}
