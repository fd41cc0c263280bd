//! Pack versions (`policy.pack_versions`): numbered per pack, moving
//! draft, submitted, approved, published, retired; a published version is
//! the pack's active one, at most one per pack, and never changes (a new
//! version is derived instead). Trait and PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::kinds::{PackStatus, VersionStatus, illegal, immutable};
use super::packs::PACKS;
use super::postgres::PgPolicy;
use super::rules::RULES;
use crate::error::Constraint;
use crate::table::Table;
use crate::work::Work;
use crate::{StorageError, TenantContext, input};

/// The longest policy source a version holds (1 MiB).
pub const MAX_SOURCE_BYTES: usize = 1 << 20;

/// A version of a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PackVersion {
    pub tenant_id: String,
    pub id: Uuid,
    pub pack_id: Uuid,
    pub version: i32,
    #[sqlx(try_from = "String")]
    pub status: VersionStatus,
    pub source: String,
    pub compiled: Value,
    /// `sha256:` and the hex SHA-256 of `source`.
    pub digest: String,
    pub submitted_by: Option<String>,
    pub approved_by: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What a draft holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFields {
    pub source: String,
    /// The compiled form, a JSON object.
    pub compiled: Value,
}

impl VersionFields {
    pub fn new(source: impl Into<String>) -> Self {
        VersionFields {
            source: source.into(),
            compiled: Value::Object(Default::default()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::bounded("policy source", &self.source, MAX_SOURCE_BYTES)?;
        input::json_object("compiled policy", &self.compiled)
    }

    /// The digest a version of this source carries.
    pub fn digest(&self) -> String {
        source_digest(&self.source)
    }
}

/// `sha256:` and the hex SHA-256 of `source`.
pub fn source_digest(source: &str) -> String {
    format!("sha256:{:x}", Sha256::digest(source.as_bytes()))
}

/// An activation: the version now published, and the one it retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activated {
    pub version: PackVersion,
    pub retired: Option<PackVersion>,
}

/// Policy's version repository.
#[async_trait]
pub trait PackVersionRepository: Send + Sync + std::fmt::Debug {
    /// A new draft of `pack_id`, numbered one past the pack's last version.
    async fn create_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        pack_id: Uuid,
        fields: &VersionFields,
    ) -> Result<PackVersion, StorageError>;
    async fn get_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<PackVersion>, StorageError>;
    /// The pack's versions by number.
    async fn versions_of(
        &self,
        ctx: &TenantContext,
        pack_id: Uuid,
    ) -> Result<Vec<PackVersion>, StorageError>;
    /// The pack's published version: one query.
    async fn active_version(
        &self,
        ctx: &TenantContext,
        pack_id: Uuid,
    ) -> Result<Option<PackVersion>, StorageError>;
    /// Changes a draft's content; any other version is immutable.
    async fn update_draft(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &VersionFields,
    ) -> Result<PackVersion, StorageError>;
    /// Draft to submitted, naming who submitted.
    async fn submit_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<PackVersion, StorageError>;
    /// Submitted to approved, naming who approved.
    async fn approve_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<PackVersion, StorageError>;
    /// Submitted or approved back to draft, for changes.
    async fn return_to_draft(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<PackVersion, StorageError>;
    /// Approved to published at the clock's now; the pack's previous
    /// published version retires in the same transaction, and the pack
    /// becomes active with this version's number.
    async fn activate_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Activated, StorageError>;
    /// Published to retired; the pack has no active version then (an
    /// active pack becomes deprecated).
    async fn retire_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<PackVersion, StorageError>;
    /// A new draft `id` of the same pack with `from`'s content and rules
    /// (each rule's id is [`derived_rule_id`] of the new version and its key).
    async fn derive_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        from: Uuid,
    ) -> Result<PackVersion, StorageError>;
    /// Deletes a version never published (with its rules).
    async fn delete_version(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
}

/// The id a derived version gives the copy of its source's rule `rule_key`.
pub fn derived_rule_id(version_id: Uuid, rule_key: &str) -> Uuid {
    Uuid::new_v5(&version_id, rule_key.as_bytes())
}

macro_rules! version_columns {
    () => {
        "tenant_id, id, pack_id, version, status, source, compiled, digest, submitted_by, \
         approved_by, published_at, created_at"
    };
}

pub(crate) const PACK_VERSIONS: Table = Table {
    name: "policy.pack_versions",
    entity: "pack version",
    columns: version_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        version_columns!(),
        " FROM policy.pack_versions WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("pack_versions_pkey", Constraint::Unique("id")),
        (
            "pack_versions_tenant_id_pack_id_version_key",
            Constraint::Unique("version"),
        ),
        (
            "pack_versions_one_published_idx",
            Constraint::Unique("published version"),
        ),
        (
            "pack_versions_tenant_id_pack_id_fkey",
            Constraint::References("pack"),
        ),
    ],
};

