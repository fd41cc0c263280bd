//! Tokens stored by hash (`authority.tokens`): the repository trait and its
//! PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::postgres::PgAuthority;
use super::status::{TokenStatus, TokenType};
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, SystemContext, TenantContext, input};

/// An issued token, stored by hash (`authority.tokens`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Token {
    pub tenant_id: String,
    pub id: Uuid,
    pub token_hash: String,
    #[sqlx(try_from = "String")]
    pub token_type: TokenType,
    #[sqlx(try_from = "String")]
    pub status: TokenStatus,
    pub subject_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub service_account_id: Option<Uuid>,
    pub client_id: Option<String>,
    pub scopes: Vec<String>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub payload: Value,
}

/// A token to issue; it is issued at the clock's now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub id: Uuid,
    pub token_hash: String,
    pub token_type: TokenType,
    pub subject_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub service_account_id: Option<Uuid>,
    pub client_id: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
    pub payload: Value,
}

impl NewToken {
    /// An access token of `user_id` with a fresh id.
    pub fn access(token_hash: impl Into<String>, user_id: Uuid, expires_at: DateTime<Utc>) -> Self {
        NewToken {
            id: Uuid::new_v4(),
            token_hash: token_hash.into(),
            token_type: TokenType::Access,
            subject_id: None,
            user_id: Some(user_id),
            service_account_id: None,
            client_id: None,
            scopes: Vec::new(),
            expires_at,
            payload: Value::Object(Default::default()),
        }
    }

    pub(crate) fn validate(&self, now: DateTime<Utc>) -> Result<(), StorageError> {
        input::key("token hash", &self.token_hash)?;
        if let Some(client_id) = &self.client_id {
            input::key("client id", client_id)?;
        }
        input::keys("scope", &self.scopes)?;
        input::json_object("payload", &self.payload)?;
        if self.expires_at <= now {
            return Err(StorageError::invalid(
                "expires at",
                format!("{} is not after the issue time {now}", self.expires_at),
            ));
        }
        Ok(())
    }
}

/// The seeds' `ITokenRepository`.
#[async_trait]
pub trait TokenRepository: Send + Sync + std::fmt::Debug {
    async fn get_token(&self, ctx: &TenantContext, id: Uuid)
    -> Result<Option<Token>, StorageError>;
    /// Across tenants: a presented token carries no tenant until it is found.
    async fn get_token_by_hash(
        &self,
        ctx: &SystemContext,
        token_hash: &str,
    ) -> Result<Option<Token>, StorageError>;
    async fn create_token(
        &self,
        ctx: &TenantContext,
        token: &NewToken,
    ) -> Result<Token, StorageError>;
    /// Revokes a valid token; false when it is not valid (or not this tenant's).
    async fn revoke_token(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        reason: &str,
    ) -> Result<bool, StorageError>;
    /// Across tenants: deletes tokens that expired before the clock's now.
    async fn prune_expired_tokens(&self, ctx: &SystemContext) -> Result<u64, StorageError>;
    /// Valid, unexpired tokens of a user, oldest first.
    async fn active_tokens_of_user(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
    ) -> Result<Vec<Token>, StorageError>;
    /// Valid, unexpired tokens of a client, oldest first.
    async fn active_tokens_of_client(
        &self,
        ctx: &TenantContext,
        client_id: &str,
    ) -> Result<Vec<Token>, StorageError>;
}

macro_rules! token_columns {
    () => {
        "tenant_id, id, token_hash, token_type, status, subject_id, user_id, \
         service_account_id, client_id, scopes, issued_at, expires_at, revoked_at, \
         revoked_reason, payload"
    };
}

pub(crate) const TOKENS: Table = Table {
    name: "authority.tokens",
    entity: "token",
    columns: token_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        token_columns!(),
        " FROM authority.tokens WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("tokens_pkey", Constraint::Unique("id")),
        (
            "tokens_tenant_id_token_hash_key",
            Constraint::Unique("token hash"),
        ),
        ("tokens_tenant_id_fkey", Constraint::References("tenant")),
        (
            "tokens_tenant_id_user_id_fkey",
            Constraint::References("user"),
        ),
        (
            "tokens_tenant_id_service_account_id_fkey",
            Constraint::References("service account"),
        ),
    ],
};

