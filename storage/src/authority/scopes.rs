//! OAuth scopes (`authority.scopes`, global): the repository trait and its
//! PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::postgres::PgAuthority;
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, SystemContext, TenantContext, input};

/// An OAuth scope (`authority.scopes`, a global table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Scope {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub resources: Vec<String>,
    pub is_system: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewScope {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub resources: Vec<String>,
    pub is_system: bool,
}

impl NewScope {
    pub fn named(name: impl Into<String>) -> Self {
        NewScope {
            id: Uuid::new_v4(),
            name: name.into(),
            description: None,
            resources: Vec::new(),
            is_system: false,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("scope name", &self.name)?;
        input::optional_text("description", self.description.as_deref())?;
        input::keys("resource", &self.resources)
    }
}

/// Scopes are shared by all tenants: any tenant reads them, only system
/// operations write them.
#[async_trait]
pub trait ScopeRepository: Send + Sync + std::fmt::Debug {
    async fn get_scope_by_name(
        &self,
        ctx: &TenantContext,
        name: &str,
    ) -> Result<Option<Scope>, StorageError>;
    /// All scopes, by name.
    async fn list_scopes(&self, ctx: &TenantContext) -> Result<Vec<Scope>, StorageError>;
    async fn create_scope(
        &self,
        ctx: &SystemContext,
        scope: &NewScope,
    ) -> Result<Scope, StorageError>;
    async fn delete_scope(&self, ctx: &SystemContext, name: &str) -> Result<bool, StorageError>;
}

macro_rules! scope_columns {
    () => {
        "id, name, description, resources, is_system, created_at"
    };
}

pub(crate) const SCOPES: Table = Table {
    name: "authority.scopes",
    entity: "scope",
    columns: scope_columns!(),
    by_id: None,
    unread: &[],
    constraints: &[
        ("scopes_pkey", Constraint::Unique("id")),
        ("scopes_name_key", Constraint::Unique("name")),
    ],
};

#[async_trait]
impl ScopeRepository for PgAuthority {
    async fn get_scope_by_name(
        &self,
        ctx: &TenantContext,
        name: &str,
    ) -> Result<Option<Scope>, StorageError> {
        input::key("scope name", name)?;
        self.source
            .call(ctx, &SCOPES, "reading a scope")
            .optional(
                sqlx::query_as::<_, Scope>(concat!(
                    "SELECT ",
                    scope_columns!(),
                    " FROM authority.scopes WHERE name = $1"
                ))
                .bind(name),
            )
            .await
    }

    async fn list_scopes(&self, ctx: &TenantContext) -> Result<Vec<Scope>, StorageError> {
        self.source
            .call(ctx, &SCOPES, "listing scopes")
            .all(sqlx::query_as::<_, Scope>(concat!(
                "SELECT ",
                scope_columns!(),
                " FROM authority.scopes ORDER BY name"
            )))
            .await
    }

    async fn create_scope(
        &self,
        ctx: &SystemContext,
        scope: &NewScope,
    ) -> Result<Scope, StorageError> {
        scope.validate()?;
        let now = self.clock.now();
        self.source
            .call(ctx, &SCOPES, "creating a scope")
            .one(
                sqlx::query_as::<_, Scope>(concat!(
                    "INSERT INTO authority.scopes (id, name, description, resources, is_system, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
                    scope_columns!()
                ))
                .bind(scope.id)
                .bind(&scope.name)
                .bind(&scope.description)
                .bind(&scope.resources)
                .bind(scope.is_system)
                .bind(now),
            )
            .await
    }

    async fn delete_scope(&self, ctx: &SystemContext, name: &str) -> Result<bool, StorageError> {
        input::key("scope name", name)?;
        let deleted = self
            .source
            .call(ctx, &SCOPES, "deleting a scope")
            .execute(sqlx::query("DELETE FROM authority.scopes WHERE name = $1").bind(name))
            .await?;
        Ok(deleted == 1)
    }
}
