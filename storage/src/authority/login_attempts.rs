//! Login attempts (`authority.login_attempts`): recording, recent lists and
//! failure counts, on PostgreSQL.

use std::net::IpAddr;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::postgres::PgAuthority;
use super::status::LoginOutcome;
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, TenantContext, input};

/// The most attempts one listing returns.
pub const MAX_RECENT_ATTEMPTS: u32 = 500;

/// One login attempt (`authority.login_attempts`): an audit trail that
/// outlives the account, so it has no foreign key to users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LoginAttempt {
    pub tenant_id: String,
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub username: String,
    #[sqlx(try_from = "String")]
    pub outcome: LoginOutcome,
    pub reason: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub properties: Value,
}

/// An attempt to record; it occurs at the clock's now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLoginAttempt {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub username: String,
    pub outcome: LoginOutcome,
    pub reason: Option<String>,
    pub client_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub properties: Value,
}

impl NewLoginAttempt {
    pub fn new(username: impl Into<String>, outcome: LoginOutcome) -> Self {
        NewLoginAttempt {
            id: Uuid::new_v4(),
            user_id: None,
            username: username.into(),
            outcome,
            reason: None,
            client_ip: None,
            user_agent: None,
            properties: Value::Object(Default::default()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("username", &self.username)?;
        input::optional_text("reason", self.reason.as_deref())?;
        input::optional_text("user agent", self.user_agent.as_deref())?;
        input::json_object("properties", &self.properties)
    }
}

/// The seeds' `ILoginAttemptRepository`.
#[async_trait]
pub trait LoginAttemptRepository: Send + Sync + std::fmt::Debug {
    async fn record_login_attempt(
        &self,
        ctx: &TenantContext,
        attempt: &NewLoginAttempt,
    ) -> Result<LoginAttempt, StorageError>;
    /// The latest `limit` attempts for a username, newest first.
    async fn recent_login_attempts(
        &self,
        ctx: &TenantContext,
        username: &str,
        limit: u32,
    ) -> Result<Vec<LoginAttempt>, StorageError>;
    /// Failed attempts for a username within `window` before the clock's now.
    async fn count_login_failures(
        &self,
        ctx: &TenantContext,
        username: &str,
        window: Duration,
    ) -> Result<i64, StorageError>;
}

macro_rules! attempt_columns {
    () => {
        "tenant_id, id, user_id, username, outcome, reason, host(client_ip) AS client_ip, \
         user_agent, occurred_at, properties"
    };
}

pub(crate) const LOGIN_ATTEMPTS: Table = Table {
    name: "authority.login_attempts",
    entity: "login attempt",
    columns: attempt_columns!(),
    by_id: None,
    unread: &[],
    constraints: &[
        ("login_attempts_pkey", Constraint::Unique("id")),
        (
            "login_attempts_tenant_id_fkey",
            Constraint::References("tenant"),
        ),
    ],
};

pub(crate) fn check_limit(limit: u32) -> Result<(), StorageError> {
    input::limit("limit", i64::from(limit), i64::from(MAX_RECENT_ATTEMPTS)).map(|_| ())
}

pub(crate) fn check_window(window: Duration) -> Result<(), StorageError> {
    if window <= Duration::zero() || window > Duration::days(3650) {
        return Err(StorageError::invalid(
            "window",
            format!("{window} is not allowed; ask for a positive window of at most 10 years"),
        ));
    }
    Ok(())
}

#[async_trait]
impl LoginAttemptRepository for PgAuthority {
    async fn record_login_attempt(
        &self,
        ctx: &TenantContext,
        attempt: &NewLoginAttempt,
    ) -> Result<LoginAttempt, StorageError> {
        attempt.validate()?;
        let now = self.clock.now();
        let statement = sqlx::query_as::<_, LoginAttempt>(concat!(
            "INSERT INTO authority.login_attempts (tenant_id, id, user_id, username, outcome, \
             reason, client_ip, user_agent, occurred_at, properties) \
             VALUES ($1, $2, $3, $4, $5, $6, $7::inet, $8, $9, $10) RETURNING ",
            attempt_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(attempt.id)
        .bind(attempt.user_id)
        .bind(&attempt.username)
        .bind(attempt.outcome.as_str())
        .bind(&attempt.reason)
        .bind(attempt.client_ip.map(|ip| ip.to_string()))
        .bind(&attempt.user_agent)
        .bind(now)
        .bind(&attempt.properties);
        self.source
            .call(ctx, &LOGIN_ATTEMPTS, "recording a login attempt")
            .one(statement)
            .await
    }

    async fn recent_login_attempts(
        &self,
        ctx: &TenantContext,
        username: &str,
        limit: u32,
    ) -> Result<Vec<LoginAttempt>, StorageError> {
        input::key("username", username)?;
        check_limit(limit)?;
        self.source
            .call(ctx, &LOGIN_ATTEMPTS, "listing login attempts")
            .all(
                sqlx::query_as::<_, LoginAttempt>(concat!(
                    "SELECT ",
                    attempt_columns!(),
                    " FROM authority.login_attempts WHERE username = $1 \
             ORDER BY occurred_at DESC, id DESC LIMIT $2"
                ))
                .bind(username)
                .bind(i64::from(limit)),
            )
            .await
    }

    async fn count_login_failures(
        &self,
        ctx: &TenantContext,
        username: &str,
        window: Duration,
    ) -> Result<i64, StorageError> {
        input::key("username", username)?;
        check_window(window)?;
        let now = self.clock.now();
        let failures: i64 = self
            .source
            .call(ctx, &LOGIN_ATTEMPTS, "counting login failures")
            .one(
                sqlx::query_scalar(
                    "SELECT count(*) FROM authority.login_attempts WHERE username = $1 \
             AND outcome = 'failure' AND occurred_at > $2 AND occurred_at <= $3",
                )
                .bind(username)
                .bind(now - window)
                .bind(now),
            )
            .await?;
        Ok(failures)
    }
}
