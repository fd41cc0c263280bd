//! Channels (`notify.channels`): where deliveries go; trait and PostgreSQL
//! implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::kinds::ChannelType;
use super::postgres::PgNotify;
use crate::error::Constraint;
use crate::table::Table;
use crate::work::RowQuery;
use crate::{StorageError, TenantContext, input};

/// A channel of one tenant, with its configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Channel {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub channel_type: ChannelType,
    pub enabled: bool,
    pub config: Value,
    /// Names the secret (a vault path); the secret itself is never stored.
    pub credentials_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A channel as lists show it: no configuration, no credentials reference,
/// so a list never carries what a channel is configured with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ChannelSummary {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub channel_type: ChannelType,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Channel> for ChannelSummary {
    fn from(channel: &Channel) -> Self {
        ChannelSummary {
            tenant_id: channel.tenant_id.clone(),
            id: channel.id,
            name: channel.name.clone(),
            channel_type: channel.channel_type,
            enabled: channel.enabled,
            created_at: channel.created_at,
            updated_at: channel.updated_at,
        }
    }
}

/// The fields a caller sets on create and update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelFields {
    pub name: String,
    pub channel_type: ChannelType,
    pub enabled: bool,
    pub config: Value,
    pub credentials_ref: Option<String>,
}

impl ChannelFields {
    pub fn new(name: impl Into<String>, channel_type: ChannelType) -> Self {
        ChannelFields {
            name: name.into(),
            channel_type,
            enabled: true,
            config: Value::Object(Default::default()),
            credentials_ref: None,
        }
    }

    /// Binds the fields, in this order, after the statement's own
    /// parameters: create and update write them alike.
    fn bind<'q, O>(&'q self, statement: RowQuery<'q, O>) -> RowQuery<'q, O> {
        statement
            .bind(&self.name)
            .bind(self.channel_type.as_str())
            .bind(self.enabled)
            .bind(&self.config)
            .bind(&self.credentials_ref)
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("channel name", &self.name)?;
        input::json_object("channel config", &self.config)?;
        if let Some(reference) = &self.credentials_ref {
            input::key("credentials reference", reference)?;
        }
        Ok(())
    }
}

/// Notify's channel repository.
#[async_trait]
pub trait ChannelRepository: Send + Sync + std::fmt::Debug {
    async fn get_channel(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Channel>, StorageError>;
    /// The tenant's channels by name, of one type if asked: summaries only.
    async fn list_channels(
        &self,
        ctx: &TenantContext,
        of_type: Option<ChannelType>,
    ) -> Result<Vec<ChannelSummary>, StorageError>;
    async fn create_channel(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ChannelFields,
    ) -> Result<Channel, StorageError>;
    async fn update_channel(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ChannelFields,
    ) -> Result<Channel, StorageError>;
    /// Deletes the channel and the rules that send to it.
    async fn delete_channel(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
}

macro_rules! channel_columns {
    () => {
        "tenant_id, id, name, channel_type, enabled, config, credentials_ref, created_at, \
         updated_at"
    };
}

pub(crate) const CHANNELS: Table = Table {
    name: "notify.channels",
    entity: "channel",
    columns: channel_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        channel_columns!(),
        " FROM notify.channels WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("channels_pkey", Constraint::Unique("id")),
        ("channels_tenant_id_name_key", Constraint::Unique("name")),
    ],
};

#[async_trait]
impl ChannelRepository for PgNotify {
    async fn get_channel(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Channel>, StorageError> {
        self.source
            .get_by_id(ctx, &CHANNELS, "reading a channel", id)
            .await
    }

    async fn list_channels(
        &self,
        ctx: &TenantContext,
        of_type: Option<ChannelType>,
    ) -> Result<Vec<ChannelSummary>, StorageError> {
        let statement = sqlx::query_as::<_, ChannelSummary>(
            "SELECT tenant_id, id, name, channel_type, enabled, created_at, updated_at \
             FROM notify.channels WHERE ($1::text IS NULL OR channel_type = $1) \
             ORDER BY name, id",
        )
        .bind(of_type.map(ChannelType::as_str));
        self.source
            .call(ctx, &CHANNELS, "listing channels")
            .all(statement)
            .await
    }

    async fn create_channel(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ChannelFields,
    ) -> Result<Channel, StorageError> {
        fields.validate()?;
        let statement = sqlx::query_as::<_, Channel>(concat!(
            "INSERT INTO notify.channels (tenant_id, id, name, channel_type, enabled, config, \
             credentials_ref, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             RETURNING ",
            channel_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(id);
        let statement = fields.bind(statement).bind(self.clock.now());
        self.source
            .call(ctx, &CHANNELS, "creating a channel")
            .one(statement)
            .await
    }

    async fn update_channel(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ChannelFields,
    ) -> Result<Channel, StorageError> {
        fields.validate()?;
        let statement = sqlx::query_as::<_, Channel>(concat!(
            "UPDATE notify.channels SET name = $2, channel_type = $3, enabled = $4, config = $5, \
             credentials_ref = $6, updated_at = $7 WHERE id = $1 RETURNING ",
            channel_columns!()
        ))
        .bind(id);
        let statement = fields.bind(statement).bind(self.clock.now());
        self.source
            .call(ctx, &CHANNELS, "updating a channel")
            .one(statement)
            .await
    }

    async fn delete_channel(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let statement = sqlx::query("DELETE FROM notify.channels WHERE id = $1").bind(id);
        let deleted = self
            .source
            .call(ctx, &CHANNELS, "deleting a channel")
            .execute(statement)
            .await?;
        Ok(deleted == 1)
    }
}
