//! Escalation policies in memory.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryNotify, State, key, of_tenant};
use crate::notify::escalation_policies::{ESCALATION_POLICIES, missing_channel};
use crate::notify::{EscalationPolicy, EscalationPolicyRepository, PolicyFields};
use crate::{StorageError, TenantContext};

fn check_channels(
    state: &State,
    ctx: &TenantContext,
    fields: &PolicyFields,
) -> Result<(), StorageError> {
    if fields
        .channels()
        .into_iter()
        .all(|channel| state.channels.contains_key(&key(ctx, channel)))
    {
        Ok(())
    } else {
        Err(missing_channel())
    }
}

#[async_trait]
impl EscalationPolicyRepository for MemoryNotify {
    async fn get_policy(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<EscalationPolicy>, StorageError> {
        Ok(self.state().policies.get(&key(ctx, id)).cloned())
    }

    async fn list_policies(
        &self,
        ctx: &TenantContext,
    ) -> Result<Vec<EscalationPolicy>, StorageError> {
        let state = self.state();
        let mut policies: Vec<EscalationPolicy> =
            of_tenant(&state.policies, ctx).cloned().collect();
        policies.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
        Ok(policies)
    }

    async fn create_policy(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PolicyFields,
    ) -> Result<EscalationPolicy, StorageError> {
        let fields = fields.normalized()?;
        let now = self.clock.now();
        let mut state = self.state();
        check_channels(&state, ctx, &fields)?;
        if state.policies.contains_key(&key(ctx, id)) {
            return Err(ESCALATION_POLICIES.violation("escalation_policies_pkey"));
        }
        if of_tenant(&state.policies, ctx).any(|p| p.name == fields.name) {
            return Err(ESCALATION_POLICIES.violation("escalation_policies_tenant_id_name_key"));
        }
        let policy = EscalationPolicy {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            name: fields.name,
            enabled: fields.enabled,
            steps: fields.steps,
            repeat_count: fields.repeat_count,
            created_at: now,
            updated_at: now,
        };
        state.policies.insert(key(ctx, id), policy.clone());
        Ok(policy)
    }

    async fn update_policy(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PolicyFields,
    ) -> Result<EscalationPolicy, StorageError> {
        let fields = fields.normalized()?;
        let now = self.clock.now();
        let mut state = self.state();
        check_channels(&state, ctx, &fields)?;
        if !state.policies.contains_key(&key(ctx, id)) {
            return Err(ESCALATION_POLICIES.not_found());
        }
        if of_tenant(&state.policies, ctx).any(|p| p.name == fields.name && p.id != id) {
            return Err(ESCALATION_POLICIES.violation("escalation_policies_tenant_id_name_key"));
        }
        let policy = state
            .policies
            .get_mut(&key(ctx, id))
            .ok_or(ESCALATION_POLICIES.not_found())?;
        policy.name = fields.name;
        policy.enabled = fields.enabled;
        policy.steps = fields.steps;
        policy.repeat_count = fields.repeat_count;
        policy.updated_at = now;
        Ok(policy.clone())
    }

    async fn delete_policy(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut state = self.state();
        let deleted = state.policies.remove(&key(ctx, id)).is_some();
        // ON DELETE CASCADE for its escalations, SET NULL for its incidents.
        let tenant = ctx.tenant().as_str();
        state
            .escalations
            .retain(|(t, _), e| !(t == tenant && e.policy_id == id));
        for ((t, _), incident) in state.incidents.iter_mut() {
            if t == tenant && incident.escalation_policy_id == Some(id) {
                incident.escalation_policy_id = None;
            }
        }
        Ok(deleted)
    }
}
