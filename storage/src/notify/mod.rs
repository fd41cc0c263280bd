//! Notify (shared/DESIGN.md section 10): channels, templates and rules so
//! far, each a repository trait with a PostgreSQL and an in-memory
//! implementation. The delivery queue, digests, quiet hours, escalations,
//! on-call, inbox, incidents, audit and locks follow (issue 20); until
//! they land the registry keeps notify's storage off.

mod channels;
mod kinds;
pub mod memory;
mod postgres;
mod rules;
mod store;
mod templates;

pub use channels::{Channel, ChannelFields, ChannelRepository, ChannelSummary};
pub use kinds::{ChannelType, DigestMode, TemplateFormat};
pub use memory::MemoryNotify;
pub use postgres::PgNotify;
pub use rules::{Rule, RuleFields, RuleRepository};
pub use store::{Notify, TABLES};
pub use templates::{Template, TemplateFields, TemplateRepository, render_keys};