#[async_trait]
impl TokenRepository for PgAuthority {
    async fn get_token(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Token>, StorageError> {
        self.source
            .get_by_id(ctx, &TOKENS, "reading a token", id)
            .await
    }

    async fn get_token_by_hash(
        &self,
        ctx: &SystemContext,
        token_hash: &str,
    ) -> Result<Option<Token>, StorageError> {
        input::key("token hash", token_hash)?;
        self.source
            .call(ctx, &TOKENS, "reading a token by hash")
            .optional(
                sqlx::query_as::<_, Token>(concat!(
                    "SELECT ",
                    token_columns!(),
                    " FROM authority.tokens WHERE token_hash = $1 ORDER BY tenant_id, id LIMIT 1"
                ))
                .bind(token_hash),
            )
            .await
    }

    async fn create_token(
        &self,
        ctx: &TenantContext,
        token: &NewToken,
    ) -> Result<Token, StorageError> {
        let now = self.clock.now();
        token.validate(now)?;
        let statement = sqlx::query_as::<_, Token>(concat!(
            "INSERT INTO authority.tokens (tenant_id, id, token_hash, token_type, subject_id, \
             user_id, service_account_id, client_id, scopes, issued_at, expires_at, payload) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ",
            token_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(token.id)
        .bind(&token.token_hash)
        .bind(token.token_type.as_str())
        .bind(token.subject_id)
        .bind(token.user_id)
        .bind(token.service_account_id)
        .bind(&token.client_id)
        .bind(&token.scopes)
        .bind(now)
        .bind(token.expires_at)
        .bind(&token.payload);
        self.source
            .call(ctx, &TOKENS, "creating a token")
            .one(statement)
            .await
    }

    async fn revoke_token(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        reason: &str,
    ) -> Result<bool, StorageError> {
        input::text("revocation reason", reason)?;
        let now = self.clock.now();
        let statement = sqlx::query(
            "UPDATE authority.tokens SET status = 'revoked', revoked_at = $2, revoked_reason = $3 \
             WHERE id = $1 AND status = 'valid'",
        )
        .bind(id)
        .bind(now)
        .bind(reason);
        let revoked = self
            .source
            .call(ctx, &TOKENS, "revoking a token")
            .execute(statement)
            .await?;
        Ok(revoked == 1)
    }

    async fn prune_expired_tokens(&self, ctx: &SystemContext) -> Result<u64, StorageError> {
        let now = self.clock.now();
        self.source
            .call(ctx, &TOKENS, "pruning expired tokens")
            .execute(sqlx::query("DELETE FROM authority.tokens WHERE expires_at < $1").bind(now))
            .await
    }

    async fn active_tokens_of_user(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
    ) -> Result<Vec<Token>, StorageError> {
        let now = self.clock.now();
        let statement = sqlx::query_as::<_, Token>(concat!(
            "SELECT ",
            token_columns!(),
            " FROM authority.tokens WHERE user_id = $1 AND status = 'valid' AND expires_at > $2 \
             ORDER BY issued_at, id"
        ))
        .bind(user_id)
        .bind(now);
        self.source
            .call(ctx, &TOKENS, "listing a user's tokens")
            .all(statement)
            .await
    }

    async fn active_tokens_of_client(
        &self,
        ctx: &TenantContext,
        client_id: &str,
    ) -> Result<Vec<Token>, StorageError> {
        input::key("client id", client_id)?;
        let now = self.clock.now();
        self.source
            .call(ctx, &TOKENS, "listing a client's tokens")
            .all(
                sqlx::query_as::<_, Token>(concat!(
                    "SELECT ",
                    token_columns!(),
                    " FROM authority.tokens WHERE client_id = $1 AND status = 'valid' \
             AND expires_at > $2 ORDER BY issued_at, id"
                ))
                .bind(client_id)
                .bind(now),
            )
            .await
    }
}
