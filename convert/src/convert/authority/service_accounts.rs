//! `authority_service_accounts` (tier A) to `authority.service_accounts`.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "authority",
    name: "service_accounts",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("account_id", Text),
        ("display_name", Text),
        ("description", Text),
        ("status", Text),
        ("allowed_scopes", TextArray),
        ("authorized_clients", TextArray),
        ("attributes", Jsonb),
        ("created_at", Time),
        ("updated_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", true)?;
    let account_id = f.nonempty_text("accountId")?;
    cx.unique(&format!("accountId of tenant {tenant}"), &account_id)?;
    let display_name = f.text("displayName")?;
    let description = f.opt_text("description")?;
    let status = f
        .opt_one_of("status", &["active", "disabled"])?
        .unwrap_or_else(|| "active".into());
    let allowed_scopes = f.strings("allowedScopes")?;
    let authorized_clients = f.strings("authorizedClients")?;
    let mut attributes = f.document("attributes")?;
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    f.carry_rest_into("attributes", &mut attributes)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(account_id),
        Value::Text(display_name),
        opt_text(description),
        Value::Text(status),
        Value::TextArray(allowed_scopes),
        Value::TextArray(authorized_clients),
        json(attributes),
        Value::Time(created_at),
        Value::Time(updated_at),
    ]))
}
