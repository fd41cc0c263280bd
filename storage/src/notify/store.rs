//! The Notify module value (every repository on one backend) and its
//! table descriptors.

use std::sync::Arc;

use super::audit::TRAIL;
use super::channels::CHANNELS;
use super::deliveries::DELIVERIES;
use super::digests::DIGESTS;
use super::escalation_policies::ESCALATION_POLICIES;
use super::escalations::ESCALATIONS;
use super::inbox::INBOX;
use super::incidents::INCIDENTS;
use super::locks::LOCKS;
use super::maintenance_windows::MAINTENANCE_WINDOWS;
use super::on_call::ON_CALL_SCHEDULES;
use super::quiet_hours::QUIET_HOURS;
use super::rules::RULES;
use super::templates::TEMPLATES;
use super::{
    AuditRepository, ChannelRepository, DeliveryRepository, DigestRepository,
    EscalationPolicyRepository, EscalationRepository, InboxRepository, IncidentRepository,
    MaintenanceWindowRepository, MemoryNotify, OnCallRepository, PgNotify, QuietHoursRepository,
    RuleRepository, TemplateRepository,
};
use crate::{Backend, Clock, DataSource, Module, ModuleStorage, Table};

/// Every Notify table, one descriptor each (a contract test
/// holds them to the migrated catalog).
pub const TABLES: &[&Table] = &[
    &CHANNELS,
    &TEMPLATES,
    &RULES,
    &DELIVERIES,
    &DIGESTS,
    &ESCALATION_POLICIES,
    &INCIDENTS,
    &ESCALATIONS,
    &QUIET_HOURS,
    &MAINTENANCE_WINDOWS,
    &ON_CALL_SCHEDULES,
    &INBOX,
    &TRAIL.table,
    &LOCKS,
];

/// Every Notify repository on one backend, by name.
#[derive(Debug, Clone)]
pub struct Notify {
    pub backend: Backend,
    pub channels: Arc<dyn ChannelRepository>,
    pub templates: Arc<dyn TemplateRepository>,
    pub rules: Arc<dyn RuleRepository>,
    pub deliveries: Arc<dyn DeliveryRepository>,
    pub digests: Arc<dyn DigestRepository>,
    pub policies: Arc<dyn EscalationPolicyRepository>,
    pub incidents: Arc<dyn IncidentRepository>,
    pub escalations: Arc<dyn EscalationRepository>,
    pub quiet_hours: Arc<dyn QuietHoursRepository>,
    pub maintenance: Arc<dyn MaintenanceWindowRepository>,
    pub on_call: Arc<dyn OnCallRepository>,
    pub inbox: Arc<dyn InboxRepository>,
    pub audit: Arc<dyn AuditRepository<super::AuditCategory>>,
}

impl Notify {
    /// Every field served by `one` backend value.
    fn of<B>(backend: Backend, one: B) -> Self
    where
        B: ChannelRepository
            + TemplateRepository
            + RuleRepository
            + DeliveryRepository
            + DigestRepository
            + EscalationPolicyRepository
            + IncidentRepository
            + EscalationRepository
            + QuietHoursRepository
            + MaintenanceWindowRepository
            + OnCallRepository
            + InboxRepository
            + AuditRepository<super::AuditCategory>
            + 'static,
    {
        let one = Arc::new(one);
        Notify {
            backend,
            channels: one.clone(),
            templates: one.clone(),
            rules: one.clone(),
            deliveries: one.clone(),
            digests: one.clone(),
            policies: one.clone(),
            incidents: one.clone(),
            escalations: one.clone(),
            quiet_hours: one.clone(),
            maintenance: one.clone(),
            on_call: one.clone(),
            inbox: one.clone(),
            audit: one,
        }
    }
}

impl ModuleStorage for Notify {
    const MODULE: Module = Module::Notify;

    fn postgres(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        Notify::of(Backend::Postgres, PgNotify::new(source, clock))
    }

    fn memory(clock: Arc<dyn Clock>) -> Self {
        Notify::of(Backend::Memory, MemoryNotify::new(clock))
    }

    fn backend(&self) -> Backend {
        self.backend
    }
}
