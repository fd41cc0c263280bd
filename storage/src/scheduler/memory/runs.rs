//! Runs and their claims in the in-memory reference backend.

use async_trait::async_trait;
use chrono::Duration;
use uuid::Uuid;

use super::state::{MemoryScheduler, key, of_tenant};
use crate::memory_rows::keyset_page;
use crate::page::Page;
use crate::scheduler::cursor::{parse_run_key, run_key};
use crate::scheduler::runs::RUNS;
use crate::scheduler::runs::sort_claims;
use crate::scheduler::{
    Claim, MAX_CLAIM, MAX_RUN_LIST, NewRun, Outcome, Run, RunQuery, RunRepository, RunState,
};
use crate::{StorageError, SystemContext, TenantContext, input};

/// The rescue's change, as the SQL's `requeue_or_end!`.
fn requeue_or_end(run: &mut Run, reason: &str, now: chrono::DateTime<chrono::Utc>) {
    if run.attempt < run.max_attempts {
        run.state = RunState::Queued.as_str().to_owned();
        run.finished_at = None;
    } else {
        run.state = RunState::Error.as_str().to_owned();
        run.finished_at = Some(now);
        run.error = Some(reason.to_owned());
    }
    run.claimed_by = None;
    run.heartbeat_at = None;
}

fn holds(run: &Run, claim: &Claim, worker: &str) -> bool {
    run.attempt == claim.attempt
        && run.state == RunState::Running.as_str()
        && run.claimed_by.as_deref() == Some(worker)
}

#[async_trait]
impl RunRepository for MemoryScheduler {
    async fn create(&self, ctx: &TenantContext, run: &NewRun) -> Result<Run, StorageError> {
        run.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.runs.contains_key(&key(ctx, run.id)) {
            return Err(RUNS.violation("runs_pkey"));
        }
        if let Some(schedule) = run.schedule_id
            && !state.schedules.contains_key(&key(ctx, schedule))
        {
            return Err(RUNS.violation("runs_tenant_id_schedule_id_fkey"));
        }
        let created = Run {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: run.id,
            schedule_id: run.schedule_id,
            trigger: run.trigger,
            scheduled_for: None,
            state: RunState::Queued.as_str().to_owned(),
            priority: run.priority,
            due_at: Some(crate::clock::to_micros(run.due_at)),
            attempt: 0,
            max_attempts: run.max_attempts,
            claimed_by: None,
            heartbeat_at: None,
            started_at: None,
            finished_at: None,
            error: None,
            created_at: now,
        };
        state.runs.insert(key(ctx, run.id), created.clone());
        Ok(created)
    }

    async fn get(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Run>, StorageError> {
        Ok(self.state().runs.get(&key(ctx, id)).cloned())
    }

    async fn transition(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: RunState,
    ) -> Result<Run, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        let run = state.runs.get_mut(&key(ctx, id)).ok_or(RUNS.not_found())?;
        let from = RunState::parse(&run.state).ok_or_else(|| StorageError::IllegalTransition {
            entity: "run",
            from: run.state.clone(),
            to: to.as_str().to_owned(),
        })?;
        if !from.can_become(to) {
            return Err(StorageError::IllegalTransition {
                entity: "run",
                from: from.as_str().to_owned(),
                to: to.as_str().to_owned(),
            });
        }
        if to == RunState::Queued && from == RunState::Error {
            run.attempt = 0;
        }
        if to == RunState::Queued {
            run.error = None;
            run.finished_at = None;
        }
        if to == RunState::Cancelled {
            run.finished_at = Some(now);
        }
        run.state = to.as_str().to_owned();
        run.claimed_by = None;
        run.heartbeat_at = None;
        Ok(run.clone())
    }

    async fn list(&self, ctx: &TenantContext, query: &RunQuery) -> Result<Page<Run>, StorageError> {
        let state = self.state();
        let rows: Vec<Run> = of_tenant(&state.runs, ctx)
            .filter(|r| query.state.is_none_or(|s| r.state == s.as_str()))
            .cloned()
            .collect();
        keyset_page(
            rows,
            &query.page,
            |r| (r.created_at, r.id),
            parse_run_key,
            |r| run_key(r.created_at, r.id),
        )
    }

