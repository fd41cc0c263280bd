//! `runs` (tier B: the last 180 days by creation) to `scheduler.runs`.
//! A run of a schedule the export does not have is an orphan and is
//! refused (the foreign key would refuse it anyway).

use uuid::Uuid;

use crate::convert::{
    Context, Conversion, Fields, OnSkipped, Reference, Reject, json, opt_text, opt_time, opt_uuid,
};
use crate::table::{ColumnType::*, Table, Value};

/// The window of tier B runs.
pub const WINDOW_DAYS: i64 = 180;

pub static TABLE: Table = Table {
    schema: "scheduler",
    name: "runs",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("schedule_id", Uuid),
        ("trigger", Text),
        ("state", Text),
        ("reason", Jsonb),
        ("stats", Jsonb),
        ("deltas", Jsonb),
        ("error", Text),
        ("retry_of", Uuid),
        ("created_at", Time),
        ("started_at", Time),
        ("finished_at", Time),
        ("priority", Int4),
        ("due_at", Time),
        ("attempt", Int4),
        ("max_attempts", Int4),
        ("claimed_by", Text),
        ("heartbeat_at", Time),
        ("scheduled_for", Time),
    ],
    tenant_scoped: true,
};

const TRIGGERS: &[&str] = &["cron", "manual", "feedser", "vexer", "conselier", "excitor"];
const STATES: &[&str] = &[
    "planning",
    "queued",
    "running",
    "completed",
    "error",
    "cancelled",
];

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let schedule_ref = f.opt_reference("scheduleId", "schedules")?;
    let trigger = f.one_of("trigger", TRIGGERS)?;
    let state = f.one_of("state", STATES)?;
    let reason = f.document("reason")?;
    let stats = f.document("stats")?;
    let deltas = f.array("deltas")?;
    let error = f.opt_text("error")?;
    let retry_of = f.opt_reference("retryOf", "runs")?;
    let created_at = f.time("createdAt")?;
    let started_at = f.opt_time("startedAt")?;
    let finished_at = f.opt_time("finishedAt")?;
    if let (Some(started), Some(finished)) = (started_at, finished_at)
        && finished < started
    {
        return Err(Reject::field("finishedAt", "is before startedAt"));
    }
    let priority = f.opt_int32("priority")?.unwrap_or(0);
    let due_at = f.opt_time("dueAt")?;
    let attempt = f.opt_int32("attempt")?.unwrap_or(0);
    let max_attempts = f.opt_int32("maxAttempts")?.unwrap_or(3);
    if max_attempts <= 0 || attempt < 0 || attempt > max_attempts {
        return Err(Reject::field(
            "attempt",
            format!("attempt {attempt} of {max_attempts} is out of range"),
        ));
    }
    let claimed_by = f.opt_text("claimedBy")?;
    if state == "running" && claimed_by.is_none() {
        return Err(Reject::field(
            "claimedBy",
            "a running run must name its worker",
        ));
    }
    let heartbeat_at = f.opt_time("heartbeatAt")?;
    let scheduled_for = f.opt_time("scheduledFor")?;
    f.no_rest("scheduler.runs")?;
    if !cx.within_days(created_at, WINDOW_DAYS) {
        return Ok(Conversion::Skipped(format!(
            "older than {WINDOW_DAYS} days (created {created_at})"
        )));
    }
    let mut notes = Vec::new();
    let schedule_id = match cx.foreign_key(
        "scheduleId",
        "schedules",
        &tenant,
        schedule_ref,
        OnSkipped::SetNull,
    )? {
        Reference::Kept(id) => id,
        Reference::Cleared(note) | Reference::Cascaded(note) => {
            notes.push(note);
            None
        }
    };
    if let (Some(schedule), Some(tick)) = (schedule_id, scheduled_for) {
        cx.unique(
            &format!("tick of schedule {schedule} of tenant {tenant}"),
            &tick.to_rfc3339(),
        )?;
    }
    Ok(Conversion::Row {
        values: vec![
            Value::Text(tenant),
            Value::Uuid(id),
            opt_uuid(schedule_id),
            Value::Text(trigger),
            Value::Text(state),
            json(reason),
            json(stats),
            Value::Json(serde_json::Value::Array(deltas)),
            opt_text(error),
            opt_uuid(retry_of),
            Value::Time(created_at),
            opt_time(started_at),
            opt_time(finished_at),
            Value::Int(priority),
            opt_time(due_at),
            Value::Int(attempt),
            Value::Int(max_attempts),
            opt_text(claimed_by),
            opt_time(heartbeat_at),
            opt_time(scheduled_for),
        ],
        notes,
    })
}
