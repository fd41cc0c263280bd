//! `policies` (tier A) to `policy.packs`: a pack's name is unique in its
//! tenant; the table has no column to carry unknown fields, so a document
//! with one is refused rather than cut.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, opt_text};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "policy",
    name: "packs",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("name", Text),
        ("description", Text),
        ("status", Text),
        ("active_version", Int4),
        ("created_by", Text),
        ("created_at", Time),
        ("updated_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let name = f.nonempty_text("name")?;
    let description = f.opt_text("description")?;
    let status = f
        .opt_one_of("status", &["draft", "active", "deprecated", "archived"])?
        .unwrap_or_else(|| "draft".into());
    let active_version = f.opt_int32("activeVersion")?;
    if let Some(version) = active_version
        && version <= 0
    {
        return Err(Reject::field(
            "activeVersion",
            format!("{version} is not positive"),
        ));
    }
    let created_by = f.text("createdBy")?;
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    f.no_rest("policy.packs")?;
    cx.unique(&format!("policy pack name of tenant {tenant}"), &name)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(name),
        opt_text(description),
        Value::Text(status),
        active_version.map_or(Value::Null, Value::Int),
        Value::Text(created_by),
        Value::Time(created_at),
        Value::Time(updated_at),
    ]))
}
