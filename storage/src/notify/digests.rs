//! Digests (`notify.digests`): events gathered in a window per tenant,
//! channel, action and recipient, flushed once into one delivery when the
//! window has ended, however many flushers race; trait and PostgreSQL
//! implementation.

use async_trait::async_trait;
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::deliveries::{DEFAULT_MAX_ATTEMPTS, DELIVERIES, Delivery};
use super::kinds::DigestStatus;
use super::postgres::PgNotify;
use crate::error::Constraint;
use crate::page::{Page, PageRequest};
use crate::table::Table;
use crate::work::TimeKeyset;
use crate::{StorageError, SystemContext, TenantContext, input};

/// The windows a digest gathers events over (shared/DESIGN.md 10). Windows
/// are aligned to the Unix epoch in UTC, so every replica computes the
/// same window for the same instant; `instant` is one microsecond wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum DigestWindow {
    Instant,
    FiveMinutes,
    FifteenMinutes,
    Hour,
    Day,
}

impl DigestWindow {
    pub const ALL: [DigestWindow; 5] = [
        DigestWindow::Instant,
        DigestWindow::FiveMinutes,
        DigestWindow::FifteenMinutes,
        DigestWindow::Hour,
        DigestWindow::Day,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DigestWindow::Instant => "instant",
            DigestWindow::FiveMinutes => "5m",
            DigestWindow::FifteenMinutes => "15m",
            DigestWindow::Hour => "1h",
            DigestWindow::Day => "1d",
        }
    }

    pub fn length(self) -> Duration {
        match self {
            DigestWindow::Instant => Duration::microseconds(1),
            DigestWindow::FiveMinutes => Duration::minutes(5),
            DigestWindow::FifteenMinutes => Duration::minutes(15),
            DigestWindow::Hour => Duration::hours(1),
            DigestWindow::Day => Duration::days(1),
        }
    }

    /// The window holding `at`: [start, end).
    pub fn around(self, at: DateTime<Utc>) -> Result<(DateTime<Utc>, DateTime<Utc>), StorageError> {
        let start = crate::clock::to_micros(at)
            .duration_trunc(self.length())
            .map_err(|e| StorageError::invalid("digest window", e.to_string()))?;
        Ok((start, start + self.length()))
    }
}

impl std::fmt::Display for DigestWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A window of one tenant's events for a channel, action and recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Digest {
    pub tenant_id: String,
    pub id: Uuid,
    pub channel_id: Uuid,
    pub recipient: String,
    /// `<action>@<window>><recipient>`: what the window gathers.
    pub digest_key: String,
    #[sqlx(try_from = "String")]
    pub status: DigestStatus,
    pub event_count: i32,
    /// `[{"event_id": …, "event": {…}}, …]` in the order they came.
    pub events: Value,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Digest {
    /// Whether the window holds the event.
    pub fn holds(&self, event_id: &str) -> bool {
        self.events
            .as_array()
            .is_some_and(|events| events.iter().any(|e| e["event_id"] == event_id))
    }
}

/// One event for a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestEvent {
    pub channel_id: Uuid,
    pub recipient: String,
    /// The event kind the window gathers (`scan.completed`).
    pub action: String,
    pub window: DigestWindow,
    /// Appending an event the window already holds changes nothing.
    pub event_id: String,
    pub event: Value,
}

impl DigestEvent {
    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("recipient", &self.recipient)?;
        input::key("digest action", &self.action)?;
        input::key("event id", &self.event_id)?;
        input::json_object("digest event", &self.event)?;
        Ok(())
    }

    pub fn digest_key(&self) -> String {
        format!("{}@{}>{}", self.action, self.window, self.recipient)
    }

    /// The element the window's event list gets.
    pub(crate) fn entry(&self) -> Value {
        json!({"event_id": self.event_id, "event": self.event})
    }
}

/// The most events one window holds; the next append is refused.
pub const MAX_DIGEST_EVENTS: i32 = 10_000;
/// The most windows one flush takes.
pub const MAX_DIGEST_FLUSH: i64 = 1_000;

/// What a flushed window's delivery carries: its key, its count and its
/// events. The delivery has the digest's id and idempotency key
/// `digest:<id>`, so a window can only ever make one.
pub fn digest_payload(digest: &Digest) -> Value {
    json!({
        "digest_key": digest.digest_key,
        "event_count": digest.event_count,
        "events": digest.events,
    })
}

