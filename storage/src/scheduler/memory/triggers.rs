//! Triggers in the in-memory reference backend.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryScheduler, key, of_tenant};
use crate::scheduler::triggers::TRIGGERS;
use crate::scheduler::triggers::{MAX_TRIGGER_LIST, check_resolution};
use crate::scheduler::{NewTrigger, Trigger, TriggerRepository, TriggerStatus};
use crate::{StorageError, TenantContext, input};

#[async_trait]
impl TriggerRepository for MemoryScheduler {
    async fn create(
        &self,
        ctx: &TenantContext,
        trigger: &NewTrigger,
    ) -> Result<Trigger, StorageError> {
        input::json_object("payload", &trigger.payload)?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.triggers.contains_key(&key(ctx, trigger.id)) {
            return Err(TRIGGERS.violation("triggers_pkey"));
        }
        if !state.schedules.contains_key(&key(ctx, trigger.schedule_id)) {
            return Err(TRIGGERS.violation("triggers_tenant_id_schedule_id_fkey"));
        }
        let created = Trigger {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: trigger.id,
            schedule_id: trigger.schedule_id,
            kind: trigger.kind,
            status: TriggerStatus::Pending,
            fire_at: crate::clock::to_micros(trigger.fire_at),
            fired_at: None,
            run_id: None,
            payload: trigger.payload.clone(),
            created_at: now,
        };
        state.triggers.insert(key(ctx, trigger.id), created.clone());
        Ok(created)
    }

    async fn get(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Trigger>, StorageError> {
        Ok(self.state().triggers.get(&key(ctx, id)).cloned())
    }

    async fn of_schedule(
        &self,
        ctx: &TenantContext,
        schedule_id: Uuid,
        limit: i64,
    ) -> Result<Vec<Trigger>, StorageError> {
        let limit = input::limit("limit", limit, MAX_TRIGGER_LIST)?;
        let state = self.state();
        let mut rows: Vec<Trigger> = of_tenant(&state.triggers, ctx)
            .filter(|t| t.schedule_id == schedule_id)
            .cloned()
            .collect();
        rows.sort_by_key(|t| (t.fire_at, t.id));
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn due(&self, ctx: &TenantContext, limit: i64) -> Result<Vec<Trigger>, StorageError> {
        let limit = input::limit("limit", limit, MAX_TRIGGER_LIST)?;
        let now = self.clock.now();
        let state = self.state();
        let mut rows: Vec<Trigger> = of_tenant(&state.triggers, ctx)
            .filter(|t| t.status == TriggerStatus::Pending && t.fire_at <= now)
            .cloned()
            .collect();
        rows.sort_by_key(|t| (t.fire_at, t.id));
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn resolve(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        status: TriggerStatus,
        run_id: Option<Uuid>,
    ) -> Result<Trigger, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        let trigger = state
            .triggers
            .get_mut(&key(ctx, id))
            .ok_or(TRIGGERS.not_found())?;
        check_resolution(trigger.status, status, run_id)?;
        trigger.status = status;
        trigger.run_id = run_id;
        trigger.fired_at = (status == TriggerStatus::Fired).then_some(now);
        Ok(trigger.clone())
    }
}
