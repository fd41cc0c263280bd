//! `deliveries` (tier B): deliveries still to send (pending, queued,
//! sending) whatever their age, the others created in the last 30 days.
//! A delivery of an incident left out keeps no incident (ON DELETE SET
//! NULL); one delivery per channel, event and recipient, one per
//! idempotency key; a `sending` delivery names its claim.

use uuid::Uuid;

use crate::convert::{
    Context, Conversion, Fields, OnSkipped, Reference, Reject, json, opt_text, opt_time, opt_uuid,
};
use crate::table::{ColumnType::*, Table, Value};

/// The window of deliveries already sent or given up.
pub const WINDOW_DAYS: i64 = 30;

/// Attempts of a delivery whose document does not say (Notify's default).
pub const DEFAULT_MAX_ATTEMPTS: i64 = 3;

const STATUSES: &[&str] = &[
    "pending",
    "queued",
    "sending",
    "sent",
    "delivered",
    "failed",
    "bounced",
    "suppressed",
];

const ACTIVE: &[&str] = &["pending", "queued", "sending"];

pub static TABLE: Table = Table {
    schema: "notify",
    name: "deliveries",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("channel_id", Uuid),
        ("rule_id", Uuid),
        ("incident_id", Uuid),
        ("event_id", Text),
        ("recipient", Text),
        ("status", Text),
        ("attempts", Int4),
        ("max_attempts", Int4),
        ("next_attempt_at", Time),
        ("last_error", Text),
        ("subject", Text),
        ("payload", Jsonb),
        ("external_id", Text),
        ("created_at", Time),
        ("sent_at", Time),
        ("delivered_at", Time),
        ("failed_at", Time),
        ("idempotency_key", Text),
        ("claimed_by", Text),
        ("claimed_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let channel_ref = f.opt_reference("channelId", "channels")?;
    let rule_ref = f.opt_reference("ruleId", "rules")?;
    let incident_ref = f.opt_reference("incidentId", "incidents")?;
    let event_id = f.nonempty_text("eventId")?;
    let recipient = f.text("recipient")?;
    let status = f.one_of("status", STATUSES)?;
    let attempts = f.opt_int32("attempts")?.unwrap_or(0);
    let max_attempts = f.opt_int32("maxAttempts")?.unwrap_or(DEFAULT_MAX_ATTEMPTS);
    if max_attempts <= 0 || attempts < 0 || attempts > max_attempts {
        return Err(Reject::field(
            "attempts",
            format!("attempt {attempts} of {max_attempts} is out of range"),
        ));
    }
    let next_attempt_at = f.opt_time("nextAttemptAt")?;
    let last_error = f.opt_text("lastError")?;
    let subject = f.opt_text("subject")?;
    let mut payload = f.document("payload")?;
    let external_id = f.opt_text("externalId")?;
    let created_at = f.time("createdAt")?;
    let sent_at = f.opt_time("sentAt")?;
    let delivered_at = f.opt_time("deliveredAt")?;
    let failed_at = f.opt_time("failedAt")?;
    let idempotency_key = f.opt_text("idempotencyKey")?;
    if idempotency_key.as_deref() == Some("") {
        return Err(Reject::field("idempotencyKey", "is empty"));
    }
    let claimed_by = f.opt_text("claimedBy")?;
    let claimed_at = f.opt_time("claimedAt")?;
    let claimed = claimed_by.is_some() && claimed_at.is_some();
    if (status == "sending") != claimed {
        return Err(Reject::field(
            "claimedBy",
            format!(
                "a {status} delivery {} (claimedBy and claimedAt)",
                if claimed {
                    "cannot name a claim"
                } else {
                    "must name its claim"
                }
            ),
        ));
    }
    f.carry_rest_into("payload", &mut payload)?;
    if !ACTIVE.contains(&status.as_str()) && !cx.within_days(created_at, WINDOW_DAYS) {
        return Ok(Conversion::Skipped(format!(
            "{status} and older than {WINDOW_DAYS} days (created {created_at})"
        )));
    }
    let mut notes = Vec::new();
    let channel_id = cx
        .full_reference("channelId", "channels", &tenant, channel_ref)?
        .ok_or_else(|| Reject::field("channelId", "is missing"))?;
    let rule_id = cx.full_reference("ruleId", "rules", &tenant, rule_ref)?;
    let incident_id = match cx.foreign_key(
        "incidentId",
        "incidents",
        &tenant,
        incident_ref,
        OnSkipped::SetNull,
    )? {
        Reference::Kept(id) => id,
        Reference::Cleared(note) | Reference::Cascaded(note) => {
            notes.push(note);
            None
        }
    };
    cx.unique(
        &format!("delivery (channel, event, recipient) of tenant {tenant}"),
        &format!("{channel_id}/{event_id}/{recipient}"),
    )?;
    if let Some(key) = &idempotency_key {
        cx.unique(&format!("delivery idempotency key of tenant {tenant}"), key)?;
    }
    Ok(Conversion::Row {
        values: vec![
            Value::Text(tenant),
            Value::Uuid(id),
            Value::Uuid(channel_id),
            opt_uuid(rule_id),
            opt_uuid(incident_id),
            Value::Text(event_id),
            Value::Text(recipient),
            Value::Text(status),
            Value::Int(attempts),
            Value::Int(max_attempts),
            opt_time(next_attempt_at),
            opt_text(last_error),
            opt_text(subject),
            json(payload),
            opt_text(external_id),
            Value::Time(created_at),
            opt_time(sent_at),
            opt_time(delivered_at),
            opt_time(failed_at),
            opt_text(idempotency_key),
            opt_text(claimed_by),
            opt_time(claimed_at),
        ],
        notes,
    })
}
