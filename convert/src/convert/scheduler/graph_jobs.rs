//! `graph_jobs` (tier B: active or recent) to `scheduler.graph_jobs`.
//! Active: pending, queued or running; recent: created in the last 30 days.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text, opt_time};
use crate::table::{ColumnType::*, Table, Value};

/// How far back a finished job still counts as recent.
pub const RECENT_DAYS: i64 = 30;
/// Job states that are still active, whatever their age.
pub const ACTIVE: &[&str] = &["pending", "queued", "running"];

pub static TABLE: Table = Table {
    schema: "scheduler",
    name: "graph_jobs",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("kind", Text),
        ("status", Text),
        ("sbom_id", Text),
        ("sbom_version_id", Text),
        ("sbom_digest", Text),
        ("graph_snapshot_id", Text),
        ("trigger", Text),
        ("priority", Int4),
        ("attempts", Int4),
        ("lease_owner", Text),
        ("lease_expires_at", Time),
        ("fencing_token", Int8),
        ("correlation_id", Text),
        ("payload", Jsonb),
        ("error", Text),
        ("created_at", Time),
        ("started_at", Time),
        ("completed_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let kind = f.one_of("kind", &["build", "overlay"])?;
    let status = f.one_of(
        "status",
        &[
            "pending",
            "queued",
            "running",
            "completed",
            "failed",
            "cancelled",
        ],
    )?;
    let sbom_id = f.text("sbomId")?;
    let sbom_version_id = f.opt_text("sbomVersionId")?;
    let sbom_digest = f.text("sbomDigest")?;
    let graph_snapshot_id = f.opt_text("graphSnapshotId")?;
    let trigger = f.one_of(
        "trigger",
        &[
            "sbom_version",
            "backfill",
            "manual",
            "policy_run",
            "advisory_delta",
        ],
    )?;
    let priority = f.opt_int32("priority")?.unwrap_or(0);
    let attempts = f.opt_int32("attempts")?.unwrap_or(0);
    if attempts < 0 {
        return Err(Reject::field("attempts", "is negative"));
    }
    let lease_owner = f.opt_text("leaseOwner")?;
    let lease_expires_at = f.opt_time("leaseExpiresAt")?;
    let fencing_token = f.opt_int64("fencingToken")?.unwrap_or(0);
    let correlation_id = f.opt_text("correlationId")?;
    let mut payload = f.document("payload")?;
    let error = f.opt_text("error")?;
    let created_at = f.time("createdAt")?;
    let started_at = f.opt_time("startedAt")?;
    let completed_at = f.opt_time("completedAt")?;
    f.carry_rest_into("payload", &mut payload)?;
    if !ACTIVE.contains(&status.as_str()) && !cx.within_days(created_at, RECENT_DAYS) {
        return Ok(Conversion::Skipped(format!(
            "{status} and older than {RECENT_DAYS} days (created {created_at})"
        )));
    }
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(kind),
        Value::Text(status),
        Value::Text(sbom_id),
        opt_text(sbom_version_id),
        Value::Text(sbom_digest),
        opt_text(graph_snapshot_id),
        Value::Text(trigger),
        Value::Int(priority),
        Value::Int(attempts),
        opt_text(lease_owner),
        opt_time(lease_expires_at),
        Value::Int(fencing_token),
        opt_text(correlation_id),
        json(payload),
        opt_text(error),
        Value::Time(created_at),
        opt_time(started_at),
        opt_time(completed_at),
    ]))
}
