//! `authority_scopes` (tier A) to `authority.scopes` (global). The table
//! has no jsonb column: a document with fields it does not know is refused.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, opt_text};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "authority",
    name: "scopes",
    columns: &[
        ("id", Uuid),
        ("name", Text),
        ("description", Text),
        ("resources", TextArray),
        ("is_system", Bool),
        ("created_at", Time),
    ],
    tenant_scoped: false,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let name = f.nonempty_text("name")?;
    cx.unique("scope name", &name)?;
    let description = f.opt_text("description")?;
    let resources = f.strings("resources")?;
    let is_system = f.bool_or("isSystem", false)?;
    let created_at = f.time("createdAt")?;
    f.no_rest("authority.scopes")?;
    Ok(Conversion::row(vec![
        Value::Uuid(id),
        Value::Text(name),
        opt_text(description),
        Value::TextArray(resources),
        Value::Bool(is_system),
        Value::Time(created_at),
    ]))
}
