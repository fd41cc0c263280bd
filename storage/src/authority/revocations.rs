//! Revocations (`authority.revocations`): the repository trait and its
//! PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::postgres::PgAuthority;
use super::status::RevocationCategory;
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, TenantContext, input};

/// A revocation entry of one tenant (`authority.revocations`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Revocation {
    pub tenant_id: String,
    pub id: Uuid,
    #[sqlx(try_from = "String")]
    pub category: RevocationCategory,
    pub revocation_id: String,
    pub token_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    pub client_id: Option<String>,
    pub reason: String,
    pub reason_description: Option<String>,
    pub revoked_at: DateTime<Utc>,
    pub effective_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub metadata: Value,
}

/// A revocation to record; it is revoked at the clock's now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRevocation {
    pub id: Uuid,
    pub category: RevocationCategory,
    pub revocation_id: String,
    pub token_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    pub client_id: Option<String>,
    pub reason: String,
    pub reason_description: Option<String>,
    /// When it takes effect; the clock's now when absent.
    pub effective_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub metadata: Value,
}

impl NewRevocation {
    pub fn of_token(token_id: Uuid, reason: impl Into<String>) -> Self {
        NewRevocation {
            id: Uuid::new_v4(),
            category: RevocationCategory::Token,
            revocation_id: token_id.to_string(),
            token_id: Some(token_id),
            subject_id: None,
            client_id: None,
            reason: reason.into(),
            reason_description: None,
            effective_at: None,
            expires_at: None,
            metadata: Value::Object(Default::default()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("revocation id", &self.revocation_id)?;
        if let Some(client_id) = &self.client_id {
            input::key("client id", client_id)?;
        }
        input::key("reason", &self.reason)?;
        input::optional_text("reason description", self.reason_description.as_deref())?;
        input::json_object("metadata", &self.metadata)
    }
}

/// The seeds' `IRevocationRepository`.
#[async_trait]
pub trait RevocationRepository: Send + Sync + std::fmt::Debug {
    async fn create_revocation(
        &self,
        ctx: &TenantContext,
        revocation: &NewRevocation,
    ) -> Result<Revocation, StorageError>;
    async fn get_revocation(
        &self,
        ctx: &TenantContext,
        category: RevocationCategory,
        revocation_id: &str,
    ) -> Result<Option<Revocation>, StorageError>;
    /// Revocations in effect at the clock's now, by effective time then id.
    async fn active_revocations(
        &self,
        ctx: &TenantContext,
    ) -> Result<Vec<Revocation>, StorageError>;
    async fn delete_revocation(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
}

macro_rules! revocation_columns {
    () => {
        "tenant_id, id, category, revocation_id, token_id, subject_id, client_id, reason, \
         reason_description, revoked_at, effective_at, expires_at, metadata"
    };
}

pub(crate) const REVOCATIONS: Table = Table {
    name: "authority.revocations",
    entity: "revocation",
    columns: revocation_columns!(),
    by_id: None,
    unread: &[],
    constraints: &[
        ("revocations_pkey", Constraint::Unique("id")),
        (
            "revocations_tenant_id_category_revocation_id_key",
            Constraint::Unique("revocation id"),
        ),
        (
            "revocations_tenant_id_fkey",
            Constraint::References("tenant"),
        ),
    ],
};

#[async_trait]
impl RevocationRepository for PgAuthority {
    async fn create_revocation(
        &self,
        ctx: &TenantContext,
        revocation: &NewRevocation,
    ) -> Result<Revocation, StorageError> {
        revocation.validate()?;
        let now = self.clock.now();
        self.source
            .call(ctx, &REVOCATIONS, "recording a revocation")
            .one(
                sqlx::query_as::<_, Revocation>(concat!(
                    "INSERT INTO authority.revocations (tenant_id, id, category, revocation_id, \
             token_id, subject_id, client_id, reason, reason_description, revoked_at, \
             effective_at, expires_at, metadata) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, coalesce($11, $10), $12, $13) \
             RETURNING ",
                    revocation_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(revocation.id)
                .bind(revocation.category.as_str())
                .bind(&revocation.revocation_id)
                .bind(revocation.token_id)
                .bind(revocation.subject_id)
                .bind(&revocation.client_id)
                .bind(&revocation.reason)
                .bind(&revocation.reason_description)
                .bind(now)
                .bind(revocation.effective_at)
                .bind(revocation.expires_at)
                .bind(&revocation.metadata),
            )
            .await
    }

    async fn get_revocation(
        &self,
        ctx: &TenantContext,
        category: RevocationCategory,
        revocation_id: &str,
    ) -> Result<Option<Revocation>, StorageError> {
        input::key("revocation id", revocation_id)?;
        self.source
            .call(ctx, &REVOCATIONS, "reading a revocation")
            .optional(
                sqlx::query_as::<_, Revocation>(concat!(
                    "SELECT ",
                    revocation_columns!(),
                    " FROM authority.revocations WHERE category = $1 AND revocation_id = $2"
                ))
                .bind(category.as_str())
                .bind(revocation_id),
            )
            .await
    }

    async fn active_revocations(
        &self,
        ctx: &TenantContext,
    ) -> Result<Vec<Revocation>, StorageError> {
        let now = self.clock.now();
        self.source
            .call(ctx, &REVOCATIONS, "listing revocations")
            .all(
                sqlx::query_as::<_, Revocation>(concat!(
                    "SELECT ",
                    revocation_columns!(),
                    " FROM authority.revocations WHERE effective_at <= $1 \
             AND (expires_at IS NULL OR expires_at > $1) ORDER BY effective_at, id"
                ))
                .bind(now),
            )
            .await
    }

    async fn delete_revocation(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let deleted = self
            .source
            .call(ctx, &REVOCATIONS, "deleting a revocation")
            .execute(sqlx::query("DELETE FROM authority.revocations WHERE id = $1").bind(id))
            .await?;
        Ok(deleted == 1)
    }
}
