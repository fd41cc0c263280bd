//! Service accounts in the in-memory reference backend.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryAuthority, key, of_tenant};
use crate::authority::service_accounts::SERVICE_ACCOUNTS;
use crate::authority::{ServiceAccount, ServiceAccountFields, ServiceAccountRepository};
use crate::{StorageError, TenantContext, input};

fn apply(account: &mut ServiceAccount, fields: &ServiceAccountFields) {
    account.account_id = fields.account_id.clone();
    account.display_name = fields.display_name.clone();
    account.description = fields.description.clone();
    account.status = fields.status;
    account.allowed_scopes = fields.allowed_scopes.clone();
    account.authorized_clients = fields.authorized_clients.clone();
    account.attributes = fields.attributes.clone();
}

#[async_trait]
impl ServiceAccountRepository for MemoryAuthority {
    async fn get_service_account(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<ServiceAccount>, StorageError> {
        Ok(self.state().service_accounts.get(&key(ctx, id)).cloned())
    }

    async fn get_service_account_by_account_id(
        &self,
        ctx: &TenantContext,
        account_id: &str,
    ) -> Result<Option<ServiceAccount>, StorageError> {
        input::key("account id", account_id)?;
        Ok(of_tenant(&self.state().service_accounts, ctx)
            .find(|a| a.account_id == account_id)
            .cloned())
    }

    async fn list_service_accounts(
        &self,
        ctx: &TenantContext,
    ) -> Result<Vec<ServiceAccount>, StorageError> {
        let mut all: Vec<ServiceAccount> = of_tenant(&self.state().service_accounts, ctx)
            .cloned()
            .collect();
        all.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        Ok(all)
    }

    async fn create_service_account(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ServiceAccountFields,
    ) -> Result<ServiceAccount, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.service_accounts.contains_key(&key(ctx, id)) {
            return Err(SERVICE_ACCOUNTS.violation("service_accounts_pkey"));
        }
        if of_tenant(&state.service_accounts, ctx).any(|a| a.account_id == fields.account_id) {
            return Err(SERVICE_ACCOUNTS.violation("service_accounts_tenant_id_account_id_key"));
        }
        state.require_tenant(ctx)?;
        let mut account = ServiceAccount {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            account_id: String::new(),
            display_name: String::new(),
            description: None,
            status: fields.status,
            allowed_scopes: Vec::new(),
            authorized_clients: Vec::new(),
            attributes: fields.attributes.clone(),
            created_at: now,
            updated_at: now,
        };
        apply(&mut account, fields);
        state.service_accounts.insert(key(ctx, id), account.clone());
        Ok(account)
    }

    async fn update_service_account(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ServiceAccountFields,
    ) -> Result<ServiceAccount, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        let not_found = SERVICE_ACCOUNTS.not_found();
        if !state.service_accounts.contains_key(&key(ctx, id)) {
            return Err(not_found);
        }
        if of_tenant(&state.service_accounts, ctx)
            .any(|a| a.account_id == fields.account_id && a.id != id)
        {
            return Err(SERVICE_ACCOUNTS.violation("service_accounts_tenant_id_account_id_key"));
        }
        let account = state
            .service_accounts
            .get_mut(&key(ctx, id))
            .ok_or(not_found)?;
        apply(account, fields);
        account.updated_at = now;
        Ok(account.clone())
    }

    async fn delete_service_account(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<bool, StorageError> {
        let mut state = self.state();
        if state.service_accounts.remove(&key(ctx, id)).is_none() {
            return Ok(false);
        }
        let tenant = ctx.tenant().as_str();
        state
            .tokens
            .retain(|(t, _), token| !(t == tenant && token.service_account_id == Some(id)));
        Ok(true)
    }
}
