//! Rules of pack versions in memory.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryPolicy, State, key, of_tenant};
use crate::policy::kinds::immutable;
use crate::policy::rules::RULES;
use crate::policy::versions::PACK_VERSIONS;
use crate::policy::{PolicyRule, PolicyRuleFields, PolicyRuleRepository};
use crate::{StorageError, TenantContext};

/// Version `id` must exist for the tenant and be a draft.
fn draft_version(state: &State, ctx: &TenantContext, id: Uuid) -> Result<(), StorageError> {
    let version = state
        .versions
        .get(&key(ctx, id))
        .ok_or(PACK_VERSIONS.not_found())?;
    if version.status.frozen() {
        return Err(immutable("pack version", version.status));
    }
    Ok(())
}

fn evaluation_order(a: &PolicyRule, b: &PolicyRule) -> std::cmp::Ordering {
    (std::cmp::Reverse(a.priority), &a.name, a.id).cmp(&(
        std::cmp::Reverse(b.priority),
        &b.name,
        b.id,
    ))
}

#[async_trait]
impl PolicyRuleRepository for MemoryPolicy {
    async fn add_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        version_id: Uuid,
        fields: &PolicyRuleFields,
    ) -> Result<PolicyRule, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        draft_version(&state, ctx, version_id)?;
        if state.rules.contains_key(&key(ctx, id)) {
            return Err(RULES.violation("rules_pkey"));
        }
        if of_tenant(&state.rules, ctx)
            .any(|r| r.pack_version_id == version_id && r.rule_key == fields.rule_key)
        {
            return Err(RULES.violation("rules_tenant_id_pack_version_id_rule_key_key"));
        }
        let rule = PolicyRule {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            pack_version_id: version_id,
            rule_key: fields.rule_key.clone(),
            name: fields.name.clone(),
            severity: fields.severity,
            action: fields.action,
            condition: fields.condition.clone(),
            priority: fields.priority,
            created_at: now,
        };
        state.rules.insert(key(ctx, id), rule.clone());
        Ok(rule)
    }

    async fn get_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<PolicyRule>, StorageError> {
        Ok(self.state().rules.get(&key(ctx, id)).cloned())
    }

    async fn update_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PolicyRuleFields,
    ) -> Result<PolicyRule, StorageError> {
        fields.validate()?;
        let mut state = self.state();
        let version = state
            .rules
            .get(&key(ctx, id))
            .ok_or(RULES.not_found())?
            .pack_version_id;
        draft_version(&state, ctx, version)?;
        if of_tenant(&state.rules, ctx)
            .any(|r| r.pack_version_id == version && r.rule_key == fields.rule_key && r.id != id)
        {
            return Err(RULES.violation("rules_tenant_id_pack_version_id_rule_key_key"));
        }
        let rule = state
            .rules
            .get_mut(&key(ctx, id))
            .ok_or(RULES.not_found())?;
        rule.rule_key = fields.rule_key.clone();
        rule.name = fields.name.clone();
        rule.severity = fields.severity;
        rule.action = fields.action;
        rule.condition = fields.condition.clone();
        rule.priority = fields.priority;
        Ok(rule.clone())
    }

    async fn delete_rule(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut state = self.state();
        let Some(version) = state.rules.get(&key(ctx, id)).map(|r| r.pack_version_id) else {
            return Ok(false);
        };
        draft_version(&state, ctx, version)?;
        state.clear_rule_references(ctx.tenant().as_str(), &[id]);
        Ok(state.rules.remove(&key(ctx, id)).is_some())
    }

    async fn rules_of_version(
        &self,
        ctx: &TenantContext,
        version_id: Uuid,
    ) -> Result<Vec<PolicyRule>, StorageError> {
        let state = self.state();
        let mut rules: Vec<PolicyRule> = of_tenant(&state.rules, ctx)
            .filter(|r| r.pack_version_id == version_id)
            .cloned()
            .collect();
        rules.sort_by(evaluation_order);
        Ok(rules)
    }
}
