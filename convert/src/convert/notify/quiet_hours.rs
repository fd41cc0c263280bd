//! `quiet_hours` (tier A) to `notify.quiet_hours`: wall-clock start and
//! end (`HH:MM[:SS]`; an end before the start spans midnight) on ISO
//! weekdays in an IANA time zone, for a tenant or one of its channels.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, opt_uuid};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "notify",
    name: "quiet_hours",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("name", Text),
        ("channel_id", Uuid),
        ("timezone", Text),
        ("days_of_week", SmallIntArray),
        ("starts_at", Clock),
        ("ends_at", Clock),
        ("enabled", Bool),
        ("created_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let name = f.nonempty_text("name")?;
    let channel_ref = f.opt_reference("channelId", "channels")?;
    let timezone = f.opt_text("timezone")?.unwrap_or_else(|| "UTC".into());
    stellaops_storage::input::time_zone("timezone", &timezone)
        .map_err(|e| Reject::field("timezone", e))?;
    let days_of_week = f.days_of_week("daysOfWeek")?;
    let starts_at = f.clock("startsAt")?;
    let ends_at = f.clock("endsAt")?;
    if starts_at == ends_at {
        return Err(Reject::field(
            "endsAt",
            "equals startsAt: an empty quiet period",
        ));
    }
    let enabled = f.bool_or("enabled", true)?;
    let created_at = f.time("createdAt")?;
    f.no_rest("notify.quiet_hours")?;
    let channel_id = cx.full_reference("channelId", "channels", &tenant, channel_ref)?;
    cx.unique(&format!("quiet hours name of tenant {tenant}"), &name)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(name),
        opt_uuid(channel_id),
        Value::Text(timezone),
        Value::Ints(days_of_week),
        Value::Clock(starts_at),
        Value::Clock(ends_at),
        Value::Bool(enabled),
        Value::Time(created_at),
    ]))
}
