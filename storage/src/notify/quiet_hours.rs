//! Quiet hours (`notify.quiet_hours`): wall-clock windows in an IANA time
//! zone, for one channel or all, that defer deliveries to their end; trait
//! and PostgreSQL implementation.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, NaiveTime, Timelike, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::postgres::PgNotify;
use super::quiet::{QuietRule, quiet_until};
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, TenantContext, input};

/// Quiet hours of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct QuietHours {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    /// The channel kept quiet; every channel when `None`.
    pub channel_id: Option<Uuid>,
    pub timezone: String,
    /// ISO weekdays the windows start on, 1 = Monday, sorted.
    pub days_of_week: Vec<i16>,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

impl QuietHours {
    /// The rule's arithmetic; `None` for a zone the database holds but
    /// chrono-tz does not know (written around this API).
    pub fn rule(&self) -> Option<QuietRule> {
        Some(QuietRule {
            zone: self.timezone.parse().ok()?,
            days_of_week: self.days_of_week.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        })
    }

    pub(crate) fn applies_to(&self, channel_id: Uuid) -> bool {
        self.enabled && self.channel_id.is_none_or(|c| c == channel_id)
    }
}

/// The fields a caller sets on create and update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuietHoursFields {
    pub name: String,
    pub channel_id: Option<Uuid>,
    pub timezone: String,
    pub days_of_week: Vec<i16>,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
    pub enabled: bool,
}

impl QuietHoursFields {
    /// Every day, every channel, from `starts_at` to `ends_at` in `timezone`.
    pub fn new(
        name: impl Into<String>,
        timezone: impl Into<String>,
        starts_at: NaiveTime,
        ends_at: NaiveTime,
    ) -> Self {
        QuietHoursFields {
            name: name.into(),
            channel_id: None,
            timezone: timezone.into(),
            days_of_week: (1..=7).collect(),
            starts_at,
            ends_at,
            enabled: true,
        }
    }

    /// The fields as stored: days sorted, times to the microsecond. Refuses
    /// an unknown zone, no day, a day outside 1 to 7 or given twice, and a
    /// window that starts when it ends.
    pub(crate) fn normalized(&self) -> Result<QuietHoursFields, StorageError> {
        input::key("quiet hours name", &self.name)?;
        input::time_zone("time zone", &self.timezone)?;
        let days: BTreeSet<i16> = self.days_of_week.iter().copied().collect();
        if days.is_empty()
            || days.len() != self.days_of_week.len()
            || days.iter().any(|d| !(1..=7).contains(d))
        {
            return Err(StorageError::invalid(
                "days of week",
                format!(
                    "{:?} is not allowed; give ISO weekdays 1 (Monday) to 7, each once",
                    self.days_of_week
                ),
            ));
        }
        let to_micros = |t: NaiveTime| t.with_nanosecond(t.nanosecond() / 1_000 * 1_000);
        let (Some(starts_at), Some(ends_at)) = (to_micros(self.starts_at), to_micros(self.ends_at))
        else {
            return Err(StorageError::invalid(
                "quiet hours",
                "a time is out of range",
            ));
        };
        if starts_at == ends_at {
            return Err(StorageError::invalid(
                "quiet hours",
                format!("start and end are both {starts_at}; a window needs a length"),
            ));
        }
        Ok(QuietHoursFields {
            name: self.name.clone(),
            channel_id: self.channel_id,
            timezone: self.timezone.clone(),
            days_of_week: days.into_iter().collect(),
            starts_at,
            ends_at,
            enabled: self.enabled,
        })
    }
}

/// When the tenant's quiet hours for `channel_id` that hold at `at` end.
pub(crate) fn quiet_end(
    rows: &[QuietHours],
    channel_id: Uuid,
    at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let rules: Vec<QuietRule> = rows
        .iter()
        .filter(|q| q.applies_to(channel_id))
        .filter_map(QuietHours::rule)
        .collect();
    quiet_until(&rules, at)
}

