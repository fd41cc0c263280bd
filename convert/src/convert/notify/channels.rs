//! `channels` (tier A) to `notify.channels`. The channel type is one word
//! in any case (`PagerDuty` is `pagerduty`); fields the table has no column
//! for are carried in `config` under `_mongo`.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text};
use crate::table::{ColumnType::*, Table, Value};

/// The channel types of the schema's CHECK list.
pub const CHANNEL_TYPES: &[&str] = &[
    "email",
    "slack",
    "teams",
    "webhook",
    "pagerduty",
    "opsgenie",
];

pub static TABLE: Table = Table {
    schema: "notify",
    name: "channels",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("name", Text),
        ("channel_type", Text),
        ("enabled", Bool),
        ("config", Jsonb),
        ("credentials_ref", Text),
        ("created_at", Time),
        ("updated_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let name = f.nonempty_text("name")?;
    let channel_type = f.word_of("type", CHANNEL_TYPES)?;
    let enabled = f.bool_or("enabled", true)?;
    let mut config = f.document("config")?;
    let credentials_ref = f.opt_text("credentialsRef")?;
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    f.carry_rest_into("config", &mut config)?;

    cx.unique(&format!("channel name of tenant {tenant}"), &name)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(name),
        Value::Text(channel_type),
        Value::Bool(enabled),
        json(config),
        opt_text(credentials_ref),
        Value::Time(created_at),
        Value::Time(updated_at),
    ]))
}
