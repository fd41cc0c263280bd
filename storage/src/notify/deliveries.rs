//! Deliveries (`notify.deliveries`), the queue of what to send: idempotent
//! enqueue, claims with SKIP LOCKED that carry their attempt, completion and
//! failure fenced by it, back-off and the dead letter, stale claims rescued;
//! trait and PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::kinds::DeliveryStatus;
use super::postgres::PgNotify;
use super::quiet_hours::quiet_end;
use crate::error::Constraint;
use crate::page::{Page, PageRequest};
use crate::table::Table;
use crate::work::TimeKeyset;
use crate::{StorageError, SystemContext, TenantContext, input};

/// One delivery of an event to a recipient on a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Delivery {
    pub tenant_id: String,
    pub id: Uuid,
    pub channel_id: Uuid,
    pub rule_id: Option<Uuid>,
    pub incident_id: Option<Uuid>,
    pub event_id: String,
    pub recipient: String,
    #[sqlx(try_from = "String")]
    pub status: DeliveryStatus,
    /// Claims so far; a claim's later writes carry it.
    pub attempts: i32,
    pub max_attempts: i32,
    /// When it may be claimed (pending, queued); when it became due (sending).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub subject: Option<String>,
    pub payload: Value,
    pub external_id: Option<String>,
    pub idempotency_key: Option<String>,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
}

impl Delivery {
    /// What a sender holding this claimed delivery writes with.
    pub fn claim(&self) -> DeliveryClaim {
        DeliveryClaim {
            tenant_id: self.tenant_id.clone(),
            id: self.id,
            attempt: self.attempts,
        }
    }
}

/// A claimed delivery's key and the attempt its completion or failure must
/// carry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct DeliveryClaim {
    pub tenant_id: String,
    pub id: Uuid,
    pub attempt: i32,
}

/// Attempts a delivery gets unless asked otherwise (shared/DESIGN.md 10).
pub const DEFAULT_MAX_ATTEMPTS: i32 = 3;
/// The wait before the next try after a failure, unless asked otherwise.
pub const DEFAULT_BACKOFF: Duration = Duration::seconds(60);
/// The most attempts a delivery may be given.
pub const MAX_DELIVERY_ATTEMPTS: i32 = 100;
/// The most deliveries one claim takes.
pub const MAX_DELIVERY_CLAIM: i64 = 1_000;
/// The longest back-off a failure may ask for.
pub const MAX_BACKOFF: Duration = Duration::days(7);

/// A delivery to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The id the delivery gets if this enqueue creates it.
    pub id: Uuid,
    /// Unique per tenant: a second enqueue of it finds the first delivery.
    pub idempotency_key: String,
    pub channel_id: Uuid,
    pub rule_id: Option<Uuid>,
    pub event_id: String,
    pub recipient: String,
    pub subject: Option<String>,
    pub payload: Value,
    /// When it may first be claimed; now when `None`.
    pub due_at: Option<DateTime<Utc>>,
    pub max_attempts: i32,
}

impl NewDelivery {
    /// A delivery due now with the default attempts and an empty payload.
    pub fn new(
        idempotency_key: impl Into<String>,
        channel_id: Uuid,
        event_id: impl Into<String>,
        recipient: impl Into<String>,
    ) -> Self {
        NewDelivery {
            id: Uuid::new_v4(),
            idempotency_key: idempotency_key.into(),
            channel_id,
            rule_id: None,
            event_id: event_id.into(),
            recipient: recipient.into(),
            subject: None,
            payload: Value::Object(Default::default()),
            due_at: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("idempotency key", &self.idempotency_key)?;
        input::key("event id", &self.event_id)?;
        input::key("recipient", &self.recipient)?;
        input::optional_text("subject", self.subject.as_deref())?;
        input::json_object("delivery payload", &self.payload)?;
        input::limit(
            "max attempts",
            i64::from(self.max_attempts),
            i64::from(MAX_DELIVERY_ATTEMPTS),
        )?;
        Ok(())
    }

    /// Whether `existing` is what this request would have created: a key
    /// reused for something else is a conflict, not a silent no-op.
    pub(crate) fn matches(&self, existing: &Delivery) -> bool {
        existing.channel_id == self.channel_id
            && existing.rule_id == self.rule_id
            && existing.event_id == self.event_id
            && existing.recipient == self.recipient
            && existing.subject == self.subject
            && existing.payload == self.payload
            && existing.max_attempts == self.max_attempts
    }
}

/// What an enqueue did: the delivery, and whether this call created it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enqueued {
    pub delivery: Delivery,
    pub created: bool,
}

