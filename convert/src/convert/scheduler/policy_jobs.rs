//! `policy_jobs` (tier B: active or recent, as graph jobs) to
//! `scheduler.policy_jobs`. A job whose run is outside the runs' window
//! keeps the job and clears the run, as the foreign key's ON DELETE SET
//! NULL would when the run is pruned; the report notes it.

use uuid::Uuid;

use super::graph_jobs::{ACTIVE, RECENT_DAYS};
use crate::convert::{
    Context, Conversion, Fields, OnSkipped, Reference, Reject, json, opt_text, opt_time, opt_uuid,
};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "scheduler",
    name: "policy_jobs",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("run_id", Uuid),
        ("policy_pack_id", Text),
        ("policy_version", Int4),
        ("mode", Text),
        ("status", Text),
        ("priority", Int4),
        ("attempts", Int4),
        ("max_attempts", Int4),
        ("lease_owner", Text),
        ("lease_expires_at", Time),
        ("fencing_token", Int8),
        ("inputs", Jsonb),
        ("result", Jsonb),
        ("error", Text),
        ("created_at", Time),
        ("started_at", Time),
        ("completed_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let run_ref = f.opt_reference("runId", "runs")?;
    let policy_pack_id = f.text("policyPackId")?;
    let policy_version = f
        .opt_int32("policyVersion")?
        .ok_or_else(|| Reject::field("policyVersion", "is missing"))?;
    if policy_version <= 0 {
        return Err(Reject::field(
            "policyVersion",
            format!("{policy_version} is not positive"),
        ));
    }
    let mode = f.one_of("mode", &["full", "incremental", "simulate"])?;
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
    let priority = f.opt_int32("priority")?.unwrap_or(0);
    let attempts = f.opt_int32("attempts")?.unwrap_or(0);
    let max_attempts = f.opt_int32("maxAttempts")?.unwrap_or(3);
    if attempts < 0 || max_attempts <= 0 {
        return Err(Reject::field(
            "attempts",
            format!("{attempts} of {max_attempts} is out of range"),
        ));
    }
    let lease_owner = f.opt_text("leaseOwner")?;
    let lease_expires_at = f.opt_time("leaseExpiresAt")?;
    let fencing_token = f.opt_int64("fencingToken")?.unwrap_or(0);
    let mut inputs = f.document("inputs")?;
    let result = f.opt_document("result")?;
    let error = f.opt_text("error")?;
    let created_at = f.time("createdAt")?;
    let started_at = f.opt_time("startedAt")?;
    let completed_at = f.opt_time("completedAt")?;
    f.carry_rest_into("inputs", &mut inputs)?;
    if !ACTIVE.contains(&status.as_str()) && !cx.within_days(created_at, RECENT_DAYS) {
        return Ok(Conversion::Skipped(format!(
            "{status} and older than {RECENT_DAYS} days (created {created_at})"
        )));
    }
    let mut notes = Vec::new();
    let run_id = match cx.foreign_key("runId", "runs", &tenant, run_ref, OnSkipped::SetNull)? {
        Reference::Kept(id) => id,
        Reference::Cleared(note) | Reference::Cascaded(note) => {
            notes.push(note);
            None
        }
    };
    Ok(Conversion::Row {
        values: vec![
            Value::Text(tenant),
            Value::Uuid(id),
            opt_uuid(run_id),
            Value::Text(policy_pack_id),
            Value::Int(policy_version),
            Value::Text(mode),
            Value::Text(status),
            Value::Int(priority),
            Value::Int(attempts),
            Value::Int(max_attempts),
            opt_text(lease_owner),
            opt_time(lease_expires_at),
            Value::Int(fencing_token),
            json(inputs),
            result.map_or(Value::Null, json),
            opt_text(error),
            Value::Time(created_at),
            opt_time(started_at),
            opt_time(completed_at),
        ],
        notes,
    })
}
