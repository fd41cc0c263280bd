//! Evaluation runs and their explanations in memory.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryPolicy, key, of_tenant};
use crate::memory_rows::keyset_page;
use crate::page::{Page, PageRequest, parse_time_key, time_key};
use crate::policy::evaluations::{EVALUATION_RUNS, check_evaluation_move, sha256_digest};
use crate::policy::explanations::{EXPLANATIONS, not_running, validate_batch};
use crate::policy::profiles::RISK_PROFILES;
use crate::policy::versions::PACK_VERSIONS;
use crate::policy::{
    EvaluationOutcome, EvaluationRepository, EvaluationRun, EvaluationStatus, Explanation,
    ExplanationRepository, NewEvaluation, NewExplanation,
};
use crate::{StorageError, TenantContext, input};

impl MemoryPolicy {
    fn move_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: EvaluationStatus,
        outcome: Option<&EvaluationOutcome>,
        error: Option<&str>,
    ) -> Result<EvaluationRun, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        let current = state
            .evaluations
            .get(&key(ctx, id))
            .ok_or(EVALUATION_RUNS.not_found())?
            .clone();
        check_evaluation_move(current.status, to)?;
        if let Some(outcome) = outcome {
            let mut earlier: Vec<&EvaluationRun> = of_tenant(&state.evaluations, ctx)
                .filter(|r| {
                    r.status == EvaluationStatus::Completed
                        && r.id != id
                        && r.pack_version_id == current.pack_version_id
                        && r.risk_profile_id == current.risk_profile_id
                        && r.input_digest == current.input_digest
                })
                .collect();
            earlier.sort_by_key(|r| (r.completed_at, r.id));
            if let Some(first) = earlier.first()
                && first.determinism_hash.as_deref() != Some(outcome.determinism_hash.as_str())
            {
                return Err(StorageError::NotReproducible {
                    entity: "evaluation run",
                    hash: outcome.determinism_hash.clone(),
                    earlier: first.id,
                });
            }
        }
        let run = state
            .evaluations
            .get_mut(&key(ctx, id))
            .ok_or(EVALUATION_RUNS.not_found())?;
        run.status = to;
        match to {
            EvaluationStatus::Running => run.started_at = Some(now),
            EvaluationStatus::Queued => {}
            EvaluationStatus::Completed
            | EvaluationStatus::Failed
            | EvaluationStatus::Cancelled => {
                run.completed_at = Some(now);
            }
        }
        if let Some(outcome) = outcome {
            run.determinism_hash = Some(outcome.determinism_hash.clone());
            run.findings_total = outcome.findings_total;
            run.findings_changed = outcome.findings_changed;
            run.stats = outcome.stats.clone();
        }
        if let Some(error) = error {
            run.error = Some(error.to_owned());
        }
        Ok(run.clone())
    }
}

#[async_trait]
impl EvaluationRepository for MemoryPolicy {
    async fn record_evaluation(
        &self,
        ctx: &TenantContext,
        new: &NewEvaluation,
    ) -> Result<EvaluationRun, StorageError> {
        sha256_digest("input digest", &new.input_digest)?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.evaluations.contains_key(&key(ctx, new.id)) {
            return Err(EVALUATION_RUNS.violation("evaluation_runs_pkey"));
        }
        if !state.versions.contains_key(&key(ctx, new.pack_version_id)) {
            return Err(PACK_VERSIONS.not_found());
        }
        if let Some(profile) = new.risk_profile_id
            && !state.profiles.contains_key(&key(ctx, profile))
        {
            return Err(RISK_PROFILES.not_found());
        }
        let run = EvaluationRun {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: new.id,
            pack_version_id: new.pack_version_id,
            risk_profile_id: new.risk_profile_id,
            mode: new.mode,
            status: EvaluationStatus::Queued,
            input_digest: Some(new.input_digest.clone()),
            determinism_hash: None,
            findings_total: 0,
            findings_changed: 0,
            stats: serde_json::Value::Object(Default::default()),
            error: None,
            created_at: now,
            started_at: None,
            completed_at: None,
        };
        state.evaluations.insert(key(ctx, new.id), run.clone());
        Ok(run)
    }

    async fn get_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<EvaluationRun>, StorageError> {
        Ok(self.state().evaluations.get(&key(ctx, id)).cloned())
    }

