//! `on_call_schedules` (tier A) to `notify.on_call_schedules`: rotations
//! in an IANA time zone (a zone chrono-tz does not know is refused).

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "notify",
    name: "on_call_schedules",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("name", Text),
        ("timezone", Text),
        ("rotation", Text),
        ("participants", Jsonb),
        ("overrides", Jsonb),
        ("created_at", Time),
        ("updated_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let name = f.nonempty_text("name")?;
    let timezone = f.opt_text("timezone")?.unwrap_or_else(|| "UTC".into());
    stellaops_storage::input::time_zone("timezone", &timezone)
        .map_err(|e| Reject::field("timezone", e))?;
    let rotation = f
        .opt_one_of("rotation", &["daily", "weekly", "custom"])?
        .unwrap_or_else(|| "weekly".into());
    let participants = f.array("participants")?;
    let overrides = f.array("overrides")?;
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    f.no_rest("notify.on_call_schedules")?;
    cx.unique(&format!("on-call schedule name of tenant {tenant}"), &name)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(name),
        Value::Text(timezone),
        Value::Text(rotation),
        Value::Json(serde_json::Value::Array(participants)),
        Value::Json(serde_json::Value::Array(overrides)),
        Value::Time(created_at),
        Value::Time(updated_at),
    ]))
}
