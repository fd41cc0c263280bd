//! Rules in memory.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryNotify, State, key, of_tenant};
use crate::notify::rules::RULES;
use crate::notify::{Rule, RuleFields, RuleRepository};
use crate::{StorageError, TenantContext, input};

/// The rule's channel and template must be the tenant's (the composite
/// foreign keys), checked after the unique keys as PostgreSQL does.
fn check_references(
    state: &State,
    ctx: &TenantContext,
    fields: &RuleFields,
) -> Result<(), StorageError> {
    if !state.channels.contains_key(&key(ctx, fields.channel_id)) {
        return Err(RULES.violation("rules_tenant_id_channel_id_fkey"));
    }
    if let Some(template) = fields.template_id
        && !state.templates.contains_key(&key(ctx, template))
    {
        return Err(RULES.violation("rules_tenant_id_template_id_fkey"));
    }
    Ok(())
}

#[async_trait]
impl RuleRepository for MemoryNotify {
    async fn get_rule(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Rule>, StorageError> {
        Ok(self.state().rules.get(&key(ctx, id)).cloned())
    }

    async fn list_rules(&self, ctx: &TenantContext) -> Result<Vec<Rule>, StorageError> {
        let state = self.state();
        let mut rules: Vec<Rule> = of_tenant(&state.rules, ctx).cloned().collect();
        rules.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
        Ok(rules)
    }

    async fn matching_rules(
        &self,
        ctx: &TenantContext,
        event_kind: &str,
    ) -> Result<Vec<Rule>, StorageError> {
        input::key("event kind", event_kind)?;
        let state = self.state();
        let mut rules: Vec<Rule> = of_tenant(&state.rules, ctx)
            .filter(|r| r.enabled && r.event_kinds.iter().any(|k| k == event_kind))
            .cloned()
            .collect();
        rules.sort_by(|a, b| {
            (std::cmp::Reverse(a.priority), &a.name, a.id).cmp(&(
                std::cmp::Reverse(b.priority),
                &b.name,
                b.id,
            ))
        });
        Ok(rules)
    }

    async fn create_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RuleFields,
    ) -> Result<Rule, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.rules.contains_key(&key(ctx, id)) {
            return Err(RULES.violation("rules_pkey"));
        }
        if of_tenant(&state.rules, ctx).any(|r| r.name == fields.name) {
            return Err(RULES.violation("rules_tenant_id_name_key"));
        }
        check_references(&state, ctx, fields)?;
        let rule = Rule {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            name: fields.name.clone(),
            enabled: fields.enabled,
            priority: fields.priority,
            event_kinds: fields.event_kinds.clone(),
            filter: fields.filter.clone(),
            channel_id: fields.channel_id,
            template_id: fields.template_id,
            throttle_seconds: fields.throttle_seconds,
            digest: fields.digest,
            created_at: now,
            updated_at: now,
        };
        state.rules.insert(key(ctx, id), rule.clone());
        Ok(rule)
    }

    async fn update_rule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RuleFields,
    ) -> Result<Rule, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if !state.rules.contains_key(&key(ctx, id)) {
            return Err(RULES.not_found());
        }
        if of_tenant(&state.rules, ctx).any(|r| r.name == fields.name && r.id != id) {
            return Err(RULES.violation("rules_tenant_id_name_key"));
        }
        check_references(&state, ctx, fields)?;
        let rule = state
            .rules
            .get_mut(&key(ctx, id))
            .ok_or(RULES.not_found())?;
        rule.name = fields.name.clone();
        rule.enabled = fields.enabled;
        rule.priority = fields.priority;
        rule.event_kinds = fields.event_kinds.clone();
        rule.filter = fields.filter.clone();
        rule.channel_id = fields.channel_id;
        rule.template_id = fields.template_id;
        rule.throttle_seconds = fields.throttle_seconds;
        rule.digest = fields.digest;
        rule.updated_at = now;
        Ok(rule.clone())
    }

    async fn delete_rule(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut state = self.state();
        let deleted = state.rules.remove(&key(ctx, id)).is_some();
        // ON DELETE SET NULL (rule_id): the rule's deliveries stay.
        let tenant = ctx.tenant().as_str();
        for ((t, _), delivery) in state.deliveries.iter_mut() {
            if t == tenant && delivery.rule_id == Some(id) {
                delivery.rule_id = None;
            }
        }
        Ok(deleted)
    }
}
