//! Quiet hours and maintenance windows in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::state::{MemoryNotify, State, key, of_tenant};
use crate::memory_rows::keyset_page;
use crate::notify::maintenance_windows::MAINTENANCE_WINDOWS;
use crate::notify::quiet_hours::{QUIET_HOURS, quiet_end};
use crate::notify::{
    MaintenanceWindow, MaintenanceWindowRepository, NewMaintenanceWindow, QuietHours,
    QuietHoursFields, QuietHoursRepository,
};
use crate::page::{Page, PageRequest, parse_time_key, time_key};
use crate::{StorageError, TenantContext, input};

/// Refuses what PostgreSQL's keys and references would.
fn check_quiet_hours(
    state: &State,
    ctx: &TenantContext,
    id: Uuid,
    fields: &QuietHoursFields,
) -> Result<(), StorageError> {
    if of_tenant(&state.quiet_hours, ctx).any(|q| q.name == fields.name && q.id != id) {
        return Err(QUIET_HOURS.violation("quiet_hours_tenant_id_name_key"));
    }
    if let Some(channel) = fields.channel_id
        && !state.channels.contains_key(&key(ctx, channel))
    {
        return Err(QUIET_HOURS.violation("quiet_hours_tenant_id_channel_id_fkey"));
    }
    Ok(())
}

#[async_trait]
impl QuietHoursRepository for MemoryNotify {
    async fn get_quiet_hours(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<QuietHours>, StorageError> {
        Ok(self.state().quiet_hours.get(&key(ctx, id)).cloned())
    }

    async fn list_quiet_hours(&self, ctx: &TenantContext) -> Result<Vec<QuietHours>, StorageError> {
        let state = self.state();
        let mut rows: Vec<QuietHours> = of_tenant(&state.quiet_hours, ctx).cloned().collect();
        rows.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
        Ok(rows)
    }

    async fn create_quiet_hours(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &QuietHoursFields,
    ) -> Result<QuietHours, StorageError> {
        let f = fields.normalized()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.quiet_hours.contains_key(&key(ctx, id)) {
            return Err(QUIET_HOURS.violation("quiet_hours_pkey"));
        }
        check_quiet_hours(&state, ctx, id, &f)?;
        let row = QuietHours {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            name: f.name,
            channel_id: f.channel_id,
            timezone: f.timezone,
            days_of_week: f.days_of_week,
            starts_at: f.starts_at,
            ends_at: f.ends_at,
            enabled: f.enabled,
            created_at: now,
        };
        state.quiet_hours.insert(key(ctx, id), row.clone());
        Ok(row)
    }

    async fn update_quiet_hours(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &QuietHoursFields,
    ) -> Result<QuietHours, StorageError> {
        let f = fields.normalized()?;
        let mut state = self.state();
        if !state.quiet_hours.contains_key(&key(ctx, id)) {
            return Err(QUIET_HOURS.not_found());
        }
        check_quiet_hours(&state, ctx, id, &f)?;
        let row = state
            .quiet_hours
            .get_mut(&key(ctx, id))
            .ok_or(QUIET_HOURS.not_found())?;
        row.name = f.name;
        row.channel_id = f.channel_id;
        row.timezone = f.timezone;
        row.days_of_week = f.days_of_week;
        row.starts_at = f.starts_at;
        row.ends_at = f.ends_at;
        row.enabled = f.enabled;
        Ok(row.clone())
    }

    async fn delete_quiet_hours(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<bool, StorageError> {
        Ok(self.state().quiet_hours.remove(&key(ctx, id)).is_some())
    }

    async fn quiet_until(
        &self,
        ctx: &TenantContext,
        channel_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StorageError> {
        let state = self.state();
        let rows: Vec<QuietHours> = of_tenant(&state.quiet_hours, ctx).cloned().collect();
        Ok(quiet_end(&rows, channel_id, crate::clock::to_micros(at)))
    }
}

#[async_trait]
impl MaintenanceWindowRepository for MemoryNotify {
    async fn schedule_maintenance(
        &self,
        ctx: &TenantContext,
        window: &NewMaintenanceWindow,
    ) -> Result<MaintenanceWindow, StorageError> {
        let w = window.normalized()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.maintenance.contains_key(&key(ctx, w.id)) {
            return Err(MAINTENANCE_WINDOWS.violation("maintenance_windows_pkey"));
        }
        let row = MaintenanceWindow {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: w.id,
            name: w.name,
            description: w.description,
            suppressed_event_kinds: w.suppressed_event_kinds,
            starts_at: w.starts_at,
            ends_at: w.ends_at,
            created_by: w.created_by,
            created_at: now,
        };
        state.maintenance.insert(key(ctx, w.id), row.clone());
        Ok(row)
    }

    async fn get_maintenance(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<MaintenanceWindow>, StorageError> {
        Ok(self.state().maintenance.get(&key(ctx, id)).cloned())
    }

    async fn list_maintenance(
        &self,
        ctx: &TenantContext,
        page: &PageRequest,
    ) -> Result<Page<MaintenanceWindow>, StorageError> {
        let state = self.state();
        let rows: Vec<MaintenanceWindow> = of_tenant(&state.maintenance, ctx).cloned().collect();
        keyset_page(
            rows,
            page,
            |w| (w.starts_at, w.id),
            parse_time_key,
            |w| time_key(w.starts_at, w.id),
        )
    }

    async fn cancel_maintenance(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<bool, StorageError> {
        Ok(self.state().maintenance.remove(&key(ctx, id)).is_some())
    }

    async fn suppressing(
        &self,
        ctx: &TenantContext,
        event_kind: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<MaintenanceWindow>, StorageError> {
        input::key("event kind", event_kind)?;
        let at = crate::clock::to_micros(at);
        let state = self.state();
        Ok(of_tenant(&state.maintenance, ctx)
            .filter(|w| w.suppresses(event_kind, at))
            .min_by_key(|w| (std::cmp::Reverse(w.ends_at), w.id))
            .cloned())
    }
}
