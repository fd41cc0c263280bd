//! Claiming runs: LIMIT and uniqueness under contention, eligibility inside
//! the locked CTE, the injected now, a total order, and attempt fencing of
//! every later write, checked on recorded histories.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use chrono::Duration;
use stellaops_storage::scheduler::{Claim, NewRun, Outcome, PgRuns, RunRepository};
use stellaops_storage::{SystemContext, TenantContext};
use stellaops_suites::history::{History, Op, Record};
use uuid::Uuid;

use crate::support::{Bundle, epoch, setup};

/// Claimers racing for the same queue.
const CLAIMERS: usize = 8;
/// Runs queued for the contention tests, spread over two tenants.
const QUEUED: usize = 96;
/// The LIMIT of each claim in the contention test.
const CLAIM_LIMIT: i64 = 3;
/// Heartbeat age after which a claim is stale.
const STALE_AFTER: Duration = Duration::seconds(30);
const BOUND: StdDuration = StdDuration::from_secs(60);

async fn queue(b: &Bundle, ctx: &TenantContext, run: NewRun) -> Uuid {
    b.runs.create(ctx, &run).await.unwrap().id
}

async fn queue_many(b: &Bundle, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..count {
        let ctx = if i % 2 == 0 { &b.acme } else { &b.globex };
        let mut run = NewRun::manual(epoch() - Duration::minutes(1));
        run.priority = (i % 3) as i32;
        ids.push(queue(b, ctx, run).await.to_string());
    }
    ids
}

fn record_claims(
    history: &History,
    t: stellaops_suites::history::Invocation,
    worker: &str,
    claims: &[Claim],
    batch: usize,
    limit: usize,
) {
    if claims.is_empty() {
        return;
    }
    for claim in claims {
        history.record(
            t,
            Record {
                worker,
                op: Op::Claim,
                item: &claim.id.to_string(),
                token: i64::from(claim.attempt),
                accepted: true,
                batch: Some((batch, limit)),
                validity: None,
            },
        );
    }
}

