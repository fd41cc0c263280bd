//! The scheduler's audit trail (`scheduler.audit`): the shared trail
//! ([`crate::audit`]) over the scheduler's categories, on PostgreSQL.

use std::sync::Arc;

use async_trait::async_trait;

use super::kinds::AuditCategory;
use crate::audit::{AuditRepository, Category, Trail, trail};
use crate::page::{Page, PageRequest};
use crate::{Clock, DataSource, StorageError, TenantContext};

/// Who did what to which scheduler entity.
pub type AuditEntry = crate::audit::AuditEntry<AuditCategory>;
/// An entry to append; it is stamped with the clock's now.
pub type NewAuditEntry = crate::audit::NewAuditEntry<AuditCategory>;

impl Category for AuditCategory {
    fn text(self) -> &'static str {
        self.as_str()
    }
}

pub(crate) static TRAIL: Trail = trail!("scheduler");

/// The scheduler's audit trail on PostgreSQL: append-only.
#[derive(Debug, Clone)]
pub struct PgAudit {
    source: DataSource,
    clock: Arc<dyn Clock>,
}

impl PgAudit {
    pub fn new(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        PgAudit { source, clock }
    }
}

#[async_trait]
impl AuditRepository<AuditCategory> for PgAudit {
    async fn append_audit(
        &self,
        ctx: &TenantContext,
        entry: &NewAuditEntry,
    ) -> Result<AuditEntry, StorageError> {
        TRAIL
            .append(&self.source, ctx, entry, self.clock.now())
            .await
    }

    async fn audit_of(
        &self,
        ctx: &TenantContext,
        category: AuditCategory,
        entity_id: &str,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>, StorageError> {
        TRAIL
            .page(&self.source, ctx, category, entity_id, page)
            .await
    }
}
