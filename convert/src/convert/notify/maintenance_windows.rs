//! `maintenance_windows` (tier A) to `notify.maintenance_windows`: an
//! interval of instants that must end after it starts.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, opt_text};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "notify",
    name: "maintenance_windows",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("name", Text),
        ("description", Text),
        ("suppressed_event_kinds", TextArray),
        ("starts_at", Time),
        ("ends_at", Time),
        ("created_by", Text),
        ("created_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let name = f.nonempty_text("name")?;
    let description = f.opt_text("description")?;
    let suppressed = f.strings("suppressedEventKinds")?;
    let starts_at = f.time("startsAt")?;
    let ends_at = f.time("endsAt")?;
    if ends_at <= starts_at {
        return Err(Reject::field(
            "endsAt",
            format!("{ends_at} is not after startsAt {starts_at}"),
        ));
    }
    let created_by = f.text("createdBy")?;
    let created_at = f.time("createdAt")?;
    f.no_rest("notify.maintenance_windows")?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(name),
        opt_text(description),
        Value::TextArray(suppressed),
        Value::Time(starts_at),
        Value::Time(ends_at),
        Value::Text(created_by),
        Value::Time(created_at),
    ]))
}
