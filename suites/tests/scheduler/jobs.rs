//! Graph and policy jobs (leased queues fenced by token), impact snapshots,
//! execution logs, run summaries and audit: every method, the errors a
//! caller sees, and what another tenant sees (nothing).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use chrono::Duration;
use serde_json::json;
use stellaops_storage::scheduler::{
    ActorType, AuditCategory, AuditRepository, GraphJobKind, JobStatus, LogLevel, NewAuditEntry,
    NewGraphJob, NewImpactSnapshot, NewLogEntry, NewPolicyJob, NewRun, Outcome, PgAudit,
    PgExecutionLogs, PgGraphJobs, PgImpactSnapshots, PgPolicyJobs, PgRunSummaries, RunRepository,
    RunState, ScheduleFields,
};
use stellaops_storage::{ErrorKind, PageRequest, TenantContext};
use stellaops_suites::history::{History, Op, Record};
use uuid::Uuid;

use crate::support::{Bundle, epoch, setup};

/// Workers leasing from one tenant's graph queue at once.
const LEASERS: usize = 6;
/// Jobs in that queue.
const JOBS: usize = 30;
const TTL: Duration = Duration::seconds(60);
const BOUND: StdDuration = StdDuration::from_secs(60);

fn graph_jobs(b: &Bundle) -> PgGraphJobs {
    PgGraphJobs::new(b.source.clone(), b.clock.clone())
}

