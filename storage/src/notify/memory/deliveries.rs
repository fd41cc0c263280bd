//! The delivery queue in memory.

use async_trait::async_trait;
use chrono::Duration;
use uuid::Uuid;

use super::state::{MemoryNotify, key, of_tenant};
use crate::memory_rows::keyset_page;
use crate::notify::deliveries::{
    DELIVERIES, RESCUE_EXHAUSTED, apply_by_hand, illegal, sort_claimed,
};
use crate::notify::quiet_hours::quiet_end;
use crate::notify::{
    Delivery, DeliveryClaim, DeliveryQuery, DeliveryRepository, DeliveryStatus, Enqueued, Failure,
    MAX_DELIVERY_CLAIM, NewDelivery,
};
use crate::page::{Page, parse_time_key, time_key};
use crate::{StorageError, SystemContext, TenantContext, input};

fn holds(delivery: &Delivery, claim: &DeliveryClaim, sender: &str) -> bool {
    delivery.attempts == claim.attempt
        && delivery.status == DeliveryStatus::Sending
        && delivery.claimed_by.as_deref() == Some(sender)
}

/// Back in the queue due at `due` while attempts are left, else the dead
/// letter; the claim is dropped either way.
fn requeue_or_dead_letter(
    delivery: &mut Delivery,
    due: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) {
    if delivery.attempts < delivery.max_attempts {
        delivery.status = DeliveryStatus::Queued;
        delivery.next_attempt_at = Some(due);
        delivery.failed_at = None;
    } else {
        delivery.status = DeliveryStatus::Failed;
        delivery.next_attempt_at = None;
        delivery.failed_at = Some(now);
    }
    delivery.claimed_by = None;
    delivery.claimed_at = None;
}

#[async_trait]
impl DeliveryRepository for MemoryNotify {
    async fn enqueue(
        &self,
        ctx: &TenantContext,
        delivery: &NewDelivery,
    ) -> Result<Enqueued, StorageError> {
        delivery.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        let same_key = of_tenant(&state.deliveries, ctx)
            .find(|d| d.idempotency_key.as_deref() == Some(delivery.idempotency_key.as_str()));
        if let Some(existing) = same_key {
            if !delivery.matches(existing) {
                return Err(DELIVERIES.violation("deliveries_idempotency_idx"));
            }
            return Ok(Enqueued {
                delivery: existing.clone(),
                created: false,
            });
        }
        if state.deliveries.contains_key(&key(ctx, delivery.id)) {
            return Err(DELIVERIES.violation("deliveries_pkey"));
        }
        if of_tenant(&state.deliveries, ctx).any(|d| {
            d.channel_id == delivery.channel_id
                && d.event_id == delivery.event_id
                && d.recipient == delivery.recipient
        }) {
            return Err(
                DELIVERIES.violation("deliveries_tenant_id_channel_id_event_id_recipient_key")
            );
        }
        if !state.channels.contains_key(&key(ctx, delivery.channel_id)) {
            return Err(DELIVERIES.violation("deliveries_tenant_id_channel_id_fkey"));
        }
        if let Some(rule) = delivery.rule_id
            && !state.rules.contains_key(&key(ctx, rule))
        {
            return Err(DELIVERIES.violation("deliveries_tenant_id_rule_id_fkey"));
        }
        let due = crate::clock::to_micros(delivery.due_at.unwrap_or(now));
        let quiet: Vec<_> = of_tenant(&state.quiet_hours, ctx).cloned().collect();
        let due = quiet_end(&quiet, delivery.channel_id, due).unwrap_or(due);
        let created = Delivery {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: delivery.id,
            channel_id: delivery.channel_id,
            rule_id: delivery.rule_id,
            incident_id: None,
            event_id: delivery.event_id.clone(),
            recipient: delivery.recipient.clone(),
            status: DeliveryStatus::Pending,
            attempts: 0,
            max_attempts: delivery.max_attempts,
            next_attempt_at: Some(due),
            last_error: None,
            subject: delivery.subject.clone(),
            payload: delivery.payload.clone(),
            external_id: None,
            idempotency_key: Some(delivery.idempotency_key.clone()),
            claimed_by: None,
            claimed_at: None,
            created_at: now,
            sent_at: None,
            delivered_at: None,
            failed_at: None,
        };
        state
            .deliveries
            .insert(key(ctx, delivery.id), created.clone());
        Ok(Enqueued {
            delivery: created,
            created: true,
        })
    }

