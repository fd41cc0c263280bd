//! The inbox (`notify.inbox`): what a user sees in the console, newest
//! first, with an unread count; trait and PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::kinds::Severity;
use super::postgres::PgNotify;
use crate::error::Constraint;
use crate::page::{Page, PageRequest};
use crate::table::Table;
use crate::work::TimeKeyset;
use crate::{StorageError, TenantContext, input};

/// One item of a user's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InboxItem {
    pub tenant_id: String,
    pub id: Uuid,
    /// An Authority user id.
    pub user_id: Uuid,
    pub event_id: String,
    pub title: String,
    pub body: Option<String>,
    #[sqlx(try_from = "String")]
    pub severity: Severity,
    pub payload: Value,
    pub read_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// An item to put in a user's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInboxItem {
    pub id: Uuid,
    pub user_id: Uuid,
    /// One item per user and event: a second delivery of it finds the first.
    pub event_id: String,
    pub title: String,
    pub body: Option<String>,
    pub severity: Severity,
    pub payload: Value,
}

impl NewInboxItem {
    pub fn new(user_id: Uuid, event_id: impl Into<String>, title: impl Into<String>) -> Self {
        NewInboxItem {
            id: Uuid::new_v4(),
            user_id,
            event_id: event_id.into(),
            title: title.into(),
            body: None,
            severity: Severity::Info,
            payload: Value::Object(Default::default()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("event id", &self.event_id)?;
        input::text("inbox title", &self.title)?;
        input::optional_text("inbox body", self.body.as_deref())?;
        input::json_object("inbox payload", &self.payload)?;
        Ok(())
    }
}

/// What putting an item in an inbox did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub item: InboxItem,
    pub created: bool,
}

/// A page of one user's inbox, newest first: keyed by (created_at, id)
/// descending, so "next" is older.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxQuery {
    pub unread_only: bool,
    pub include_archived: bool,
    pub page: PageRequest,
}

/// The most items one mark-read names.
pub const MAX_MARK_READ: usize = 500;

/// Notify's inbox.
#[async_trait]
pub trait InboxRepository: Send + Sync + std::fmt::Debug {
    /// Puts an item in a user's inbox, or finds the one of the same event.
    async fn deliver_to_inbox(
        &self,
        ctx: &TenantContext,
        item: &NewInboxItem,
    ) -> Result<Delivered, StorageError>;
    /// A page of the user's inbox, newest first.
    async fn inbox_page(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        query: &InboxQuery,
    ) -> Result<Page<InboxItem>, StorageError>;
    /// Items neither read nor archived.
    async fn unread_count(&self, ctx: &TenantContext, user_id: Uuid) -> Result<i64, StorageError>;
    /// Marks the user's items `ids` read (those not read yet); returns how
    /// many changed. Another user's ids change nothing.
    async fn mark_read(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        ids: &[Uuid],
    ) -> Result<u64, StorageError>;
    /// Marks every unread item of the user read.
    async fn mark_all_read(&self, ctx: &TenantContext, user_id: Uuid) -> Result<u64, StorageError>;
    /// Archives one of the user's items (read or not); false when it is not
    /// theirs or already archived.
    async fn archive(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        id: Uuid,
    ) -> Result<bool, StorageError>;
}

macro_rules! inbox_columns {
    () => {
        "tenant_id, id, user_id, event_id, title, body, severity, payload, read_at, archived_at, \
         created_at"
    };
}

pub(crate) const INBOX: Table = Table {
    name: "notify.inbox",
    entity: "inbox item",
    columns: inbox_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        inbox_columns!(),
        " FROM notify.inbox WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("inbox_pkey", Constraint::Unique("id")),
        (
            "inbox_tenant_id_user_id_event_id_key",
            Constraint::Unique("event for the user"),
        ),
    ],
};

pub(crate) fn check_ids(ids: &[Uuid]) -> Result<(), StorageError> {
    if ids.len() > MAX_MARK_READ {
        return Err(StorageError::invalid(
            "inbox ids",
            format!(
                "{} ids are too many; give at most {MAX_MARK_READ}",
                ids.len()
            ),
        ));
    }
    Ok(())
}

