//! `audit` (tier A: the audit trail is kept whole) to `notify.audit`;
//! fields the table has no column for are carried in `payload` under
//! `_mongo`.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "notify",
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
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let category = f.one_of(
        "category",
        &[
            "channel",
            "rule",
            "template",
            "delivery",
            "incident",
            "escalation",
            "schedule",
        ],
    )?;
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