/// Why no draft is made of an archived pack.
pub(crate) fn archived_pack() -> StorageError {
    StorageError::Immutable {
        entity: "pack",
        state: PackStatus::Archived.as_str().to_owned(),
        remedy: "create a new pack",
    }
}

/// Locks the pack of version `id` and the version, in that order (every
/// writer of a pack's versions takes the pack first), and reads both
/// statuses.
async fn lock_version(
    work: &mut Work,
    id: Uuid,
) -> Result<(Uuid, PackStatus, VersionStatus), StorageError> {
    let pack_id: Uuid = work
        .on(&PACK_VERSIONS, "reading a version's pack")
        .one(sqlx::query_scalar("SELECT pack_id FROM policy.pack_versions WHERE id = $1").bind(id))
        .await?;
    let pack: String = work
        .on(&PACKS, "locking a pack")
        .one(
            sqlx::query_scalar("SELECT status FROM policy.packs WHERE id = $1 FOR UPDATE")
                .bind(pack_id),
        )
        .await?;
    let version: String = work
        .on(&PACK_VERSIONS, "locking a version")
        .one(
            sqlx::query_scalar("SELECT status FROM policy.pack_versions WHERE id = $1 FOR UPDATE")
                .bind(id),
        )
        .await?;
    let pack = pack
        .parse()
        .map_err(|e: String| StorageError::invalid("pack status", e))?;
    let version = version
        .parse()
        .map_err(|e: String| StorageError::invalid("pack version status", e))?;
    Ok((pack_id, pack, version))
}

fn check_move(from: VersionStatus, to: VersionStatus) -> Result<(), StorageError> {
    if from.can_become(to) {
        Ok(())
    } else {
        Err(illegal("pack version", from.as_str(), to.as_str()))
    }
}

impl PgPolicy {
    /// Moves version `id` to `to` (not published: see activation), setting
    /// who submitted or approved.
    async fn move_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: VersionStatus,
        by: Option<&str>,
    ) -> Result<PackVersion, StorageError> {
        if let Some(by) = by {
            input::key("actor", by)?;
        }
        let mut work = self.source.work(ctx).await?;
        let (pack_id, _, from) = lock_version(&mut work, id).await?;
        check_move(from, to)?;
        let version = work
            .on(&PACK_VERSIONS, "changing a version's status")
            .one(
                sqlx::query_as::<_, PackVersion>(concat!(
                    "UPDATE policy.pack_versions SET status = $2, \
                       submitted_by = CASE WHEN $2 = 'submitted' THEN $3 \
                                           WHEN $2 = 'draft' THEN NULL ELSE submitted_by END, \
                       approved_by = CASE WHEN $2 = 'approved' THEN $3 \
                                          WHEN $2 = 'draft' THEN NULL ELSE approved_by END \
                     WHERE id = $1 RETURNING ",
                    version_columns!()
                ))
                .bind(id)
                .bind(to.as_str())
                .bind(by),
            )
            .await?;
        if to == VersionStatus::Retired {
            work.on(&PACKS, "clearing a pack's active version")
                .execute(
                    sqlx::query(
                        "UPDATE policy.packs SET active_version = NULL, updated_at = $2, \
                         status = CASE WHEN status = 'active' THEN 'deprecated' ELSE status END \
                         WHERE id = $1",
                    )
                    .bind(pack_id)
                    .bind(self.clock.now()),
                )
                .await?;
        }
        work.commit().await?;
        Ok(version)
    }
}

