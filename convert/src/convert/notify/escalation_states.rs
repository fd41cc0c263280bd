//! `escalation_states` (tier B): active escalations whatever their age,
//! the others created in the last 30 days. A state whose incident was left
//! out goes with it (ON DELETE CASCADE); one active state per incident.

use uuid::Uuid;

use crate::convert::{
    Context, Conversion, Fields, OnSkipped, Reference, Reject, opt_text, opt_time,
};
use crate::table::{ColumnType::*, Table, Value};

/// The window of finished escalations.
pub const WINDOW_DAYS: i64 = 30;

pub static TABLE: Table = Table {
    schema: "notify",
    name: "escalation_states",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("incident_id", Uuid),
        ("policy_id", Uuid),
        ("status", Text),
        ("current_step", Int4),
        ("repeat_iteration", Int4),
        ("next_escalation_at", Time),
        ("acknowledged_at", Time),
        ("acknowledged_by", Text),
        ("created_at", Time),
        ("updated_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let incident_ref = f.opt_reference("incidentId", "incidents")?;
    let policy_ref = f.opt_reference("policyId", "escalation_policies")?;
    let status = f.one_of("status", &["active", "acknowledged", "resolved", "expired"])?;
    let current_step = f.opt_int32("currentStep")?.unwrap_or(0);
    let repeat_iteration = f.opt_int32("repeatIteration")?.unwrap_or(0);
    if current_step < 0 || repeat_iteration < 0 {
        return Err(Reject::field(
            "currentStep",
            format!("step {current_step}, iteration {repeat_iteration}: neither may be negative"),
        ));
    }
    let next_escalation_at = f.opt_time("nextEscalationAt")?;
    let acknowledged_at = f.opt_time("acknowledgedAt")?;
    let acknowledged_by = f.opt_text("acknowledgedBy")?;
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    f.no_rest("notify.escalation_states")?;
    if status != "active" && !cx.within_days(created_at, WINDOW_DAYS) {
        return Ok(Conversion::Skipped(format!(
            "{status} and older than {WINDOW_DAYS} days (created {created_at})"
        )));
    }
    if incident_ref.is_none() {
        return Err(Reject::field("incidentId", "is missing"));
    }
    let incident_id = match cx.foreign_key(
        "incidentId",
        "incidents",
        &tenant,
        incident_ref,
        OnSkipped::Cascade,
    )? {
        Reference::Kept(Some(id)) => id,
        Reference::Kept(None) => return Err(Reject::field("incidentId", "is missing")),
        Reference::Cleared(note) | Reference::Cascaded(note) => {
            return Ok(Conversion::Skipped(note));
        }
    };
    let policy_id = cx
        .full_reference("policyId", "escalation_policies", &tenant, policy_ref)?
        .ok_or_else(|| Reject::field("policyId", "is missing"))?;
    if status == "active" {
        cx.unique(
            &format!("active escalation of an incident of tenant {tenant}"),
            &incident_id.to_string(),
        )?;
    }
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Uuid(incident_id),
        Value::Uuid(policy_id),
        Value::Text(status),
        Value::Int(current_step),
        Value::Int(repeat_iteration),
        opt_time(next_escalation_at),
        opt_time(acknowledged_at),
        opt_text(acknowledged_by),
        Value::Time(created_at),
        Value::Time(updated_at),
    ]))
}
