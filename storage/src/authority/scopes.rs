//! OAuth scopes (`authority.scopes`, global): the repository trait and its
//! PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::postgres::PgAuthority;
use crate::error::{Constraint, ConstraintMap, classify};
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
pub trait ScopeRepository: Send + Sync {
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

const SCOPE_CONSTRAINTS: ConstraintMap = &[
    ("scopes_pkey", Constraint::Unique("id")),
    ("scopes_name_key", Constraint::Unique("name")),
];

macro_rules! scope_columns {
    () => {
        "id, name, description, resources, is_system, created_at"
    };
}

#[async_trait]
impl ScopeRepository for PgAuthority {
    async fn get_scope_by_name(
        &self,
        ctx: &TenantContext,
        name: &str,
    ) -> Result<Option<Scope>, StorageError> {
        input::key("scope name", name)?;
        let mut tx = self.source.tenant(ctx).await?;
        let scope = sqlx::query_as::<_, Scope>(concat!(
            "SELECT ",
            scope_columns!(),
            " FROM authority.scopes WHERE name = $1"
        ))
        .bind(name)
        .persistent(self.source.prepared())
        .fetch_optional(tx.conn())
        .await
        .map_err(|e| classify(e, "reading a scope", "scope", SCOPE_CONSTRAINTS))?;
        tx.commit().await?;
        Ok(scope)
    }

    async fn list_scopes(&self, ctx: &TenantContext) -> Result<Vec<Scope>, StorageError> {
        let mut tx = self.source.tenant(ctx).await?;
        let scopes = sqlx::query_as::<_, Scope>(concat!(
            "SELECT ",
            scope_columns!(),
            " FROM authority.scopes ORDER BY name"
        ))
        .persistent(self.source.prepared())
        .fetch_all(tx.conn())
        .await
        .map_err(|e| classify(e, "listing scopes", "scope", SCOPE_CONSTRAINTS))?;
        tx.commit().await?;
        Ok(scopes)
    }

    async fn create_scope(
        &self,
        ctx: &SystemContext,
        scope: &NewScope,
    ) -> Result<Scope, StorageError> {
        scope.validate()?;
        let now = self.clock.now();
        let mut tx = self.source.system(ctx).await?;
        let created = sqlx::query_as::<_, Scope>(concat!(
            "INSERT INTO authority.scopes (id, name, description, resources, is_system, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            scope_columns!()
        ))
        .bind(scope.id)
        .bind(&scope.name)
        .bind(&scope.description)
        .bind(&scope.resources)
        .bind(scope.is_system)
        .bind(now)
        .persistent(self.source.prepared())
        .fetch_one(tx.conn())
        .await
        .map_err(|e| classify(e, "creating a scope", "scope", SCOPE_CONSTRAINTS))?;
        tx.commit().await?;
        Ok(created)
    }

    async fn delete_scope(&self, ctx: &SystemContext, name: &str) -> Result<bool, StorageError> {
        input::key("scope name", name)?;
        let mut tx = self.source.system(ctx).await?;
        let deleted = sqlx::query("DELETE FROM authority.scopes WHERE name = $1")
            .bind(name)
            .persistent(self.source.prepared())
            .execute(tx.conn())
            .await
            .map_err(|e| classify(e, "deleting a scope", "scope", SCOPE_CONSTRAINTS))?;
        tx.commit().await?;
        Ok(deleted.rows_affected() == 1)
    }
}
