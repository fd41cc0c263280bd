//! An audit trail document (a module's audit collection, kept whole: tier
//! A) to its `<schema>.audit` row; fields the table has no column for are
//! carried in `payload` under `_mongo`. Each module names its categories.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text};
use crate::table::{ColumnType, Table, Value};

/// The `<schema>.audit` table of a module.
pub const fn trail_table(schema: &'static str) -> Table {
    use ColumnType::*;
    Table {
        schema,
        name: "audit",
        columns: &[
            ("tenant_id", Text),
            ("id", Uuid),
            ("category", Text),
            ("action", Text),
            ("entity_id", Text),
            ("actor", Text),
            ("actor_type", Text),
            ("correlation_id", Text),
            ("payload", Jsonb),
            ("occurred_at", Time),
        ],
        tenant_scoped: true,
    }
}

pub fn convert_trail(
    f: &mut Fields<'_>,
    cx: &mut Context,
    id: Uuid,
    categories: &[&str],
) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let category = f.one_of("category", categories)?;
    let action = f.nonempty_text("action")?;
    let entity_id = f.text("entityId")?;
    let actor = f.text("actor")?;
    let actor_type = f.one_of("actorType", &["user", "service", "system"])?;
    let correlation_id = f.opt_text("correlationId")?;
    let mut payload = f.document("payload")?;
    let occurred_at = f.time("occurredAt")?;
    f.carry_rest_into("payload", &mut payload)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(category),
        Value::Text(action),
        Value::Text(entity_id),
        Value::Text(actor),
        Value::Text(actor_type),
        opt_text(correlation_id),
        json(payload),
        Value::Time(occurred_at),
    ]))
}
