//! `authority_tokens` (tier B: active tokens only) to `authority.tokens`.
//! Active: status valid and not expired at the conversion's clock.

use uuid::Uuid;

use crate::convert::{
    Context, Conversion, Fields, OnSkipped, Reference, Reject, json, opt_text, opt_time, opt_uuid,
};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "authority",
    name: "tokens",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("token_hash", Text),
        ("token_type", Text),
        ("status", Text),
        ("subject_id", Uuid),
        ("user_id", Uuid),
        ("service_account_id", Uuid),
        ("client_id", Text),
        ("scopes", TextArray),
        ("issued_at", Time),
        ("expires_at", Time),
        ("revoked_at", Time),
        ("revoked_reason", Text),
        ("payload", Jsonb),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", true)?;
    let token_hash = f.nonempty_text("tokenHash")?;
    let token_type = f.one_of(
        "tokenType",
        &["access", "refresh", "authorization_code", "device_code"],
    )?;
    let status = f
        .opt_one_of("status", &["valid", "revoked", "redeemed", "expired"])?
        .unwrap_or_else(|| "valid".into());
    let subject_id = f.opt_uuid("subjectId")?;
    let user_ref = f.opt_reference("userId", "authority_users")?;
    let account_ref = f.opt_reference("serviceAccountId", "authority_service_accounts")?;
    let client_id = f.opt_text("clientId")?;
    let scopes = f.strings("scopes")?;
    let issued_at = f.time("issuedAt")?;
    let expires_at = f.time("expiresAt")?;
    if expires_at <= issued_at {
        return Err(Reject::field("expiresAt", "is not after issuedAt"));
    }
    let revoked_at = f.opt_time("revokedAt")?;
    let revoked_reason = f.opt_text("revokedReason")?;
    let mut payload = f.document("payload")?;
    f.carry_rest_into("payload", &mut payload)?;
    if status != "valid" {
        return Ok(Conversion::Skipped(format!("not active (status {status})")));
    }
    if expires_at <= cx.now() {
        return Ok(Conversion::Skipped(format!(
            "not active (expired {expires_at})"
        )));
    }
    let user_id = kept(cx.foreign_key(
        "userId",
        "authority_users",
        &tenant,
        user_ref,
        OnSkipped::Cascade,
    )?)?;
    let account_id = kept(cx.foreign_key(
        "serviceAccountId",
        "authority_service_accounts",
        &tenant,
        account_ref,
        OnSkipped::Cascade,
    )?)?;
    cx.unique(&format!("tokenHash of tenant {tenant}"), &token_hash)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(token_hash),
        Value::Text(token_type),
        Value::Text(status),
        opt_uuid(subject_id),
        opt_uuid(user_id),
        opt_uuid(account_id),
        opt_text(client_id),
        Value::TextArray(scopes),
        Value::Time(issued_at),
        Value::Time(expires_at),
        opt_time(revoked_at),
        opt_text(revoked_reason),
        json(payload),
    ]))
}

/// Users and service accounts are tier A: a target is converted or missing.
fn kept(reference: Reference) -> Result<Option<Uuid>, Reject> {
    match reference {
        Reference::Kept(id) => Ok(id),
        Reference::Cleared(note) | Reference::Cascaded(note) => Err(Reject(note)),
    }
}
