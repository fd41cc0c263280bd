//! `digests` (tier B): windows still collecting or sending whatever their
//! age, the others whose window started in the last 30 days. The event
//! count defaults to the events listed; a window ends after it starts.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, opt_time};
use crate::table::{ColumnType::*, Table, Value};

/// The window of digests already sent or failed.
pub const WINDOW_DAYS: i64 = 30;

const ACTIVE: &[&str] = &["collecting", "sending"];

pub static TABLE: Table = Table {
    schema: "notify",
    name: "digests",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("channel_id", Uuid),
        ("recipient", Text),
        ("digest_key", Text),
        ("status", Text),
        ("event_count", Int4),
        ("events", Jsonb),
        ("window_start", Time),
        ("window_end", Time),
        ("sent_at", Time),
        ("created_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let channel_ref = f.opt_reference("channelId", "channels")?;
    let recipient = f.text("recipient")?;
    let digest_key = f.nonempty_text("digestKey")?;
    let status = f.one_of("status", &["collecting", "sending", "sent", "failed"])?;
    let events = f.array("events")?;
    let event_count = f.opt_int32("eventCount")?.unwrap_or(events.len() as i64);
    if event_count < 0 {
        return Err(Reject::field("eventCount", "is negative"));
    }
    let window_start = f.time("windowStart")?;
    let window_end = f.time("windowEnd")?;
    if window_end <= window_start {
        return Err(Reject::field(
            "windowEnd",
            format!("{window_end} is not after windowStart {window_start}"),
        ));
    }
    let sent_at = f.opt_time("sentAt")?;
    let created_at = f.opt_time("createdAt")?.unwrap_or(window_start);
    f.no_rest("notify.digests")?;
    if !ACTIVE.contains(&status.as_str()) && !cx.within_days(window_start, WINDOW_DAYS) {
        return Ok(Conversion::Skipped(format!(
            "{status} and started more than {WINDOW_DAYS} days ago (window start {window_start})"
        )));
    }
    let channel_id = cx
        .full_reference("channelId", "channels", &tenant, channel_ref)?
        .ok_or_else(|| Reject::field("channelId", "is missing"))?;
    cx.unique(
        &format!("digest window (channel, key, start) of tenant {tenant}"),
        &format!("{channel_id}/{digest_key}/{}", window_start.to_rfc3339()),
    )?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Uuid(channel_id),
        Value::Text(recipient),
        Value::Text(digest_key),
        Value::Text(status),
        Value::Int(event_count),
        Value::Json(serde_json::Value::Array(events)),
        Value::Time(window_start),
        Value::Time(window_end),
        opt_time(sent_at),
        Value::Time(created_at),
    ]))
}
