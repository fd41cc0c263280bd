//! On-call schedules (`notify.on_call_schedules`): who is on call at an
//! instant, by a rotation in an IANA time zone and overrides; trait and
//! PostgreSQL implementation.
//!
//! A daily rotation hands over at local midnight, a weekly one at Monday's
//! local midnight (a midnight the zone skips hands over when the gap
//! ends); shift `k` since the epoch (1970-01-01, or the Monday 1970-01-05)
//! goes to participant `k mod n`, so every replica agrees. A custom
//! rotation has no shifts: only overrides put someone on call. An override
//! holding the instant wins; of several, the one that started last (then
//! the later in the list).

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use uuid::Uuid;

use super::kinds::Rotation;
use super::postgres::PgNotify;
use super::quiet::first_instant;
use crate::error::Constraint;
use crate::table::Table;
use crate::{StorageError, TenantContext, input};

/// Someone on call instead of the rotation, for [starts_at, ends_at).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub user: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// An on-call schedule of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OnCallSchedule {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    pub timezone: String,
    #[sqlx(try_from = "String")]
    pub rotation: Rotation,
    /// User ids in rotation order.
    #[sqlx(json)]
    pub participants: Vec<String>,
    #[sqlx(json)]
    pub overrides: Vec<Override>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Who is on call, and the span of their shift around the instant asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnCall {
    pub user: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub by_override: bool,
}

/// The fields a caller sets on create and update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleFields {
    pub name: String,
    pub timezone: String,
    pub rotation: Rotation,
    pub participants: Vec<String>,
    pub overrides: Vec<Override>,
}

/// The most participants and the most overrides of one schedule.
pub const MAX_PARTICIPANTS: usize = 100;
pub const MAX_OVERRIDES: usize = 100;

impl ScheduleFields {
    pub fn new(
        name: impl Into<String>,
        timezone: impl Into<String>,
        rotation: Rotation,
        participants: &[&str],
    ) -> Self {
        ScheduleFields {
            name: name.into(),
            timezone: timezone.into(),
            rotation,
            participants: participants.iter().map(|p| (*p).to_owned()).collect(),
            overrides: Vec::new(),
        }
    }

    /// The fields as stored (override instants to the microsecond). Refuses
    /// an unknown zone, a rotation with nobody in it, a participant twice,
    /// and an override that ends before it starts.
    pub(crate) fn normalized(&self) -> Result<ScheduleFields, StorageError> {
        input::key("schedule name", &self.name)?;
        input::time_zone("time zone", &self.timezone)?;
        input::keys("participant", &self.participants)?;
        let distinct: BTreeSet<&String> = self.participants.iter().collect();
        let needs_someone = self.rotation != Rotation::Custom && self.participants.is_empty();
        if needs_someone
            || distinct.len() != self.participants.len()
            || self.participants.len() > MAX_PARTICIPANTS
        {
            return Err(StorageError::invalid(
                "participants",
                format!(
                    "{} given ({} distinct); a {} rotation needs 1 to {MAX_PARTICIPANTS}, each once",
                    self.participants.len(),
                    distinct.len(),
                    self.rotation
                ),
            ));
        }
        if self.overrides.len() > MAX_OVERRIDES {
            return Err(StorageError::invalid(
                "overrides",
                format!("{} given; at most {MAX_OVERRIDES}", self.overrides.len()),
            ));
        }
        let mut overrides = Vec::with_capacity(self.overrides.len());
        for o in &self.overrides {
            input::key("override user", &o.user)?;
            let starts_at = crate::clock::to_micros(o.starts_at);
            let ends_at = crate::clock::to_micros(o.ends_at);
            if ends_at <= starts_at {
                return Err(StorageError::invalid(
                    "override",
                    format!("ends at {ends_at}, not after it starts at {starts_at}"),
                ));
            }
            overrides.push(Override {
                user: o.user.clone(),
                starts_at,
                ends_at,
            });
        }
        Ok(ScheduleFields {
            overrides,
            ..self.clone()
        })
    }
}

fn midnight(zone: Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    first_instant(zone, date.and_time(NaiveTime::MIN))
}

/// The rotation's shift holding `at`: its index since the epoch and its span.
fn shift(
    zone: Tz,
    rotation: Rotation,
    at: DateTime<Utc>,
) -> Option<(i64, DateTime<Utc>, DateTime<Utc>)> {
    let date = at.with_timezone(&zone).date_naive();
    let (start, length, epoch) = match rotation {
        Rotation::Daily => (date, 1, NaiveDate::from_ymd_opt(1970, 1, 1)?),
        Rotation::Weekly => {
            let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
            (monday, 7, NaiveDate::from_ymd_opt(1970, 1, 5)?)
        }
        Rotation::Custom => return None,
    };
    let mut from = midnight(zone, start)?;
    let mut start = start;
    // A local date whose midnight falls after `at` (the day began in a
    // gap) belongs to the shift before.
    if from > at {
        start -= Duration::days(length);
        from = midnight(zone, start)?;
    }
    let until = midnight(zone, start + Duration::days(length))?;
    let index = (start - epoch).num_days().div_euclid(length);
    Some((index, from, until))
}

