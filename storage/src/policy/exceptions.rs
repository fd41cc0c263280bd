//! Exceptions (`policy.exceptions`): waivers of a pack's rule (or of a
//! whole pack, or of a rule key in every pack), proposed, approved by
//! someone with a time, and active from their approval until the instant
//! they expire, exact to the microsecond; rejected, revoked and expired
//! ones never are. Trait and PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::kinds::{ExceptionStatus, illegal};
use super::postgres::PgPolicy;
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, SystemContext, TenantContext, clock::to_micros, input};

/// The longest an exception may run: two years.
pub const MAX_EXCEPTION_DAYS: i64 = 731;
/// The most exceptions one expiry sweep closes.
pub const MAX_EXPIRY_SWEEP: i64 = 1_000;

/// An exception of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Exception {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    /// The pack it waives a rule of; every pack when `None`.
    pub pack_id: Option<Uuid>,
    /// The rule it waives; every rule when `None`.
    pub rule_key: Option<String>,
    pub scope: Value,
    #[sqlx(try_from = "String")]
    pub status: ExceptionStatus,
    pub reason: String,
    pub requested_by: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Exception {
    /// Whether it waives at instant `at`: approved, at or after its
    /// approval, and strictly before it expires.
    pub fn active_at(&self, at: DateTime<Utc>) -> bool {
        self.status == ExceptionStatus::Approved
            && self.approved_at.is_some_and(|approved| approved <= at)
            && at < self.expires_at
    }

    /// Whether it covers `rule_key` of `pack_id`.
    pub fn covers(&self, pack_id: Uuid, rule_key: &str) -> bool {
        self.pack_id.is_none_or(|p| p == pack_id)
            && self.rule_key.as_deref().is_none_or(|k| k == rule_key)
    }
}

/// A proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewException {
    pub id: Uuid,
    pub name: String,
    pub pack_id: Option<Uuid>,
    pub rule_key: Option<String>,
    /// A JSON object (the findings it applies to).
    pub scope: Value,
    pub reason: String,
    pub requested_by: String,
    pub expires_at: DateTime<Utc>,
}

impl NewException {
    pub fn new(
        id: Uuid,
        name: impl Into<String>,
        reason: impl Into<String>,
        requested_by: impl Into<String>,
        expires_at: DateTime<Utc>,
    ) -> Self {
        NewException {
            id,
            name: name.into(),
            pack_id: None,
            rule_key: None,
            scope: Value::Object(Default::default()),
            reason: reason.into(),
            requested_by: requested_by.into(),
            expires_at,
        }
    }

    /// Refused before anything is written: an exception must expire after
    /// it is proposed (`now`), within [`MAX_EXCEPTION_DAYS`].
    pub(crate) fn validate(&self, now: DateTime<Utc>) -> Result<(), StorageError> {
        input::key("exception name", &self.name)?;
        if let Some(key) = &self.rule_key {
            input::key("rule key", key)?;
        }
        input::json_object("exception scope", &self.scope)?;
        input::text("exception reason", &self.reason)?;
        input::key("requested by", &self.requested_by)?;
        if to_micros(self.expires_at) != self.expires_at {
            return Err(StorageError::invalid(
                "exception expiry",
                "is finer than the microsecond PostgreSQL keeps",
            ));
        }
        if self.expires_at <= now {
            return Err(StorageError::invalid(
                "exception expiry",
                format!(
                    "{} is not after the proposal at {now}: it would expire before it starts",
                    self.expires_at
                ),
            ));
        }
        if self.expires_at - now > chrono::Duration::days(MAX_EXCEPTION_DAYS) {
            return Err(StorageError::invalid(
                "exception expiry",
                format!(
                    "{} is more than {MAX_EXCEPTION_DAYS} days away",
                    self.expires_at
                ),
            ));
        }
        Ok(())
    }
}

/// Policy's exception repository.
#[async_trait]
pub trait ExceptionRepository: Send + Sync + std::fmt::Debug {
    async fn propose_exception(
        &self,
        ctx: &TenantContext,
        exception: &NewException,
    ) -> Result<Exception, StorageError>;
    async fn get_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Exception>, StorageError>;
    /// Proposed to approved at the clock's now, naming who; an exception
    /// whose expiry has come is not approved.
    async fn approve_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<Exception, StorageError>;
    /// Proposed to rejected.
    async fn reject_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Exception, StorageError>;
    /// Approved to revoked.
    async fn revoke_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Exception, StorageError>;
    /// The exceptions waiving `rule_key` of `pack_id` at instant `at`
    /// ([`Exception::active_at`], [`Exception::covers`]), by expiry then id.
    async fn active_exceptions(
        &self,
        ctx: &TenantContext,
        pack_id: Uuid,
        rule_key: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Exception>, StorageError>;
    /// The expiry sweep, across tenants (a system operation): proposed and
    /// approved exceptions whose expiry is at or before the clock's now
    /// become expired, at most `limit`; the number closed.
    async fn expire_exceptions(&self, ctx: &SystemContext, limit: i64)
    -> Result<u64, StorageError>;
}

macro_rules! exception_columns {
    () => {
        "tenant_id, id, name, pack_id, rule_key, scope, status, reason, requested_by, \
         approved_by, approved_at, expires_at, created_at, updated_at"
    };
}

pub(crate) const EXCEPTIONS: Table = Table {
    name: "policy.exceptions",
    entity: "exception",
    columns: exception_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        exception_columns!(),
        " FROM policy.exceptions WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("exceptions_pkey", Constraint::Unique("id")),
        (
            "exceptions_tenant_id_pack_id_fkey",
            Constraint::References("pack"),
        ),
    ],
};

