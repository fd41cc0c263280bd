//! `authority_revocations` (tier A) to `authority.revocations`. The token
//! and subject ids are kept as given: a revocation may name a token that
//! is gone (no foreign key, by design of the revocation list).

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text, opt_time, opt_uuid};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "authority",
    name: "revocations",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("category", Text),
        ("revocation_id", Text),
        ("token_id", Uuid),
        ("subject_id", Uuid),
        ("client_id", Text),
        ("reason", Text),
        ("reason_description", Text),
        ("revoked_at", Time),
        ("effective_at", Time),
        ("expires_at", Time),
        ("metadata", Jsonb),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", true)?;
    let category = f.one_of("category", &["token", "subject", "client", "key"])?;
    let revocation_id = f.nonempty_text("revocationId")?;
    cx.unique(
        &format!("revocation ({category}) of tenant {tenant}"),
        &revocation_id,
    )?;
    let token_id = f.opt_reference("tokenId", "authority_tokens")?;
    let subject_id = f.opt_uuid("subjectId")?;
    let client_id = f.opt_text("clientId")?;
    let reason = f.text("reason")?;
    let reason_description = f.opt_text("reasonDescription")?;
    let revoked_at = f.time("revokedAt")?;
    let effective_at = f.opt_time("effectiveAt")?.unwrap_or(revoked_at);
    let expires_at = f.opt_time("expiresAt")?;
    let mut metadata = f.document("metadata")?;
    f.carry_rest_into("metadata", &mut metadata)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(category),
        Value::Text(revocation_id),
        opt_uuid(token_id),
        opt_uuid(subject_id),
        opt_text(client_id),
        Value::Text(reason),
        opt_text(reason_description),
        Value::Time(revoked_at),
        Value::Time(effective_at),
        opt_time(expires_at),
        json(metadata),
    ]))
}
