//! Notify (shared/DESIGN.md section 10): channels, templates, rules and the
//! delivery queue so far, each a repository trait with a PostgreSQL and an
//! in-memory implementation. Digests, quiet hours, escalations, on-call,
//! inbox, incidents, audit and locks follow (issue 20); until they land the
//! registry keeps notify's storage off.

mod audit;
mod channels;
mod deliveries;
mod digests;
mod escalation_policies;
mod escalations;
mod inbox;
mod incidents;
mod kinds;
mod locks;
mod maintenance_windows;
pub mod memory;
mod on_call;
mod postgres;
pub mod quiet;
mod quiet_hours;
mod rules;
mod store;
mod templates;

pub use crate::audit::{ActorType, AuditRepository};
pub use audit::{AuditEntry, NewAuditEntry};
pub use channels::{Channel, ChannelFields, ChannelRepository, ChannelSummary};
pub use deliveries::{
    DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, Delivery, DeliveryClaim, DeliveryQuery,
    DeliveryRepository, Enqueued, Failure, MAX_BACKOFF, MAX_DELIVERY_ATTEMPTS, MAX_DELIVERY_CLAIM,
    NewDelivery, RESCUE_EXHAUSTED,
};
pub use digests::{
    Digest, DigestEvent, DigestRepository, DigestWindow, MAX_DIGEST_EVENTS, MAX_DIGEST_FLUSH,
    digest_delivery_key, digest_payload,
};
pub use escalation_policies::{
    EscalationPolicy, EscalationPolicyRepository, EscalationStep, MAX_ESCALATION_STEPS,
    MAX_REPEATS, MAX_STEP_CHANNELS, MAX_STEP_DELAY_SECONDS, PolicyFields,
};
pub use escalations::{Advance, Escalation, EscalationRepository, MAX_ADVANCE, Started};
pub use inbox::{Delivered, InboxItem, InboxQuery, InboxRepository, MAX_MARK_READ, NewInboxItem};
pub use incidents::{Correlated, Incident, IncidentQuery, IncidentRepository, NewIncident};
pub use kinds::{
    AuditCategory, ChannelType, DeliveryStatus, DigestMode, DigestStatus, EscalationStatus,
    IncidentStatus, Rotation, Severity, TemplateFormat,
};
pub use locks::notify_locks;
pub use maintenance_windows::{
    MaintenanceWindow, MaintenanceWindowRepository, NewMaintenanceWindow,
};
pub use memory::MemoryNotify;
pub use on_call::{
    MAX_OVERRIDES, MAX_PARTICIPANTS, OnCall, OnCallRepository, OnCallSchedule, Override,
    ScheduleFields,
};
pub use postgres::PgNotify;
pub use quiet_hours::{QuietHours, QuietHoursFields, QuietHoursRepository};
pub use rules::{Rule, RuleFields, RuleRepository};
pub use store::{Notify, TABLES};
pub use templates::{Template, TemplateFields, TemplateRepository, render_keys};
