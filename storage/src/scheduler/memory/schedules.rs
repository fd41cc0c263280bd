//! Schedules, the due poll and firing in the in-memory reference backend.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryScheduler, key, of_tenant};
use crate::memory_rows::keyset_page;
use crate::page::Page;
use crate::scheduler::cursor::{parse_schedule_key, schedule_key};
use crate::scheduler::runs::RUNS;
use crate::scheduler::schedules::SCHEDULES;
use crate::scheduler::schedules::{FirePlan, MAX_DUE, fire_plan, tick_run_id};
use crate::scheduler::{
    Run, RunState, Schedule, ScheduleFields, ScheduleQuery, ScheduleRepository, TriggerKind,
};
use crate::{StorageError, SystemContext, TenantContext, input};

#[async_trait]
impl ScheduleRepository for MemoryScheduler {
    async fn get(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Schedule>, StorageError> {
        Ok(self.state().schedules.get(&key(ctx, id)).cloned())
    }

    async fn list(
        &self,
        ctx: &TenantContext,
        query: &ScheduleQuery,
    ) -> Result<Page<Schedule>, StorageError> {
        let state = self.state();
        let rows: Vec<Schedule> = of_tenant(&state.schedules, ctx)
            .filter(|s| query.include_deleted || s.deleted_at.is_none())
            .filter(|s| query.enabled.is_none_or(|e| s.enabled == e))
            .cloned()
            .collect();
        keyset_page(
            rows,
            &query.page,
            |s| (s.name.clone(), s.id),
            parse_schedule_key,
            |s| schedule_key(&s.name, s.id),
        )
    }

    async fn upsert(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ScheduleFields,
        actor: &str,
    ) -> Result<Schedule, StorageError> {
        let spec = fields.validate()?;
        input::key("actor", actor)?;
        let now = self.clock.now();
        let next = spec.next_after(now);
        let mut state = self.state();
        let existing = state.schedules.get(&key(ctx, id)).cloned();
        if existing.as_ref().is_some_and(|s| s.deleted_at.is_some()) {
            return Err(SCHEDULES.not_found());
        }
        let name_taken = of_tenant(&state.schedules, ctx)
            .any(|s| s.id != id && s.deleted_at.is_none() && s.name == fields.name);
        if name_taken {
            return Err(SCHEDULES.violation("schedules_live_name_idx"));
        }
        let (created_at, created_by, last_fired_at, next_fire_at) = match &existing {
            Some(old) => {
                let same_timing = old.cron_expression == spec.expression()
                    && old.timezone == spec.zone()
                    && old.enabled == fields.enabled;
                (
                    old.created_at,
                    old.created_by.clone(),
                    old.last_fired_at,
                    if same_timing { old.next_fire_at } else { next },
                )
            }
            None => (now, actor.to_owned(), None, next),
        };
        let schedule = Schedule {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            name: fields.name.clone(),
            description: fields.description.clone(),
            enabled: fields.enabled,
            cron_expression: spec.expression().to_owned(),
            timezone: spec.zone().to_owned(),
            mode: fields.mode,
            selection: fields.selection.clone(),
            only_if: fields.only_if.clone(),
            notify: fields.notify.clone(),
            limits: fields.limits.clone(),
            next_fire_at,
            last_fired_at,
            created_at,
            created_by,
            updated_at: now,
            updated_by: actor.to_owned(),
            deleted_at: None,
            deleted_by: None,
        };
        state.schedules.insert(key(ctx, id), schedule.clone());
        Ok(schedule)
    }

    async fn soft_delete(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        deleted_by: &str,
    ) -> Result<bool, StorageError> {
        input::key("deleted by", deleted_by)?;
        let now = self.clock.now();
        let mut state = self.state();
        match state.schedules.get_mut(&key(ctx, id)) {
            Some(s) if s.deleted_at.is_none() => {
                s.deleted_at = Some(now);
                s.deleted_by = Some(deleted_by.to_owned());
                s.updated_at = now;
                s.updated_by = deleted_by.to_owned();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn due(&self, _ctx: &SystemContext, limit: i64) -> Result<Vec<Schedule>, StorageError> {
        let limit = input::limit("due limit", limit, MAX_DUE)?;
        let now = self.clock.now();
        let state = self.state();
        let mut due: Vec<Schedule> = state
            .schedules
            .values()
            .filter(|s| s.enabled && s.deleted_at.is_none())
            .filter(|s| s.next_fire_at.is_some_and(|at| at <= now))
            .cloned()
            .collect();
        due.sort_by(|a, b| {
            (a.next_fire_at, &a.tenant_id, a.id).cmp(&(b.next_fire_at, &b.tenant_id, b.id))
        });
        due.truncate(limit as usize);
        Ok(due)
    }

    async fn fire(
        &self,
        _ctx: &SystemContext,
        schedule: &Schedule,
    ) -> Result<Option<Run>, StorageError> {
        let now = self.clock.now();
        let Some(FirePlan { tick, next }) = fire_plan(schedule, now)? else {
            return Ok(None);
        };
        let mut state = self.state();
        let row_key = (schedule.tenant_id.clone(), schedule.id);
        let Some(current) = state.schedules.get(&row_key) else {
            return Ok(None);
        };
        let unchanged = current.next_fire_at == Some(tick)
            && current.cron_expression == schedule.cron_expression
            && current.timezone == schedule.timezone
            && current.enabled
            && current.deleted_at.is_none();
        if !unchanged {
            return Ok(None);
        }
        let already = state.runs.values().any(|r| {
            r.tenant_id == schedule.tenant_id
                && r.schedule_id == Some(schedule.id)
                && r.scheduled_for == Some(tick)
        });
        let id = tick_run_id(&schedule.tenant_id, schedule.id, tick);
        if !already && state.runs.contains_key(&(schedule.tenant_id.clone(), id)) {
            return Err(RUNS.violation("runs_pkey"));
        }
        if let Some(s) = state.schedules.get_mut(&row_key) {
            s.next_fire_at = next;
            s.last_fired_at = Some(tick);
        }
        if already {
            return Ok(None);
        }
        let run = Run {
            tenant_id: schedule.tenant_id.clone(),
            id,
            schedule_id: Some(schedule.id),
            trigger: TriggerKind::Cron,
            scheduled_for: Some(tick),
            state: RunState::Queued.as_str().to_owned(),
            priority: 0,
            due_at: Some(tick),
            attempt: 0,
            max_attempts: 3,
            claimed_by: None,
            heartbeat_at: None,
            started_at: None,
            finished_at: None,
            error: None,
            created_at: now,
        };
        state.runs.insert((run.tenant_id.clone(), id), run.clone());
        Ok(Some(run))
    }
}
