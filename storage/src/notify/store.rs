//! The Notify module value (every repository on one backend) and its
//! table descriptors.

use std::sync::Arc;

use super::channels::CHANNELS;
use super::rules::RULES;
use super::templates::TEMPLATES;
use super::{ChannelRepository, MemoryNotify, PgNotify, RuleRepository, TemplateRepository};
use crate::{Backend, Clock, DataSource, Module, ModuleStorage, Table};

/// The Notify tables written so far, one descriptor each (a contract test
/// holds them to the migrated catalog).
pub const TABLES: &[&Table] = &[&CHANNELS, &TEMPLATES, &RULES];

/// Every Notify repository on one backend, by name.
#[derive(Debug, Clone)]
pub struct Notify {
    pub backend: Backend,
    pub channels: Arc<dyn ChannelRepository>,
    pub templates: Arc<dyn TemplateRepository>,
    pub rules: Arc<dyn RuleRepository>,
}

impl Notify {
    /// Every field served by `one` backend value.
    fn of<B>(backend: Backend, one: B) -> Self
    where
        B: ChannelRepository + TemplateRepository + RuleRepository + 'static,
    {
        let one = Arc::new(one);
        Notify {
            backend,
            channels: one.clone(),
            templates: one.clone(),
            rules: one,
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