/// The idempotency key and event id of a flushed window's delivery.
pub fn digest_delivery_key(digest_id: Uuid) -> String {
    format!("digest:{digest_id}")
}

/// Notify's digests.
#[async_trait]
pub trait DigestRepository: Send + Sync + std::fmt::Debug {
    /// Adds the event to the open window holding now (opening it if
    /// needed) and returns the window. An event the window holds already
    /// is not added again; a window already flushed refuses it.
    async fn append_to_digest(
        &self,
        ctx: &TenantContext,
        event: &DigestEvent,
    ) -> Result<Digest, StorageError>;
    async fn get_digest(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Digest>, StorageError>;
    /// Keyset pages of the tenant's digests, by (created_at, id).
    async fn list_digests(
        &self,
        ctx: &TenantContext,
        page: &PageRequest,
    ) -> Result<Page<Digest>, StorageError>;
    /// Turns up to `limit` ended windows, across tenants, into one pending
    /// delivery each (in order of window end, id) and marks them sent;
    /// racing flushers never flush one window twice. Returns the
    /// deliveries made, by id (a delivery has its window's id).
    async fn flush_digests(
        &self,
        ctx: &SystemContext,
        limit: i64,
    ) -> Result<Vec<Delivery>, StorageError>;
}

macro_rules! digest_columns {
    () => {
        "tenant_id, id, channel_id, recipient, digest_key, status, event_count, events, \
         window_start, window_end, sent_at, created_at"
    };
}

pub(crate) const DIGESTS: Table = Table {
    name: "notify.digests",
    entity: "digest",
    columns: digest_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        digest_columns!(),
        " FROM notify.digests WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("digests_pkey", Constraint::Unique("id")),
        (
            "digests_tenant_id_channel_id_digest_key_window_start_key",
            Constraint::Unique("window"),
        ),
        (
            "digests_tenant_id_channel_id_fkey",
            Constraint::References("channel"),
        ),
    ],
};

/// A window's id, the same on every replica and backend: a name-based
/// UUID of the tenant, channel, key and start.
pub(crate) fn window_id(
    ctx: &TenantContext,
    channel_id: Uuid,
    key: &str,
    start: DateTime<Utc>,
) -> Uuid {
    let name = format!(
        "{}\n{channel_id}\n{key}\n{}",
        ctx.tenant().as_str(),
        start.timestamp_micros()
    );
    Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes())
}

/// Why an append to a window is refused, if it is.
pub(crate) fn check_appendable(digest: &Digest) -> Result<(), StorageError> {
    if digest.status != DigestStatus::Collecting {
        return Err(StorageError::IllegalTransition {
            entity: "digest",
            from: digest.status.as_str().to_owned(),
            to: DigestStatus::Collecting.as_str().to_owned(),
        });
    }
    if digest.event_count >= MAX_DIGEST_EVENTS {
        return Err(StorageError::invalid(
            "digest event",
            format!("the window holds {MAX_DIGEST_EVENTS} events already"),
        ));
    }
    Ok(())
}

