//! Notify's audit trail (`notify.audit`): the shared trail
//! ([`crate::audit`]) over Notify's categories.

use async_trait::async_trait;

use super::kinds::AuditCategory;
use super::postgres::PgNotify;
use crate::audit::{AuditRepository, Category, Trail, trail};
use crate::page::{Page, PageRequest};
use crate::{StorageError, TenantContext};

/// One entry of Notify's trail.
pub type AuditEntry = crate::audit::AuditEntry<AuditCategory>;
/// An entry to append to Notify's trail.
pub type NewAuditEntry = crate::audit::NewAuditEntry<AuditCategory>;

impl Category for AuditCategory {
    fn text(self) -> &'static str {
        self.as_str()
    }
}

pub(crate) static TRAIL: Trail = trail!("notify");

#[async_trait]
impl AuditRepository<AuditCategory> for PgNotify {
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
