//! `schedules` (tier A) to `scheduler.schedules`. Soft-deleted schedules
//! are converted too (tier A is converted in full); a live name is unique
//! per tenant, a deleted one frees it.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text, opt_time};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "scheduler",
    name: "schedules",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("name", Text),
        ("description", Text),
        ("enabled", Bool),
        ("cron_expression", Text),
        ("timezone", Text),
        ("mode", Text),
        ("selection", Jsonb),
        ("only_if", Jsonb),
        ("notify", Jsonb),
        ("limits", Jsonb),
        ("next_fire_at", Time),
        ("last_fired_at", Time),
        ("created_at", Time),
        ("created_by", Text),
        ("updated_at", Time),
        ("updated_by", Text),
        ("deleted_at", Time),
        ("deleted_by", Text),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let name = f.nonempty_text("name")?;
    let description = f.opt_text("description")?;
    let enabled = f.bool_or("enabled", true)?;
    let cron_expression = f.nonempty_text("cronExpression")?;
    let timezone = f.opt_text("timezone")?.unwrap_or_else(|| "UTC".into());
    let mode = f
        .opt_one_of("mode", &["analysis_only", "content_refresh"])?
        .unwrap_or_else(|| "analysis_only".into());
    let selection = f.document("selection")?;
    let only_if = f.document("onlyIf")?;
    let notify = f.document("notify")?;
    let limits = f.document("limits")?;
    let next_fire_at = f.opt_time("nextFireAt")?;
    let last_fired_at = f.opt_time("lastFiredAt")?;
    let created_at = f.time("createdAt")?;
    let created_by = f.text("createdBy")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    let updated_by = f
        .opt_text("updatedBy")?
        .unwrap_or_else(|| created_by.clone());
    let deleted_at = f.opt_time("deletedAt")?;
    let deleted_by = f.opt_text("deletedBy")?;
    if deleted_at.is_some() != deleted_by.is_some() {
        return Err(Reject::field(
            "deletedAt",
            "deletedAt and deletedBy must be both set or both missing",
        ));
    }
    f.no_rest("scheduler.schedules")?;
    if deleted_at.is_none() {
        cx.unique(&format!("live schedule name of tenant {tenant}"), &name)?;
    }
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(name),
        opt_text(description),
        Value::Bool(enabled),
        Value::Text(cron_expression),
        Value::Text(timezone),
        Value::Text(mode),
        json(selection),
        json(only_if),
        json(notify),
        json(limits),
        opt_time(next_fire_at),
        opt_time(last_fired_at),
        Value::Time(created_at),
        Value::Text(created_by),
        Value::Time(updated_at),
        Value::Text(updated_by),
        opt_time(deleted_at),
        opt_text(deleted_by),
    ]))
}
