//! Evaluation runs (`policy.evaluation_runs`): a run of a pack version
//! (and perhaps a risk profile) over inputs named by their digest, queued,
//! running, then completed with the hash of its result. A replay of the
//! same version, profile and inputs must give the same result hash: a
//! completion that disagrees with an earlier one is refused. Trait and
//! PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::kinds::{EvaluationMode, EvaluationStatus, illegal};
use super::postgres::PgPolicy;
use crate::error::Constraint;
use crate::page::{Page, PageRequest};
use crate::table::Table;
use crate::work::TimeKeyset;
use crate::{StorageError, TenantContext, input};

/// One evaluation run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EvaluationRun {
    pub tenant_id: String,
    pub id: Uuid,
    pub pack_version_id: Uuid,
    pub risk_profile_id: Option<Uuid>,
    #[sqlx(try_from = "String")]
    pub mode: EvaluationMode,
    #[sqlx(try_from = "String")]
    pub status: EvaluationStatus,
    /// `sha256:` and 64 hex digits: the inputs evaluated.
    pub input_digest: Option<String>,
    /// `sha256:` and 64 hex digits: the result, once completed.
    pub determinism_hash: Option<String>,
    pub findings_total: i32,
    pub findings_changed: i32,
    pub stats: Value,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A run to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvaluation {
    pub id: Uuid,
    pub pack_version_id: Uuid,
    pub risk_profile_id: Option<Uuid>,
    pub mode: EvaluationMode,
    pub input_digest: String,
}

/// What a completed run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationOutcome {
    pub determinism_hash: String,
    pub findings_total: i32,
    pub findings_changed: i32,
    /// A JSON object.
    pub stats: Value,
}

/// A digest as the schema spells them: `sha256:` and 64 lowercase hex digits.
pub(crate) fn sha256_digest(field: &'static str, value: &str) -> Result<(), StorageError> {
    let hex = value.strip_prefix("sha256:").unwrap_or("");
    if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(StorageError::invalid(
            field,
            format!("{value:?} is not sha256: and 64 lowercase hex digits"),
        ));
    }
    Ok(())
}

impl EvaluationOutcome {
    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        sha256_digest("determinism hash", &self.determinism_hash)?;
        if self.findings_total < 0 || self.findings_changed < 0 {
            return Err(StorageError::invalid(
                "findings",
                format!(
                    "{} total, {} changed: neither may be negative",
                    self.findings_total, self.findings_changed
                ),
            ));
        }
        if self.findings_changed > self.findings_total {
            return Err(StorageError::invalid(
                "findings",
                format!(
                    "{} changed of {} total",
                    self.findings_changed, self.findings_total
                ),
            ));
        }
        input::json_object("evaluation stats", &self.stats)
    }
}

/// Policy's evaluation run repository.
#[async_trait]
pub trait EvaluationRepository: Send + Sync + std::fmt::Debug {
    /// Records a queued run of a version of the tenant.
    async fn record_evaluation(
        &self,
        ctx: &TenantContext,
        run: &NewEvaluation,
    ) -> Result<EvaluationRun, StorageError>;
    async fn get_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<EvaluationRun>, StorageError>;
    /// Queued to running at the clock's now.
    async fn start_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<EvaluationRun, StorageError>;
    /// Running to completed with its outcome; refused
    /// ([`StorageError::NotReproducible`]) when a completed run of the same
    /// version, profile and inputs has another result hash.
    async fn complete_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        outcome: &EvaluationOutcome,
    ) -> Result<EvaluationRun, StorageError>;
    /// Running to failed, with why.
    async fn fail_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        error: &str,
    ) -> Result<EvaluationRun, StorageError>;
    /// Queued or running to cancelled.
    async fn cancel_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<EvaluationRun, StorageError>;
    /// The runs of every version of a pack, keyset pages by (created_at, id).
    async fn evaluations_of_pack(
        &self,
        ctx: &TenantContext,
        pack_id: Uuid,
        page: &PageRequest,
    ) -> Result<Page<EvaluationRun>, StorageError>;
}