/// Notify's quiet hours.
#[async_trait]
pub trait QuietHoursRepository: Send + Sync + std::fmt::Debug {
    async fn get_quiet_hours(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<QuietHours>, StorageError>;
    /// The tenant's quiet hours by name.
    async fn list_quiet_hours(&self, ctx: &TenantContext) -> Result<Vec<QuietHours>, StorageError>;
    async fn create_quiet_hours(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &QuietHoursFields,
    ) -> Result<QuietHours, StorageError>;
    async fn update_quiet_hours(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &QuietHoursFields,
    ) -> Result<QuietHours, StorageError>;
    async fn delete_quiet_hours(&self, ctx: &TenantContext, id: Uuid)
    -> Result<bool, StorageError>;
    /// Whether `channel_id` of the tenant is quiet at `at`, and until when:
    /// the end of the windows holding it ([`super::quiet`] says how DST
    /// moves them), or `None` when it is not quiet.
    async fn quiet_until(
        &self,
        ctx: &TenantContext,
        channel_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StorageError>;
}

macro_rules! quiet_hours_columns {
    () => {
        "tenant_id, id, name, channel_id, timezone, days_of_week, starts_at, ends_at, enabled, \
         created_at"
    };
}

pub(crate) const QUIET_HOURS: Table = Table {
    name: "notify.quiet_hours",
    entity: "quiet hours",
    columns: quiet_hours_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        quiet_hours_columns!(),
        " FROM notify.quiet_hours WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("quiet_hours_pkey", Constraint::Unique("id")),
        ("quiet_hours_tenant_id_name_key", Constraint::Unique("name")),
        (
            "quiet_hours_tenant_id_channel_id_fkey",
            Constraint::References("channel"),
        ),
    ],
};

impl PgNotify {
    /// The tenant's enabled quiet hours for `channel_id`, inside `work`.
    pub(crate) async fn quiet_hours_of(
        work: &mut crate::work::Work,
        channel_id: Uuid,
    ) -> Result<Vec<QuietHours>, StorageError> {
        work.on(&QUIET_HOURS, "reading quiet hours")
            .all(
                sqlx::query_as::<_, QuietHours>(concat!(
                    "SELECT ",
                    quiet_hours_columns!(),
                    " FROM notify.quiet_hours \
                     WHERE enabled AND (channel_id IS NULL OR channel_id = $1)"
                ))
                .bind(channel_id),
            )
            .await
    }
}

#[async_trait]
impl QuietHoursRepository for PgNotify {
    async fn get_quiet_hours(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<QuietHours>, StorageError> {
        self.source
            .get_by_id(ctx, &QUIET_HOURS, "reading quiet hours", id)
            .await
    }

    async fn list_quiet_hours(&self, ctx: &TenantContext) -> Result<Vec<QuietHours>, StorageError> {
        self.source
            .call(ctx, &QUIET_HOURS, "listing quiet hours")
            .all(sqlx::query_as::<_, QuietHours>(concat!(
                "SELECT ",
                quiet_hours_columns!(),
                " FROM notify.quiet_hours ORDER BY name, id"
            )))
            .await
    }

    async fn create_quiet_hours(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &QuietHoursFields,
    ) -> Result<QuietHours, StorageError> {
        let f = fields.normalized()?;
        self.source
            .call(ctx, &QUIET_HOURS, "creating quiet hours")
            .one(
                sqlx::query_as::<_, QuietHours>(concat!(
                    "INSERT INTO notify.quiet_hours (tenant_id, id, name, channel_id, timezone, \
                     days_of_week, starts_at, ends_at, enabled, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ",
                    quiet_hours_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(id)
                .bind(&f.name)
                .bind(f.channel_id)
                .bind(&f.timezone)
                .bind(&f.days_of_week)
                .bind(f.starts_at)
                .bind(f.ends_at)
                .bind(f.enabled)
                .bind(self.clock.now()),
            )
            .await
    }

    async fn update_quiet_hours(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &QuietHoursFields,
    ) -> Result<QuietHours, StorageError> {
        let f = fields.normalized()?;
        self.source
            .call(ctx, &QUIET_HOURS, "updating quiet hours")
            .one(
                sqlx::query_as::<_, QuietHours>(concat!(
                    "UPDATE notify.quiet_hours SET name = $2, channel_id = $3, timezone = $4, \
                     days_of_week = $5, starts_at = $6, ends_at = $7, enabled = $8 \
                     WHERE id = $1 RETURNING ",
                    quiet_hours_columns!()
                ))
                .bind(id)
                .bind(&f.name)
                .bind(f.channel_id)
                .bind(&f.timezone)
                .bind(&f.days_of_week)
                .bind(f.starts_at)
                .bind(f.ends_at)
                .bind(f.enabled),
            )
            .await
    }

    async fn delete_quiet_hours(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<bool, StorageError> {
        let deleted = self
            .source
            .call(ctx, &QUIET_HOURS, "deleting quiet hours")
            .execute(sqlx::query("DELETE FROM notify.quiet_hours WHERE id = $1").bind(id))
            .await?;
        Ok(deleted == 1)
    }

    async fn quiet_until(
        &self,
        ctx: &TenantContext,
        channel_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StorageError> {
        let mut work = self.source.work(ctx).await?;
        let rows = PgNotify::quiet_hours_of(&mut work, channel_id).await?;
        work.commit().await?;
        Ok(quiet_end(&rows, channel_id, crate::clock::to_micros(at)))
    }
}
