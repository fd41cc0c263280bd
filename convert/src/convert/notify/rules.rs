//! `rules` (tier A) to `notify.rules`: each names a channel of its tenant
//! and perhaps a template; fields the table has no column for are carried
//! in `filter` under `_mongo`.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_uuid};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "notify",
    name: "rules",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("name", Text),
        ("enabled", Bool),
        ("priority", Int4),
        ("event_kinds", TextArray),
        ("filter", Jsonb),
        ("channel_id", Uuid),
        ("template_id", Uuid),
        ("throttle_seconds", Int4),
        ("digest", Text),
        ("created_at", Time),
        ("updated_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let name = f.nonempty_text("name")?;
    let enabled = f.bool_or("enabled", true)?;
    let priority = f.opt_int32("priority")?.unwrap_or(0);
    let event_kinds = f.strings("eventKinds")?;
    let mut filter = f.document("filter")?;
    let channel_ref = f.opt_reference("channelId", "channels")?;
    let template_ref = f.opt_reference("templateId", "templates")?;
    let throttle_seconds = f.opt_int32("throttleSeconds")?.unwrap_or(0);
    if throttle_seconds < 0 {
        return Err(Reject::field("throttleSeconds", "is negative"));
    }
    let digest = f
        .opt_one_of("digest", &["instant", "hourly", "daily"])?
        .unwrap_or_else(|| "instant".into());
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    f.carry_rest_into("filter", &mut filter)?;
    let channel_id = cx
        .full_reference("channelId", "channels", &tenant, channel_ref)?
        .ok_or_else(|| Reject::field("channelId", "is missing"))?;
    let template_id = cx.full_reference("templateId", "templates", &tenant, template_ref)?;
    cx.unique(&format!("rule name of tenant {tenant}"), &name)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(name),
        Value::Bool(enabled),
        Value::Int(priority),
        Value::TextArray(event_kinds),
        json(filter),
        Value::Uuid(channel_id),
        opt_uuid(template_id),
        Value::Int(throttle_seconds),
        Value::Text(digest),
        Value::Time(created_at),
        Value::Time(updated_at),
    ]))
}
