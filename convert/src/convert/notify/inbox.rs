//! `inbox` (tier B): messages created in the last 90 days. The user id is
//! an Authority user's UUID (no foreign key across schemas); one message
//! per user and event.

use uuid::Uuid;

use super::incidents::SEVERITIES;
use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text, opt_time};
use crate::table::{ColumnType::*, Table, Value};

/// The window of inbox messages.
pub const WINDOW_DAYS: i64 = 90;

pub static TABLE: Table = Table {
    schema: "notify",
    name: "inbox",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("user_id", Uuid),
        ("event_id", Text),
        ("title", Text),
        ("body", Text),
        ("severity", Text),
        ("payload", Jsonb),
        ("read_at", Time),
        ("archived_at", Time),
        ("created_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let user_id = f.uuid("userId")?;
    let event_id = f.text("eventId")?;
    let title = f.text("title")?;
    let body = f.opt_text("body")?;
    let severity = f
        .opt_one_of("severity", SEVERITIES)?
        .unwrap_or_else(|| "info".into());
    let mut payload = f.document("payload")?;
    let read_at = f.opt_time("readAt")?;
    let archived_at = f.opt_time("archivedAt")?;
    let created_at = f.time("createdAt")?;
    f.carry_rest_into("payload", &mut payload)?;
    if !cx.within_days(created_at, WINDOW_DAYS) {
        return Ok(Conversion::Skipped(format!(
            "older than {WINDOW_DAYS} days (created {created_at})"
        )));
    }
    cx.unique(
        &format!("inbox message (user, event) of tenant {tenant}"),
        &format!("{user_id}/{event_id}"),
    )?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Uuid(user_id),
        Value::Text(event_id),
        Value::Text(title),
        opt_text(body),
        Value::Text(severity),
        json(payload),
        opt_time(read_at),
        opt_time(archived_at),
        Value::Time(created_at),
    ]))
}
