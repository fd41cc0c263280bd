//! Risk profiles (`policy.risk_profiles`): versioned by name; a draft
//! changes, a promoted (active) profile is immutable and carries the
//! SHA-256 of its canonical JSON, checked on every read: a row whose
//! content no longer matches its digest is an error, not data. Trait and
//! PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::kinds::{ProfileStatus, illegal};
use super::postgres::PgPolicy;
use crate::error::Constraint;
use crate::table::Table;
use crate::work::Work;
use crate::{StorageError, TenantContext, input};

/// A version of a risk profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RiskProfile {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    pub version: i32,
    #[sqlx(try_from = "String")]
    pub status: ProfileStatus,
    pub signals: Value,
    pub weights: Value,
    pub thresholds: Value,
    pub overrides: Value,
    /// `sha256:` and the hex SHA-256 of [`RiskProfile::canonical`], set by promotion.
    pub digest: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RiskProfile {
    /// The content the digest covers, as canonical JSON: name, version and
    /// the four documents, object keys sorted, no spaces.
    pub fn canonical(&self) -> String {
        // serde_json's map keeps keys sorted: equal content prints the same.
        json!({
            "name": self.name,
            "overrides": self.overrides,
            "signals": self.signals,
            "thresholds": self.thresholds,
            "version": self.version,
            "weights": self.weights,
        })
        .to_string()
    }

    /// The digest of the profile's content as it is now.
    pub fn content_digest(&self) -> String {
        format!("sha256:{:x}", Sha256::digest(self.canonical().as_bytes()))
    }

    /// The profile, or the error of a promoted one whose content no longer
    /// matches its digest.
    pub(crate) fn checked(self) -> Result<RiskProfile, StorageError> {
        if self.status == ProfileStatus::Draft {
            return Ok(self);
        }
        if self.digest.as_deref() != Some(self.content_digest().as_str()) {
            return Err(StorageError::Tampered {
                entity: "risk profile",
                name: format!("{} version {}", self.name, self.version),
            });
        }
        Ok(self)
    }
}

/// What a draft holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFields {
    pub name: String,
    /// A JSON array.
    pub signals: Value,
    /// JSON objects.
    pub weights: Value,
    pub thresholds: Value,
    pub overrides: Value,
}

impl ProfileFields {
    pub fn new(name: impl Into<String>) -> Self {
        ProfileFields {
            name: name.into(),
            signals: Value::Array(Vec::new()),
            weights: Value::Object(Default::default()),
            thresholds: Value::Object(Default::default()),
            overrides: Value::Object(Default::default()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("risk profile name", &self.name)?;
        if !self.signals.is_array() {
            return Err(StorageError::invalid(
                "risk profile signals",
                "is not a JSON array",
            ));
        }
        input::json_object("risk profile weights", &self.weights)?;
        input::json_object("risk profile thresholds", &self.thresholds)?;
        input::json_object("risk profile overrides", &self.overrides)
    }
}

/// Policy's risk profile repository.
#[async_trait]
pub trait RiskProfileRepository: Send + Sync + std::fmt::Debug {
    /// A new draft of profile `name`, numbered one past its last version.
    async fn create_profile(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ProfileFields,
    ) -> Result<RiskProfile, StorageError>;
    /// The profile; a promoted one whose content does not match its digest
    /// is [`StorageError::Tampered`].
    async fn get_profile(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<RiskProfile>, StorageError>;
    /// The tenant's profiles by name and version, each checked as by `get_profile`.
    async fn list_profiles(&self, ctx: &TenantContext) -> Result<Vec<RiskProfile>, StorageError>;
    /// The active version of profile `name`, checked.
    async fn active_profile(
        &self,
        ctx: &TenantContext,
        name: &str,
    ) -> Result<Option<RiskProfile>, StorageError>;
    /// Changes a draft (its name stays); a promoted profile is immutable.
    async fn update_profile(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ProfileFields,
    ) -> Result<RiskProfile, StorageError>;
    /// Draft to active, with the digest of its content; the active version
    /// of the same name before it becomes deprecated.
    async fn promote_profile(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<RiskProfile, StorageError>;
}

macro_rules! profile_columns {
    () => {
        "tenant_id, id, name, version, status, signals, weights, thresholds, overrides, digest, \
         created_at, updated_at"
    };
}

pub(crate) const RISK_PROFILES: Table = Table {
    name: "policy.risk_profiles",
    entity: "risk profile",
    columns: profile_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        profile_columns!(),
        " FROM policy.risk_profiles WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("risk_profiles_pkey", Constraint::Unique("id")),
        (
            "risk_profiles_tenant_id_name_version_key",
            Constraint::Unique("version"),
        ),
    ],
};

/// The error of a change to a promoted profile.
pub(crate) fn promoted(status: ProfileStatus) -> StorageError {
    StorageError::Immutable {
        entity: "risk profile",
        state: status.as_str().to_owned(),
        remedy: "create a new version of the profile",
    }
}

/// The transaction lock on a profile name of the tenant: numbering and
/// promotion of one name's versions take it, so two never interleave.
async fn lock_name(work: &mut Work, ctx: &TenantContext, name: &str) -> Result<(), StorageError> {
    work.on(&RISK_PROFILES, "locking a profile name")
        .execute(
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))").bind(format!(
                "policy.risk_profiles\n{}\n{name}",
                ctx.tenant().as_str()
            )),
        )
        .await
        .map(drop)
}

/// Checks every profile of `rows`.
fn all_checked(rows: Vec<RiskProfile>) -> Result<Vec<RiskProfile>, StorageError> {
    rows.into_iter().map(RiskProfile::checked).collect()
}

