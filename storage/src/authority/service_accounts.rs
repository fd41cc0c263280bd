//! Service accounts (`authority.service_accounts`): the repository trait and
//! its PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::postgres::PgAuthority;
use super::status::AccountStatus;
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, TenantContext, input};

/// A non-human identity of one tenant (`authority.service_accounts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ServiceAccount {
    pub tenant_id: String,
    pub id: Uuid,
    pub account_id: String,
    pub display_name: String,
    pub description: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: AccountStatus,
    pub allowed_scopes: Vec<String>,
    pub authorized_clients: Vec<String>,
    pub attributes: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccountFields {
    pub account_id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub status: AccountStatus,
    pub allowed_scopes: Vec<String>,
    pub authorized_clients: Vec<String>,
    pub attributes: Value,
}

impl ServiceAccountFields {
    pub fn named(account_id: impl Into<String>) -> Self {
        let account_id = account_id.into();
        ServiceAccountFields {
            display_name: account_id.clone(),
            account_id,
            description: None,
            status: AccountStatus::Active,
            allowed_scopes: Vec::new(),
            authorized_clients: Vec::new(),
            attributes: Value::Object(Default::default()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("account id", &self.account_id)?;
        input::key("display name", &self.display_name)?;
        input::optional_text("description", self.description.as_deref())?;
        input::keys("scope", &self.allowed_scopes)?;
        input::keys("client id", &self.authorized_clients)?;
        input::json_object("attributes", &self.attributes)
    }
}

/// The seeds' `IServiceAccountRepository`.
#[async_trait]
pub trait ServiceAccountRepository: Send + Sync + std::fmt::Debug {
    async fn get_service_account(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<ServiceAccount>, StorageError>;
    async fn get_service_account_by_account_id(
        &self,
        ctx: &TenantContext,
        account_id: &str,
    ) -> Result<Option<ServiceAccount>, StorageError>;
    /// All service accounts of the tenant, by account id.
    async fn list_service_accounts(
        &self,
        ctx: &TenantContext,
    ) -> Result<Vec<ServiceAccount>, StorageError>;
    async fn create_service_account(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ServiceAccountFields,
    ) -> Result<ServiceAccount, StorageError>;
    async fn update_service_account(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ServiceAccountFields,
    ) -> Result<ServiceAccount, StorageError>;
    async fn delete_service_account(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<bool, StorageError>;
}

macro_rules! account_columns {
    () => {
        "tenant_id, id, account_id, display_name, description, status, allowed_scopes, \
         authorized_clients, attributes, created_at, updated_at"
    };
}

pub(crate) const SERVICE_ACCOUNTS: Table = Table {
    name: "authority.service_accounts",
    entity: "service account",
    columns: account_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        account_columns!(),
        " FROM authority.service_accounts WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("service_accounts_pkey", Constraint::Unique("id")),
        (
            "service_accounts_tenant_id_account_id_key",
            Constraint::Unique("account id"),
        ),
        (
            "service_accounts_tenant_id_fkey",
            Constraint::References("tenant"),
        ),
    ],
};

#[async_trait]
impl ServiceAccountRepository for PgAuthority {
    async fn get_service_account(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<ServiceAccount>, StorageError> {
        self.source
            .get_by_id(ctx, &SERVICE_ACCOUNTS, "reading a service account", id)
            .await
    }

    async fn get_service_account_by_account_id(
        &self,
        ctx: &TenantContext,
        account_id: &str,
    ) -> Result<Option<ServiceAccount>, StorageError> {
        input::key("account id", account_id)?;
        self.source
            .call(ctx, &SERVICE_ACCOUNTS, "reading a service account")
            .optional(
                sqlx::query_as::<_, ServiceAccount>(concat!(
                    "SELECT ",
                    account_columns!(),
                    " FROM authority.service_accounts WHERE account_id = $1"
                ))
                .bind(account_id),
            )
            .await
    }

    async fn list_service_accounts(
        &self,
        ctx: &TenantContext,
    ) -> Result<Vec<ServiceAccount>, StorageError> {
        self.source
            .call(ctx, &SERVICE_ACCOUNTS, "listing service accounts")
            .all(sqlx::query_as::<_, ServiceAccount>(concat!(
                "SELECT ",
                account_columns!(),
                " FROM authority.service_accounts ORDER BY account_id"
            )))
            .await
    }

    async fn create_service_account(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ServiceAccountFields,
    ) -> Result<ServiceAccount, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let statement = sqlx::query_as::<_, ServiceAccount>(concat!(
            "INSERT INTO authority.service_accounts (tenant_id, id, account_id, display_name, \
             description, status, allowed_scopes, authorized_clients, attributes, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING ",
            account_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(id)
        .bind(&fields.account_id)
        .bind(&fields.display_name)
        .bind(&fields.description)
        .bind(fields.status.as_str())
        .bind(&fields.allowed_scopes)
        .bind(&fields.authorized_clients)
        .bind(&fields.attributes)
        .bind(now);
        self.source
            .call(ctx, &SERVICE_ACCOUNTS, "creating a service account")
            .one(statement)
            .await
    }

    async fn update_service_account(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ServiceAccountFields,
    ) -> Result<ServiceAccount, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let updated = self
            .source
            .call(ctx, &SERVICE_ACCOUNTS, "updating a service account")
            .one(
                sqlx::query_as::<_, ServiceAccount>(concat!(
                    "UPDATE authority.service_accounts SET account_id = $2, display_name = $3, \
             description = $4, status = $5, allowed_scopes = $6, authorized_clients = $7, \
             attributes = $8, updated_at = $9 WHERE id = $1 RETURNING ",
                    account_columns!()
                ))
                .bind(id)
                .bind(&fields.account_id)
                .bind(&fields.display_name)
                .bind(&fields.description)
                .bind(fields.status.as_str())
                .bind(&fields.allowed_scopes)
                .bind(&fields.authorized_clients)
                .bind(&fields.attributes)
                .bind(now),
            )
            .await?;
        Ok(updated)
    }

    async fn delete_service_account(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<bool, StorageError> {
        let deleted = self
            .source
            .call(ctx, &SERVICE_ACCOUNTS, "deleting a service account")
            .execute(sqlx::query("DELETE FROM authority.service_accounts WHERE id = $1").bind(id))
            .await?;
        Ok(deleted == 1)
    }
}
