//! Explanations of an evaluation run (`policy.explanations`): one per
//! finding, written while the run runs, read in the stable order of their
//! finding keys (keyset pages). Trait and PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::evaluations::EVALUATION_RUNS;
use super::kinds::{EvaluationStatus, RuleSeverity, Verdict};
use super::postgres::PgPolicy;
use crate::error::Constraint;
use crate::page::{Cursor, Page, PageRequest};
use crate::table::Table;
use crate::{StorageError, TenantContext, input};

/// The most explanations one call writes.
pub const MAX_EXPLANATION_BATCH: usize = 1_000;

/// Why a finding got its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Explanation {
    pub tenant_id: String,
    pub id: Uuid,
    pub evaluation_run_id: Uuid,
    pub finding_key: String,
    /// The rule that matched first, if one did.
    pub rule_id: Option<Uuid>,
    #[sqlx(try_from = "String")]
    pub verdict: Verdict,
    pub severity: Option<String>,
    pub inputs: Value,
    pub trace: Value,
    pub created_at: DateTime<Utc>,
}

/// An explanation to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExplanation {
    pub id: Uuid,
    pub finding_key: String,
    pub rule_id: Option<Uuid>,
    pub verdict: Verdict,
    pub severity: Option<RuleSeverity>,
    /// A JSON object.
    pub inputs: Value,
    /// A JSON array: the rules tried, in order.
    pub trace: Value,
}

impl NewExplanation {
    pub fn new(id: Uuid, finding_key: impl Into<String>, verdict: Verdict) -> Self {
        NewExplanation {
            id,
            finding_key: finding_key.into(),
            rule_id: None,
            verdict,
            severity: None,
            inputs: Value::Object(Default::default()),
            trace: Value::Array(Vec::new()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("finding key", &self.finding_key)?;
        input::json_object("explanation inputs", &self.inputs)?;
        if !self.trace.is_array() {
            return Err(StorageError::invalid(
                "explanation trace",
                "is not a JSON array",
            ));
        }
        Ok(())
    }
}

/// Refuses an empty or oversized batch and bad items before anything is written.
pub(crate) fn validate_batch(batch: &[NewExplanation]) -> Result<(), StorageError> {
    if batch.is_empty() || batch.len() > MAX_EXPLANATION_BATCH {
        return Err(StorageError::invalid(
            "explanation batch",
            format!(
                "{} explanations; write 1 to {MAX_EXPLANATION_BATCH} at a time",
                batch.len()
            ),
        ));
    }
    batch.iter().try_for_each(NewExplanation::validate)
}

/// Policy's explanation repository.
#[async_trait]
pub trait ExplanationRepository: Send + Sync + std::fmt::Debug {
    /// Writes explanations of a running run, all or none.
    async fn add_explanations(
        &self,
        ctx: &TenantContext,
        run_id: Uuid,
        batch: &[NewExplanation],
    ) -> Result<u64, StorageError>;
    /// Keyset pages of a run's explanations by finding key.
    async fn explanations_page(
        &self,
        ctx: &TenantContext,
        run_id: Uuid,
        page: &PageRequest,
    ) -> Result<Page<Explanation>, StorageError>;
}

macro_rules! explanation_columns {
    () => {
        "tenant_id, id, evaluation_run_id, finding_key, rule_id, verdict, severity, inputs, \
         trace, created_at"
    };
}

pub(crate) const EXPLANATIONS: Table = Table {
    name: "policy.explanations",
    entity: "explanation",
    columns: explanation_columns!(),
    by_id: None,
    unread: &[],
    constraints: &[
        ("explanations_pkey", Constraint::Unique("id")),
        (
            "explanations_tenant_id_evaluation_run_id_finding_key_key",
            Constraint::Unique("finding key"),
        ),
        (
            "explanations_tenant_id_evaluation_run_id_fkey",
            Constraint::References("evaluation run"),
        ),
        (
            "explanations_tenant_id_rule_id_fkey",
            Constraint::References("rule"),
        ),
    ],
};

/// The error of explanations for a run that is not running.
pub(crate) fn not_running(status: EvaluationStatus) -> StorageError {
    StorageError::Immutable {
        entity: "evaluation run",
        state: status.as_str().to_owned(),
        remedy: "record a new run",
    }
}

#[async_trait]
impl ExplanationRepository for PgPolicy {
    async fn add_explanations(
        &self,
        ctx: &TenantContext,
        run_id: Uuid,
        batch: &[NewExplanation],
    ) -> Result<u64, StorageError> {
        validate_batch(batch)?;
        let now = self.clock.now();
        let mut work = self.source.work(ctx).await?;
        let status: String = work
            .on(&EVALUATION_RUNS, "reading an evaluation run")
            .one(
                sqlx::query_scalar(
                    "SELECT status FROM policy.evaluation_runs WHERE id = $1 FOR SHARE",
                )
                .bind(run_id),
            )
            .await?;
        let status: EvaluationStatus = status
            .parse()
            .map_err(|e: String| StorageError::invalid("evaluation status", e))?;
        if status != EvaluationStatus::Running {
            return Err(not_running(status));
        }
        let mut written = 0;
        for item in batch {
            written += work
                .on(&EXPLANATIONS, "writing an explanation")
                .execute(
                    sqlx::query(
                        "INSERT INTO policy.explanations (tenant_id, id, evaluation_run_id, \
                         finding_key, rule_id, verdict, severity, inputs, trace, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(ctx.tenant().as_str())
                    .bind(item.id)
                    .bind(run_id)
                    .bind(&item.finding_key)
                    .bind(item.rule_id)
                    .bind(item.verdict.as_str())
                    .bind(item.severity.map(RuleSeverity::as_str))
                    .bind(&item.inputs)
                    .bind(&item.trace)
                    .bind(now),
                )
                .await?;
        }
        work.commit().await?;
        Ok(written)
    }

    async fn explanations_page(
        &self,
        ctx: &TenantContext,
        run_id: Uuid,
        page: &PageRequest,
    ) -> Result<Page<Explanation>, StorageError> {
        let (size, clamped_from) = page.effective_size()?;
        let (sql, bound) = match &page.cursor {
            Cursor::Start => (FORWARD, None),
            Cursor::After(key) => (FORWARD, Some(key.clone())),
            Cursor::Before(key) => (BACKWARD, Some(key.clone())),
            Cursor::End => (BACKWARD, None),
        };
        let statement = sqlx::query_as::<_, Explanation>(sql)
            .bind(run_id)
            .bind(bound)
            .bind(i64::from(size) + 1);
        let rows = self
            .source
            .call(ctx, &EXPLANATIONS, "reading a run's explanations")
            .all(statement)
            .await?;
        Ok(Page::assemble(
            rows,
            &page.cursor,
            size,
            clamped_from,
            |e| e.finding_key.clone(),
        ))
    }
}

const FORWARD: &str = concat!(
    "SELECT ",
    explanation_columns!(),
    " FROM policy.explanations WHERE evaluation_run_id = $1 \
     AND ($2::text IS NULL OR finding_key > $2) ORDER BY finding_key LIMIT $3"
);

const BACKWARD: &str = concat!(
    "SELECT ",
    explanation_columns!(),
    " FROM policy.explanations WHERE evaluation_run_id = $1 \
     AND ($2::text IS NULL OR finding_key < $2) ORDER BY finding_key DESC LIMIT $3"
);
