//! `policy_revisions` (tier A) to `policy.pack_versions`: the versions of
//! a pack, numbered from 1, at most one published. The digest is computed
//! again from the source (`sha256:` and the hex SHA-256 of its UTF-8
//! bytes), whatever the export says; fields the table has no column for
//! are carried in `compiled` under `_mongo`.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::convert::{Context, Conversion, Fields, Reject, json, opt_text, opt_time};
use crate::table::{ColumnType::*, Table, Value};

pub static TABLE: Table = Table {
    schema: "policy",
    name: "pack_versions",
    columns: &[
        ("tenant_id", Text),
        ("id", Uuid),
        ("pack_id", Uuid),
        ("version", Int4),
        ("status", Text),
        ("source", Text),
        ("compiled", Jsonb),
        ("digest", Text),
        ("submitted_by", Text),
        ("approved_by", Text),
        ("published_at", Time),
        ("created_at", Time),
    ],
    tenant_scoped: true,
};

/// The statuses in their order: a version past `draft` was submitted by
/// someone, past `submitted` approved by someone.
const STATUSES: &[&str] = &["draft", "submitted", "approved", "published", "retired"];

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    let tenant = cx.tenant(f, "tenantId", false)?;
    let pack_ref = f.opt_reference("policyId", "policies")?;
    let version = f
        .opt_int32("version")?
        .ok_or_else(|| Reject::field("version", "is missing"))?;
    if version <= 0 {
        return Err(Reject::field(
            "version",
            format!("{version} is not positive"),
        ));
    }
    let status = f.one_of("status", STATUSES)?;
    let source = f.text("source")?;
    let mut compiled = f.document("compiled")?;
    // The export's own digest is not trusted: it is computed again below.
    f.drop("digest");
    let submitted_by = f.opt_text("submittedBy")?;
    let approved_by = f.opt_text("approvedBy")?;
    let published_at = f.opt_time("publishedAt")?;
    let created_at = f.time("createdAt")?;
    f.carry_rest_into("compiled", &mut compiled)?;
    let rank = STATUSES.iter().position(|s| *s == status).unwrap_or(0);
    if rank >= 1 && submitted_by.is_none() {
        return Err(Reject::field(
            "submittedBy",
            format!("a {status} version must say who submitted it"),
        ));
    }
    if rank >= 2 && approved_by.is_none() {
        return Err(Reject::field(
            "approvedBy",
            format!("a {status} version must say who approved it"),
        ));
    }
    if (rank >= 3) != published_at.is_some() {
        return Err(Reject::field(
            "publishedAt",
            format!(
                "a {status} version {} a publication time",
                if rank >= 3 { "needs" } else { "has no" }
            ),
        ));
    }
    let pack_id = cx
        .full_reference("policyId", "policies", &tenant, pack_ref)?
        .ok_or_else(|| Reject::field("policyId", "is missing"))?;
    cx.unique(
        &format!("version number of a pack of tenant {tenant}"),
        &format!("{pack_id}/{version}"),
    )?;
    if status == "published" {
        cx.unique(
            &format!("published version of a pack of tenant {tenant}"),
            &pack_id.to_string(),
        )?;
    }
    let digest = format!("sha256:{:x}", Sha256::digest(source.as_bytes()));
    Ok(Conversion::row(vec![
        Value::Text(tenant),
        Value::Uuid(id),
        Value::Uuid(pack_id),
        Value::Int(version),
        Value::Text(status),
        Value::Text(source),
        json(compiled),
        Value::Text(digest),
        opt_text(submitted_by),
        opt_text(approved_by),
        opt_time(published_at),
        Value::Time(created_at),
    ]))
}
