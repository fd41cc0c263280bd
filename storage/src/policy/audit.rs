//! Policy's audit trail (`policy.audit`): the shared trail
//! ([`crate::audit`]) over Policy's categories.

use async_trait::async_trait;

use super::kinds::AuditCategory;
use super::postgres::PgPolicy;
use crate::audit::{AuditRepository, Category, Trail, trail};
use crate::page::{Page, PageRequest};
use crate::{StorageError, TenantContext};

/// One entry of Policy's trail.
pub type AuditEntry = crate::audit::AuditEntry<AuditCategory>;
/// An entry to append to Policy's trail.
pub type NewAuditEntry = crate::audit::NewAuditEntry<AuditCategory>;

impl Category for AuditCategory {
    fn text(self) -> &'static str {
        self.as_str()
    }
}

pub(crate) static TRAIL: Trail = trail!("policy");

#[async_trait]
impl AuditRepository<AuditCategory> for PgPolicy {
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
