//! `PgPolicy`: the PostgreSQL backend behind every Policy repository trait.

use std::sync::Arc;

use crate::{Clock, DataSource};

/// The PostgreSQL backend of every Policy repository: one transaction per
/// call, as `stellaops_app` for the call's tenant.
#[derive(Debug, Clone)]
pub struct PgPolicy {
    pub(crate) source: DataSource,
    pub(crate) clock: Arc<dyn Clock>,
}

impl PgPolicy {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgPolicy { source, clock }
    }
}
