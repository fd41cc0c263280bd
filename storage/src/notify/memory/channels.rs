//! Channels in memory.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryNotify, key, of_tenant};
use crate::notify::channels::CHANNELS;
use crate::notify::{Channel, ChannelFields, ChannelRepository, ChannelSummary, ChannelType};
use crate::{StorageError, TenantContext};

#[async_trait]
impl ChannelRepository for MemoryNotify {
    async fn get_channel(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Channel>, StorageError> {
        Ok(self.state().channels.get(&key(ctx, id)).cloned())
    }

    async fn list_channels(
        &self,
        ctx: &TenantContext,
        of_type: Option<ChannelType>,
    ) -> Result<Vec<ChannelSummary>, StorageError> {
        let state = self.state();
        let mut channels: Vec<ChannelSummary> = of_tenant(&state.channels, ctx)
            .filter(|c| of_type.is_none_or(|t| c.channel_type == t))
            .map(ChannelSummary::from)
            .collect();
        channels.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
        Ok(channels)
    }

    async fn create_channel(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ChannelFields,
    ) -> Result<Channel, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.channels.contains_key(&key(ctx, id)) {
            return Err(CHANNELS.violation("channels_pkey"));
        }
        if of_tenant(&state.channels, ctx).any(|c| c.name == fields.name) {
            return Err(CHANNELS.violation("channels_tenant_id_name_key"));
        }
        let channel = Channel {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            name: fields.name.clone(),
            channel_type: fields.channel_type,
            enabled: fields.enabled,
            config: fields.config.clone(),
            credentials_ref: fields.credentials_ref.clone(),
            created_at: now,
            updated_at: now,
        };
        state.channels.insert(key(ctx, id), channel.clone());
        Ok(channel)
    }

    async fn update_channel(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ChannelFields,
    ) -> Result<Channel, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if !state.channels.contains_key(&key(ctx, id)) {
            return Err(CHANNELS.not_found());
        }
        if of_tenant(&state.channels, ctx).any(|c| c.name == fields.name && c.id != id) {
            return Err(CHANNELS.violation("channels_tenant_id_name_key"));
        }
        let channel = state
            .channels
            .get_mut(&key(ctx, id))
            .ok_or(CHANNELS.not_found())?;
        channel.name = fields.name.clone();
        channel.channel_type = fields.channel_type;
        channel.enabled = fields.enabled;
        channel.config = fields.config.clone();
        channel.credentials_ref = fields.credentials_ref.clone();
        channel.updated_at = now;
        Ok(channel.clone())
    }

    async fn delete_channel(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut state = self.state();
        let deleted = state.channels.remove(&key(ctx, id)).is_some();
        // ON DELETE CASCADE: the rules that sent to it, its deliveries,
        // digests and quiet hours go with it; a delivery's rule that goes
        // is set null.
        let tenant = ctx.tenant().as_str();
        let rules: Vec<Uuid> = of_tenant(&state.rules, ctx)
            .filter(|rule| rule.channel_id == id)
            .map(|rule| rule.id)
            .collect();
        state
            .rules
            .retain(|(t, _), rule| !(t == tenant && rule.channel_id == id));
        state
            .deliveries
            .retain(|(t, _), delivery| !(t == tenant && delivery.channel_id == id));
        state
            .digests
            .retain(|(t, _), digest| !(t == tenant && digest.channel_id == id));
        state
            .quiet_hours
            .retain(|(t, _), quiet| !(t == tenant && quiet.channel_id == Some(id)));
        for ((t, _), delivery) in state.deliveries.iter_mut() {
            if t == tenant && delivery.rule_id.is_some_and(|rule| rules.contains(&rule)) {
                delivery.rule_id = None;
            }
        }
        Ok(deleted)
    }
}
