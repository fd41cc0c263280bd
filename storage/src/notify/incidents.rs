//! Incidents (`notify.incidents`): events correlated by key into one open
//! incident, acknowledged once and resolved; trait and PostgreSQL
//! implementation. Acknowledging or resolving an incident stops its
//! escalations in the same transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::escalations::ESCALATIONS;
use super::kinds::{IncidentStatus, Severity};
use super::postgres::PgNotify;
use crate::error::Constraint;
use crate::page::{Page, PageRequest};
use crate::table::Table;
use crate::work::TimeKeyset;
use crate::{StorageError, TenantContext, input};

/// An incident of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Incident {
    pub tenant_id: String,
    pub id: Uuid,
    pub correlation_key: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub severity: Severity,
    #[sqlx(try_from = "String")]
    pub status: IncidentStatus,
    pub escalation_policy_id: Option<Uuid>,
    /// Events correlated into it, the first included.
    pub event_count: i32,
    pub payload: Value,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
}

/// An event that opens an incident, or joins the open one of its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    /// The id the incident gets if this event opens it.
    pub id: Uuid,
    pub correlation_key: String,
    pub title: String,
    pub severity: Severity,
    pub escalation_policy_id: Option<Uuid>,
    pub payload: Value,
}

impl NewIncident {
    pub fn new(
        correlation_key: impl Into<String>,
        title: impl Into<String>,
        severity: Severity,
    ) -> Self {
        NewIncident {
            id: Uuid::new_v4(),
            correlation_key: correlation_key.into(),
            title: title.into(),
            severity,
            escalation_policy_id: None,
            payload: Value::Object(Default::default()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("correlation key", &self.correlation_key)?;
        input::text("incident title", &self.title)?;
        input::json_object("incident payload", &self.payload)?;
        Ok(())
    }
}

/// What an event did: the incident, and whether it opened it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correlated {
    pub incident: Incident,
    pub opened: bool,
}

/// Filters of the incident list; pages are keyed by (opened_at, id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentQuery {
    pub status: Option<IncidentStatus>,
    pub page: PageRequest,
}