impl OnCallSchedule {
    /// Who is on call at `at`, or `None` (a custom rotation outside its
    /// overrides, or a zone chrono-tz does not know).
    pub fn on_call_at(&self, at: DateTime<Utc>) -> Option<OnCall> {
        let at = crate::clock::to_micros(at);
        let by_override = self
            .overrides
            .iter()
            .enumerate()
            .filter(|(_, o)| o.starts_at <= at && at < o.ends_at)
            .max_by_key(|(i, o)| (o.starts_at, *i));
        if let Some((_, o)) = by_override {
            return Some(OnCall {
                user: o.user.clone(),
                from: o.starts_at,
                until: o.ends_at,
                by_override: true,
            });
        }
        let zone: Tz = self.timezone.parse().ok()?;
        let (index, from, until) = shift(zone, self.rotation, at)?;
        let count = i64::try_from(self.participants.len())
            .ok()
            .filter(|n| *n > 0)?;
        let user = self
            .participants
            .get(index.rem_euclid(count) as usize)?
            .clone();
        // Overrides cut the shift short on either side.
        let from = self
            .overrides
            .iter()
            .map(|o| o.ends_at)
            .filter(|end| *end > from && *end <= at)
            .max()
            .unwrap_or(from);
        let until = self
            .overrides
            .iter()
            .map(|o| o.starts_at)
            .filter(|start| *start > at && *start < until)
            .min()
            .unwrap_or(until);
        Some(OnCall {
            user,
            from,
            until,
            by_override: false,
        })
    }
}

/// Notify's on-call schedules.
#[async_trait]
pub trait OnCallRepository: Send + Sync + std::fmt::Debug {
    async fn get_schedule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<OnCallSchedule>, StorageError>;
    /// The tenant's schedules by name.
    async fn list_schedules(
        &self,
        ctx: &TenantContext,
    ) -> Result<Vec<OnCallSchedule>, StorageError>;
    async fn create_schedule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ScheduleFields,
    ) -> Result<OnCallSchedule, StorageError>;
    async fn update_schedule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ScheduleFields,
    ) -> Result<OnCallSchedule, StorageError>;
    async fn delete_schedule(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
    /// Who is on call by the schedule at `at` ([`OnCallSchedule::on_call_at`]).
    async fn on_call(
        &self,
        ctx: &TenantContext,
        schedule_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<OnCall>, StorageError>;
}

macro_rules! schedule_columns {
    () => {
        "tenant_id, id, name, timezone, rotation, participants, overrides, created_at, updated_at"
    };
}

pub(crate) const ON_CALL_SCHEDULES: Table = Table {
    name: "notify.on_call_schedules",
    entity: "on-call schedule",
    columns: schedule_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        schedule_columns!(),
        " FROM notify.on_call_schedules WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("on_call_schedules_pkey", Constraint::Unique("id")),
        (
            "on_call_schedules_tenant_id_name_key",
            Constraint::Unique("name"),
        ),
    ],
};

#[async_trait]
impl OnCallRepository for PgNotify {
    async fn get_schedule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<OnCallSchedule>, StorageError> {
        self.source
            .get_by_id(ctx, &ON_CALL_SCHEDULES, "reading an on-call schedule", id)
            .await
    }

    async fn list_schedules(
        &self,
        ctx: &TenantContext,
    ) -> Result<Vec<OnCallSchedule>, StorageError> {
        self.source
            .call(ctx, &ON_CALL_SCHEDULES, "listing on-call schedules")
            .all(sqlx::query_as::<_, OnCallSchedule>(concat!(
                "SELECT ",
                schedule_columns!(),
                " FROM notify.on_call_schedules ORDER BY name, id"
            )))
            .await
    }

    async fn create_schedule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ScheduleFields,
    ) -> Result<OnCallSchedule, StorageError> {
        let f = fields.normalized()?;
        self.source
            .call(ctx, &ON_CALL_SCHEDULES, "creating an on-call schedule")
            .one(
                sqlx::query_as::<_, OnCallSchedule>(concat!(
                    "INSERT INTO notify.on_call_schedules (tenant_id, id, name, timezone, rotation, \
                     participants, overrides, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ",
                    schedule_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(id)
                .bind(&f.name)
                .bind(&f.timezone)
                .bind(f.rotation.as_str())
                .bind(Json(&f.participants))
                .bind(Json(&f.overrides))
                .bind(self.clock.now()),
            )
            .await
    }

    async fn update_schedule(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ScheduleFields,
    ) -> Result<OnCallSchedule, StorageError> {
        let f = fields.normalized()?;
        self.source
            .call(ctx, &ON_CALL_SCHEDULES, "updating an on-call schedule")
            .one(
                sqlx::query_as::<_, OnCallSchedule>(concat!(
                    "UPDATE notify.on_call_schedules SET name = $2, timezone = $3, rotation = $4, \
                     participants = $5, overrides = $6, updated_at = $7 WHERE id = $1 RETURNING ",
                    schedule_columns!()
                ))
                .bind(id)
                .bind(&f.name)
                .bind(&f.timezone)
                .bind(f.rotation.as_str())
                .bind(Json(&f.participants))
                .bind(Json(&f.overrides))
                .bind(self.clock.now()),
            )
            .await
    }

    async fn delete_schedule(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let deleted = self
            .source
            .call(ctx, &ON_CALL_SCHEDULES, "deleting an on-call schedule")
            .execute(sqlx::query("DELETE FROM notify.on_call_schedules WHERE id = $1").bind(id))
            .await?;
        Ok(deleted == 1)
    }

    async fn on_call(
        &self,
        ctx: &TenantContext,
        schedule_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<OnCall>, StorageError> {
        let schedule = self
            .get_schedule(ctx, schedule_id)
            .await?
            .ok_or(ON_CALL_SCHEDULES.not_found())?;
        Ok(schedule.on_call_at(at))
    }
}