#[async_trait]
impl InboxRepository for PgNotify {
    async fn deliver_to_inbox(
        &self,
        ctx: &TenantContext,
        item: &NewInboxItem,
    ) -> Result<Delivered, StorageError> {
        item.validate()?;
        let mut work = self.source.work(ctx).await?;
        let inserted = work
            .on(&INBOX, "putting an item in an inbox")
            .optional(
                sqlx::query_as::<_, InboxItem>(concat!(
                    "INSERT INTO notify.inbox (tenant_id, id, user_id, event_id, title, body, \
                     severity, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (tenant_id, user_id, event_id) DO NOTHING RETURNING ",
                    inbox_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(item.id)
                .bind(item.user_id)
                .bind(&item.event_id)
                .bind(&item.title)
                .bind(&item.body)
                .bind(item.severity.as_str())
                .bind(&item.payload)
                .bind(self.clock.now()),
            )
            .await?;
        let delivered = match inserted {
            Some(item) => Delivered {
                item,
                created: true,
            },
            None => Delivered {
                item: work
                    .on(&INBOX, "finding an inbox item by its event")
                    .one(
                        sqlx::query_as::<_, InboxItem>(concat!(
                            "SELECT ",
                            inbox_columns!(),
                            " FROM notify.inbox WHERE user_id = $1 AND event_id = $2"
                        ))
                        .bind(item.user_id)
                        .bind(&item.event_id),
                    )
                    .await?,
                created: false,
            },
        };
        work.commit().await?;
        Ok(delivered)
    }

    async fn inbox_page(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        query: &InboxQuery,
    ) -> Result<Page<InboxItem>, StorageError> {
        // Newest first: forward runs back in time, "after" is older.
        self.source
            .time_keyset_page(
                ctx,
                &INBOX,
                "reading an inbox page",
                TimeKeyset {
                    page: &query.page,
                    forward: concat!(
                        "SELECT ",
                        inbox_columns!(),
                        " FROM notify.inbox WHERE user_id = $1 \
                         AND (NOT $2 OR read_at IS NULL) AND ($3 OR archived_at IS NULL) \
                         AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5)) \
                         ORDER BY created_at DESC, id DESC LIMIT $6"
                    ),
                    backward: concat!(
                        "SELECT ",
                        inbox_columns!(),
                        " FROM notify.inbox WHERE user_id = $1 \
                         AND (NOT $2 OR read_at IS NULL) AND ($3 OR archived_at IS NULL) \
                         AND ($4::timestamptz IS NULL OR (created_at, id) > ($4, $5)) \
                         ORDER BY created_at, id LIMIT $6"
                    ),
                },
                |q| {
                    q.bind(user_id)
                        .bind(query.unread_only)
                        .bind(query.include_archived)
                },
                |i: &InboxItem| (i.created_at, i.id),
            )
            .await
    }

    async fn unread_count(&self, ctx: &TenantContext, user_id: Uuid) -> Result<i64, StorageError> {
        self.source
            .call(ctx, &INBOX, "counting unread inbox items")
            .one(
                sqlx::query_scalar(
                    "SELECT count(*) FROM notify.inbox \
                     WHERE user_id = $1 AND read_at IS NULL AND archived_at IS NULL",
                )
                .bind(user_id),
            )
            .await
    }

    async fn mark_read(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        ids: &[Uuid],
    ) -> Result<u64, StorageError> {
        check_ids(ids)?;
        self.source
            .call(ctx, &INBOX, "marking inbox items read")
            .execute(
                sqlx::query(
                    "UPDATE notify.inbox SET read_at = $3 \
                     WHERE user_id = $1 AND id = ANY($2) AND read_at IS NULL",
                )
                .bind(user_id)
                .bind(ids)
                .bind(self.clock.now()),
            )
            .await
    }

    async fn mark_all_read(&self, ctx: &TenantContext, user_id: Uuid) -> Result<u64, StorageError> {
        self.source
            .call(ctx, &INBOX, "marking an inbox read")
            .execute(
                sqlx::query(
                    "UPDATE notify.inbox SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
                )
                .bind(user_id)
                .bind(self.clock.now()),
            )
            .await
    }

    async fn archive(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        id: Uuid,
    ) -> Result<bool, StorageError> {
        let archived = self
            .source
            .call(ctx, &INBOX, "archiving an inbox item")
            .execute(
                sqlx::query(
                    "UPDATE notify.inbox SET archived_at = $3 \
                     WHERE user_id = $1 AND id = $2 AND archived_at IS NULL",
                )
                .bind(user_id)
                .bind(id)
                .bind(self.clock.now()),
            )
            .await?;
        Ok(archived == 1)
    }
}
