//! Tokens in the in-memory reference backend.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryAuthority, key, of_tenant};
use crate::authority::tokens::TOKENS;
use crate::authority::{NewToken, Token, TokenRepository, TokenStatus};
use crate::{StorageError, SystemContext, TenantContext, input};

#[async_trait]
impl TokenRepository for MemoryAuthority {
    async fn get_token(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Token>, StorageError> {
        Ok(self.state().tokens.get(&key(ctx, id)).cloned())
    }

    async fn get_token_by_hash(
        &self,
        _ctx: &SystemContext,
        token_hash: &str,
    ) -> Result<Option<Token>, StorageError> {
        input::key("token hash", token_hash)?;
        // Rows are kept in (tenant, id) order, the SQL's ORDER BY.
        Ok(self
            .state()
            .tokens
            .values()
            .find(|t| t.token_hash == token_hash)
            .cloned())
    }

    async fn create_token(
        &self,
        ctx: &TenantContext,
        token: &NewToken,
    ) -> Result<Token, StorageError> {
        let now = self.clock.now();
        token.validate(now)?;
        let mut state = self.state();
        if state.tokens.contains_key(&key(ctx, token.id)) {
            return Err(TOKENS.violation("tokens_pkey"));
        }
        if of_tenant(&state.tokens, ctx).any(|t| t.token_hash == token.token_hash) {
            return Err(TOKENS.violation("tokens_tenant_id_token_hash_key"));
        }
        state.require_tenant(ctx)?;
        if let Some(user) = token.user_id
            && !state.users.contains_key(&key(ctx, user))
        {
            return Err(TOKENS.violation("tokens_tenant_id_user_id_fkey"));
        }
        if let Some(account) = token.service_account_id
            && !state.service_accounts.contains_key(&key(ctx, account))
        {
            return Err(TOKENS.violation("tokens_tenant_id_service_account_id_fkey"));
        }
        let created = Token {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: token.id,
            token_hash: token.token_hash.clone(),
            token_type: token.token_type,
            status: TokenStatus::Valid,
            subject_id: token.subject_id,
            user_id: token.user_id,
            service_account_id: token.service_account_id,
            client_id: token.client_id.clone(),
            scopes: token.scopes.clone(),
            issued_at: now,
            expires_at: token.expires_at,
            revoked_at: None,
            revoked_reason: None,
            payload: token.payload.clone(),
        };
        state.tokens.insert(key(ctx, token.id), created.clone());
        Ok(created)
    }

    async fn revoke_token(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        reason: &str,
    ) -> Result<bool, StorageError> {
        input::text("revocation reason", reason)?;
        let now = self.clock.now();
        let mut state = self.state();
        match state.tokens.get_mut(&key(ctx, id)) {
            Some(token) if token.status == TokenStatus::Valid => {
                token.status = TokenStatus::Revoked;
                token.revoked_at = Some(now);
                token.revoked_reason = Some(reason.to_owned());
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn prune_expired_tokens(&self, _ctx: &SystemContext) -> Result<u64, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        let before = state.tokens.len();
        state.tokens.retain(|_, t| t.expires_at >= now);
        Ok((before - state.tokens.len()) as u64)
    }

    async fn active_tokens_of_user(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
    ) -> Result<Vec<Token>, StorageError> {
        let now = self.clock.now();
        let mut tokens: Vec<Token> = of_tenant(&self.state().tokens, ctx)
            .filter(|t| t.user_id == Some(user_id))
            .filter(|t| t.status == TokenStatus::Valid && t.expires_at > now)
            .cloned()
            .collect();
        tokens.sort_by_key(|t| (t.issued_at, t.id));
        Ok(tokens)
    }

    async fn active_tokens_of_client(
        &self,
        ctx: &TenantContext,
        client_id: &str,
    ) -> Result<Vec<Token>, StorageError> {
        input::key("client id", client_id)?;
        let now = self.clock.now();
        let mut tokens: Vec<Token> = of_tenant(&self.state().tokens, ctx)
            .filter(|t| t.client_id.as_deref() == Some(client_id))
            .filter(|t| t.status == TokenStatus::Valid && t.expires_at > now)
            .cloned()
            .collect();
        tokens.sort_by_key(|t| (t.issued_at, t.id));
        Ok(tokens)
    }
}