#[async_trait]
impl DigestRepository for PgNotify {
    async fn append_to_digest(
        &self,
        ctx: &TenantContext,
        event: &DigestEvent,
    ) -> Result<Digest, StorageError> {
        event.validate()?;
        let now = self.clock.now();
        let (start, end) = event.window.around(now)?;
        let key = event.digest_key();
        let mut work = self.source.work(ctx).await?;
        work.on(&DIGESTS, "opening a digest window")
            .execute(
                sqlx::query(
                    "INSERT INTO notify.digests (tenant_id, id, channel_id, recipient, digest_key, \
                       status, event_count, events, window_start, window_end, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 'collecting', 0, '[]', $6, $7, $8) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(ctx.tenant().as_str())
                .bind(window_id(ctx, event.channel_id, &key, start))
                .bind(event.channel_id)
                .bind(&event.recipient)
                .bind(&key)
                .bind(start)
                .bind(end)
                .bind(now),
            )
            .await?;
        // Above, ON CONFLICT without a target: the window's id is a function
        // of its key, so racing openers clash on the primary key too, and
        // every unique index must arbitrate. Appends to one window queue
        // here, one at a time.
        let digest = work
            .on(&DIGESTS, "reading a digest window")
            .one(
                sqlx::query_as::<_, Digest>(concat!(
                    "SELECT ",
                    digest_columns!(),
                    " FROM notify.digests WHERE channel_id = $1 AND digest_key = $2 \
                     AND window_start = $3 FOR UPDATE"
                ))
                .bind(event.channel_id)
                .bind(&key)
                .bind(start),
            )
            .await?;
        check_appendable(&digest)?;
        if digest.holds(&event.event_id) {
            return Ok(digest);
        }
        let digest = work
            .on(&DIGESTS, "appending to a digest")
            .one(
                sqlx::query_as::<_, Digest>(concat!(
                    "UPDATE notify.digests SET events = events || jsonb_build_array($3::jsonb), \
                       event_count = event_count + 1 \
                     WHERE tenant_id = $1 AND id = $2 RETURNING ",
                    digest_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(digest.id)
                .bind(event.entry()),
            )
            .await?;
        work.commit().await?;
        Ok(digest)
    }

    async fn get_digest(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Digest>, StorageError> {
        self.source
            .get_by_id(ctx, &DIGESTS, "reading a digest", id)
            .await
    }

    async fn list_digests(
        &self,
        ctx: &TenantContext,
        page: &PageRequest,
    ) -> Result<Page<Digest>, StorageError> {
        self.source
            .time_keyset_page(
                ctx,
                &DIGESTS,
                "listing digests",
                TimeKeyset {
                    page,
                    forward: concat!(
                        "SELECT ",
                        digest_columns!(),
                        " FROM notify.digests \
                         WHERE ($1::timestamptz IS NULL OR (created_at, id) > ($1, $2)) \
                         ORDER BY created_at, id LIMIT $3"
                    ),
                    backward: concat!(
                        "SELECT ",
                        digest_columns!(),
                        " FROM notify.digests \
                         WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2)) \
                         ORDER BY created_at DESC, id DESC LIMIT $3"
                    ),
                },
                |q| q,
                |d: &Digest| (d.created_at, d.id),
            )
            .await
    }

    async fn flush_digests(
        &self,
        ctx: &SystemContext,
        limit: i64,
    ) -> Result<Vec<Delivery>, StorageError> {
        let limit = input::limit("flush limit", limit, MAX_DIGEST_FLUSH)?;
        let now = self.clock.now();
        // One statement: the windows are locked (SKIP LOCKED, so racing
        // flushers split them), marked sent and turned into deliveries
        // together; a window another flusher marked first is no longer
        // collecting and is not picked.
        let mut made = self
            .source
            .call(ctx, &DELIVERIES, "flushing digests")
            .all(sqlx::query_as::<_, Delivery>(concat!(
                "WITH due AS MATERIALIZED ( \
                   SELECT tenant_id AS due_tenant, id AS due_id FROM notify.digests \
                   WHERE status = 'collecting' AND window_end <= $1 AND event_count > 0 \
                   ORDER BY window_end, id LIMIT $2 FOR UPDATE SKIP LOCKED), \
                 flushed AS ( \
                   UPDATE notify.digests SET status = 'sent', sent_at = $1 FROM due \
                   WHERE tenant_id = due_tenant AND id = due_id \
                   RETURNING tenant_id, id, channel_id, recipient, digest_key, event_count, events) \
                 INSERT INTO notify.deliveries (tenant_id, id, idempotency_key, channel_id, \
                   event_id, recipient, payload, max_attempts, status, attempts, next_attempt_at, \
                   created_at) \
                 SELECT tenant_id, id, 'digest:' || id, channel_id, 'digest:' || id, recipient, \
                   jsonb_build_object('digest_key', digest_key, 'event_count', event_count, \
                                      'events', events), \
                   $3, 'pending', 0, $1, $1 FROM flushed \
                 RETURNING ",
                super::deliveries::delivery_columns!()
            ))
            .bind(now)
            .bind(limit)
            .bind(DEFAULT_MAX_ATTEMPTS))
            .await?;
        made.sort_by_key(|d| d.id);
        Ok(made)
    }
}