/// Checks a move of exception `current` to `to` at `now`.
pub(crate) fn check_exception_move(
    current: &Exception,
    to: ExceptionStatus,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    if !current.status.can_become(to) {
        return Err(illegal("exception", current.status.as_str(), to.as_str()));
    }
    if to == ExceptionStatus::Approved && now >= current.expires_at {
        return Err(illegal(
            "exception",
            ExceptionStatus::Expired.as_str(),
            to.as_str(),
        ));
    }
    Ok(())
}

impl PgPolicy {
    async fn move_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: ExceptionStatus,
        by: Option<&str>,
    ) -> Result<Exception, StorageError> {
        if let Some(by) = by {
            input::key("approved by", by)?;
        }
        let now = self.clock.now();
        let mut work = self.source.work(ctx).await?;
        let current: Exception = work
            .on(&EXCEPTIONS, "reading an exception")
            .one(
                sqlx::query_as::<_, Exception>(concat!(
                    "SELECT ",
                    exception_columns!(),
                    " FROM policy.exceptions WHERE id = $1 FOR UPDATE"
                ))
                .bind(id),
            )
            .await?;
        check_exception_move(&current, to, now)?;
        let exception = work
            .on(&EXCEPTIONS, "changing an exception's status")
            .one(
                sqlx::query_as::<_, Exception>(concat!(
                    "UPDATE policy.exceptions SET status = $2, updated_at = $3, \
                       approved_by = CASE WHEN $2 = 'approved' THEN $4 ELSE approved_by END, \
                       approved_at = CASE WHEN $2 = 'approved' THEN $3 ELSE approved_at END \
                     WHERE id = $1 RETURNING ",
                    exception_columns!()
                ))
                .bind(id)
                .bind(to.as_str())
                .bind(now)
                .bind(by),
            )
            .await?;
        work.commit().await?;
        Ok(exception)
    }
}

#[async_trait]
impl ExceptionRepository for PgPolicy {
    async fn propose_exception(
        &self,
        ctx: &TenantContext,
        exception: &NewException,
    ) -> Result<Exception, StorageError> {
        let now = self.clock.now();
        exception.validate(now)?;
        let statement = sqlx::query_as::<_, Exception>(concat!(
            "INSERT INTO policy.exceptions (tenant_id, id, name, pack_id, rule_key, scope, reason, \
             requested_by, expires_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING ",
            exception_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(exception.id)
        .bind(&exception.name)
        .bind(exception.pack_id)
        .bind(&exception.rule_key)
        .bind(&exception.scope)
        .bind(&exception.reason)
        .bind(&exception.requested_by)
        .bind(exception.expires_at)
        .bind(now);
        self.source
            .call(ctx, &EXCEPTIONS, "proposing an exception")
            .one(statement)
            .await
    }

    async fn get_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Exception>, StorageError> {
        self.source
            .get_by_id(ctx, &EXCEPTIONS, "reading an exception", id)
            .await
    }

    async fn approve_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<Exception, StorageError> {
        self.move_exception(ctx, id, ExceptionStatus::Approved, Some(by))
            .await
    }

    async fn reject_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Exception, StorageError> {
        self.move_exception(ctx, id, ExceptionStatus::Rejected, None)
            .await
    }

    async fn revoke_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Exception, StorageError> {
        self.move_exception(ctx, id, ExceptionStatus::Revoked, None)
            .await
    }

    async fn active_exceptions(
        &self,
        ctx: &TenantContext,
        pack_id: Uuid,
        rule_key: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Exception>, StorageError> {
        input::key("rule key", rule_key)?;
        let statement = sqlx::query_as::<_, Exception>(concat!(
            "SELECT ",
            exception_columns!(),
            " FROM policy.exceptions \
             WHERE status = 'approved' AND approved_at <= $3 AND $3 < expires_at \
               AND (pack_id IS NULL OR pack_id = $1) AND (rule_key IS NULL OR rule_key = $2) \
             ORDER BY expires_at, id"
        ))
        .bind(pack_id)
        .bind(rule_key)
        .bind(at);
        self.source
            .call(ctx, &EXCEPTIONS, "reading the active exceptions")
            .all(statement)
            .await
    }

    async fn expire_exceptions(
        &self,
        ctx: &SystemContext,
        limit: i64,
    ) -> Result<u64, StorageError> {
        let limit = input::limit("expiry sweep limit", limit, MAX_EXPIRY_SWEEP)?;
        let statement = sqlx::query(
            "UPDATE policy.exceptions e SET status = 'expired', updated_at = $1 \
               FROM (SELECT tenant_id, id FROM policy.exceptions \
                      WHERE status IN ('proposed', 'approved') AND expires_at <= $1 \
                      ORDER BY expires_at, tenant_id, id LIMIT $2 FOR UPDATE SKIP LOCKED) due \
              WHERE e.tenant_id = due.tenant_id AND e.id = due.id",
        )
        .bind(self.clock.now())
        .bind(limit);
        self.source
            .call(ctx, &EXCEPTIONS, "expiring exceptions")
            .execute(statement)
            .await
    }
}
