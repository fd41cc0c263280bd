//! `impact_snapshots` (tier B: the last 90 days by generation) to
//! `scheduler.impact_snapshots`. A snapshot of a run outside the runs'
//! window goes with it, as the foreign key's ON DELETE CASCADE would.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, OnSkipped, Reference, Reject, json, opt_uuid};
use crate::table::{ColumnType::*, Table, Value};

/// The window of tier B impact snapshots.
pub const WINDOW_DAYS: i64 = 90;

pub static TABLE: Table = Table {
    schema: "scheduler",
    name: "impact_snapshots",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("run_id", Uuid),
        ("snapshot_id", Text),
        ("selector", Jsonb),
        ("images", Jsonb),
        ("image_count", Int4),
        ("generated_at", Time),
        ("created_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let run_ref = f.opt_reference("runId", "runs")?;
    let snapshot_id = f.nonempty_text("snapshotId")?;
    let selector = f.document("selector")?;
    let images = f.array("images")?;
    let image_count = f.opt_int32("imageCount")?.unwrap_or(images.len() as i64);
    if image_count < 0 {
        return Err(Reject::field("imageCount", "is negative"));
    }
    let generated_at = f.time("generatedAt")?;
    let created_at = f.opt_time("createdAt")?.unwrap_or(generated_at);
    f.no_rest("scheduler.impact_snapshots")?;
    if !cx.within_days(generated_at, WINDOW_DAYS) {
        return Ok(Conversion::Skipped(format!(
            "older than {WINDOW_DAYS} days (generated {generated_at})"
        )));
    }
    let run_id = match cx.foreign_key("runId", "runs", &tenant, run_ref, OnSkipped::Cascade)? {
        Reference::Kept(id) => id,
        Reference::Cascaded(reason) | Reference::Cleared(reason) => {
            return Ok(Conversion::Skipped(reason));
        }
    };
    cx.unique(&format!("snapshotId of tenant {tenant}"), &snapshot_id)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        opt_uuid(run_id),
        Value::Text(snapshot_id),
        json(selector),
        Value::Json(serde_json::Value::Array(images)),
        Value::Int(image_count),
        Value::Time(generated_at),
        Value::Time(created_at),
    ]))
}