/// Notify's incidents.
#[async_trait]
pub trait IncidentRepository: Send + Sync + std::fmt::Debug {
    /// Opens an incident for the key, or counts the event into the open one
    /// (one open incident per key, also when events race).
    async fn correlate(
        &self,
        ctx: &TenantContext,
        incident: &NewIncident,
    ) -> Result<Correlated, StorageError>;
    async fn get_incident(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Incident>, StorageError>;
    /// Keyset pages of the tenant's incidents, by (opened_at, id).
    async fn list_incidents(
        &self,
        ctx: &TenantContext,
        query: &IncidentQuery,
    ) -> Result<Page<Incident>, StorageError>;
    /// Open to acknowledged, and its active escalations with it. The same
    /// acknowledger again changes nothing; anyone else's is refused (an
    /// acknowledgement is single-use).
    async fn acknowledge_incident(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<Incident, StorageError>;
    /// Open or acknowledged to resolved, and its escalations with it.
    async fn resolve_incident(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<Incident, StorageError>;
}

macro_rules! incident_columns {
    () => {
        "tenant_id, id, correlation_key, title, severity, status, escalation_policy_id, \
         event_count, payload, opened_at, acknowledged_at, acknowledged_by, resolved_at, \
         resolved_by"
    };
}

pub(crate) const INCIDENTS: Table = Table {
    name: "notify.incidents",
    entity: "incident",
    columns: incident_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        incident_columns!(),
        " FROM notify.incidents WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("incidents_pkey", Constraint::Unique("id")),
        (
            "incidents_open_key_idx",
            Constraint::Unique("open correlation key"),
        ),
        (
            "incidents_tenant_id_escalation_policy_id_fkey",
            Constraint::References("escalation policy"),
        ),
    ],
};

/// The errors of an acknowledgement or resolution the incident's state
/// refuses; `Ok(true)` when it is an acknowledger's retry that changes
/// nothing.
pub(crate) fn check_change(
    incident: &Incident,
    to: IncidentStatus,
    by: &str,
) -> Result<bool, StorageError> {
    use IncidentStatus::*;
    match (incident.status, to) {
        (Open, Acknowledged) | (Open | Acknowledged, Resolved) => Ok(false),
        (Acknowledged, Acknowledged) if incident.acknowledged_by.as_deref() == Some(by) => Ok(true),
        (Acknowledged, Acknowledged) => Err(StorageError::Conflict {
            entity: "incident",
            field: "acknowledgement",
        }),
        (from, to) => Err(StorageError::IllegalTransition {
            entity: "incident",
            from: from.as_str().to_owned(),
            to: to.as_str().to_owned(),
        }),
    }
}

/// The most times an event retries joining an incident resolved under it.
const CORRELATE_TRIES: usize = 3;

impl PgNotify {
    async fn change_incident(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: IncidentStatus,
        by: &str,
    ) -> Result<Incident, StorageError> {
        input::key("actor", by)?;
        let now = self.clock.now();
        let mut work = self.source.work(ctx).await?;
        let current = work
            .on(&INCIDENTS, "reading an incident")
            .optional(
                sqlx::query_as::<_, Incident>(concat!(
                    "SELECT ",
                    incident_columns!(),
                    " FROM notify.incidents WHERE id = $1 FOR UPDATE"
                ))
                .bind(id),
            )
            .await?
            .ok_or(INCIDENTS.not_found())?;
        if check_change(&current, to, by)? {
            return Ok(current);
        }
        let changed = work
            .on(&INCIDENTS, "changing an incident's status")
            .one(
                sqlx::query_as::<_, Incident>(concat!(
                    "UPDATE notify.incidents SET status = $2, \
                       acknowledged_at = CASE WHEN $2 = 'acknowledged' THEN $3 ELSE acknowledged_at END, \
                       acknowledged_by = CASE WHEN $2 = 'acknowledged' THEN $4 ELSE acknowledged_by END, \
                       resolved_at = CASE WHEN $2 = 'resolved' THEN $3 ELSE resolved_at END, \
                       resolved_by = CASE WHEN $2 = 'resolved' THEN $4 ELSE resolved_by END \
                     WHERE id = $1 RETURNING ",
                    incident_columns!()
                ))
                .bind(id)
                .bind(to.as_str())
                .bind(now)
                .bind(by),
            )
            .await?;
        // Its escalations stop with it.
        let stop = match to {
            IncidentStatus::Acknowledged => sqlx::query(
                "UPDATE notify.escalation_states SET status = 'acknowledged', \
                   acknowledged_at = $2, acknowledged_by = $3, next_escalation_at = NULL, \
                   updated_at = $2 \
                 WHERE incident_id = $1 AND status = 'active'",
            )
            .bind(id)
            .bind(now)
            .bind(by),
            _ => sqlx::query(
                "UPDATE notify.escalation_states SET status = 'resolved', \
                   next_escalation_at = NULL, updated_at = $2 \
                 WHERE incident_id = $1 AND status IN ('active', 'acknowledged')",
            )
            .bind(id)
            .bind(now),
        };
        work.on(&ESCALATIONS, "stopping an incident's escalations")
            .execute(stop)
            .await?;
        work.commit().await?;
        Ok(changed)
    }
}

#[async_trait]
impl IncidentRepository for PgNotify {
    async fn correlate(
        &self,
        ctx: &TenantContext,
        incident: &NewIncident,
    ) -> Result<Correlated, StorageError> {
        incident.validate()?;
        let now = self.clock.now();
        for _ in 0..CORRELATE_TRIES {
            let mut work = self.source.work(ctx).await?;
            // A racing opener of the key waits here for the first one's
            // commit, then counts itself into that incident.
            let opened = work
                .on(&INCIDENTS, "opening an incident")
                .optional(
                    sqlx::query_as::<_, Incident>(concat!(
                        "INSERT INTO notify.incidents (tenant_id, id, correlation_key, title, \
                           severity, status, escalation_policy_id, event_count, payload, opened_at) \
                         VALUES ($1, $2, $3, $4, $5, 'open', $6, 1, $7, $8) \
                         ON CONFLICT (tenant_id, correlation_key) WHERE status <> 'resolved' \
                         DO NOTHING RETURNING ",
                        incident_columns!()
                    ))
                    .bind(ctx.tenant().as_str())
                    .bind(incident.id)
                    .bind(&incident.correlation_key)
                    .bind(&incident.title)
                    .bind(incident.severity.as_str())
                    .bind(incident.escalation_policy_id)
                    .bind(&incident.payload)
                    .bind(now),
                )
                .await?;
            let correlated = match opened {
                Some(incident) => Some(Correlated {
                    incident,
                    opened: true,
                }),
                None => work
                    .on(&INCIDENTS, "counting an event into an incident")
                    .optional(
                        sqlx::query_as::<_, Incident>(concat!(
                            "UPDATE notify.incidents SET event_count = event_count + 1 \
                             WHERE correlation_key = $1 AND status <> 'resolved' RETURNING ",
                            incident_columns!()
                        ))
                        .bind(&incident.correlation_key),
                    )
                    .await?
                    .map(|incident| Correlated {
                        incident,
                        opened: false,
                    }),
            };
            if let Some(correlated) = correlated {
                work.commit().await?;
                return Ok(correlated);
            }
            // Resolved between the two statements: open a new one.
            work.rollback().await?;
        }
        Err(INCIDENTS.violation("incidents_open_key_idx"))
    }

    async fn get_incident(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Incident>, StorageError> {
        self.source
            .get_by_id(ctx, &INCIDENTS, "reading an incident", id)
            .await
    }

    async fn list_incidents(
        &self,
        ctx: &TenantContext,
        query: &IncidentQuery,
    ) -> Result<Page<Incident>, StorageError> {
        self.source
            .time_keyset_page(
                ctx,
                &INCIDENTS,
                "listing incidents",
                TimeKeyset {
                    page: &query.page,
                    forward: concat!(
                        "SELECT ",
                        incident_columns!(),
                        " FROM notify.incidents WHERE ($1::text IS NULL OR status = $1) \
                         AND ($2::timestamptz IS NULL OR (opened_at, id) > ($2, $3)) \
                         ORDER BY opened_at, id LIMIT $4"
                    ),
                    backward: concat!(
                        "SELECT ",
                        incident_columns!(),
                        " FROM notify.incidents WHERE ($1::text IS NULL OR status = $1) \
                         AND ($2::timestamptz IS NULL OR (opened_at, id) < ($2, $3)) \
                         ORDER BY opened_at DESC, id DESC LIMIT $4"
                    ),
                },
                |q| q.bind(query.status.map(IncidentStatus::as_str)),
                |i: &Incident| (i.opened_at, i.id),
            )
            .await
    }

    async fn acknowledge_incident(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<Incident, StorageError> {
        self.change_incident(ctx, id, IncidentStatus::Acknowledged, by)
            .await
    }

    async fn resolve_incident(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<Incident, StorageError> {
        self.change_incident(ctx, id, IncidentStatus::Resolved, by)
            .await
    }
}
