//! `policy_exceptions` (tier A: waivers are kept whole, expired and
//! revoked ones included, as the audit of why a finding passed) to
//! `policy.exceptions`; fields the table has no column for are carried in
//! `scope` under `_mongo`.

use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text, opt_time, opt_uuid};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "policy",
    name: "exceptions",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("name", Text),
        ("pack_id", Uuid),
        ("rule_key", Text),
        ("scope", Jsonb),
        ("status", Text),
        ("reason", Text),
        ("requested_by", Text),
        ("approved_by", Text),
        ("approved_at", Time),
        ("expires_at", Time),
        ("created_at", Time),
        ("updated_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let name = f.nonempty_text("name")?;
    let pack_ref = f.opt_reference("policyId", "policies")?;
    let rule_key = f.opt_text("ruleKey")?;
    let mut scope = f.document("scope")?;
    let status = f
        .opt_one_of(
            "status",
            &["proposed", "approved", "rejected", "expired", "revoked"],
        )?
        .unwrap_or_else(|| "proposed".into());
    let reason = f.text("reason")?;
    let requested_by = f.text("requestedBy")?;
    let approved_by = f.opt_text("approvedBy")?;
    let approved_at = f.opt_time("approvedAt")?;
    let expires_at = f.time("expiresAt")?;
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    f.carry_rest_into("scope", &mut scope)?;
    if expires_at <= created_at {
        return Err(Reject::field(
            "expiresAt",
            format!("{expires_at} is not after its creation ({created_at})"),
        ));
    }
    if status == "approved" && (approved_by.is_none() || approved_at.is_none()) {
        return Err(Reject::field(
            "approvedBy",
            "an approved exception must say who approved it and when",
        ));
    }
    let pack_id = cx.full_reference("policyId", "policies", &tenant, pack_ref)?;
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Text(name),
        opt_uuid(pack_id),
        opt_text(rule_key),
        json(scope),
        Value::Text(status),
        Value::Text(reason),
        Value::Text(requested_by),
        opt_text(approved_by),
        opt_time(approved_at),
        Value::Time(expires_at),
        Value::Time(created_at),
        Value::Time(updated_at),
    ]))
}
