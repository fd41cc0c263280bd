//! `authority_users` (tier A) to `authority.users`. Usernames are kept
//! byte for byte: `alice` and `Alice` are two users, as they were in Mongo.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text, opt_time};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "authority",
    name: "users",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("subject_id", Uuid),
        ("username", Text),
        ("email", Text),
        ("display_name", Text),
        ("password_hash", Text),
        ("status", Text),
        ("failed_login_count", Int4),
        ("last_login_at", Time),
        ("attributes", Jsonb),
        ("created_at", Time),
        ("updated_at", Time),
        ("deleted_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", true)?;
    let subject_id = f.uuid("subjectId")?;
    let username = f.nonempty_text("username")?;
    cx.unique(&format!("username of tenant {tenant}"), &username)?;
    cx.unique(
        &format!("subjectId of tenant {tenant}"),
        &subject_id.to_string(),
    )?;
    let email = f.opt_text("email")?;
    let display_name = f.opt_text("displayName")?;
    let password_hash = f.opt_text_or_binary("passwordHash")?;
    let status = f
        .opt_one_of("status", &["active", "disabled", "locked", "deleted"])?
        .unwrap_or_else(|| "active".into());
    let failed = f.opt_int32("failedLoginCount")?.unwrap_or(0);
    if failed < 0 {
        return Err(Reject::field(
            "failedLoginCount",
            format!("{failed} is negative"),
        ));
    }
    let last_login_at = f.opt_time("lastLoginAt")?;
    let mut attributes = f.document("attributes")?;
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    let deleted_at = f.opt_time("deletedAt")?;
    f.carry_rest_into("attributes", &mut attributes)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Uuid(subject_id),
        Value::Text(username),
        opt_text(email),
        opt_text(display_name),
        opt_text(password_hash),
        Value::Text(status),
        Value::Int(failed),
        opt_time(last_login_at),
        json(attributes),
        Value::Time(created_at),
        Value::Time(updated_at),
        opt_time(deleted_at),
    ]))
}
