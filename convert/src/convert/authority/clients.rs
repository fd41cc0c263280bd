//! `authority_clients` (tier A) to `authority.clients`.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "authority",
    name: "clients",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("client_id", Text),
        ("client_secret_hash", Text),
        ("display_name", Text),
        ("client_type", Text),
        ("status", Text),
        ("grant_types", TextArray),
        ("redirect_uris", TextArray),
        ("allowed_scopes", TextArray),
        ("require_pkce", Bool),
        ("properties", Jsonb),
        ("created_at", Time),
        ("updated_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", true)?;
    let client_id = f.nonempty_text("clientId")?;
    cx.unique(&format!("clientId of tenant {tenant}"), &client_id)?;
    let secret = f.opt_text_or_binary("clientSecretHash")?;
    let display_name = f.text("displayName")?;
    let client_type = f
        .opt_one_of("clientType", &["public", "confidential"])?
        .unwrap_or_else(|| "confidential".into());
    let status = f
        .opt_one_of("status", &["active", "disabled"])?
        .unwrap_or_else(|| "active".into());
    let grant_types = f.strings("grantTypes")?;
    let redirect_uris = f.strings("redirectUris")?;
    let allowed_scopes = f.strings("allowedScopes")?;
    let require_pkce = f.bool_or("requirePkce", true)?;
    let mut properties = f.document("properties")?;
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    f.carry_rest_into("properties", &mut properties)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(client_id),
        opt_text(secret),
        Value::Text(display_name),
        Value::Text(client_type),
        Value::Text(status),
        Value::TextArray(grant_types),
        Value::TextArray(redirect_uris),
        Value::TextArray(allowed_scopes),
        Value::Bool(require_pkce),
        json(properties),
        Value::Time(created_at),
        Value::Time(updated_at),
    ]))
}
