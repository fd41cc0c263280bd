//! Licenses and their usage (`authority.licenses`,
//! `authority.license_usage`): trait and PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::postgres::PgAuthority;
use super::status::{LicenseEdition, LicenseStatus};
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, TenantContext, input};

/// A license of one tenant (`authority.licenses`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct License {
    pub tenant_id: String,
    pub id: Uuid,
    pub license_key: String,
    #[sqlx(try_from = "String")]
    pub edition: LicenseEdition,
    #[sqlx(try_from = "String")]
    pub status: LicenseStatus,
    pub max_seats: Option<i32>,
    pub features: Value,
    pub issued_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseFields {
    pub license_key: String,
    pub edition: LicenseEdition,
    pub status: LicenseStatus,
    pub max_seats: Option<i32>,
    pub features: Value,
    pub issued_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl LicenseFields {
    pub fn new(
        license_key: impl Into<String>,
        edition: LicenseEdition,
        issued_at: DateTime<Utc>,
    ) -> Self {
        LicenseFields {
            license_key: license_key.into(),
            edition,
            status: LicenseStatus::Active,
            max_seats: None,
            features: Value::Object(Default::default()),
            issued_at,
            expires_at: None,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("license key", &self.license_key)?;
        if let Some(seats) = self.max_seats
            && seats < 1
        {
            return Err(StorageError::invalid(
                "max seats",
                format!("{seats} is not positive"),
            ));
        }
        input::json_object("features", &self.features)
    }
}

/// Usage of one feature of a license in one period (`authority.license_usage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LicenseUsage {
    pub tenant_id: String,
    pub license_id: Uuid,
    pub feature: String,
    pub period_start: DateTime<Utc>,
    pub used_count: i64,
    pub updated_at: DateTime<Utc>,
}

/// The seeds' `ILicenseRepository`, with usage.
#[async_trait]
pub trait LicenseRepository: Send + Sync + std::fmt::Debug {
    async fn get_license(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<License>, StorageError>;
    async fn get_license_by_key(
        &self,
        ctx: &TenantContext,
        license_key: &str,
    ) -> Result<Option<License>, StorageError>;
    /// All licenses of the tenant, by key.
    async fn list_licenses(&self, ctx: &TenantContext) -> Result<Vec<License>, StorageError>;
    async fn create_license(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &LicenseFields,
    ) -> Result<License, StorageError>;
    async fn update_license(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &LicenseFields,
    ) -> Result<License, StorageError>;
    /// Deletes the license and its usage.
    async fn delete_license(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
    /// Adds `count` to a feature's usage in the period starting at `period_start`.
    async fn record_license_usage(
        &self,
        ctx: &TenantContext,
        license_id: Uuid,
        feature: &str,
        period_start: DateTime<Utc>,
        count: i64,
    ) -> Result<LicenseUsage, StorageError>;
    /// A license's usage, by feature then period.
    async fn license_usage(
        &self,
        ctx: &TenantContext,
        license_id: Uuid,
    ) -> Result<Vec<LicenseUsage>, StorageError>;
}

pub(crate) const LICENSE_USAGE: Table = Table {
    name: "authority.license_usage",
    entity: "license usage",
    columns: "tenant_id, license_id, feature, period_start, used_count, updated_at",
    by_id: None,
    unread: &[],
    constraints: &[
        // Usage of one period is counted up in place (ON CONFLICT DO UPDATE).
        ("license_usage_pkey", Constraint::Unique("period")),
        (
            "license_usage_tenant_id_license_id_fkey",
            Constraint::References("license"),
        ),
    ],
};

macro_rules! license_columns {
    () => {
        "tenant_id, id, license_key, edition, status, max_seats, features, issued_at, \
         expires_at, created_at, updated_at"
    };
}

pub(crate) const LICENSES: Table = Table {
    name: "authority.licenses",
    entity: "license",
    columns: license_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        license_columns!(),
        " FROM authority.licenses WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("licenses_pkey", Constraint::Unique("id")),
        (
            "licenses_tenant_id_license_key_key",
            Constraint::Unique("license key"),
        ),
        ("licenses_tenant_id_fkey", Constraint::References("tenant")),
    ],
};

pub(crate) fn check_usage(feature: &str, count: i64) -> Result<(), StorageError> {
    input::key("feature", feature)?;
    if count < 1 {
        return Err(StorageError::invalid(
            "usage count",
            format!("{count} is not positive"),
        ));
    }
    Ok(())
}

#[async_trait]
impl LicenseRepository for PgAuthority {
    async fn get_license(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<License>, StorageError> {
        self.source
            .get_by_id(ctx, &LICENSES, "reading a license", id)
            .await
    }

    async fn get_license_by_key(
        &self,
        ctx: &TenantContext,
        license_key: &str,
    ) -> Result<Option<License>, StorageError> {
        input::key("license key", license_key)?;
        self.source
            .call(ctx, &LICENSES, "reading a license by key")
            .optional(
                sqlx::query_as::<_, License>(concat!(
                    "SELECT ",
                    license_columns!(),
                    " FROM authority.licenses WHERE license_key = $1"
                ))
                .bind(license_key),
            )
            .await
    }

    async fn list_licenses(&self, ctx: &TenantContext) -> Result<Vec<License>, StorageError> {
        self.source
            .call(ctx, &LICENSES, "listing licenses")
            .all(sqlx::query_as::<_, License>(concat!(
                "SELECT ",
                license_columns!(),
                " FROM authority.licenses ORDER BY license_key"
            )))
            .await
    }

    async fn create_license(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &LicenseFields,
    ) -> Result<License, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        self.source
            .call(ctx, &LICENSES, "creating a license")
            .one(
                sqlx::query_as::<_, License>(concat!(
                    "INSERT INTO authority.licenses (tenant_id, id, license_key, edition, status, \
             max_seats, features, issued_at, expires_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING ",
                    license_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(id)
                .bind(&fields.license_key)
                .bind(fields.edition.as_str())
                .bind(fields.status.as_str())
                .bind(fields.max_seats)
                .bind(&fields.features)
                .bind(fields.issued_at)
                .bind(fields.expires_at)
                .bind(now),
            )
            .await
    }

    async fn update_license(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &LicenseFields,
    ) -> Result<License, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let updated = self
            .source
            .call(ctx, &LICENSES, "updating a license")
            .one(
                sqlx::query_as::<_, License>(concat!(
                    "UPDATE authority.licenses SET license_key = $2, edition = $3, status = $4, \
             max_seats = $5, features = $6, issued_at = $7, expires_at = $8, updated_at = $9 \
             WHERE id = $1 RETURNING ",
                    license_columns!()
                ))
                .bind(id)
                .bind(&fields.license_key)
                .bind(fields.edition.as_str())
                .bind(fields.status.as_str())
                .bind(fields.max_seats)
                .bind(&fields.features)
                .bind(fields.issued_at)
                .bind(fields.expires_at)
                .bind(now),
            )
            .await?;
        Ok(updated)
    }

    async fn delete_license(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let deleted = self
            .source
            .call(ctx, &LICENSES, "deleting a license")
            .execute(sqlx::query("DELETE FROM authority.licenses WHERE id = $1").bind(id))
            .await?;
        Ok(deleted == 1)
    }

    async fn record_license_usage(
        &self,
        ctx: &TenantContext,
        license_id: Uuid,
        feature: &str,
        period_start: DateTime<Utc>,
        count: i64,
    ) -> Result<LicenseUsage, StorageError> {
        check_usage(feature, count)?;
        let now = self.clock.now();
        let statement = sqlx::query_as::<_, LicenseUsage>(
            "INSERT INTO authority.license_usage (tenant_id, license_id, feature, period_start, \
             used_count, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (tenant_id, license_id, feature, period_start) DO UPDATE \
             SET used_count = license_usage.used_count + EXCLUDED.used_count, \
                 updated_at = EXCLUDED.updated_at \
             RETURNING tenant_id, license_id, feature, period_start, used_count, updated_at",
        )
        .bind(ctx.tenant().as_str())
        .bind(license_id)
        .bind(feature)
        .bind(period_start)
        .bind(count)
        .bind(now);
        self.source
            .call(ctx, &LICENSE_USAGE, "recording license usage")
            .one(statement)
            .await
    }

    async fn license_usage(
        &self,
        ctx: &TenantContext,
        license_id: Uuid,
    ) -> Result<Vec<LicenseUsage>, StorageError> {
        self.source
            .call(ctx, &LICENSE_USAGE, "reading license usage")
            .all(
                sqlx::query_as::<_, LicenseUsage>(
                    "SELECT tenant_id, license_id, feature, period_start, used_count, updated_at \
             FROM authority.license_usage WHERE license_id = $1 ORDER BY feature, period_start",
                )
                .bind(license_id),
            )
            .await
    }
}