macro_rules! evaluation_columns {
    () => {
        "tenant_id, id, pack_version_id, risk_profile_id, mode, status, input_digest, \
         determinism_hash, findings_total, findings_changed, stats, error, created_at, \
         started_at, completed_at"
    };
}

pub(crate) const EVALUATION_RUNS: Table = Table {
    name: "policy.evaluation_runs",
    entity: "evaluation run",
    columns: evaluation_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        evaluation_columns!(),
        " FROM policy.evaluation_runs WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("evaluation_runs_pkey", Constraint::Unique("id")),
        (
            "evaluation_runs_tenant_id_pack_version_id_fkey",
            Constraint::References("pack version"),
        ),
        (
            "evaluation_runs_tenant_id_risk_profile_id_fkey",
            Constraint::References("risk profile"),
        ),
    ],
};

pub(crate) fn check_evaluation_move(
    from: EvaluationStatus,
    to: EvaluationStatus,
) -> Result<(), StorageError> {
    if from.can_become(to) {
        Ok(())
    } else {
        Err(illegal("evaluation run", from.as_str(), to.as_str()))
    }
}

impl PgPolicy {
    /// Moves run `id` to `to`, with an outcome or an error for the ends.
    async fn move_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: EvaluationStatus,
        outcome: Option<&EvaluationOutcome>,
        error: Option<&str>,
    ) -> Result<EvaluationRun, StorageError> {
        let now = self.clock.now();
        let mut work = self.source.work(ctx).await?;
        let current: EvaluationRun = work
            .on(&EVALUATION_RUNS, "reading an evaluation run")
            .one(
                sqlx::query_as::<_, EvaluationRun>(concat!(
                    "SELECT ",
                    evaluation_columns!(),
                    " FROM policy.evaluation_runs WHERE id = $1 FOR UPDATE"
                ))
                .bind(id),
            )
            .await?;
        check_evaluation_move(current.status, to)?;
        if let Some(outcome) = outcome {
            // Replays of one version, profile and inputs serialize on this
            // lock, so two disagreeing completions cannot both pass.
            work.on(&EVALUATION_RUNS, "locking the replays of a run")
                .execute(
                    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))").bind(
                        format!(
                            "policy.evaluation_runs\n{}\n{}\n{:?}\n{:?}",
                            ctx.tenant().as_str(),
                            current.pack_version_id,
                            current.risk_profile_id,
                            current.input_digest
                        ),
                    ),
                )
                .await?;
            let earlier: Option<(Uuid, String)> = work
                .on(&EVALUATION_RUNS, "reading an earlier replay")
                .optional(
                    sqlx::query_as(
                        "SELECT id, determinism_hash FROM policy.evaluation_runs \
                         WHERE status = 'completed' AND pack_version_id = $1 \
                           AND risk_profile_id IS NOT DISTINCT FROM $2 \
                           AND input_digest IS NOT DISTINCT FROM $3 AND id <> $4 \
                         ORDER BY completed_at, id LIMIT 1",
                    )
                    .bind(current.pack_version_id)
                    .bind(current.risk_profile_id)
                    .bind(&current.input_digest)
                    .bind(id),
                )
                .await?;
            if let Some((earlier, hash)) = earlier
                && hash != outcome.determinism_hash
            {
                return Err(StorageError::NotReproducible {
                    entity: "evaluation run",
                    hash: outcome.determinism_hash.clone(),
                    earlier,
                });
            }
        }
        let run = work
            .on(&EVALUATION_RUNS, "changing an evaluation run")
            .one(
                sqlx::query_as::<_, EvaluationRun>(concat!(
                    "UPDATE policy.evaluation_runs SET status = $2, \
                       started_at = CASE WHEN $2 = 'running' THEN $3 ELSE started_at END, \
                       completed_at = CASE WHEN $2 IN ('completed', 'failed', 'cancelled') \
                                           THEN $3 ELSE completed_at END, \
                       determinism_hash = COALESCE($4, determinism_hash), \
                       findings_total = COALESCE($5, findings_total), \
                       findings_changed = COALESCE($6, findings_changed), \
                       stats = COALESCE($7, stats), \
                       error = COALESCE($8, error) \
                     WHERE id = $1 RETURNING ",
                    evaluation_columns!()
                ))
                .bind(id)
                .bind(to.as_str())
                .bind(now)
                .bind(outcome.map(|o| o.determinism_hash.clone()))
                .bind(outcome.map(|o| o.findings_total))
                .bind(outcome.map(|o| o.findings_changed))
                .bind(outcome.map(|o| o.stats.clone()))
                .bind(error),
            )
            .await?;
        work.commit().await?;
        Ok(run)
    }
}

