//! `authority_login_attempts` (tier B: the last 90 days) to
//! `authority.login_attempts`. The user id is kept even when the user is
//! gone: the audit trail outlives the account (no foreign key).

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text, opt_uuid};
use crate::table::{ColumnType::*, Table, Value};

/// The window of tier B login attempts.
pub const WINDOW_DAYS: i64 = 90;

pub static TABLE: Table = Table {
    schema: "authority",
    name: "login_attempts",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("user_id", Uuid),
        ("username", Text),
        ("outcome", Text),
        ("reason", Text),
        ("client_ip", Inet),
        ("user_agent", Text),
        ("occurred_at", Time),
        ("properties", Jsonb),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", true)?;
    let user_id = f.opt_reference("userId", "authority_users")?;
    let username = f.text("username")?;
    let outcome = f.one_of(
        "outcome",
        &["success", "failure", "locked_out", "mfa_required"],
    )?;
    let reason = f.opt_text("reason")?;
    let client_ip = f.opt_ip("clientIp")?;
    let user_agent = f.opt_text("userAgent")?;
    let occurred_at = f.time("occurredAt")?;
    let mut properties = f.document("properties")?;
    f.carry_rest_into("properties", &mut properties)?;
    if !cx.within_days(occurred_at, WINDOW_DAYS) {
        return Ok(Conversion::Skipped(format!(
            "older than {WINDOW_DAYS} days (occurred {occurred_at})"
        )));
    }
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        opt_uuid(user_id),
        Value::Text(username),
        Value::Text(outcome),
        opt_text(reason),
        client_ip.map_or(Value::Null, Value::Inet),
        opt_text(user_agent),
        Value::Time(occurred_at),
        json(properties),
    ]))
}