#[tokio::test]
async fn graph_jobs_crud_and_fenced_lease() {
    let b = setup().await;
    let jobs = graph_jobs(&b);
    let mut high = NewGraphJob::build("sbom-1", "sha256:aa");
    high.priority = 5;
    let low = NewGraphJob::build("sbom-2", "sha256:bb");
    jobs.create(&b.acme, &low).await.unwrap();
    let created = jobs.create(&b.acme, &high).await.unwrap();
    assert_eq!(
        (created.status, created.kind),
        (JobStatus::Pending, GraphJobKind::Build)
    );
    let err = jobs.create(&b.acme, &high).await.unwrap_err();
    assert_eq!(err.to_string(), "graph job conflict: id is already taken");
    assert_eq!(jobs.get(&b.globex, high.id).await.unwrap(), None);
    assert!(
        jobs.lease(&b.globex, "w", TTL).await.unwrap().is_none(),
        "another tenant's queue"
    );

    // Priority first; the lease's token grows on every lease.
    let first = jobs.lease(&b.acme, "w1", TTL).await.unwrap().unwrap();
    assert_eq!(
        (first.id, first.fencing_token, first.attempts),
        (high.id, 1, 1)
    );
    // The lease runs out; another worker takes the job over with a newer token.
    b.clock.advance(TTL);
    let second = jobs.lease(&b.acme, "w2", TTL).await.unwrap().unwrap();
    assert_eq!(
        (second.id, second.fencing_token, second.attempts),
        (high.id, 2, 2)
    );
    assert!(
        !jobs.complete(&b.acme, &first, "snap-stale").await.unwrap(),
        "stale lease"
    );
    assert!(!jobs.fail(&b.acme, &first, "stale").await.unwrap());
    assert!(jobs.complete(&b.acme, &second, "snap-1").await.unwrap());
    let done = jobs.get(&b.acme, high.id).await.unwrap().unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    assert_eq!(done.graph_snapshot_id.as_deref(), Some("snap-1"));
    assert_eq!(done.lease_owner, None);
    assert!(
        !jobs.complete(&b.acme, &second, "again").await.unwrap(),
        "already completed"
    );

    // An expired lease cannot complete, even with the current token.
    let third = jobs.lease(&b.acme, "w3", TTL).await.unwrap().unwrap();
    assert_eq!(third.id, low.id);
    b.clock.advance(TTL);
    assert!(!jobs.complete(&b.acme, &third, "late").await.unwrap());
    assert_eq!(
        jobs.with_status(&b.acme, JobStatus::Running, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    jobs.cancel(&b.acme, low.id).await.unwrap();
    let err = jobs.cancel(&b.acme, low.id).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "graph job cannot go from cancelled to cancelled"
    );
    let err = jobs.cancel(&b.globex, low.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(
        jobs.lease(&b.acme, "w", TTL).await.unwrap().is_none(),
        "nothing left"
    );
    let err = jobs
        .lease(&b.acme, "w", Duration::zero())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
}

/// The worker id alone does not fence: `w1` whose lease ran out and who
/// leased the same job again (a restarted worker with a stable name) still
/// has a stale task of its first term running. That task's complete and
/// fail carry the old token and change nothing; the current term's do.
#[tokio::test]
async fn same_owner_with_an_older_token_writes_nothing() {
    let b = setup().await;
    let jobs = graph_jobs(&b);
    let job = NewGraphJob::build("sbom-1", "sha256:aa");
    jobs.create(&b.acme, &job).await.unwrap();
    let history = History::default();
    let record = |t, op, lease: &stellaops_storage::scheduler::JobLease, accepted| {
        history.record(
            t,
            Record {
                worker: "w1",
                op,
                item: &lease.id.to_string(),
                token: lease.fencing_token,
                accepted,
                batch: None,
                validity: accepted.then_some((lease.expires_at - TTL, lease.expires_at)),
            },
        )
    };
    let t = history.invoke();
    let old = jobs.lease(&b.acme, "w1", TTL).await.unwrap().unwrap();
    record(t, Op::LeaseAcquire, &old, true);
    b.clock.advance(TTL);
    let t = history.invoke();
    let new = jobs.lease(&b.acme, "w1", TTL).await.unwrap().unwrap();
    record(t, Op::LeaseAcquire, &new, true);
    assert_eq!(
        (
            new.id,
            new.owner.as_str(),
            old.fencing_token,
            new.fencing_token
        ),
        (old.id, "w1", 1, 2)
    );
    let t = history.invoke();
    let failed = jobs.fail(&b.acme, &old, "stale term").await.unwrap();
    record(t, Op::Complete, &old, failed);
    let t = history.invoke();
    let completed = jobs.complete(&b.acme, &old, "snap-stale").await.unwrap();
    record(t, Op::Complete, &old, completed);
    assert_eq!((failed, completed), (false, false), "the older term");
    let running = jobs.get(&b.acme, job.id).await.unwrap().unwrap();
    assert_eq!(
        (
            running.status,
            running.fencing_token,
            running.graph_snapshot_id
        ),
        (JobStatus::Running, 2, None)
    );
    let t = history.invoke();
    let done = jobs.complete(&b.acme, &new, "snap-1").await.unwrap();
    record(t, Op::Complete, &new, done);
    assert!(done);
    let violations = history.check(&[job.id.to_string()]);
    assert!(violations.is_empty(), "{violations:#?}");
}

/// Another transaction holds the lock of the first job in lease order: a
/// lease skips it at once and takes the next one, never waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lease_skips_a_job_locked_elsewhere() {
    let b = setup().await;
    let jobs = graph_jobs(&b);
    let mut first = NewGraphJob::build("sbom-1", "sha256:aa");
    first.priority = 5;
    let second = NewGraphJob::build("sbom-2", "sha256:bb");
    jobs.create(&b.acme, &first).await.unwrap();
    jobs.create(&b.acme, &second).await.unwrap();
    let mut holder = b.db.admin().begin().await.unwrap();
    sqlx::query("SELECT 1 FROM scheduler.graph_jobs WHERE id = $1 FOR UPDATE")
        .bind(first.id)
        .execute(&mut *holder)
        .await
        .unwrap();
    let lease = stellaops_suites::waits::never_waits_on_a_lock(
        b.db.admin(),
        BOUND,
        jobs.lease(&b.acme, "w1", TTL),
    )
    .await
    .unwrap()
    .unwrap()
    .unwrap();
    assert_eq!(lease.id, second.id, "the locked job is skipped");
    holder.rollback().await.unwrap();
    let lease = jobs.lease(&b.acme, "w2", TTL).await.unwrap().unwrap();
    assert_eq!(lease.id, first.id, "free again once its holder ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_job_leases_are_exclusive_under_contention() {
    let b = setup().await;
    let jobs = graph_jobs(&b);
    let mut expected = Vec::new();
    for i in 0..JOBS {
        let job = NewGraphJob::build(format!("sbom-{i}"), "sha256:00");
        jobs.create(&b.acme, &job).await.unwrap();
        expected.push(job.id.to_string());
    }
    let history = Arc::new(History::default());
    let batches = Arc::new(AtomicUsize::new(0));
    let mut leasers = Vec::new();
    for w in 0..LEASERS {
        let jobs = jobs.clone();
        let history = history.clone();
        let batches = batches.clone();
        leasers.push(tokio::spawn(async move {
            let acme = TenantContext::new("acme").unwrap();
            let worker = format!("leaser-{w}");
            loop {
                let t = history.invoke();
                let Some(lease) = jobs.lease(&acme, &worker, TTL).await.unwrap() else {
                    history.idle(t, &worker, None);
                    return;
                };
                let item = lease.id.to_string();
                let batch = batches.fetch_add(1, Ordering::Relaxed);
                let record = |op, accepted| Record {
                    worker: &worker,
                    op,
                    item: &item,
                    token: lease.fencing_token,
                    accepted,
                    batch: Some((batch, 1)),
                    validity: None,
                };
                history.record(t, record(Op::Claim, true));
                let t = history.invoke();
                let done = jobs.complete(&acme, &lease, "snap").await.unwrap();
                history.record(
                    t,
                    Record {
                        batch: None,
                        ..record(Op::Complete, done)
                    },
                );
            }
        }));
    }
    for leaser in leasers {
        tokio::time::timeout(BOUND, leaser).await.unwrap().unwrap();
    }
    let violations = history.check(&expected);
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test]
async fn policy_jobs_stop_after_their_attempts() {
    let b = setup().await;
    let jobs = PgPolicyJobs::new(b.source.clone(), b.clock.clone());
    let run = b
        .runs
        .create(&b.acme, &NewRun::manual(epoch()))
        .await
        .unwrap();
    let mut job = NewPolicyJob::full("pack-1", 3);
    job.run_id = Some(run.id);
    job.max_attempts = 2;
    jobs.create(&b.acme, &job).await.unwrap();
    let mut foreign = NewPolicyJob::full("pack-1", 3);
    foreign.run_id = Some(run.id);
    let err = jobs.create(&b.globex, &foreign).await.unwrap_err();
    assert_eq!(err.to_string(), "run not found");
    let err = jobs
        .create(&b.acme, &NewPolicyJob::full("pack-1", 0))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "invalid policy version: 0 is not positive");

    for attempt in 1..=2 {
        let lease = jobs.lease(&b.acme, "w", TTL).await.unwrap().unwrap();
        assert_eq!(lease.attempts, attempt);
        b.clock.advance(TTL);
    }
    assert!(
        jobs.lease(&b.acme, "w", TTL).await.unwrap().is_none(),
        "no attempts left"
    );
    let of_run = jobs.of_run(&b.acme, run.id, 10).await.unwrap();
    assert_eq!(of_run.len(), 1);
    assert_eq!(of_run[0].attempts, 2);

    let second = jobs
        .create(&b.acme, &NewPolicyJob::full("pack-2", 1))
        .await
        .unwrap();
    let lease = jobs.lease(&b.acme, "w", TTL).await.unwrap().unwrap();
    assert_eq!(lease.id, second.id);
    assert!(
        jobs.complete(&b.acme, &lease, &json!({"verdict": "pass"}))
            .await
            .unwrap()
    );
    let done = jobs.get(&b.acme, second.id).await.unwrap().unwrap();
    assert_eq!(done.result, Some(json!({"verdict": "pass"})));
    assert_eq!(
        jobs.with_status(&b.acme, JobStatus::Completed, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn impact_snapshots_logs_and_audit() {
    let b = setup().await;
    let run = b
        .runs
        .create(&b.acme, &NewRun::manual(epoch()))
        .await
        .unwrap();

    let snapshots = PgImpactSnapshots::new(b.source.clone(), b.clock.clone());
    let snapshot = NewImpactSnapshot {
        id: Uuid::new_v4(),
        run_id: Some(run.id),
        snapshot_id: "impact-1".into(),
        selector: json!({"namespaces": ["prod"]}),
        images: json!([{"digest": "sha256:1"}, {"digest": "sha256:2"}]),
        generated_at: epoch(),
    };
    let stored = snapshots.create(&b.acme, &snapshot).await.unwrap();
    assert_eq!(stored.image_count, 2);
    let again = NewImpactSnapshot {
        id: Uuid::new_v4(),
        ..snapshot.clone()
    };
    let err = snapshots.create(&b.acme, &again).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "impact snapshot conflict: snapshot id is already taken"
    );
    // The same snapshot id in another tenant is that tenant's own; its run reference is not.
    let err = snapshots.create(&b.globex, &again).await.unwrap_err();
    assert_eq!(err.to_string(), "run not found");
    let bad = NewImpactSnapshot {
        images: json!({"digest": "x"}),
        ..again.clone()
    };
    let err = snapshots.create(&b.acme, &bad).await.unwrap_err();
    assert_eq!(err.to_string(), "invalid images: must be a JSON array");
    assert_eq!(
        snapshots.by_snapshot_id(&b.acme, "impact-1").await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(
        snapshots
            .by_snapshot_id(&b.globex, "impact-1")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        snapshots.of_run(&b.acme, run.id, 10).await.unwrap(),
        [stored]
    );

    let logs = PgExecutionLogs::new(b.source.clone(), b.clock.clone());
    for (level, message) in [
        (LogLevel::Debug, "planning"),
        (LogLevel::Info, "queued 2 images"),
        (LogLevel::Error, "scanner timed out"),
    ] {
        logs.append(&b.acme, &NewLogEntry::new(run.id, level, message))
            .await
            .unwrap();
        b.clock.advance(Duration::milliseconds(1));
    }
    let info: Vec<_> = logs
        .of_run(&b.acme, run.id, LogLevel::Info, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.message)
        .collect();
    assert_eq!(info, ["queued 2 images", "scanner timed out"]);
    assert!(
        logs.of_run(&b.globex, run.id, LogLevel::Debug, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let err = logs
        .append(&b.globex, &NewLogEntry::new(run.id, LogLevel::Info, "x"))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "run not found");

    let audit = PgAudit::new(b.source.clone(), b.clock.clone());
    let entity = run.id.to_string();
    for action in ["created", "claimed", "cancelled"] {
        let entry = NewAuditEntry::new(
            AuditCategory::Run,
            action,
            &entity,
            "alice",
            ActorType::User,
        );
        audit.append_audit(&b.acme, &entry).await.unwrap();
        b.clock.advance(Duration::seconds(1));
    }
    let first = audit
        .audit_of(&b.acme, AuditCategory::Run, &entity, &PageRequest::first(2))
        .await
        .unwrap();
    let next = PageRequest::after(2, first.next.clone().expect("a second page"));
    let second = audit
        .audit_of(&b.acme, AuditCategory::Run, &entity, &next)
        .await
        .unwrap();
    let trail: Vec<_> = first
        .items
        .into_iter()
        .chain(second.items)
        .map(|e| e.action)
        .collect();
    assert_eq!(trail, ["created", "claimed", "cancelled"]);
    assert!(
        audit
            .audit_of(
                &b.globex,
                AuditCategory::Run,
                &entity,
                &PageRequest::first(10)
            )
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        audit
            .audit_of(
                &b.acme,
                AuditCategory::Schedule,
                &entity,
                &PageRequest::first(10)
            )
            .await
            .unwrap()
            .items
            .is_empty(),
        "another category's trail of the same entity id is another trail"
    );
    let err = audit
        .append_audit(
            &b.acme,
            &NewAuditEntry::new(AuditCategory::Run, "", &entity, "a", ActorType::User),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "invalid audit action: must not be empty");
}

#[tokio::test]
async fn run_summaries_are_computed_not_counted() {
    let b = setup().await;
    let summaries = PgRunSummaries::new(b.source.clone(), b.clock.clone());
    let schedule = Uuid::new_v4();
    b.postgres
        .schedules
        .upsert(
            &b.acme,
            schedule,
            &ScheduleFields::new("s", "0 * * * *", "UTC"),
            "a",
        )
        .await
        .unwrap();
    let empty = summaries.refresh(&b.acme, schedule).await.unwrap();
    assert_eq!((empty.total_runs, empty.last_run_id), (0, None));
    assert_eq!(empty.recent, json!([]));

    let mut ids = Vec::new();
    for _ in 0..3 {
        let mut run = NewRun::manual(epoch());
        run.schedule_id = Some(schedule);
        ids.push(b.runs.create(&b.acme, &run).await.unwrap().id);
        b.clock.advance(Duration::seconds(1));
    }
    b.runs
        .transition(&b.acme, ids[0], RunState::Cancelled)
        .await
        .unwrap();
    let claim = b.runs.claim(&b.system, "w", 1).await.unwrap().remove(0);
    b.runs
        .finish(&b.system, &claim, "w", Outcome::Completed, None)
        .await
        .unwrap();
    let summary = summaries.refresh(&b.acme, schedule).await.unwrap();
    let again = summaries.refresh(&b.acme, schedule).await.unwrap();
    assert_eq!(summary, again, "refreshing twice counts nothing twice");
    assert_eq!(
        (
            summary.total_runs,
            summary.completed_runs,
            summary.cancelled_runs,
            summary.error_runs
        ),
        (3, 1, 1, 0)
    );
    assert_eq!(summary.last_run_id, Some(ids[2]));
    assert_eq!(summary.recent.as_array().unwrap().len(), 3);
    assert_eq!(summary.recent[0]["id"], json!(ids[2]));
    assert_eq!(
        summaries.get(&b.acme, schedule).await.unwrap(),
        Some(summary)
    );
    assert_eq!(summaries.get(&b.globex, schedule).await.unwrap(), None);
    let err = summaries.refresh(&b.globex, schedule).await.unwrap_err();
    assert_eq!(err.to_string(), "schedule not found");
}