#[async_trait]
impl RiskProfileRepository for PgPolicy {
    async fn create_profile(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ProfileFields,
    ) -> Result<RiskProfile, StorageError> {
        fields.validate()?;
        let mut work = self.source.work(ctx).await?;
        // Versions of one name are numbered under a lock on the name.
        lock_name(&mut work, ctx, &fields.name).await?;
        let profile = work
            .on(&RISK_PROFILES, "creating a risk profile")
            .one(
                sqlx::query_as::<_, RiskProfile>(concat!(
                    "INSERT INTO policy.risk_profiles (tenant_id, id, name, version, signals, \
                     weights, thresholds, overrides, created_at, updated_at) \
                     SELECT $1, $2, $3, COALESCE(max(version), 0) + 1, $4, $5, $6, $7, $8, $8 \
                       FROM policy.risk_profiles WHERE name = $3 RETURNING ",
                    profile_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(id)
                .bind(&fields.name)
                .bind(&fields.signals)
                .bind(&fields.weights)
                .bind(&fields.thresholds)
                .bind(&fields.overrides)
                .bind(self.clock.now()),
            )
            .await?;
        work.commit().await?;
        Ok(profile)
    }

    async fn get_profile(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<RiskProfile>, StorageError> {
        self.source
            .get_by_id::<RiskProfile>(ctx, &RISK_PROFILES, "reading a risk profile", id)
            .await?
            .map(RiskProfile::checked)
            .transpose()
    }

    async fn list_profiles(&self, ctx: &TenantContext) -> Result<Vec<RiskProfile>, StorageError> {
        let statement = sqlx::query_as::<_, RiskProfile>(concat!(
            "SELECT ",
            profile_columns!(),
            " FROM policy.risk_profiles ORDER BY name, version"
        ));
        let rows = self
            .source
            .call(ctx, &RISK_PROFILES, "listing risk profiles")
            .all(statement)
            .await?;
        all_checked(rows)
    }

    async fn active_profile(
        &self,
        ctx: &TenantContext,
        name: &str,
    ) -> Result<Option<RiskProfile>, StorageError> {
        input::key("risk profile name", name)?;
        let statement = sqlx::query_as::<_, RiskProfile>(concat!(
            "SELECT ",
            profile_columns!(),
            " FROM policy.risk_profiles WHERE name = $1 AND status = 'active' \
             ORDER BY version DESC LIMIT 1"
        ))
        .bind(name);
        self.source
            .call(ctx, &RISK_PROFILES, "reading the active risk profile")
            .optional(statement)
            .await?
            .map(RiskProfile::checked)
            .transpose()
    }

    async fn update_profile(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ProfileFields,
    ) -> Result<RiskProfile, StorageError> {
        fields.validate()?;
        let mut work = self.source.work(ctx).await?;
        let (status, name): (String, String) = work
            .on(&RISK_PROFILES, "reading a risk profile")
            .one(
                sqlx::query_as(
                    "SELECT status, name FROM policy.risk_profiles WHERE id = $1 FOR UPDATE",
                )
                .bind(id),
            )
            .await?;
        let status: ProfileStatus = status
            .parse()
            .map_err(|e: String| StorageError::invalid("risk profile status", e))?;
        if status != ProfileStatus::Draft {
            return Err(promoted(status));
        }
        if name != fields.name {
            return Err(StorageError::invalid(
                "risk profile name",
                "a version keeps its profile's name; create a version of the other name",
            ));
        }
        let profile = work
            .on(&RISK_PROFILES, "changing a risk profile")
            .one(
                sqlx::query_as::<_, RiskProfile>(concat!(
                    "UPDATE policy.risk_profiles SET signals = $2, weights = $3, thresholds = $4, \
                     overrides = $5, updated_at = $6 WHERE id = $1 RETURNING ",
                    profile_columns!()
                ))
                .bind(id)
                .bind(&fields.signals)
                .bind(&fields.weights)
                .bind(&fields.thresholds)
                .bind(&fields.overrides)
                .bind(self.clock.now()),
            )
            .await?;
        work.commit().await?;
        Ok(profile)
    }

    async fn promote_profile(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<RiskProfile, StorageError> {
        let now = self.clock.now();
        let mut work = self.source.work(ctx).await?;
        let draft: RiskProfile = work
            .on(&RISK_PROFILES, "reading a risk profile")
            .one(
                sqlx::query_as::<_, RiskProfile>(concat!(
                    "SELECT ",
                    profile_columns!(),
                    " FROM policy.risk_profiles WHERE id = $1 FOR UPDATE"
                ))
                .bind(id),
            )
            .await?;
        lock_name(&mut work, ctx, &draft.name).await?;
        if draft.status != ProfileStatus::Draft {
            return Err(illegal(
                "risk profile",
                draft.status.as_str(),
                ProfileStatus::Active.as_str(),
            ));
        }
        work.on(&RISK_PROFILES, "deprecating the active profile")
            .execute(
                sqlx::query(
                    "UPDATE policy.risk_profiles SET status = 'deprecated', updated_at = $2 \
                     WHERE name = $1 AND status = 'active'",
                )
                .bind(&draft.name)
                .bind(now),
            )
            .await?;
        // The digest of the content as the database holds it (jsonb's
        // spelling), so the check on read sees the same bytes.
        let digest = draft.content_digest();
        let profile = work
            .on(&RISK_PROFILES, "promoting a risk profile")
            .one(
                sqlx::query_as::<_, RiskProfile>(concat!(
                    "UPDATE policy.risk_profiles SET status = 'active', digest = $2, \
                     updated_at = $3 WHERE id = $1 RETURNING ",
                    profile_columns!()
                ))
                .bind(id)
                .bind(digest)
                .bind(now),
            )
            .await?;
        work.commit().await?;
        profile.checked()
    }
}
