//! Digests in memory.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryNotify, key, of_tenant};
use crate::memory_rows::keyset_page;
use crate::notify::deliveries::DELIVERIES;
use crate::notify::digests::{DIGESTS, check_appendable, window_id};
use crate::notify::{
    DEFAULT_MAX_ATTEMPTS, Delivery, DeliveryStatus, Digest, DigestEvent, DigestRepository,
    DigestStatus, MAX_DIGEST_FLUSH, digest_delivery_key, digest_payload,
};
use crate::page::{Page, PageRequest, parse_time_key, time_key};
use crate::{StorageError, SystemContext, TenantContext, input};

#[async_trait]
impl DigestRepository for MemoryNotify {
    async fn append_to_digest(
        &self,
        ctx: &TenantContext,
        event: &DigestEvent,
    ) -> Result<Digest, StorageError> {
        event.validate()?;
        let now = self.clock.now();
        let (start, end) = event.window.around(now)?;
        let digest_key = event.digest_key();
        let mut state = self.state();
        if !state.channels.contains_key(&key(ctx, event.channel_id)) {
            return Err(DIGESTS.violation("digests_tenant_id_channel_id_fkey"));
        }
        let open = of_tenant(&state.digests, ctx)
            .find(|d| {
                d.channel_id == event.channel_id
                    && d.digest_key == digest_key
                    && d.window_start == start
            })
            .map(|d| d.id);
        let id = match open {
            Some(id) => id,
            None => {
                let id = window_id(ctx, event.channel_id, &digest_key, start);
                if state.digests.contains_key(&key(ctx, id)) {
                    return Err(DIGESTS.violation("digests_pkey"));
                }
                let opened = Digest {
                    tenant_id: ctx.tenant().as_str().to_owned(),
                    id,
                    channel_id: event.channel_id,
                    recipient: event.recipient.clone(),
                    digest_key,
                    status: DigestStatus::Collecting,
                    event_count: 0,
                    events: serde_json::Value::Array(Vec::new()),
                    window_start: start,
                    window_end: end,
                    sent_at: None,
                    created_at: now,
                };
                state.digests.insert(key(ctx, id), opened);
                id
            }
        };
        let digest = state
            .digests
            .get_mut(&key(ctx, id))
            .ok_or(DIGESTS.not_found())?;
        // PostgreSQL rolls the opening back with a refused append; so does this.
        if let Err(refused) = check_appendable(digest) {
            if open.is_none() {
                state.digests.remove(&key(ctx, id));
            }
            return Err(refused);
        }
        if !digest.holds(&event.event_id) {
            if let serde_json::Value::Array(events) = &mut digest.events {
                events.push(event.entry());
            }
            digest.event_count += 1;
        }
        Ok(digest.clone())
    }

    async fn get_digest(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Digest>, StorageError> {
        Ok(self.state().digests.get(&key(ctx, id)).cloned())
    }

    async fn list_digests(
        &self,
        ctx: &TenantContext,
        page: &PageRequest,
    ) -> Result<Page<Digest>, StorageError> {
        let state = self.state();
        let rows: Vec<Digest> = of_tenant(&state.digests, ctx).cloned().collect();
        keyset_page(
            rows,
            page,
            |d| (d.created_at, d.id),
            parse_time_key,
            |d| time_key(d.created_at, d.id),
        )
    }

    async fn flush_digests(
        &self,
        _ctx: &SystemContext,
        limit: i64,
    ) -> Result<Vec<Delivery>, StorageError> {
        let limit = input::limit("flush limit", limit, MAX_DIGEST_FLUSH)?;
        let now = self.clock.now();
        let mut state = self.state();
        let mut due: Vec<(String, Uuid)> = state
            .digests
            .values()
            .filter(|d| d.status == DigestStatus::Collecting)
            .filter(|d| d.window_end <= now && d.event_count > 0)
            .map(|d| (d.tenant_id.clone(), d.id))
            .collect();
        due.sort_by_key(|k| (state.digests[k].window_end, k.1));
        due.truncate(limit as usize);
        let mut made = Vec::new();
        for k in &due {
            let digest = &state.digests[k];
            let delivery_key = digest_delivery_key(digest.id);
            let taken = state.deliveries.contains_key(k)
                || state.deliveries.values().any(|d| {
                    d.tenant_id == digest.tenant_id
                        && (d.idempotency_key.as_deref() == Some(delivery_key.as_str())
                            || (d.channel_id == digest.channel_id
                                && d.event_id == delivery_key
                                && d.recipient == digest.recipient))
                });
            if taken {
                // The statement fails whole: nothing is flushed.
                return Err(DELIVERIES.violation("deliveries_pkey"));
            }
            made.push(Delivery {
                tenant_id: digest.tenant_id.clone(),
                id: digest.id,
                channel_id: digest.channel_id,
                rule_id: None,
                incident_id: None,
                event_id: delivery_key.clone(),
                recipient: digest.recipient.clone(),
                status: DeliveryStatus::Pending,
                attempts: 0,
                max_attempts: DEFAULT_MAX_ATTEMPTS,
                next_attempt_at: Some(now),
                last_error: None,
                subject: None,
                payload: digest_payload(digest),
                external_id: None,
                idempotency_key: Some(delivery_key),
                claimed_by: None,
                claimed_at: None,
                created_at: now,
                sent_at: None,
                delivered_at: None,
                failed_at: None,
            });
        }
        for k in due {
            if let Some(digest) = state.digests.get_mut(&k) {
                digest.status = DigestStatus::Sent;
                digest.sent_at = Some(now);
            }
        }
        for delivery in &made {
            state
                .deliveries
                .insert((delivery.tenant_id.clone(), delivery.id), delivery.clone());
        }
        made.sort_by_key(|d| d.id);
        Ok(made)
    }
}
