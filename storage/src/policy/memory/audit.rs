//! Policy's audit trail in memory.

use async_trait::async_trait;

use super::state::MemoryPolicy;
use crate::audit::{AuditRepository, Trail};
use crate::page::{Page, PageRequest};
use crate::policy::audit::TRAIL;
use crate::policy::{AuditCategory, AuditEntry, NewAuditEntry};
use crate::{StorageError, TenantContext};

#[async_trait]
impl AuditRepository<AuditCategory> for MemoryPolicy {
    async fn append_audit(
        &self,
        ctx: &TenantContext,
        entry: &NewAuditEntry,
    ) -> Result<AuditEntry, StorageError> {
        let now = self.clock.now();
        TRAIL.append_in_memory(&mut self.state().audit, ctx, entry, now)
    }

    async fn audit_of(
        &self,
        ctx: &TenantContext,
        category: AuditCategory,
        entity_id: &str,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>, StorageError> {
        Trail::page_in_memory(&self.state().audit, ctx, category, entity_id, page)
    }
}
