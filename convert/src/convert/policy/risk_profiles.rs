//! `risk_profiles` (tier A) to `policy.risk_profiles`: versions of a
//! named profile, at most one active. A promoted profile (active or
//! deprecated) carries the digest the repositories check on every read,
//! computed here from the converted content by the storage's own
//! definition ([`RiskProfile::content_digest`]); whatever hash the export
//! carries is not trusted. The content is hashed, so the table has no
//! place to carry unknown fields: a document with one is refused.

use serde_json::Value as Json;
use stellaops_storage::policy::{ProfileStatus, RiskProfile};
use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "policy",
    name: "risk_profiles",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("name", Text),
        ("version", Int4),
        ("status", Text),
        ("signals", Jsonb),
        ("weights", Jsonb),
        ("thresholds", Jsonb),
        ("overrides", Jsonb),
        ("digest", Text),
        ("created_at", Time),
        ("updated_at", Time),
    ],
    tenant_scoped: true,
};

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let name = f.nonempty_text("name")?;
    let version = f
        .opt_int32("version")?
        .ok_or_else(|| Reject::field("version", "is missing"))?;
    if version <= 0 {
        return Err(Reject::field(
            "version",
            format!("{version} is not positive"),
        ));
    }
    let status_text = f
        .opt_one_of("status", &["draft", "active", "deprecated"])?
        .unwrap_or_else(|| "draft".into());
    let signals = Json::Array(f.array("signals")?);
    let weights = Json::Object(f.document("weights")?);
    let thresholds = Json::Object(f.document("thresholds")?);
    let overrides = Json::Object(f.document("overrides")?);
    f.drop("contentHash");
    let created_at = f.time("createdAt")?;
    let updated_at = f.opt_time("updatedAt")?.unwrap_or(created_at);
    f.no_rest("policy.risk_profiles")?;
    cx.unique(
        &format!("risk profile version of tenant {tenant}"),
        &format!("{name}/{version}"),
    )?;
    if status_text == "active" {
        cx.unique(&format!("active risk profile of tenant {tenant}"), &name)?;
    }
    let status: ProfileStatus = status_text
        .parse()
        .map_err(|e: String| Reject::field("status", e))?;
    let version = i32::try_from(version).map_err(|e| Reject::field("version", e))?;
    let profile = RiskProfile {
        tenant_id: tenant,
        id,
        name,
        version,
        status,
        signals,
        weights,
        thresholds,
        overrides,
        digest: None,
        created_at,
        updated_at,
    };
    let digest = match status {
        ProfileStatus::Draft => Value::Null,
        _ => Value::Text(profile.content_digest()),
    };
    let object = |value: Json| match value {
        Json::Object(map) => json(map),
        other => Value::Json(other),
    };
    Ok(Conversion::row(vec![
        Value::Text(profile.tenant_id),
        Value::Uuid(id),
        Value::Text(profile.name),
        Value::Int(i64::from(version)),
        Value::Text(status_text),
        Value::Json(profile.signals),
        object(profile.weights),
        object(profile.thresholds),
        object(profile.overrides),
        digest,
        Value::Time(created_at),
        Value::Time(updated_at),
    ]))
}