    async fn pending(&self, ctx: &TenantContext, limit: i64) -> Result<Vec<Run>, StorageError> {
        let limit = input::limit("limit", limit, MAX_RUN_LIST)?;
        let state = self.state();
        let mut rows: Vec<Run> = of_tenant(&state.runs, ctx)
            .filter(|r| r.state == "planning" || r.state == "queued")
            .cloned()
            .collect();
        rows.sort_by_key(|r| (r.created_at, r.id));
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn of_schedule(
        &self,
        ctx: &TenantContext,
        schedule_id: Uuid,
        limit: i64,
    ) -> Result<Vec<Run>, StorageError> {
        let limit = input::limit("limit", limit, MAX_RUN_LIST)?;
        let state = self.state();
        let mut rows: Vec<Run> = of_tenant(&state.runs, ctx)
            .filter(|r| r.schedule_id == Some(schedule_id))
            .cloned()
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn claim(
        &self,
        _ctx: &SystemContext,
        worker: &str,
        limit: i64,
    ) -> Result<Vec<Claim>, StorageError> {
        input::key("worker id", worker)?;
        let limit = input::limit("claim limit", limit, MAX_CLAIM)?;
        let now = self.clock.now();
        let mut state = self.state();
        let mut eligible: Vec<(String, Uuid)> = state
            .runs
            .values()
            .filter(|r| r.state == "queued" && r.due_at.is_some_and(|d| d <= now))
            .filter(|r| r.attempt < r.max_attempts)
            .map(|r| (r.tenant_id.clone(), r.id))
            .collect();
        eligible.sort_by_key(|k| {
            let r = &state.runs[k];
            (std::cmp::Reverse(r.priority), r.due_at, r.id)
        });
        eligible.truncate(limit as usize);
        let mut claims = Vec::new();
        for k in eligible {
            if let Some(run) = state.runs.get_mut(&k) {
                run.state = RunState::Running.as_str().to_owned();
                run.attempt += 1;
                run.claimed_by = Some(worker.to_owned());
                run.heartbeat_at = Some(now);
                run.started_at = Some(run.started_at.unwrap_or(now));
                claims.push(Claim {
                    tenant_id: run.tenant_id.clone(),
                    id: run.id,
                    attempt: run.attempt,
                    priority: run.priority,
                    due_at: run.due_at,
                });
            }
        }
        sort_claims(&mut claims);
        Ok(claims)
    }

    async fn heartbeat(
        &self,
        _ctx: &SystemContext,
        claim: &Claim,
        worker: &str,
    ) -> Result<bool, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        match state.runs.get_mut(&(claim.tenant_id.clone(), claim.id)) {
            Some(run) if holds(run, claim, worker) => {
                run.heartbeat_at = Some(now);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn finish(
        &self,
        _ctx: &SystemContext,
        claim: &Claim,
        worker: &str,
        outcome: Outcome,
        error: Option<&str>,
    ) -> Result<bool, StorageError> {
        input::optional_text("error", error)?;
        let now = self.clock.now();
        let mut state = self.state();
        match state.runs.get_mut(&(claim.tenant_id.clone(), claim.id)) {
            Some(run) if holds(run, claim, worker) => {
                run.state = match outcome {
                    Outcome::Completed => RunState::Completed,
                    Outcome::Failed => RunState::Error,
                }
                .as_str()
                .to_owned();
                run.finished_at = Some(now);
                run.error = error.map(str::to_owned);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn rescue_stale(
        &self,
        _ctx: &SystemContext,
        stale_after: Duration,
    ) -> Result<u64, StorageError> {
        input::positive("stale after", stale_after)?;
        let now = self.clock.now();
        let mut state = self.state();
        let mut rescued = 0;
        for run in state.runs.values_mut() {
            if run.state == "running" && run.heartbeat_at.is_some_and(|h| h < now - stale_after) {
                requeue_or_end(
                    run,
                    "attempts exhausted: the worker stopped heartbeating",
                    now,
                );
                rescued += 1;
            }
        }
        Ok(rescued)
    }

    async fn rescue_claims_of(
        &self,
        _ctx: &SystemContext,
        workers: &[String],
    ) -> Result<u64, StorageError> {
        input::keys("worker id", workers)?;
        let now = self.clock.now();
        let mut state = self.state();
        let mut rescued = 0;
        for run in state.runs.values_mut() {
            let dead = run.claimed_by.as_ref().is_some_and(|w| workers.contains(w));
            if run.state == "running" && dead {
                requeue_or_end(run, "attempts exhausted: the worker died", now);
                rescued += 1;
            }
        }
        Ok(rescued)
    }
}
