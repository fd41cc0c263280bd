//! `PgNotify`: the PostgreSQL backend behind every Notify repository trait.

use std::sync::Arc;

use crate::{Clock, DataSource};

/// The PostgreSQL backend of every Notify repository: one transaction per
/// call, as `stellaops_app` for the call's tenant.
#[derive(Debug, Clone)]
pub struct PgNotify {
    pub(crate) source: DataSource,
    pub(crate) clock: Arc<dyn Clock>,
}

impl PgNotify {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgNotify { source, clock }
    }
}