/// Claimers take from the queue until it is empty, finishing what they take.
async fn drain(b: &Bundle, limit: i64, history: Arc<History>) {
    let batches = Arc::new(AtomicUsize::new(0));
    let mut claimers = Vec::new();
    for c in 0..CLAIMERS {
        let runs: PgRuns = b.runs.clone();
        let history = history.clone();
        let batches = batches.clone();
        claimers.push(tokio::spawn(async move {
            let system = SystemContext::new("claimer");
            let worker = format!("claimer-{c}");
            loop {
                let t = history.invoke();
                let claims = runs.claim(&system, &worker, limit).await.unwrap();
                let batch = batches.fetch_add(1, Ordering::Relaxed);
                record_claims(&history, t, &worker, &claims, batch, limit as usize);
                if claims.is_empty() {
                    history.idle(t, &worker, Some((batch, limit as usize)));
                    return;
                }
                for claim in &claims {
                    let t = history.invoke();
                    let done = runs
                        .finish(&system, claim, &worker, Outcome::Completed, None)
                        .await
                        .unwrap();
                    history.record(
                        t,
                        Record {
                            worker: &worker,
                            op: Op::Complete,
                            item: &claim.id.to_string(),
                            token: i64::from(claim.attempt),
                            accepted: done,
                            batch: None,
                            validity: None,
                        },
                    );
                }
            }
        }));
    }
    for claimer in claimers {
        tokio::time::timeout(BOUND, claimer).await.unwrap().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_respects_limit_under_contention() {
    let b = setup().await;
    let expected = queue_many(&b, QUEUED).await;
    let history = Arc::new(History::default());
    drain(&b, CLAIM_LIMIT, history.clone()).await;
    let violations = history.check(&expected);
    assert!(violations.is_empty(), "{violations:#?}");
    let claimed = history
        .events()
        .iter()
        .filter(|e| e.op == Op::Claim && e.accepted)
        .count();
    assert_eq!(claimed, QUEUED, "each run claimed exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claim_unique() {
    let b = setup().await;
    let expected = queue_many(&b, QUEUED / 2).await;
    let history = Arc::new(History::default());
    drain(&b, 1, history.clone()).await;
    let violations = history.check(&expected);
    assert!(violations.is_empty(), "{violations:#?}");
    let mut claimed: Vec<String> = history
        .events()
        .into_iter()
        .filter(|e| e.op == Op::Claim && e.accepted)
        .map(|e| e.item)
        .collect();
    claimed.sort();
    let before = claimed.len();
    claimed.dedup();
    assert_eq!(before, claimed.len(), "a run was claimed twice");
}

#[tokio::test]
async fn claim_filters_inside_locked_cte() {
    let b = setup().await;
    // Ineligible runs first in claim order (high priority).
    let mut not_due = NewRun::manual(epoch() + Duration::hours(1));
    not_due.priority = 10;
    queue(&b, &b.acme, not_due).await;
    let mut exhausted = NewRun::manual(epoch() - Duration::hours(1));
    exhausted.priority = 10;
    exhausted.max_attempts = 1;
    let exhausted = queue(&b, &b.acme, exhausted).await;
    sqlx::query("UPDATE scheduler.runs SET attempt = max_attempts WHERE id = $1")
        .bind(exhausted)
        .execute(b.db.admin())
        .await
        .unwrap();
    let eligible = [
        queue(&b, &b.acme, NewRun::manual(epoch() - Duration::minutes(2))).await,
        queue(
            &b,
            &b.globex,
            NewRun::manual(epoch() - Duration::minutes(1)),
        )
        .await,
    ];
    let claims = b.runs.claim(&b.system, "w", 2).await.unwrap();
    let ids: Vec<Uuid> = claims.iter().map(|c| c.id).collect();
    assert_eq!(ids, eligible, "ineligible rows must not use up the LIMIT");
}

/// Another transaction holds the lock of the first run in claim order (a
/// claimer that has not committed yet, a long report): a claim skips it at
/// once and takes the next ones, never waits for it; once the holder ends,
/// the skipped run is claimed too. A claim without `SKIP LOCKED` waits, and
/// the server shows the wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_skips_a_row_locked_elsewhere() {
    let b = setup().await;
    let mut first = NewRun::manual(epoch() - Duration::minutes(3));
    first.priority = 9;
    let locked = queue(&b, &b.acme, first).await;
    let next = [
        queue(&b, &b.acme, NewRun::manual(epoch() - Duration::minutes(2))).await,
        queue(
            &b,
            &b.globex,
            NewRun::manual(epoch() - Duration::minutes(1)),
        )
        .await,
    ];
    let mut holder = b.db.admin().begin().await.unwrap();
    sqlx::query("SELECT 1 FROM scheduler.runs WHERE id = $1 FOR UPDATE")
        .bind(locked)
        .execute(&mut *holder)
        .await
        .unwrap();

    let history = History::default();
    let t = history.invoke();
    let claims = stellaops_suites::waits::never_waits_on_a_lock(
        b.db.admin(),
        BOUND,
        b.runs.claim(&b.system, "w1", 3),
    )
    .await
    .unwrap()
    .unwrap();
    record_claims(&history, t, "w1", &claims, 0, 3);
    let ids: Vec<Uuid> = claims.iter().map(|c| c.id).collect();
    assert_eq!(ids, next, "the locked run is skipped, the next ones taken");

    holder.rollback().await.unwrap();
    let t = history.invoke();
    let claims = b.runs.claim(&b.system, "w2", 3).await.unwrap();
    record_claims(&history, t, "w2", &claims, 1, 3);
    let ids: Vec<Uuid> = claims.iter().map(|c| c.id).collect();
    assert_eq!(ids, [locked], "free again once its holder ended");
    let expected: Vec<String> = std::iter::once(locked)
        .chain(next)
        .map(|id| id.to_string())
        .collect();
    let violations = history.check(&[]);
    assert!(violations.is_empty(), "{violations:#?}");
    let claimed: Vec<String> = history
        .events()
        .iter()
        .filter(|e| e.op == Op::Claim && e.accepted)
        .map(|e| e.item.clone())
        .collect();
    let mut sorted = claimed.clone();
    sorted.sort();
    let mut wanted = expected.clone();
    wanted.sort();
    assert_eq!(sorted, wanted, "each run claimed once");
}

#[tokio::test]
async fn claim_due_at_injected_now() {
    let b = setup().await;
    let just_due = queue(
        &b,
        &b.acme,
        NewRun::manual(epoch() - Duration::microseconds(1)),
    )
    .await;
    let exactly_now = queue(&b, &b.acme, NewRun::manual(epoch())).await;
    queue(&b, &b.acme, NewRun::manual(epoch() + Duration::minutes(1))).await;
    let claims = b.runs.claim(&b.system, "w", 10).await.unwrap();
    let ids: Vec<Uuid> = claims.iter().map(|c| c.id).collect();
    assert_eq!(ids, [just_due, exactly_now]);
    // A minute later, the last one is due.
    b.clock.advance(Duration::minutes(1));
    assert_eq!(b.runs.claim(&b.system, "w", 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn claim_order_deterministic() {
    let b = setup().await;
    let mut queued = Vec::new();
    for (priority, minutes_ago, tenant) in [
        (0, 5, 0),
        (2, 1, 1),
        (2, 3, 0),
        (1, 9, 1),
        (0, 5, 1),
        (2, 3, 1),
    ] {
        let mut run = NewRun::manual(epoch() - Duration::minutes(minutes_ago));
        run.priority = priority;
        let ctx = if tenant == 0 { &b.acme } else { &b.globex };
        let id = queue(&b, ctx, run.clone()).await;
        queued.push((std::cmp::Reverse(priority), run.due_at, id));
    }
    queued.sort();
    let expected: Vec<Uuid> = queued.iter().map(|(_, _, id)| *id).collect();
    // One claim of all, and one at a time, give the same total order.
    let all: Vec<Uuid> = b
        .runs
        .claim(&b.system, "w", 10)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(all, expected);
    sqlx::query("UPDATE scheduler.runs SET state = 'queued', attempt = 0, claimed_by = NULL")
        .execute(b.db.admin())
        .await
        .unwrap();
    let mut one_by_one = Vec::new();
    while let Some(claim) = b.runs.claim(&b.system, "w", 1).await.unwrap().pop() {
        one_by_one.push(claim.id);
    }
    assert_eq!(one_by_one, expected);
}

/// A run claimed by worker `w1`, rescued after it went quiet, and claimed
/// again by the same worker id (a restarted process): only the attempt
/// tells the two claims apart.
async fn reclaimed(b: &Bundle, history: &History) -> (Claim, Claim) {
    queue(b, &b.acme, NewRun::manual(epoch())).await;
    let t = history.invoke();
    let old = b.runs.claim(&b.system, "w1", 1).await.unwrap().remove(0);
    record_claims(history, t, "w1", std::slice::from_ref(&old), 0, 1);
    b.clock.advance(STALE_AFTER + Duration::microseconds(1));
    let t = history.invoke();
    let rescued = b.runs.rescue_stale(&b.system, STALE_AFTER).await.unwrap();
    record_write(history, t, "rescuer", Op::Rescue, &old, rescued == 1);
    assert_eq!(rescued, 1);
    let t = history.invoke();
    let new = b.runs.claim(&b.system, "w1", 1).await.unwrap().remove(0);
    record_claims(history, t, "w1", std::slice::from_ref(&new), 1, 1);
    assert_eq!((new.id, old.attempt, new.attempt), (old.id, 1, 2));
    (old, new)
}

fn record_write(
    history: &History,
    t: stellaops_suites::history::Invocation,
    worker: &str,
    op: Op,
    claim: &Claim,
    accepted: bool,
) {
    history.record(
        t,
        Record {
            worker,
            op,
            item: &claim.id.to_string(),
            token: i64::from(claim.attempt),
            accepted,
            batch: None,
            validity: None,
        },
    );
}

#[tokio::test]
async fn heartbeat_fenced_by_attempt() {
    let b = setup().await;
    let history = History::default();
    let (old, new) = reclaimed(&b, &history).await;
    let t = history.invoke();
    let stale = b.runs.heartbeat(&b.system, &old, "w1").await.unwrap();
    record_write(&history, t, "w1", Op::Heartbeat, &old, stale);
    assert!(!stale, "the stale worker's heartbeat must change nothing");
    let t = history.invoke();
    let fresh = b.runs.heartbeat(&b.system, &new, "w1").await.unwrap();
    record_write(&history, t, "w1", Op::Heartbeat, &new, fresh);
    assert!(fresh);
    let run = b.runs.get(&b.acme, new.id).await.unwrap().unwrap();
    assert_eq!((run.claimed_by.as_deref(), run.attempt), (Some("w1"), 2));
    assert!(history.check(&[]).is_empty(), "{:#?}", history.check(&[]));
}

#[tokio::test]
async fn late_complete_after_reclaim_rejected() {
    let b = setup().await;
    let history = History::default();
    let (old, new) = reclaimed(&b, &history).await;
    let t = history.invoke();
    let late = b
        .runs
        .finish(&b.system, &old, "w1", Outcome::Completed, None)
        .await
        .unwrap();
    record_write(&history, t, "w1", Op::Complete, &old, late);
    assert!(!late);
    let run = b.runs.get(&b.acme, old.id).await.unwrap().unwrap();
    assert_eq!(run.state, "running", "still the second claim's");
    let t = history.invoke();
    let done = b
        .runs
        .finish(&b.system, &new, "w1", Outcome::Failed, Some("boom"))
        .await
        .unwrap();
    record_write(&history, t, "w1", Op::Complete, &new, done);
    assert!(done);
    let violations = history.check(&[new.id.to_string()]);
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test]
async fn rescue_does_not_overwrite_completed() {
    let b = setup().await;
    let id = queue(&b, &b.acme, NewRun::manual(epoch())).await;
    let claim = b.runs.claim(&b.system, "w", 1).await.unwrap().remove(0);
    assert!(
        b.runs
            .finish(&b.system, &claim, "w", Outcome::Completed, None)
            .await
            .unwrap()
    );
    b.clock.advance(STALE_AFTER * 10);
    assert_eq!(
        b.runs.rescue_stale(&b.system, STALE_AFTER).await.unwrap(),
        0
    );
    let run = b.runs.get(&b.acme, id).await.unwrap().unwrap();
    assert_eq!((run.state.as_str(), run.attempt), ("completed", 1));
}

#[tokio::test]
async fn rescue_only_stale() {
    let b = setup().await;
    queue(&b, &b.acme, NewRun::manual(epoch())).await;
    queue(&b, &b.globex, NewRun::manual(epoch())).await;
    let older = b.runs.claim(&b.system, "older", 1).await.unwrap().remove(0);
    b.clock.advance(Duration::microseconds(1));
    let fresh = b.runs.claim(&b.system, "fresh", 1).await.unwrap().remove(0);
    // Now the fresh claim is exactly STALE_AFTER old, the other 1 µs more.
    b.clock.advance(STALE_AFTER);
    assert_eq!(
        b.runs.rescue_stale(&b.system, STALE_AFTER).await.unwrap(),
        1
    );
    let ctx = |claim: &Claim| TenantContext::new(&claim.tenant_id).unwrap();
    let kept = b.runs.get(&ctx(&fresh), fresh.id).await.unwrap().unwrap();
    assert_eq!(
        (kept.state.as_str(), kept.claimed_by.as_deref()),
        ("running", Some("fresh"))
    );
    let rescued = b.runs.get(&ctx(&older), older.id).await.unwrap().unwrap();
    assert_eq!(
        (rescued.state.as_str(), rescued.claimed_by),
        ("queued", None)
    );
}

#[tokio::test]
async fn rescue_ends_runs_without_attempts_left() {
    let b = setup().await;
    let mut last_try = NewRun::manual(epoch());
    last_try.max_attempts = 1;
    let id = queue(&b, &b.acme, last_try).await;
    b.runs.claim(&b.system, "w", 1).await.unwrap();
    b.clock.advance(STALE_AFTER + Duration::microseconds(1));
    assert_eq!(
        b.runs.rescue_stale(&b.system, STALE_AFTER).await.unwrap(),
        1
    );
    let run = b.runs.get(&b.acme, id).await.unwrap().unwrap();
    assert_eq!(run.state, "error");
    assert_eq!(
        run.error.as_deref(),
        Some("attempts exhausted: the worker stopped heartbeating")
    );
    assert_eq!(
        run.finished_at,
        Some(epoch() + STALE_AFTER + Duration::microseconds(1))
    );
    assert!(
        b.runs.claim(&b.system, "w", 1).await.unwrap().is_empty(),
        "never claimed again"
    );
}
