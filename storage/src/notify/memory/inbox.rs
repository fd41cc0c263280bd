//! The inbox and the audit trail in memory.

use std::cmp::Reverse;

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryNotify, key, of_tenant};
use crate::audit::Trail;
use crate::memory_rows::keyset_page;
use crate::notify::audit::TRAIL;
use crate::notify::inbox::{INBOX, check_ids};
use crate::notify::{
    AuditCategory, AuditEntry, AuditRepository, Delivered, InboxItem, InboxQuery, InboxRepository,
    NewAuditEntry, NewInboxItem,
};
use crate::page::{Page, PageRequest, parse_time_key, time_key};
use crate::{StorageError, TenantContext};

#[async_trait]
impl InboxRepository for MemoryNotify {
    async fn deliver_to_inbox(
        &self,
        ctx: &TenantContext,
        item: &NewInboxItem,
    ) -> Result<Delivered, StorageError> {
        item.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if let Some(existing) = of_tenant(&state.inbox, ctx)
            .find(|i| i.user_id == item.user_id && i.event_id == item.event_id)
        {
            return Ok(Delivered {
                item: existing.clone(),
                created: false,
            });
        }
        if state.inbox.contains_key(&key(ctx, item.id)) {
            return Err(INBOX.violation("inbox_pkey"));
        }
        let created = InboxItem {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: item.id,
            user_id: item.user_id,
            event_id: item.event_id.clone(),
            title: item.title.clone(),
            body: item.body.clone(),
            severity: item.severity,
            payload: item.payload.clone(),
            read_at: None,
            archived_at: None,
            created_at: now,
        };
        state.inbox.insert(key(ctx, item.id), created.clone());
        Ok(Delivered {
            item: created,
            created: true,
        })
    }

    async fn inbox_page(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        query: &InboxQuery,
    ) -> Result<Page<InboxItem>, StorageError> {
        let state = self.state();
        let rows: Vec<InboxItem> = of_tenant(&state.inbox, ctx)
            .filter(|i| i.user_id == user_id)
            .filter(|i| !query.unread_only || i.read_at.is_none())
            .filter(|i| query.include_archived || i.archived_at.is_none())
            .cloned()
            .collect();
        // Newest first: the sort key runs backward in time.
        keyset_page(
            rows,
            &query.page,
            |i| Reverse((i.created_at, i.id)),
            |text| parse_time_key(text).map(Reverse),
            |i| time_key(i.created_at, i.id),
        )
    }

    async fn unread_count(&self, ctx: &TenantContext, user_id: Uuid) -> Result<i64, StorageError> {
        let state = self.state();
        Ok(of_tenant(&state.inbox, ctx)
            .filter(|i| i.user_id == user_id && i.read_at.is_none() && i.archived_at.is_none())
            .count() as i64)
    }

    async fn mark_read(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        ids: &[Uuid],
    ) -> Result<u64, StorageError> {
        check_ids(ids)?;
        let now = self.clock.now();
        let mut state = self.state();
        let mut changed = 0;
        for id in ids {
            if let Some(item) = state.inbox.get_mut(&key(ctx, *id))
                && item.user_id == user_id
                && item.read_at.is_none()
            {
                item.read_at = Some(now);
                changed += 1;
            }
        }
        Ok(changed)
    }

    async fn mark_all_read(&self, ctx: &TenantContext, user_id: Uuid) -> Result<u64, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        let tenant = ctx.tenant().as_str();
        let mut changed = 0;
        for ((t, _), item) in state.inbox.iter_mut() {
            if t == tenant && item.user_id == user_id && item.read_at.is_none() {
                item.read_at = Some(now);
                changed += 1;
            }
        }
        Ok(changed)
    }

    async fn archive(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        id: Uuid,
    ) -> Result<bool, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        match state.inbox.get_mut(&key(ctx, id)) {
            Some(item) if item.user_id == user_id && item.archived_at.is_none() => {
                item.archived_at = Some(now);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[async_trait]
impl AuditRepository<AuditCategory> for MemoryNotify {
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
