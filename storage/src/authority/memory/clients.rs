//! OAuth clients in the in-memory reference backend.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryAuthority, key, of_tenant};
use crate::authority::clients::CLIENTS;
use crate::authority::{Client, ClientFields, ClientRepository};
use crate::{StorageError, TenantContext, input};

fn apply(client: &mut Client, fields: &ClientFields) {
    client.client_id = fields.client_id.clone();
    client.client_secret_hash = fields.client_secret_hash.clone();
    client.display_name = fields.display_name.clone();
    client.client_type = fields.client_type;
    client.status = fields.status;
    client.grant_types = fields.grant_types.clone();
    client.redirect_uris = fields.redirect_uris.clone();
    client.allowed_scopes = fields.allowed_scopes.clone();
    client.require_pkce = fields.require_pkce;
    client.properties = fields.properties.clone();
}

#[async_trait]
impl ClientRepository for MemoryAuthority {
    async fn get_client(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Client>, StorageError> {
        Ok(self.state().clients.get(&key(ctx, id)).cloned())
    }

    async fn get_client_by_client_id(
        &self,
        ctx: &TenantContext,
        client_id: &str,
    ) -> Result<Option<Client>, StorageError> {
        input::key("client id", client_id)?;
        Ok(of_tenant(&self.state().clients, ctx)
            .find(|c| c.client_id == client_id)
            .cloned())
    }

    async fn list_clients(&self, ctx: &TenantContext) -> Result<Vec<Client>, StorageError> {
        let mut all: Vec<Client> = of_tenant(&self.state().clients, ctx).cloned().collect();
        all.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        Ok(all)
    }

    async fn create_client(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ClientFields,
    ) -> Result<Client, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.clients.contains_key(&key(ctx, id)) {
            return Err(CLIENTS.violation("clients_pkey"));
        }
        if of_tenant(&state.clients, ctx).any(|c| c.client_id == fields.client_id) {
            return Err(CLIENTS.violation("clients_tenant_id_client_id_key"));
        }
        state.require_tenant(ctx)?;
        let mut client = Client {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            client_id: String::new(),
            client_secret_hash: None,
            display_name: String::new(),
            client_type: fields.client_type,
            status: fields.status,
            grant_types: Vec::new(),
            redirect_uris: Vec::new(),
            allowed_scopes: Vec::new(),
            require_pkce: fields.require_pkce,
            properties: fields.properties.clone(),
            created_at: now,
            updated_at: now,
        };
        apply(&mut client, fields);
        state.clients.insert(key(ctx, id), client.clone());
        Ok(client)
    }

    async fn update_client(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ClientFields,
    ) -> Result<Client, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if !state.clients.contains_key(&key(ctx, id)) {
            return Err(CLIENTS.not_found());
        }
        if of_tenant(&state.clients, ctx).any(|c| c.client_id == fields.client_id && c.id != id) {
            return Err(CLIENTS.violation("clients_tenant_id_client_id_key"));
        }
        let client = state
            .clients
            .get_mut(&key(ctx, id))
            .ok_or(CLIENTS.not_found())?;
        apply(client, fields);
        client.updated_at = now;
        Ok(client.clone())
    }

    async fn delete_client(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        Ok(self.state().clients.remove(&key(ctx, id)).is_some())
    }
}