    async fn get_delivery(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Delivery>, StorageError> {
        Ok(self.state().deliveries.get(&key(ctx, id)).cloned())
    }

    async fn list_deliveries(
        &self,
        ctx: &TenantContext,
        query: &DeliveryQuery,
    ) -> Result<Page<Delivery>, StorageError> {
        let state = self.state();
        let rows: Vec<Delivery> = of_tenant(&state.deliveries, ctx)
            .filter(|d| query.status.is_none_or(|s| d.status == s))
            .cloned()
            .collect();
        keyset_page(
            rows,
            &query.page,
            |d| (d.created_at, d.id),
            parse_time_key,
            |d| time_key(d.created_at, d.id),
        )
    }

    async fn claim_deliveries(
        &self,
        _ctx: &SystemContext,
        sender: &str,
        limit: i64,
    ) -> Result<Vec<Delivery>, StorageError> {
        input::key("sender id", sender)?;
        let limit = input::limit("claim limit", limit, MAX_DELIVERY_CLAIM)?;
        let now = self.clock.now();
        let mut state = self.state();
        let mut due: Vec<&mut Delivery> = state
            .deliveries
            .values_mut()
            .filter(|d| matches!(d.status, DeliveryStatus::Pending | DeliveryStatus::Queued))
            .filter(|d| d.next_attempt_at.is_some_and(|at| at <= now))
            .filter(|d| d.attempts < d.max_attempts)
            .collect();
        due.sort_by_key(|d| (d.next_attempt_at, d.id));
        let mut claimed = Vec::new();
        for delivery in due.into_iter().take(limit as usize) {
            delivery.status = DeliveryStatus::Sending;
            delivery.attempts += 1;
            delivery.claimed_by = Some(sender.to_owned());
            delivery.claimed_at = Some(now);
            claimed.push(delivery.clone());
        }
        sort_claimed(&mut claimed);
        Ok(claimed)
    }

    async fn complete_delivery(
        &self,
        _ctx: &SystemContext,
        claim: &DeliveryClaim,
        sender: &str,
        external_id: Option<&str>,
    ) -> Result<bool, StorageError> {
        input::optional_text("external id", external_id)?;
        let now = self.clock.now();
        let mut state = self.state();
        let Some(delivery) = state
            .deliveries
            .get_mut(&(claim.tenant_id.clone(), claim.id))
            .filter(|d| holds(d, claim, sender))
        else {
            return Ok(false);
        };
        delivery.status = DeliveryStatus::Sent;
        delivery.sent_at = Some(now);
        delivery.external_id = external_id.map(str::to_owned);
        delivery.claimed_by = None;
        delivery.claimed_at = None;
        Ok(true)
    }

    async fn fail_delivery(
        &self,
        _ctx: &SystemContext,
        claim: &DeliveryClaim,
        sender: &str,
        failure: &Failure,
    ) -> Result<Option<DeliveryStatus>, StorageError> {
        failure.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        let Some(delivery) = state
            .deliveries
            .get_mut(&(claim.tenant_id.clone(), claim.id))
            .filter(|d| holds(d, claim, sender))
        else {
            return Ok(None);
        };
        requeue_or_dead_letter(delivery, now + failure.retry_after, now);
        delivery.last_error = Some(failure.error.clone());
        Ok(Some(delivery.status))
    }

    async fn rescue_stale_deliveries(
        &self,
        _ctx: &SystemContext,
        stale_after: Duration,
    ) -> Result<u64, StorageError> {
        input::positive("stale after", stale_after)?;
        let now = self.clock.now();
        let mut state = self.state();
        let mut rescued = 0;
        for delivery in state.deliveries.values_mut() {
            let stale = delivery.status == DeliveryStatus::Sending
                && delivery.claimed_at.is_some_and(|at| at < now - stale_after);
            if stale {
                requeue_or_dead_letter(delivery, now, now);
                if delivery.status == DeliveryStatus::Failed {
                    delivery.last_error = Some(RESCUE_EXHAUSTED.to_owned());
                }
                rescued += 1;
            }
        }
        Ok(rescued)
    }

    async fn transition_delivery(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: DeliveryStatus,
    ) -> Result<Delivery, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        let delivery = state
            .deliveries
            .get_mut(&key(ctx, id))
            .ok_or(DELIVERIES.not_found())?;
        if !delivery.status.by_hand(to) {
            return Err(illegal(delivery.status, to));
        }
        apply_by_hand(delivery, to, now);
        Ok(delivery.clone())
    }
}
