//! `escalation_policies` (tier A) to `notify.escalation_policies`: the
//! ordered steps as they are, a repeat count that is never negative.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "notify",
    name: "escalation_policies",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("name", Text),
        ("enabled", Bool),
        ("steps", Jsonb),
        ("repeat_count", Int4),
        ("created_at", Time),
        ("updated_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let name = f.nonempty_text("name")?;
    let enabled = f.bool_or("enabled", true)?;
    let steps = f.array("steps")?;
    let repeat_count = f.opt_int32("repeatCount")?.unwrap_or(0);
    if repeat_count < 0 {
        return Err(Reject::field("repeatCount", "is negative"));
    }
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    f.no_rest("notify.escalation_policies")?;
    cx.unique(&format!("escalation policy name of tenant {tenant}"), &name)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(name),
        Value::Bool(enabled),
        Value::Json(serde_json::Value::Array(steps)),
        Value::Int(repeat_count),
        Value::Time(created_at),
        Value::Time(updated_at),
    ]))
}