/// A failed attempt: what went wrong and how long to wait before the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: String,
    pub retry_after: Duration,
}

impl Failure {
    /// A failure retried after [`DEFAULT_BACKOFF`].
    pub fn new(error: impl Into<String>) -> Self {
        Failure {
            error: error.into(),
            retry_after: DEFAULT_BACKOFF,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::text("delivery error", &self.error)?;
        if self.retry_after <= Duration::zero() || self.retry_after > MAX_BACKOFF {
            return Err(StorageError::invalid(
                "retry after",
                format!(
                    "{} is not allowed; ask for more than 0 s and at most {} s",
                    self.retry_after,
                    MAX_BACKOFF.num_seconds()
                ),
            ));
        }
        Ok(())
    }
}

/// Filters of the delivery list; pages are keyed by (created_at, id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryQuery {
    pub status: Option<DeliveryStatus>,
    pub page: PageRequest,
}

/// Why a rescued delivery with no attempts left is dead-lettered.
pub const RESCUE_EXHAUSTED: &str = "attempts exhausted: the sender stopped";

/// Notify's delivery queue.
#[async_trait]
pub trait DeliveryRepository: Send + Sync + std::fmt::Debug {
    /// Queues a delivery, or finds the one queued with the same idempotency
    /// key (and writes nothing); a key reused for a different delivery is a
    /// conflict. A delivery due in the quiet hours of its channel is
    /// deferred to their end.
    async fn enqueue(
        &self,
        ctx: &TenantContext,
        delivery: &NewDelivery,
    ) -> Result<Enqueued, StorageError>;
    async fn get_delivery(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Delivery>, StorageError>;
    /// Keyset pages of the tenant's deliveries, by (created_at, id).
    async fn list_deliveries(
        &self,
        ctx: &TenantContext,
        query: &DeliveryQuery,
    ) -> Result<Page<Delivery>, StorageError>;
    /// Claims up to `limit` due deliveries for `sender`, across tenants, in
    /// claim order (due time, id); each comes back `sending` with its
    /// attempt counted.
    async fn claim_deliveries(
        &self,
        ctx: &SystemContext,
        sender: &str,
        limit: i64,
    ) -> Result<Vec<Delivery>, StorageError>;
    /// Marks a claimed delivery sent; false (and no change) for a claim that
    /// is no longer the sender's (rescued, claimed again, finished).
    async fn complete_delivery(
        &self,
        ctx: &SystemContext,
        claim: &DeliveryClaim,
        sender: &str,
        external_id: Option<&str>,
    ) -> Result<bool, StorageError>;
    /// Records a failed attempt: queued again after the failure's back-off
    /// while attempts are left, dead-lettered (`failed`) after the last.
    /// Returns the new status, or `None` (and no change) for a stale claim.
    async fn fail_delivery(
        &self,
        ctx: &SystemContext,
        claim: &DeliveryClaim,
        sender: &str,
        failure: &Failure,
    ) -> Result<Option<DeliveryStatus>, StorageError>;
    /// Puts claims older than `stale_after` (strictly, by the injected
    /// clock) back in the queue, due now, or dead-letters them when their
    /// attempts are used up. Returns how many.
    async fn rescue_stale_deliveries(
        &self,
        ctx: &SystemContext,
        stale_after: Duration,
    ) -> Result<u64, StorageError>;
    /// A change made by hand ([`DeliveryStatus::by_hand`]); any other is an
    /// error naming both statuses, and nothing is written.
    async fn transition_delivery(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: DeliveryStatus,
    ) -> Result<Delivery, StorageError>;
}

macro_rules! delivery_columns {
    () => {
        "tenant_id, id, channel_id, rule_id, incident_id, event_id, recipient, status, attempts, \
         max_attempts, next_attempt_at, last_error, subject, payload, external_id, \
         idempotency_key, claimed_by, claimed_at, created_at, sent_at, delivered_at, failed_at"
    };
}

pub(crate) use delivery_columns;

pub(crate) const DELIVERIES: Table = Table {
    name: "notify.deliveries",
    entity: "delivery",
    columns: delivery_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        delivery_columns!(),
        " FROM notify.deliveries WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("deliveries_pkey", Constraint::Unique("id")),
        (
            "deliveries_tenant_id_channel_id_event_id_recipient_key",
            Constraint::Unique("event and recipient on the channel"),
        ),
        (
            "deliveries_idempotency_idx",
            Constraint::Unique("idempotency key"),
        ),
        (
            "deliveries_tenant_id_channel_id_fkey",
            Constraint::References("channel"),
        ),
        (
            "deliveries_tenant_id_rule_id_fkey",
            Constraint::References("rule"),
        ),
        (
            "deliveries_tenant_id_incident_id_fkey",
            Constraint::References("incident"),
        ),
    ],
};

