//! Roles and user-role grants (`authority.roles`, `authority.user_roles`):
//! trait and PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::postgres::PgAuthority;
use crate::error::{Constraint, ConstraintMap, classify};
use crate::{StorageError, TenantContext, input};

/// A named set of permissions of one tenant (`authority.roles`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Role {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub is_system: bool,
    pub permissions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The fields a caller sets on create and update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleFields {
    pub name: String,
    pub description: Option<String>,
    pub is_system: bool,
    pub permissions: Vec<String>,
}

impl RoleFields {
    pub fn named(name: impl Into<String>) -> Self {
        RoleFields {
            name: name.into(),
            description: None,
            is_system: false,
            permissions: Vec::new(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("role name", &self.name)?;
        input::optional_text("description", self.description.as_deref())?;
        input::keys("permission", &self.permissions)
    }
}

/// The seeds' `IRoleRepository`.
#[async_trait]
pub trait RoleRepository: Send + Sync {
    async fn get_role(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Role>, StorageError>;
    async fn get_role_by_name(
        &self,
        ctx: &TenantContext,
        name: &str,
    ) -> Result<Option<Role>, StorageError>;
    /// All roles of the tenant, by name.
    async fn list_roles(&self, ctx: &TenantContext) -> Result<Vec<Role>, StorageError>;
    async fn create_role(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RoleFields,
    ) -> Result<Role, StorageError>;
    async fn update_role(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RoleFields,
    ) -> Result<Role, StorageError>;
    /// Deletes the role and its grants.
    async fn delete_role(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
}

const ROLE_CONSTRAINTS: ConstraintMap = &[
    ("roles_pkey", Constraint::Unique("id")),
    ("roles_tenant_id_name_key", Constraint::Unique("name")),
    ("roles_tenant_id_fkey", Constraint::References("tenant")),
];

macro_rules! role_columns {
    () => {
        "tenant_id, id, name, description, is_system, permissions, created_at, updated_at"
    };
}

#[async_trait]
impl RoleRepository for PgAuthority {
    async fn get_role(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Role>, StorageError> {
        let mut tx = self.source.tenant(ctx).await?;
        let role = sqlx::query_as::<_, Role>(concat!(
            "SELECT ",
            role_columns!(),
            " FROM authority.roles WHERE id = $1"
        ))
        .bind(id)
        .persistent(self.source.prepared())
        .fetch_optional(tx.conn())
        .await
        .map_err(|e| classify(e, "reading a role", "role", ROLE_CONSTRAINTS))?;
        tx.commit().await?;
        Ok(role)
    }

    async fn get_role_by_name(
        &self,
        ctx: &TenantContext,
        name: &str,
    ) -> Result<Option<Role>, StorageError> {
        input::key("role name", name)?;
        let mut tx = self.source.tenant(ctx).await?;
        let role = sqlx::query_as::<_, Role>(concat!(
            "SELECT ",
            role_columns!(),
            " FROM authority.roles WHERE name = $1"
        ))
        .bind(name)
        .persistent(self.source.prepared())
        .fetch_optional(tx.conn())
        .await
        .map_err(|e| classify(e, "reading a role by name", "role", ROLE_CONSTRAINTS))?;
        tx.commit().await?;
        Ok(role)
    }

    async fn list_roles(&self, ctx: &TenantContext) -> Result<Vec<Role>, StorageError> {
        let mut tx = self.source.tenant(ctx).await?;
        let roles = sqlx::query_as::<_, Role>(concat!(
            "SELECT ",
            role_columns!(),
            " FROM authority.roles ORDER BY name"
        ))
        .persistent(self.source.prepared())
        .fetch_all(tx.conn())
        .await
        .map_err(|e| classify(e, "listing roles", "role", ROLE_CONSTRAINTS))?;
        tx.commit().await?;
        Ok(roles)
    }

    async fn create_role(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RoleFields,
    ) -> Result<Role, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut tx = self.source.tenant(ctx).await?;
        let role = sqlx::query_as::<_, Role>(concat!(
            "INSERT INTO authority.roles (tenant_id, id, name, description, is_system, \
             permissions, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             RETURNING ",
            role_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(id)
        .bind(&fields.name)
        .bind(&fields.description)
        .bind(fields.is_system)
        .bind(&fields.permissions)
        .bind(now)
        .persistent(self.source.prepared())
        .fetch_one(tx.conn())
        .await
        .map_err(|e| classify(e, "creating a role", "role", ROLE_CONSTRAINTS))?;
        tx.commit().await?;
        Ok(role)
    }

    async fn update_role(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RoleFields,
    ) -> Result<Role, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut tx = self.source.tenant(ctx).await?;
        let role = sqlx::query_as::<_, Role>(concat!(
            "UPDATE authority.roles SET name = $2, description = $3, is_system = $4, \
             permissions = $5, updated_at = $6 WHERE id = $1 RETURNING ",
            role_columns!()
        ))
        .bind(id)
        .bind(&fields.name)
        .bind(&fields.description)
        .bind(fields.is_system)
        .bind(&fields.permissions)
        .bind(now)
        .persistent(self.source.prepared())
        .fetch_optional(tx.conn())
        .await
        .map_err(|e| classify(e, "updating a role", "role", ROLE_CONSTRAINTS))?
        .ok_or(StorageError::NotFound { entity: "role" })?;
        tx.commit().await?;
        Ok(role)
    }

    async fn delete_role(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut tx = self.source.tenant(ctx).await?;
        let deleted = sqlx::query("DELETE FROM authority.roles WHERE id = $1")
            .bind(id)
            .persistent(self.source.prepared())
            .execute(tx.conn())
            .await
            .map_err(|e| classify(e, "deleting a role", "role", ROLE_CONSTRAINTS))?;
        tx.commit().await?;
        Ok(deleted.rows_affected() == 1)
    }
}
