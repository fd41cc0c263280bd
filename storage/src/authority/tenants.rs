//! The tenant registry (`authority.tenants`, global): the repository trait
//! and its PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::postgres::PgAuthority;
use super::status::TenantStatus;
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, SystemContext, TenantCode, input};

/// A tenant (`authority.tenants`, a global table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Tenant {
    pub id: Uuid,
    pub code: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub status: TenantStatus,
    pub settings: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTenant {
    pub id: Uuid,
    pub code: TenantCode,
    pub display_name: String,
    pub status: TenantStatus,
    pub settings: Value,
}

impl NewTenant {
    pub fn new(code: TenantCode, display_name: impl Into<String>) -> Self {
        NewTenant {
            id: Uuid::new_v4(),
            code,
            display_name: display_name.into(),
            status: TenantStatus::Active,
            settings: Value::Object(Default::default()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("display name", &self.display_name)?;
        input::json_object("settings", &self.settings)
    }
}

/// Tenants are global: every call is a system operation.
#[async_trait]
pub trait TenantRepository: Send + Sync + std::fmt::Debug {
    async fn create_tenant(
        &self,
        ctx: &SystemContext,
        tenant: &NewTenant,
    ) -> Result<Tenant, StorageError>;
    async fn get_tenant(
        &self,
        ctx: &SystemContext,
        code: &TenantCode,
    ) -> Result<Option<Tenant>, StorageError>;
    /// All tenants by code.
    async fn list_tenants(&self, ctx: &SystemContext) -> Result<Vec<Tenant>, StorageError>;
    async fn set_tenant_status(
        &self,
        ctx: &SystemContext,
        code: &TenantCode,
        status: TenantStatus,
    ) -> Result<Tenant, StorageError>;
}

macro_rules! tenant_columns {
    () => {
        "id, code, display_name, status, settings, created_at, updated_at"
    };
}

pub(crate) const TENANTS: Table = Table {
    name: "authority.tenants",
    entity: "tenant",
    columns: tenant_columns!(),
    by_id: None,
    unread: &[],
    constraints: &[
        ("tenants_pkey", Constraint::Unique("id")),
        ("tenants_code_key", Constraint::Unique("code")),
    ],
};

#[async_trait]
impl TenantRepository for PgAuthority {
    async fn create_tenant(
        &self,
        ctx: &SystemContext,
        tenant: &NewTenant,
    ) -> Result<Tenant, StorageError> {
        tenant.validate()?;
        let now = self.clock.now();
        self.source
            .call(ctx, &TENANTS, "creating a tenant")
            .one(
                sqlx::query_as::<_, Tenant>(concat!(
                    "INSERT INTO authority.tenants (id, code, display_name, status, settings, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ",
                    tenant_columns!()
                ))
                .bind(tenant.id)
                .bind(tenant.code.as_str())
                .bind(&tenant.display_name)
                .bind(tenant.status.as_str())
                .bind(&tenant.settings)
                .bind(now),
            )
            .await
    }

    async fn get_tenant(
        &self,
        ctx: &SystemContext,
        code: &TenantCode,
    ) -> Result<Option<Tenant>, StorageError> {
        self.source
            .call(ctx, &TENANTS, "reading a tenant")
            .optional(
                sqlx::query_as::<_, Tenant>(concat!(
                    "SELECT ",
                    tenant_columns!(),
                    " FROM authority.tenants WHERE code = $1"
                ))
                .bind(code.as_str()),
            )
            .await
    }

    async fn list_tenants(&self, ctx: &SystemContext) -> Result<Vec<Tenant>, StorageError> {
        self.source
            .call(ctx, &TENANTS, "listing tenants")
            .all(sqlx::query_as::<_, Tenant>(concat!(
                "SELECT ",
                tenant_columns!(),
                " FROM authority.tenants ORDER BY code"
            )))
            .await
    }

    async fn set_tenant_status(
        &self,
        ctx: &SystemContext,
        code: &TenantCode,
        status: TenantStatus,
    ) -> Result<Tenant, StorageError> {
        let now = self.clock.now();
        let statement = sqlx::query_as::<_, Tenant>(concat!(
            "UPDATE authority.tenants SET status = $2, updated_at = $3 WHERE code = $1 RETURNING ",
            tenant_columns!()
        ))
        .bind(code.as_str())
        .bind(status.as_str())
        .bind(now);
        let tenant = self
            .source
            .call(ctx, &TENANTS, "updating a tenant")
            .one(statement)
            .await?;
        Ok(tenant)
    }
}