/// Claims in claim order: RETURNING has none.
pub(crate) fn sort_claimed(claimed: &mut [Delivery]) {
    claimed.sort_by_key(|d| (d.next_attempt_at, d.id));
}

/// The error a change outside the transition table is.
pub(crate) fn illegal(from: DeliveryStatus, to: DeliveryStatus) -> StorageError {
    StorageError::IllegalTransition {
        entity: "delivery",
        from: from.as_str().to_owned(),
        to: to.as_str().to_owned(),
    }
}

/// Claiming locks candidates with `FOR UPDATE SKIP LOCKED` inside a
/// materialized CTE and updates from it, so one claim never takes more than
/// its LIMIT and eligibility (pending or queued, due at the injected now,
/// attempts left) never lets an ineligible row use up the LIMIT.
#[async_trait]
impl DeliveryRepository for PgNotify {
    async fn enqueue(
        &self,
        ctx: &TenantContext,
        delivery: &NewDelivery,
    ) -> Result<Enqueued, StorageError> {
        delivery.validate()?;
        let now = self.clock.now();
        let due = crate::clock::to_micros(delivery.due_at.unwrap_or(now));
        let mut work = self.source.work(ctx).await?;
        let quiet = PgNotify::quiet_hours_of(&mut work, delivery.channel_id).await?;
        let due = quiet_end(&quiet, delivery.channel_id, due).unwrap_or(due);
        // ON CONFLICT without a target: every unique index arbitrates, so
        // racing enqueuers of one key wait for the first and find its row
        // (with the key as the only arbiter, a race could trip the older
        // (channel, event, recipient) index first and fail). What a
        // conflict was is read back below.
        let inserted = work
            .on(&DELIVERIES, "enqueueing a delivery")
            .optional(
                sqlx::query_as::<_, Delivery>(concat!(
                    "INSERT INTO notify.deliveries (tenant_id, id, idempotency_key, channel_id, \
                     rule_id, event_id, recipient, subject, payload, max_attempts, status, \
                     attempts, next_attempt_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0, $11, $12) \
                     ON CONFLICT DO NOTHING RETURNING ",
                    delivery_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(delivery.id)
                .bind(&delivery.idempotency_key)
                .bind(delivery.channel_id)
                .bind(delivery.rule_id)
                .bind(&delivery.event_id)
                .bind(&delivery.recipient)
                .bind(&delivery.subject)
                .bind(&delivery.payload)
                .bind(delivery.max_attempts)
                .bind(due)
                .bind(now),
            )
            .await?;
        let enqueued = match inserted {
            Some(delivery) => Enqueued {
                delivery,
                created: true,
            },
            None => {
                let existing = work
                    .on(&DELIVERIES, "finding a delivery by its idempotency key")
                    .optional(
                        sqlx::query_as::<_, Delivery>(concat!(
                            "SELECT ",
                            delivery_columns!(),
                            " FROM notify.deliveries WHERE idempotency_key = $1"
                        ))
                        .bind(&delivery.idempotency_key),
                    )
                    .await?;
                let Some(existing) = existing else {
                    // Not the key: the (channel, event, recipient) or the id.
                    let same_event: bool = work
                        .on(&DELIVERIES, "finding a delivery by its event")
                        .one(
                            sqlx::query_scalar(
                                "SELECT EXISTS (SELECT 1 FROM notify.deliveries \
                                 WHERE channel_id = $1 AND event_id = $2 AND recipient = $3)",
                            )
                            .bind(delivery.channel_id)
                            .bind(&delivery.event_id)
                            .bind(&delivery.recipient),
                        )
                        .await?;
                    return Err(DELIVERIES.violation(if same_event {
                        "deliveries_tenant_id_channel_id_event_id_recipient_key"
                    } else {
                        "deliveries_pkey"
                    }));
                };
                if !delivery.matches(&existing) {
                    return Err(DELIVERIES.violation("deliveries_idempotency_idx"));
                }
                Enqueued {
                    delivery: existing,
                    created: false,
                }
            }
        };
        work.commit().await?;
        Ok(enqueued)
    }

    async fn get_delivery(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Delivery>, StorageError> {
        self.source
            .get_by_id(ctx, &DELIVERIES, "reading a delivery", id)
            .await
    }

    async fn list_deliveries(
        &self,
        ctx: &TenantContext,
        query: &DeliveryQuery,
    ) -> Result<Page<Delivery>, StorageError> {
        self.source
            .time_keyset_page(
                ctx,
                &DELIVERIES,
                "listing deliveries",
                TimeKeyset {
                    page: &query.page,
                    forward: concat!(
                        "SELECT ",
                        delivery_columns!(),
                        " FROM notify.deliveries WHERE ($1::text IS NULL OR status = $1) \
                         AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3)) \
                         ORDER BY created_at, id LIMIT $4"
                    ),
                    backward: concat!(
                        "SELECT ",
                        delivery_columns!(),
                        " FROM notify.deliveries WHERE ($1::text IS NULL OR status = $1) \
                         AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3)) \
                         ORDER BY created_at DESC, id DESC LIMIT $4"
                    ),
                },
                |q| q.bind(query.status.map(DeliveryStatus::as_str)),
                |d: &Delivery| (d.created_at, d.id),
            )
            .await
    }

    async fn claim_deliveries(
        &self,
        ctx: &SystemContext,
        sender: &str,
        limit: i64,
    ) -> Result<Vec<Delivery>, StorageError> {
        input::key("sender id", sender)?;
        let limit = input::limit("claim limit", limit, MAX_DELIVERY_CLAIM)?;
        let now = self.clock.now();
        let mut claimed = self
            .source
            .call(ctx, &DELIVERIES, "claiming deliveries")
            .all(
                sqlx::query_as::<_, Delivery>(concat!(
                    "WITH picked AS MATERIALIZED ( \
                       SELECT tenant_id AS picked_tenant, id AS picked_id \
                       FROM notify.deliveries \
                       WHERE status IN ('pending', 'queued') AND next_attempt_at <= $1 \
                         AND attempts < max_attempts \
                       ORDER BY next_attempt_at, id LIMIT $2 \
                       FOR UPDATE SKIP LOCKED) \
                     UPDATE notify.deliveries SET status = 'sending', attempts = attempts + 1, \
                       claimed_by = $3, claimed_at = $1 \
                     FROM picked WHERE tenant_id = picked_tenant AND id = picked_id \
                     RETURNING ",
                    delivery_columns!()
                ))
                .bind(now)
                .bind(limit)
                .bind(sender),
            )
            .await?;
        sort_claimed(&mut claimed);
        Ok(claimed)
    }

    async fn complete_delivery(
        &self,
        ctx: &SystemContext,
        claim: &DeliveryClaim,
        sender: &str,
        external_id: Option<&str>,
    ) -> Result<bool, StorageError> {
        input::optional_text("external id", external_id)?;
        let now = self.clock.now();
        let updated = self
            .source
            .call(ctx, &DELIVERIES, "completing a delivery")
            .execute(
                sqlx::query(
                    "UPDATE notify.deliveries SET status = 'sent', sent_at = $4, \
                       external_id = $5, claimed_by = NULL, claimed_at = NULL \
                     WHERE tenant_id = $1 AND id = $2 AND attempts = $3 \
                       AND status = 'sending' AND claimed_by = $6",
                )
                .bind(&claim.tenant_id)
                .bind(claim.id)
                .bind(claim.attempt)
                .bind(now)
                .bind(external_id)
                .bind(sender),
            )
            .await?;
        Ok(updated == 1)
    }

    async fn fail_delivery(
        &self,
        ctx: &SystemContext,
        claim: &DeliveryClaim,
        sender: &str,
        failure: &Failure,
    ) -> Result<Option<DeliveryStatus>, StorageError> {
        failure.validate()?;
        let now = self.clock.now();
        let status: Option<String> = self
            .source
            .call(ctx, &DELIVERIES, "recording a failed delivery")
            .optional(
                sqlx::query_scalar(
                    "UPDATE notify.deliveries SET \
                       status = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END, \
                       next_attempt_at = CASE WHEN attempts < max_attempts THEN $5 END, \
                       failed_at = CASE WHEN attempts < max_attempts THEN NULL ELSE $4 END, \
                       last_error = $6, claimed_by = NULL, claimed_at = NULL \
                     WHERE tenant_id = $1 AND id = $2 AND attempts = $3 \
                       AND status = 'sending' AND claimed_by = $7 \
                     RETURNING status",
                )
                .bind(&claim.tenant_id)
                .bind(claim.id)
                .bind(claim.attempt)
                .bind(now)
                .bind(now + failure.retry_after)
                .bind(&failure.error)
                .bind(sender),
            )
            .await?;
        status
            .map(|s| {
                s.parse()
                    .map_err(|e: String| StorageError::invalid("delivery status", e))
            })
            .transpose()
    }

    async fn rescue_stale_deliveries(
        &self,
        ctx: &SystemContext,
        stale_after: Duration,
    ) -> Result<u64, StorageError> {
        input::positive("stale after", stale_after)?;
        let now = self.clock.now();
        self.source
            .call(ctx, &DELIVERIES, "rescuing stale deliveries")
            .execute(
                sqlx::query(
                    "UPDATE notify.deliveries SET \
                       status = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END, \
                       next_attempt_at = CASE WHEN attempts < max_attempts THEN $2 END, \
                       failed_at = CASE WHEN attempts < max_attempts THEN NULL ELSE $2 END, \
                       last_error = CASE WHEN attempts < max_attempts THEN last_error ELSE $3 END, \
                       claimed_by = NULL, claimed_at = NULL \
                     WHERE status = 'sending' AND claimed_at < $1",
                )
                .bind(now - stale_after)
                .bind(now)
                .bind(RESCUE_EXHAUSTED),
            )
            .await
    }

    async fn transition_delivery(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: DeliveryStatus,
    ) -> Result<Delivery, StorageError> {
        let now = self.clock.now();
        let mut work = self.source.work(ctx).await?;
        let current: String = work
            .on(&DELIVERIES, "reading a delivery's status")
            .one(
                sqlx::query_scalar("SELECT status FROM notify.deliveries WHERE id = $1 FOR UPDATE")
                    .bind(id),
            )
            .await?;
        let from: DeliveryStatus = current
            .parse()
            .map_err(|e: String| StorageError::invalid("delivery status", e))?;
        if !from.by_hand(to) {
            return Err(illegal(from, to));
        }
        let delivery = work
            .on(&DELIVERIES, "changing a delivery's status")
            .one(
                sqlx::query_as::<_, Delivery>(concat!(
                    "UPDATE notify.deliveries SET status = $2, \
                       delivered_at = CASE WHEN $2 = 'delivered' THEN $3 ELSE delivered_at END, \
                       failed_at = CASE WHEN $2 = 'bounced' THEN $3 \
                                        WHEN $2 = 'queued' THEN NULL ELSE failed_at END, \
                       attempts = CASE WHEN $2 = 'queued' THEN 0 ELSE attempts END, \
                       next_attempt_at = CASE WHEN $2 = 'queued' THEN $3 \
                                              WHEN $2 = 'suppressed' THEN NULL \
                                              ELSE next_attempt_at END \
                     WHERE id = $1 RETURNING ",
                    delivery_columns!()
                ))
                .bind(id)
                .bind(to.as_str())
                .bind(now),
            )
            .await?;
        work.commit().await?;
        Ok(delivery)
    }
}

/// What a change by hand writes besides the status, as the SQL above.
pub(crate) fn apply_by_hand(delivery: &mut Delivery, to: DeliveryStatus, now: DateTime<Utc>) {
    match to {
        DeliveryStatus::Delivered => delivery.delivered_at = Some(now),
        DeliveryStatus::Bounced => delivery.failed_at = Some(now),
        DeliveryStatus::Queued => {
            delivery.failed_at = None;
            delivery.attempts = 0;
            delivery.next_attempt_at = Some(now);
        }
        DeliveryStatus::Suppressed => delivery.next_attempt_at = None,
        _ => {}
    }
    delivery.status = to;
}
