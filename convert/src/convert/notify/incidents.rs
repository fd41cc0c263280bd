//! `incidents` (tier B): open and acknowledged incidents whatever their
//! age, resolved ones opened in the last 90 days. One incident of a
//! correlation key is open at a time.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text, opt_time, opt_uuid};
use crate::table::{ColumnType::*, Table, Value};

/// The window of resolved incidents.
pub const WINDOW_DAYS: i64 = 90;

/// The severities of the schema's CHECK list (incidents and inbox).
pub const SEVERITIES: &[&str] = &["critical", "high", "medium", "low", "info"];

pub static TABLE: Table = Table {
    schema: "notify",
    name: "incidents",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("correlation_key", Text),
        ("title", Text),
        ("severity", Text),
        ("status", Text),
        ("escalation_policy_id", Uuid),
        ("event_count", Int4),
        ("payload", Jsonb),
        ("opened_at", Time),
        ("acknowledged_at", Time),
        ("acknowledged_by", Text),
        ("resolved_at", Time),
        ("resolved_by", Text),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let correlation_key = f.nonempty_text("correlationKey")?;
    let title = f.text("title")?;
    let severity = f.one_of("severity", SEVERITIES)?;
    let status = f.one_of("status", &["open", "acknowledged", "resolved"])?;
    let policy_ref = f.opt_reference("escalationPolicyId", "escalation_policies")?;
    let event_count = f.opt_int32("eventCount")?.unwrap_or(1);
    if event_count <= 0 {
        return Err(Reject::field(
            "eventCount",
            format!("{event_count} is not positive"),
        ));
    }
    let mut payload = f.document("payload")?;
    let opened_at = f.time("openedAt")?;
    let acknowledged_at = f.opt_time("acknowledgedAt")?;
    let acknowledged_by = f.opt_text("acknowledgedBy")?;
    let resolved_at = f.opt_time("resolvedAt")?;
    let resolved_by = f.opt_text("resolvedBy")?;
    if status == "resolved" && resolved_at.is_none() {
        return Err(Reject::field(
            "resolvedAt",
            "a resolved incident must say when",
        ));
    }
    f.carry_rest_into("payload", &mut payload)?;
    if status == "resolved" && !cx.within_days(opened_at, WINDOW_DAYS) {
        return Ok(Conversion::Skipped(format!(
            "resolved and opened more than {WINDOW_DAYS} days ago (opened {opened_at})"
        )));
    }
    let policy_id = cx.full_reference(
        "escalationPolicyId",
        "escalation_policies",
        &tenant,
        policy_ref,
    )?;
    if status != "resolved" {
        cx.unique(
            &format!("open incident correlation key of tenant {tenant}"),
            &correlation_key,
        )?;
    }
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(correlation_key),
        Value::Text(title),
        Value::Text(severity),
        Value::Text(status),
        opt_uuid(policy_id),
        Value::Int(event_count),
        json(payload),
        Value::Time(opened_at),
        opt_time(acknowledged_at),
        opt_text(acknowledged_by),
        opt_time(resolved_at),
        opt_text(resolved_by),
    ]))
}
