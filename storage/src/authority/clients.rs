//! OAuth clients (`authority.clients`): the repository trait and its
//! PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::postgres::PgAuthority;
use super::status::{AccountStatus, ClientType};
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, TenantContext, input};

/// An OAuth client of one tenant (`authority.clients`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Client {
    pub tenant_id: String,
    pub id: Uuid,
    pub client_id: String,
    pub client_secret_hash: Option<String>,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub client_type: ClientType,
    #[sqlx(try_from = "String")]
    pub status: AccountStatus,
    pub grant_types: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub allowed_scopes: Vec<String>,
    pub require_pkce: bool,
    pub properties: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFields {
    pub client_id: String,
    pub client_secret_hash: Option<String>,
    pub display_name: String,
    pub client_type: ClientType,
    pub status: AccountStatus,
    pub grant_types: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub allowed_scopes: Vec<String>,
    pub require_pkce: bool,
    pub properties: Value,
}

impl ClientFields {
    pub fn named(client_id: impl Into<String>) -> Self {
        let client_id = client_id.into();
        ClientFields {
            display_name: client_id.clone(),
            client_id,
            client_secret_hash: None,
            client_type: ClientType::Confidential,
            status: AccountStatus::Active,
            grant_types: Vec::new(),
            redirect_uris: Vec::new(),
            allowed_scopes: Vec::new(),
            require_pkce: true,
            properties: Value::Object(Default::default()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("client id", &self.client_id)?;
        input::optional_text("client secret hash", self.client_secret_hash.as_deref())?;
        input::key("display name", &self.display_name)?;
        input::keys("grant type", &self.grant_types)?;
        self.redirect_uris
            .iter()
            .try_for_each(|uri| input::key("redirect uri", uri))?;
        input::keys("scope", &self.allowed_scopes)?;
        input::json_object("properties", &self.properties)
    }
}

/// The seeds' `IClientRepository`.
#[async_trait]
pub trait ClientRepository: Send + Sync + std::fmt::Debug {
    async fn get_client(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Client>, StorageError>;
    async fn get_client_by_client_id(
        &self,
        ctx: &TenantContext,
        client_id: &str,
    ) -> Result<Option<Client>, StorageError>;
    /// All clients of the tenant, by client id.
    async fn list_clients(&self, ctx: &TenantContext) -> Result<Vec<Client>, StorageError>;
    async fn create_client(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ClientFields,
    ) -> Result<Client, StorageError>;
    async fn update_client(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ClientFields,
    ) -> Result<Client, StorageError>;
    async fn delete_client(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
}

macro_rules! client_columns {
    () => {
        "tenant_id, id, client_id, client_secret_hash, display_name, client_type, status, \
         grant_types, redirect_uris, allowed_scopes, require_pkce, properties, created_at, \
         updated_at"
    };
}

pub(crate) const CLIENTS: Table = Table {
    name: "authority.clients",
    entity: "client",
    columns: client_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        client_columns!(),
        " FROM authority.clients WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("clients_pkey", Constraint::Unique("id")),
        (
            "clients_tenant_id_client_id_key",
            Constraint::Unique("client id"),
        ),
        ("clients_tenant_id_fkey", Constraint::References("tenant")),
    ],
};

#[async_trait]
impl ClientRepository for PgAuthority {
    async fn get_client(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Client>, StorageError> {
        self.source
            .get_by_id(ctx, &CLIENTS, "reading a client", id)
            .await
    }

    async fn get_client_by_client_id(
        &self,
        ctx: &TenantContext,
        client_id: &str,
    ) -> Result<Option<Client>, StorageError> {
        input::key("client id", client_id)?;
        self.source
            .call(ctx, &CLIENTS, "reading a client by client id")
            .optional(
                sqlx::query_as::<_, Client>(concat!(
                    "SELECT ",
                    client_columns!(),
                    " FROM authority.clients WHERE client_id = $1"
                ))
                .bind(client_id),
            )
            .await
    }

    async fn list_clients(&self, ctx: &TenantContext) -> Result<Vec<Client>, StorageError> {
        self.source
            .call(ctx, &CLIENTS, "listing clients")
            .all(sqlx::query_as::<_, Client>(concat!(
                "SELECT ",
                client_columns!(),
                " FROM authority.clients ORDER BY client_id"
            )))
            .await
    }

    async fn create_client(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ClientFields,
    ) -> Result<Client, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        self.source
            .call(ctx, &CLIENTS, "creating a client")
            .one(
                sqlx::query_as::<_, Client>(concat!(
                    "INSERT INTO authority.clients (tenant_id, id, client_id, client_secret_hash, \
             display_name, client_type, status, grant_types, redirect_uris, allowed_scopes, \
             require_pkce, properties, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING ",
                    client_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(id)
                .bind(&fields.client_id)
                .bind(&fields.client_secret_hash)
                .bind(&fields.display_name)
                .bind(fields.client_type.as_str())
                .bind(fields.status.as_str())
                .bind(&fields.grant_types)
                .bind(&fields.redirect_uris)
                .bind(&fields.allowed_scopes)
                .bind(fields.require_pkce)
                .bind(&fields.properties)
                .bind(now),
            )
            .await
    }

    async fn update_client(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ClientFields,
    ) -> Result<Client, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let updated = self
            .source
            .call(ctx, &CLIENTS, "updating a client")
            .one(
                sqlx::query_as::<_, Client>(concat!(
                    "UPDATE authority.clients SET client_id = $2, client_secret_hash = $3, \
             display_name = $4, client_type = $5, status = $6, grant_types = $7, \
             redirect_uris = $8, allowed_scopes = $9, require_pkce = $10, properties = $11, \
             updated_at = $12 WHERE id = $1 RETURNING ",
                    client_columns!()
                ))
                .bind(id)
                .bind(&fields.client_id)
                .bind(&fields.client_secret_hash)
                .bind(&fields.display_name)
                .bind(fields.client_type.as_str())
                .bind(fields.status.as_str())
                .bind(&fields.grant_types)
                .bind(&fields.redirect_uris)
                .bind(&fields.allowed_scopes)
                .bind(fields.require_pkce)
                .bind(&fields.properties)
                .bind(now),
            )
            .await?;
        Ok(updated)
    }

    async fn delete_client(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let deleted = self
            .source
            .call(ctx, &CLIENTS, "deleting a client")
            .execute(sqlx::query("DELETE FROM authority.clients WHERE id = $1").bind(id))
            .await?;
        Ok(deleted == 1)
    }
}
