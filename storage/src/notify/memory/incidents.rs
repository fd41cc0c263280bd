//! Incidents in memory.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryNotify, key, of_tenant};
use crate::memory_rows::keyset_page;
use crate::notify::incidents::{INCIDENTS, check_change};
use crate::notify::{
    Correlated, EscalationStatus, Incident, IncidentQuery, IncidentRepository, IncidentStatus,
    NewIncident,
};
use crate::page::{Page, parse_time_key, time_key};
use crate::{StorageError, TenantContext, input};

impl MemoryNotify {
    fn change_incident(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: IncidentStatus,
        by: &str,
    ) -> Result<Incident, StorageError> {
        input::key("actor", by)?;
        let now = self.clock.now();
        let mut state = self.state();
        let incident = state
            .incidents
            .get_mut(&key(ctx, id))
            .ok_or(INCIDENTS.not_found())?;
        if check_change(incident, to, by)? {
            return Ok(incident.clone());
        }
        incident.status = to;
        if to == IncidentStatus::Acknowledged {
            incident.acknowledged_at = Some(now);
            incident.acknowledged_by = Some(by.to_owned());
        } else {
            incident.resolved_at = Some(now);
            incident.resolved_by = Some(by.to_owned());
        }
        let changed = incident.clone();
        let tenant = ctx.tenant().as_str();
        for ((t, _), escalation) in state.escalations.iter_mut() {
            if t != tenant || escalation.incident_id != id {
                continue;
            }
            match (to, escalation.status) {
                (IncidentStatus::Acknowledged, EscalationStatus::Active) => {
                    escalation.status = EscalationStatus::Acknowledged;
                    escalation.acknowledged_at = Some(now);
                    escalation.acknowledged_by = Some(by.to_owned());
                }
                (
                    IncidentStatus::Resolved,
                    EscalationStatus::Active | EscalationStatus::Acknowledged,
                ) => escalation.status = EscalationStatus::Resolved,
                _ => continue,
            }
            escalation.next_escalation_at = None;
            escalation.updated_at = now;
        }
        Ok(changed)
    }
}

#[async_trait]
impl IncidentRepository for MemoryNotify {
    async fn correlate(
        &self,
        ctx: &TenantContext,
        incident: &NewIncident,
    ) -> Result<Correlated, StorageError> {
        incident.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        let open = of_tenant(&state.incidents, ctx)
            .find(|i| {
                i.correlation_key == incident.correlation_key
                    && i.status != IncidentStatus::Resolved
            })
            .map(|i| i.id);
        if let Some(open) = open {
            let joined = state
                .incidents
                .get_mut(&key(ctx, open))
                .ok_or(INCIDENTS.not_found())?;
            joined.event_count += 1;
            return Ok(Correlated {
                incident: joined.clone(),
                opened: false,
            });
        }
        if state.incidents.contains_key(&key(ctx, incident.id)) {
            return Err(INCIDENTS.violation("incidents_pkey"));
        }
        if let Some(policy) = incident.escalation_policy_id
            && !state.policies.contains_key(&key(ctx, policy))
        {
            return Err(INCIDENTS.violation("incidents_tenant_id_escalation_policy_id_fkey"));
        }
        let opened = Incident {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: incident.id,
            correlation_key: incident.correlation_key.clone(),
            title: incident.title.clone(),
            severity: incident.severity,
            status: IncidentStatus::Open,
            escalation_policy_id: incident.escalation_policy_id,
            event_count: 1,
            payload: incident.payload.clone(),
            opened_at: now,
            acknowledged_at: None,
            acknowledged_by: None,
            resolved_at: None,
            resolved_by: None,
        };
        state
            .incidents
            .insert(key(ctx, incident.id), opened.clone());
        Ok(Correlated {
            incident: opened,
            opened: true,
        })
    }

    async fn get_incident(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Incident>, StorageError> {
        Ok(self.state().incidents.get(&key(ctx, id)).cloned())
    }

    async fn list_incidents(
        &self,
        ctx: &TenantContext,
        query: &IncidentQuery,
    ) -> Result<Page<Incident>, StorageError> {
        let state = self.state();
        let rows: Vec<Incident> = of_tenant(&state.incidents, ctx)
            .filter(|i| query.status.is_none_or(|s| i.status == s))
            .cloned()
            .collect();
        keyset_page(
            rows,
            &query.page,
            |i| (i.opened_at, i.id),
            parse_time_key,
            |i| time_key(i.opened_at, i.id),
        )
    }

    async fn acknowledge_incident(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<Incident, StorageError> {
        self.change_incident(ctx, id, IncidentStatus::Acknowledged, by)
    }

    async fn resolve_incident(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<Incident, StorageError> {
        self.change_incident(ctx, id, IncidentStatus::Resolved, by)
    }
}