    async fn start_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<EvaluationRun, StorageError> {
        self.move_evaluation(ctx, id, EvaluationStatus::Running, None, None)
    }

    async fn complete_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        outcome: &EvaluationOutcome,
    ) -> Result<EvaluationRun, StorageError> {
        outcome.validate()?;
        self.move_evaluation(ctx, id, EvaluationStatus::Completed, Some(outcome), None)
    }

    async fn fail_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        error: &str,
    ) -> Result<EvaluationRun, StorageError> {
        input::text("evaluation error", error)?;
        self.move_evaluation(ctx, id, EvaluationStatus::Failed, None, Some(error))
    }

    async fn cancel_evaluation(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<EvaluationRun, StorageError> {
        self.move_evaluation(ctx, id, EvaluationStatus::Cancelled, None, None)
    }

    async fn evaluations_of_pack(
        &self,
        ctx: &TenantContext,
        pack_id: Uuid,
        page: &PageRequest,
    ) -> Result<Page<EvaluationRun>, StorageError> {
        let state = self.state();
        let rows: Vec<EvaluationRun> = of_tenant(&state.evaluations, ctx)
            .filter(|r| {
                state
                    .versions
                    .get(&key(ctx, r.pack_version_id))
                    .is_some_and(|v| v.pack_id == pack_id)
            })
            .cloned()
            .collect();
        keyset_page(
            rows,
            page,
            |r| (r.created_at, r.id),
            parse_time_key,
            |r| time_key(r.created_at, r.id),
        )
    }
}

#[async_trait]
impl ExplanationRepository for MemoryPolicy {
    async fn add_explanations(
        &self,
        ctx: &TenantContext,
        run_id: Uuid,
        batch: &[NewExplanation],
    ) -> Result<u64, StorageError> {
        validate_batch(batch)?;
        let now = self.clock.now();
        let mut state = self.state();
        let run = state
            .evaluations
            .get(&key(ctx, run_id))
            .ok_or(EVALUATION_RUNS.not_found())?;
        if run.status != EvaluationStatus::Running {
            return Err(not_running(run.status));
        }
        // All or none: every check before the first write.
        let mut keys: Vec<&str> = of_tenant(&state.explanations, ctx)
            .filter(|e| e.evaluation_run_id == run_id)
            .map(|e| e.finding_key.as_str())
            .collect();
        for item in batch {
            if state.explanations.contains_key(&key(ctx, item.id))
                || batch.iter().filter(|other| other.id == item.id).count() > 1
            {
                return Err(EXPLANATIONS.violation("explanations_pkey"));
            }
            if keys.contains(&item.finding_key.as_str()) {
                return Err(EXPLANATIONS
                    .violation("explanations_tenant_id_evaluation_run_id_finding_key_key"));
            }
            keys.push(&item.finding_key);
            if let Some(rule) = item.rule_id
                && !state.rules.contains_key(&key(ctx, rule))
            {
                return Err(EXPLANATIONS.violation("explanations_tenant_id_rule_id_fkey"));
            }
        }
        let rows: Vec<Explanation> = batch
            .iter()
            .map(|item| Explanation {
                tenant_id: ctx.tenant().as_str().to_owned(),
                id: item.id,
                evaluation_run_id: run_id,
                finding_key: item.finding_key.clone(),
                rule_id: item.rule_id,
                verdict: item.verdict,
                severity: item.severity.map(|s| s.as_str().to_owned()),
                inputs: item.inputs.clone(),
                trace: item.trace.clone(),
                created_at: now,
            })
            .collect();
        let written = rows.len() as u64;
        for row in rows {
            state.explanations.insert(key(ctx, row.id), row);
        }
        Ok(written)
    }

    async fn explanations_page(
        &self,
        ctx: &TenantContext,
        run_id: Uuid,
        page: &PageRequest,
    ) -> Result<Page<Explanation>, StorageError> {
        let rows: Vec<Explanation> = of_tenant(&self.state().explanations, ctx)
            .filter(|e| e.evaluation_run_id == run_id)
            .cloned()
            .collect();
        keyset_page(
            rows,
            page,
            |e| e.finding_key.clone(),
            |text| Ok(text.to_owned()),
            |e| e.finding_key.clone(),
        )
    }
}