#[async_trait]
impl EvaluationRepository for PgPolicy {
    async fn record_evaluation(
        &self,
        ctx: &TenantContext,
        run: &NewEvaluation,
    ) -> Result<EvaluationRun, StorageError> {
        sha256_digest("input digest", &run.input_digest)?;
        let statement = sqlx::query_as::<_, EvaluationRun>(concat!(
            "INSERT INTO policy.evaluation_runs (tenant_id, id, pack_version_id, risk_profile_id, \
             mode, input_digest, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
            evaluation_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(run.id)
        .bind(run.pack_version_id)
        .bind(run.risk_profile_id)
        .bind(run.mode.as_str())
        .bind(&run.input_digest)
        .bind(self.clock.now());
        self.source
            .call(ctx, &EVALUATION_RUNS, "recording an evaluation run")
            .one(statement)
            .await
    }

    async fn get_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<EvaluationRun>, StorageError> {
        self.source
            .get_by_id(ctx, &EVALUATION_RUNS, "reading an evaluation run", id)
            .await
    }

    async fn start_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<EvaluationRun, StorageError> {
        self.move_evaluation(ctx, id, EvaluationStatus::Running, None, None)
            .await
    }

    async fn complete_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        outcome: &EvaluationOutcome,
    ) -> Result<EvaluationRun, StorageError> {
        outcome.validate()?;
        self.move_evaluation(ctx, id, EvaluationStatus::Completed, Some(outcome), None)
            .await
    }

    async fn fail_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        error: &str,
    ) -> Result<EvaluationRun, StorageError> {
        input::text("evaluation error", error)?;
        self.move_evaluation(ctx, id, EvaluationStatus::Failed, None, Some(error))
            .await
    }

    async fn cancel_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<EvaluationRun, StorageError> {
        self.move_evaluation(ctx, id, EvaluationStatus::Cancelled, None, None)
            .await
    }

    async fn evaluations_of_pack(
        &self,
        ctx: &TenantContext,
        pack_id: Uuid,
        page: &PageRequest,
    ) -> Result<Page<EvaluationRun>, StorageError> {
        self.source
            .time_keyset_page(
                ctx,
                &EVALUATION_RUNS,
                "listing a pack's evaluation runs",
                TimeKeyset {
                    page,
                    forward: concat!(
                        "SELECT ",
                        evaluation_columns!(),
                        " FROM policy.evaluation_runs WHERE pack_version_id IN \
                           (SELECT id FROM policy.pack_versions WHERE pack_id = $1) \
                         AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3)) \
                         ORDER BY created_at, id LIMIT $4"
                    ),
                    backward: concat!(
                        "SELECT ",
                        evaluation_columns!(),
                        " FROM policy.evaluation_runs WHERE pack_version_id IN \
                           (SELECT id FROM policy.pack_versions WHERE pack_id = $1) \
                         AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3)) \
                         ORDER BY created_at DESC, id DESC LIMIT $4"
                    ),
                },
                |q| q.bind(pack_id),
                |r: &EvaluationRun| (r.created_at, r.id),
            )
            .await
    }
}
