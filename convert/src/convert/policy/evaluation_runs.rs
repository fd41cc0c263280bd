//! `policy_runs` (tier B) to `policy.evaluation_runs`: queued and running
//! runs whatever their age, the others created in the last 30 days; fields
//! the table has no column for are carried in `stats` under `_mongo`.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text, opt_time, opt_uuid};
use crate::table::{ColumnType::*, Table, Value};

/// The window of finished runs.
pub const WINDOW_DAYS: i64 = 30;

pub static TABLE: Table = Table {
    schema: "policy",
    name: "evaluation_runs",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("pack_version_id", Uuid),
        ("risk_profile_id", Uuid),
        ("mode", Text),
        ("status", Text),
        ("input_digest", Text),
        ("determinism_hash", Text),
        ("findings_total", Int4),
        ("findings_changed", Int4),
        ("stats", Jsonb),
        ("error", Text),
        ("created_at", Time),
        ("started_at", Time),
        ("completed_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let version_ref = f.opt_reference("revisionId", "policy_revisions")?;
    let profile_ref = f.opt_reference("riskProfileId", "risk_profiles")?;
    let mode = f.one_of("mode", &["full", "incremental", "simulate"])?;
    let status = f.one_of(
        "status",
        &["queued", "running", "completed", "failed", "cancelled"],
    )?;
    let input_digest = f.opt_text("inputDigest")?;
    let determinism_hash = f.opt_text("determinismHash")?;
    let findings_total = f.opt_int32("findingsTotal")?.unwrap_or(0);
    let findings_changed = f.opt_int32("findingsChanged")?.unwrap_or(0);
    if findings_total < 0 || findings_changed < 0 {
        return Err(Reject::field(
            "findingsTotal",
            format!("{findings_total} total, {findings_changed} changed: neither may be negative"),
        ));
    }
    let mut stats = f.document("stats")?;
    let error = f.opt_text("error")?;
    let created_at = f.time("createdAt")?;
    let started_at = f.opt_time("startedAt")?;
    let completed_at = f.opt_time("completedAt")?;
    f.carry_rest_into("stats", &mut stats)?;
    let active = matches!(status.as_str(), "queued" | "running");
    if !active && !cx.within_days(created_at, WINDOW_DAYS) {
        return Ok(Conversion::Skipped(format!(
            "{status} and older than {WINDOW_DAYS} days (created {created_at})"
        )));
    }
    let version_id = cx
        .full_reference("revisionId", "policy_revisions", &tenant, version_ref)?
        .ok_or_else(|| Reject::field("revisionId", "is missing"))?;
    let profile_id = cx.full_reference("riskProfileId", "risk_profiles", &tenant, profile_ref)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Uuid(version_id),
        opt_uuid(profile_id),
        Value::Text(mode),
        Value::Text(status),
        opt_text(input_digest),
        opt_text(determinism_hash),
        Value::Int(findings_total),
        Value::Int(findings_changed),
        json(stats),
        opt_text(error),
        Value::Time(created_at),
        opt_time(started_at),
        opt_time(completed_at),
    ]))
}
