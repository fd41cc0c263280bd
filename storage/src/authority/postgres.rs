//! `PgAuthority`: the PostgreSQL backend behind every Authority repository
//! trait.

use std::sync::Arc;

use crate::{Clock, DataSource};

/// The PostgreSQL backend of every Authority repository: one transaction per
/// call, tenant calls as `stellaops_app`, system calls as `stellaops_system`.
#[derive(Debug, Clone)]
pub struct PgAuthority {
    pub(crate) source: DataSource,
    pub(crate) clock: Arc<dyn Clock>,
}

impl PgAuthority {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgAuthority { source, clock }
    }

    pub fn source(&self) -> &DataSource {
        &self.source
    }
}
