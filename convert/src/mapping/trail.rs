//! The columns every module's audit trail declares: the shared trail of
//! the storage (`stellaops_storage::audit`), one table per module.

use super::Default::{EmptyDocument, Null, Required};
use super::Kind::{Document, Enum, Text, Time};
use super::{Column, field, id};

/// `<schema>.audit` from a module's audit collection; unknown fields are
/// carried in `payload`.
pub const TRAIL_COLUMNS: &[Column] = &[
    field("tenant_id", "tenantId", Text, Required),
    id("id"),
    field("category", "category", Enum, Required),
    field("action", "action", Text, Required),
    field("entity_id", "entityId", Text, Required),
    field("actor", "actor", Text, Required),
    field("actor_type", "actorType", Enum, Required),
    field("correlation_id", "correlationId", Text, Null),
    field("payload", "payload", Document, EmptyDocument),
    field("occurred_at", "occurredAt", Time, Required),
];
