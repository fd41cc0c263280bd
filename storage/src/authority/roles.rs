//! Roles and user-role grants (`authority.roles`, `authority.user_roles`):
//! trait and PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::postgres::PgAuthority;
use crate::error::Constraint;
use crate::table::Table;
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
pub trait RoleRepository: Send + Sync + std::fmt::Debug {
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

macro_rules! role_columns {
    () => {
        "tenant_id, id, name, description, is_system, permissions, created_at, updated_at"
    };
}

pub(crate) const ROLES: Table = Table {
    name: "authority.roles",
    entity: "role",
    columns: role_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        role_columns!(),
        " FROM authority.roles WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("roles_pkey", Constraint::Unique("id")),
        ("roles_tenant_id_name_key", Constraint::Unique("name")),
        ("roles_tenant_id_fkey", Constraint::References("tenant")),
    ],
};

#[async_trait]
impl RoleRepository for PgAuthority {
    async fn get_role(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Role>, StorageError> {
        self.source
            .get_by_id(ctx, &ROLES, "reading a role", id)
            .await
    }

    async fn get_role_by_name(
        &self,
        ctx: &TenantContext,
        name: &str,
    ) -> Result<Option<Role>, StorageError> {
        input::key("role name", name)?;
        self.source
            .call(ctx, &ROLES, "reading a role by name")
            .optional(
                sqlx::query_as::<_, Role>(concat!(
                    "SELECT ",
                    role_columns!(),
                    " FROM authority.roles WHERE name = $1"
                ))
                .bind(name),
            )
            .await
    }

    async fn list_roles(&self, ctx: &TenantContext) -> Result<Vec<Role>, StorageError> {
        self.source
            .call(ctx, &ROLES, "listing roles")
            .all(sqlx::query_as::<_, Role>(concat!(
                "SELECT ",
                role_columns!(),
                " FROM authority.roles ORDER BY name"
            )))
            .await
    }

    async fn create_role(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RoleFields,
    ) -> Result<Role, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        self.source
            .call(ctx, &ROLES, "creating a role")
            .one(
                sqlx::query_as::<_, Role>(concat!(
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
                .bind(now),
            )
            .await
    }

    async fn update_role(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RoleFields,
    ) -> Result<Role, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let role = self
            .source
            .call(ctx, &ROLES, "updating a role")
            .one(
                sqlx::query_as::<_, Role>(concat!(
                    "UPDATE authority.roles SET name = $2, description = $3, is_system = $4, \
             permissions = $5, updated_at = $6 WHERE id = $1 RETURNING ",
                    role_columns!()
                ))
                .bind(id)
                .bind(&fields.name)
                .bind(&fields.description)
                .bind(fields.is_system)
                .bind(&fields.permissions)
                .bind(now),
            )
            .await?;
        Ok(role)
    }

    async fn delete_role(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let deleted = self
            .source
            .call(ctx, &ROLES, "deleting a role")
            .execute(sqlx::query("DELETE FROM authority.roles WHERE id = $1").bind(id))
            .await?;
        Ok(deleted == 1)
    }
}
