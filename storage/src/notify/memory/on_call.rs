//! On-call schedules in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::state::{MemoryNotify, key, of_tenant};
use crate::notify::on_call::ON_CALL_SCHEDULES;
use crate::notify::{OnCall, OnCallRepository, OnCallSchedule, ScheduleFields};
use crate::{StorageError, TenantContext};

#[async_trait]
impl OnCallRepository for MemoryNotify {
    async fn get_schedule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<OnCallSchedule>, StorageError> {
        Ok(self.state().schedules.get(&key(ctx, id)).cloned())
    }

    async fn list_schedules(
        &self,
        ctx: &TenantContext,
    ) -> Result<Vec<OnCallSchedule>, StorageError> {
        let state = self.state();
        let mut rows: Vec<OnCallSchedule> = of_tenant(&state.schedules, ctx).cloned().collect();
        rows.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
        Ok(rows)
    }

    async fn create_schedule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ScheduleFields,
    ) -> Result<OnCallSchedule, StorageError> {
        let f = fields.normalized()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.schedules.contains_key(&key(ctx, id)) {
            return Err(ON_CALL_SCHEDULES.violation("on_call_schedules_pkey"));
        }
        if of_tenant(&state.schedules, ctx).any(|s| s.name == f.name) {
            return Err(ON_CALL_SCHEDULES.violation("on_call_schedules_tenant_id_name_key"));
        }
        let schedule = OnCallSchedule {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            name: f.name,
            timezone: f.timezone,
            rotation: f.rotation,
            participants: f.participants,
            overrides: f.overrides,
            created_at: now,
            updated_at: now,
        };
        state.schedules.insert(key(ctx, id), schedule.clone());
        Ok(schedule)
    }

    async fn update_schedule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ScheduleFields,
    ) -> Result<OnCallSchedule, StorageError> {
        let f = fields.normalized()?;
        let now = self.clock.now();
        let mut state = self.state();
        if !state.schedules.contains_key(&key(ctx, id)) {
            return Err(ON_CALL_SCHEDULES.not_found());
        }
        if of_tenant(&state.schedules, ctx).any(|s| s.name == f.name && s.id != id) {
            return Err(ON_CALL_SCHEDULES.violation("on_call_schedules_tenant_id_name_key"));
        }
        let schedule = state
            .schedules
            .get_mut(&key(ctx, id))
            .ok_or(ON_CALL_SCHEDULES.not_found())?;
        schedule.name = f.name;
        schedule.timezone = f.timezone;
        schedule.rotation = f.rotation;
        schedule.participants = f.participants;
        schedule.overrides = f.overrides;
        schedule.updated_at = now;
        Ok(schedule.clone())
    }

    async fn delete_schedule(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        Ok(self.state().schedules.remove(&key(ctx, id)).is_some())
    }

    async fn on_call(
        &self,
        ctx: &TenantContext,
        schedule_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<OnCall>, StorageError> {
        let state = self.state();
        let schedule = state
            .schedules
            .get(&key(ctx, schedule_id))
            .ok_or(ON_CALL_SCHEDULES.not_found())?;
        Ok(schedule.on_call_at(at))
    }
}
