//! Escalations in memory: the stage arithmetic written again in Rust, as
//! the reference for the SQL's.

use async_trait::async_trait;
use chrono::Duration;
use uuid::Uuid;

use super::state::{MemoryNotify, key, of_tenant};
use crate::notify::escalation_policies::ESCALATION_POLICIES;
use crate::notify::escalations::{ESCALATIONS, check_acknowledge, check_start, sort_advances};
use crate::notify::incidents::INCIDENTS;
use crate::notify::{
    Advance, Escalation, EscalationRepository, EscalationStatus, MAX_ADVANCE, Started,
};
use crate::{StorageError, SystemContext, TenantContext, input};

#[async_trait]
impl EscalationRepository for MemoryNotify {
    async fn start_escalation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        incident_id: Uuid,
        policy_id: Uuid,
    ) -> Result<Started, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        let policy = state
            .policies
            .get(&key(ctx, policy_id))
            .ok_or(ESCALATION_POLICIES.not_found())?;
        let first_delay = policy.steps.first().map_or(0, |s| s.delay_seconds);
        let incident = state
            .incidents
            .get(&key(ctx, incident_id))
            .ok_or(INCIDENTS.not_found())?;
        check_start(incident.status, policy.enabled)?;
        if let Some(active) = of_tenant(&state.escalations, ctx)
            .find(|e| e.incident_id == incident_id && e.status == EscalationStatus::Active)
        {
            return Ok(Started {
                escalation: active.clone(),
                started: false,
            });
        }
        if state.escalations.contains_key(&key(ctx, id)) {
            return Err(ESCALATIONS.violation("escalation_states_pkey"));
        }
        let escalation = Escalation {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            incident_id,
            policy_id,
            status: EscalationStatus::Active,
            current_step: 0,
            repeat_iteration: 0,
            next_escalation_at: Some(now + Duration::seconds(first_delay)),
            acknowledged_at: None,
            acknowledged_by: None,
            created_at: now,
            updated_at: now,
        };
        state.escalations.insert(key(ctx, id), escalation.clone());
        Ok(Started {
            escalation,
            started: true,
        })
    }

    async fn get_escalation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Escalation>, StorageError> {
        Ok(self.state().escalations.get(&key(ctx, id)).cloned())
    }

    async fn escalations_of(
        &self,
        ctx: &TenantContext,
        incident_id: Uuid,
    ) -> Result<Vec<Escalation>, StorageError> {
        let state = self.state();
        let mut rows: Vec<Escalation> = of_tenant(&state.escalations, ctx)
            .filter(|e| e.incident_id == incident_id)
            .cloned()
            .collect();
        rows.sort_by_key(|e| (e.created_at, e.id));
        Ok(rows)
    }

    async fn advance_escalations(
        &self,
        _ctx: &SystemContext,
        limit: i64,
    ) -> Result<Vec<Advance>, StorageError> {
        let limit = input::limit("advance limit", limit, MAX_ADVANCE)?;
        let now = self.clock.now();
        let mut state = self.state();
        let mut due: Vec<(String, Uuid)> = state
            .escalations
            .values()
            .filter(|e| e.status == EscalationStatus::Active)
            .filter(|e| e.next_escalation_at.is_some_and(|at| at <= now))
            .map(|e| (e.tenant_id.clone(), e.id))
            .collect();
        due.sort_by_key(|k| (state.escalations[k].next_escalation_at, k.1));
        due.truncate(limit as usize);
        let mut advances = Vec::new();
        for k in due {
            let escalation = &state.escalations[&k];
            let Some(policy) = state.policies.get(&(k.0.clone(), escalation.policy_id)) else {
                continue;
            };
            let Some(due_at) = escalation.next_escalation_at else {
                continue;
            };
            let stage = escalation.current_step;
            let iteration = escalation.repeat_iteration;
            let channels = policy
                .steps
                .get(stage as usize)
                .map(|s| s.channels.clone())
                .unwrap_or_default();
            let last_stage = stage as usize + 1 >= policy.steps.len();
            let (next_stage, next_iteration) = if last_stage {
                (0, iteration + 1)
            } else {
                (stage + 1, iteration)
            };
            let expired = next_iteration > policy.repeat_count;
            let next_due = policy
                .steps
                .get(next_stage as usize)
                .map(|s| due_at + Duration::seconds(s.delay_seconds));
            let Some(escalation) = state.escalations.get_mut(&k) else {
                continue;
            };
            if expired {
                escalation.status = EscalationStatus::Expired;
                escalation.next_escalation_at = None;
            } else {
                escalation.current_step = next_stage;
                escalation.repeat_iteration = next_iteration;
                escalation.next_escalation_at = next_due;
            }
            escalation.updated_at = now;
            advances.push(Advance {
                escalation: escalation.clone(),
                stage,
                iteration,
                due_at,
                channels,
            });
        }
        sort_advances(&mut advances);
        Ok(advances)
    }

    async fn acknowledge_escalation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<Escalation, StorageError> {
        input::key("actor", by)?;
        let now = self.clock.now();
        let mut state = self.state();
        let escalation = state
            .escalations
            .get_mut(&key(ctx, id))
            .ok_or(ESCALATIONS.not_found())?;
        if check_acknowledge(escalation, by)? {
            return Ok(escalation.clone());
        }
        escalation.status = EscalationStatus::Acknowledged;
        escalation.acknowledged_at = Some(now);
        escalation.acknowledged_by = Some(by.to_owned());
        escalation.next_escalation_at = None;
        escalation.updated_at = now;
        Ok(escalation.clone())
    }
}
