//! `templates` (tier A) to `notify.templates`: one per name, channel type
//! and locale of a tenant.

use uuid::Uuid;

use super::channels::CHANNEL_TYPES;
use crate::convert::{Context, Conversion, Fields, Reject, opt_text};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "notify",
    name: "templates",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("name", Text),
        ("channel_type", Text),
        ("locale", Text),
        ("format", Text),
        ("subject_template", Text),
        ("body_template", Text),
        ("created_at", Time),
        ("updated_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let name = f.nonempty_text("name")?;
    let channel_type = f.word_of("channelType", CHANNEL_TYPES)?;
    let locale = f.opt_text("locale")?.unwrap_or_else(|| "en-US".into());
    let format = f
        .opt_one_of("format", &["text", "markdown", "html", "json"])?
        .unwrap_or_else(|| "markdown".into());
    let subject = f.opt_text("subject")?;
    let body = f.text("body")?;
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    f.no_rest("notify.templates")?;
    cx.unique(
        &format!("template (name, channel type, locale) of tenant {tenant}"),
        &format!("{name}/{channel_type}/{locale}"),
    )?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(name),
        Value::Text(channel_type),
        Value::Text(locale),
        Value::Text(format),
        opt_text(subject),
        Value::Text(body),
        Value::Time(created_at),
        Value::Time(updated_at),
    ]))
}
