//! `authority_tenants` (tier A) to `authority.tenants`: the registry every
//! other Authority row points at.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "authority",
    name: "tenants",
    columns: &[
        ("id", Uuid),
        ("code", Text),
        ("display_name", Text),
        ("status", Text),
        ("settings", Jsonb),
        ("created_at", Time),
        ("updated_at", Time),
    ],
    tenant_scoped: false,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let code = cx.tenant(f, "code", false)?;
    cx.unique("tenant code", &code)?;
    let display_name = f.text("displayName")?;
    let status = f
        .opt_one_of("status", &["active", "suspended", "trial", "terminated"])?
        .unwrap_or_else(|| "active".into());
    let mut settings = f.document("settings")?;
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    f.carry_rest_into("settings", &mut settings)?;
    Ok(Conversion::row(vec![
        Value::Uuid(id),
        Value::Text(code),
        Value::Text(display_name),
        Value::Text(status),
        json(settings),
        Value::Time(created_at),
        Value::Time(updated_at),
    ]))
}
