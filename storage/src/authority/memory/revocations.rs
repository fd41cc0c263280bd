//! Revocations in the in-memory reference backend.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryAuthority, key, of_tenant};
use crate::authority::revocations::REVOCATIONS;
use crate::authority::{NewRevocation, Revocation, RevocationCategory, RevocationRepository};
use crate::{StorageError, TenantContext, input};

#[async_trait]
impl RevocationRepository for MemoryAuthority {
    async fn create_revocation(
        &self,
        ctx: &TenantContext,
        revocation: &NewRevocation,
    ) -> Result<Revocation, StorageError> {
        revocation.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.revocations.contains_key(&key(ctx, revocation.id)) {
            return Err(REVOCATIONS.violation("revocations_pkey"));
        }
        if of_tenant(&state.revocations, ctx).any(|r| {
            r.category == revocation.category && r.revocation_id == revocation.revocation_id
        }) {
            return Err(REVOCATIONS.violation("revocations_tenant_id_category_revocation_id_key"));
        }
        state.require_tenant(ctx)?;
        let created = Revocation {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: revocation.id,
            category: revocation.category,
            revocation_id: revocation.revocation_id.clone(),
            token_id: revocation.token_id,
            subject_id: revocation.subject_id,
            client_id: revocation.client_id.clone(),
            reason: revocation.reason.clone(),
            reason_description: revocation.reason_description.clone(),
            revoked_at: now,
            effective_at: revocation
                .effective_at
                .map(crate::clock::to_micros)
                .unwrap_or(now),
            expires_at: revocation.expires_at.map(crate::clock::to_micros),
            metadata: revocation.metadata.clone(),
        };
        state
            .revocations
            .insert(key(ctx, revocation.id), created.clone());
        Ok(created)
    }

    async fn get_revocation(
        &self,
        ctx: &TenantContext,
        category: RevocationCategory,
        revocation_id: &str,
    ) -> Result<Option<Revocation>, StorageError> {
        input::key("revocation id", revocation_id)?;
        Ok(of_tenant(&self.state().revocations, ctx)
            .find(|r| r.category == category && r.revocation_id == revocation_id)
            .cloned())
    }

    async fn active_revocations(
        &self,
        ctx: &TenantContext,
    ) -> Result<Vec<Revocation>, StorageError> {
        let now = self.clock.now();
        let mut active: Vec<Revocation> = of_tenant(&self.state().revocations, ctx)
            .filter(|r| r.effective_at <= now && r.expires_at.is_none_or(|e| e > now))
            .cloned()
            .collect();
        active.sort_by_key(|r| (r.effective_at, r.id));
        Ok(active)
    }

    async fn delete_revocation(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        Ok(self.state().revocations.remove(&key(ctx, id)).is_some())
    }
}