#[async_trait]
impl PackVersionRepository for PgPolicy {
    async fn create_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        pack_id: Uuid,
        fields: &VersionFields,
    ) -> Result<PackVersion, StorageError> {
        fields.validate()?;
        let mut work = self.source.work(ctx).await?;
        let pack: String = work
            .on(&PACKS, "locking a pack")
            .one(
                sqlx::query_scalar("SELECT status FROM policy.packs WHERE id = $1 FOR UPDATE")
                    .bind(pack_id),
            )
            .await?;
        if pack == PackStatus::Archived.as_str() {
            return Err(archived_pack());
        }
        let version = work
            .on(&PACK_VERSIONS, "creating a version")
            .one(
                sqlx::query_as::<_, PackVersion>(concat!(
                    "INSERT INTO policy.pack_versions (tenant_id, id, pack_id, version, source, \
                     compiled, digest, created_at) \
                     SELECT $1, $2, $3, COALESCE(max(version), 0) + 1, $4, $5, $6, $7 \
                       FROM policy.pack_versions WHERE pack_id = $3 RETURNING ",
                    version_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(id)
                .bind(pack_id)
                .bind(&fields.source)
                .bind(&fields.compiled)
                .bind(fields.digest())
                .bind(self.clock.now()),
            )
            .await?;
        work.commit().await?;
        Ok(version)
    }

    async fn get_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<PackVersion>, StorageError> {
        self.source
            .get_by_id(ctx, &PACK_VERSIONS, "reading a version", id)
            .await
    }

    async fn versions_of(
        &self,
        ctx: &TenantContext,
        pack_id: Uuid,
    ) -> Result<Vec<PackVersion>, StorageError> {
        let statement = sqlx::query_as::<_, PackVersion>(concat!(
            "SELECT ",
            version_columns!(),
            " FROM policy.pack_versions WHERE pack_id = $1 ORDER BY version"
        ))
        .bind(pack_id);
        self.source
            .call(ctx, &PACK_VERSIONS, "listing a pack's versions")
            .all(statement)
            .await
    }

    async fn active_version(
        &self,
        ctx: &TenantContext,
        pack_id: Uuid,
    ) -> Result<Option<PackVersion>, StorageError> {
        let statement = sqlx::query_as::<_, PackVersion>(concat!(
            "SELECT ",
            version_columns!(),
            " FROM policy.pack_versions WHERE pack_id = $1 AND status = 'published'"
        ))
        .bind(pack_id);
        self.source
            .call(ctx, &PACK_VERSIONS, "reading a pack's active version")
            .optional(statement)
            .await
    }

    async fn update_draft(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &VersionFields,
    ) -> Result<PackVersion, StorageError> {
        fields.validate()?;
        let mut work = self.source.work(ctx).await?;
        let (_, _, status) = lock_version(&mut work, id).await?;
        if status.frozen() {
            return Err(immutable("pack version", status));
        }
        let version = work
            .on(&PACK_VERSIONS, "changing a draft")
            .one(
                sqlx::query_as::<_, PackVersion>(concat!(
                    "UPDATE policy.pack_versions SET source = $2, compiled = $3, digest = $4 \
                     WHERE id = $1 RETURNING ",
                    version_columns!()
                ))
                .bind(id)
                .bind(&fields.source)
                .bind(&fields.compiled)
                .bind(fields.digest()),
            )
            .await?;
        work.commit().await?;
        Ok(version)
    }

    async fn submit_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<PackVersion, StorageError> {
        self.move_version(ctx, id, VersionStatus::Submitted, Some(by))
            .await
    }

    async fn approve_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<PackVersion, StorageError> {
        self.move_version(ctx, id, VersionStatus::Approved, Some(by))
            .await
    }

    async fn return_to_draft(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<PackVersion, StorageError> {
        self.move_version(ctx, id, VersionStatus::Draft, None).await
    }

    async fn activate_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Activated, StorageError> {
        let now = self.clock.now();
        let mut work = self.source.work(ctx).await?;
        let (pack_id, pack, from) = lock_version(&mut work, id).await?;
        if pack == PackStatus::Archived {
            return Err(illegal("pack", pack.as_str(), PackStatus::Active.as_str()));
        }
        check_move(from, VersionStatus::Published)?;
        let retired = work
            .on(&PACK_VERSIONS, "retiring the active version")
            .optional(
                sqlx::query_as::<_, PackVersion>(concat!(
                    "UPDATE policy.pack_versions SET status = 'retired' \
                     WHERE pack_id = $1 AND status = 'published' RETURNING ",
                    version_columns!()
                ))
                .bind(pack_id),
            )
            .await?;
        let version = work
            .on(&PACK_VERSIONS, "publishing a version")
            .one(
                sqlx::query_as::<_, PackVersion>(concat!(
                    "UPDATE policy.pack_versions SET status = 'published', published_at = $2 \
                     WHERE id = $1 RETURNING ",
                    version_columns!()
                ))
                .bind(id)
                .bind(now),
            )
            .await?;
        work.on(&PACKS, "activating a pack")
            .execute(
                sqlx::query(
                    "UPDATE policy.packs SET active_version = $2, status = 'active', \
                     updated_at = $3 WHERE id = $1",
                )
                .bind(pack_id)
                .bind(version.version)
                .bind(now),
            )
            .await?;
        work.commit().await?;
        Ok(Activated { version, retired })
    }

    async fn retire_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<PackVersion, StorageError> {
        self.move_version(ctx, id, VersionStatus::Retired, None)
            .await
    }

    async fn derive_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        from: Uuid,
    ) -> Result<PackVersion, StorageError> {
        let now = self.clock.now();
        let mut work = self.source.work(ctx).await?;
        let (pack_id, pack, _) = lock_version(&mut work, from).await?;
        if pack == PackStatus::Archived {
            return Err(archived_pack());
        }
        let version = work
            .on(&PACK_VERSIONS, "deriving a version")
            .one(
                sqlx::query_as::<_, PackVersion>(concat!(
                    "INSERT INTO policy.pack_versions (tenant_id, id, pack_id, version, source, \
                     compiled, digest, created_at) \
                     SELECT f.tenant_id, $2, f.pack_id, \
                            (SELECT max(version) + 1 FROM policy.pack_versions WHERE pack_id = $3), \
                            f.source, f.compiled, f.digest, $4 \
                       FROM policy.pack_versions f WHERE f.id = $1 RETURNING ",
                    version_columns!()
                ))
                .bind(from)
                .bind(id)
                .bind(pack_id)
                .bind(now),
            )
            .await?;
        let keys: Vec<String> = work
            .on(&RULES, "reading the rules to derive")
            .all(
                sqlx::query_scalar(
                    "SELECT rule_key FROM policy.rules WHERE pack_version_id = $1 ORDER BY rule_key",
                )
                .bind(from),
            )
            .await?;
        let ids: Vec<Uuid> = keys.iter().map(|k| derived_rule_id(id, k)).collect();
        work.on(&RULES, "copying the rules")
            .execute(
                sqlx::query(
                    "INSERT INTO policy.rules (tenant_id, id, pack_version_id, rule_key, name, \
                     severity, action, condition, priority, created_at) \
                     SELECT r.tenant_id, n.id, $2, r.rule_key, r.name, r.severity, r.action, \
                            r.condition, r.priority, $3 \
                       FROM policy.rules r \
                       JOIN unnest($4::text[], $5::uuid[]) AS n (rule_key, id) \
                         ON n.rule_key = r.rule_key \
                      WHERE r.pack_version_id = $1",
                )
                .bind(from)
                .bind(id)
                .bind(now)
                .bind(&keys)
                .bind(&ids),
            )
            .await?;
        work.commit().await?;
        Ok(version)
    }

    async fn delete_version(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut work = self.source.work(ctx).await?;
        let (_, _, status) = match lock_version(&mut work, id).await {
            Ok(locked) => locked,
            Err(StorageError::NotFound { .. }) => return Ok(false),
            Err(other) => return Err(other),
        };
        if matches!(status, VersionStatus::Published | VersionStatus::Retired) {
            return Err(immutable("pack version", status));
        }
        let deleted = work
            .on(&PACK_VERSIONS, "deleting a version")
            .execute(sqlx::query("DELETE FROM policy.pack_versions WHERE id = $1").bind(id))
            .await?;
        work.commit().await?;
        Ok(deleted == 1)
    }
}
