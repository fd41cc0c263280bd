//! The delivery queue under contention on PostgreSQL: racing claimers and
//! enqueuers, each operation recorded and the history checked.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use chrono::Duration;
use stellaops_storage::Backend;
use stellaops_storage::notify::*;
use stellaops_suites::history::{History, Invocation, Op, Record};
use tokio::sync::Barrier;
use uuid::Uuid;

use crate::support::{Bundle, epoch, setup_on};

const CHANNEL: Uuid = Uuid::from_u128(0xc0);
/// Claimers racing for one queue.
const CLAIMERS: usize = 8;
/// Deliveries queued for the claim races, spread over two related tenants.
const QUEUED: usize = 96;
/// Enqueuers of one idempotency key.
const ENQUEUERS: usize = 16;
const STALE_AFTER: Duration = Duration::seconds(30);
/// The bound on every racing task.
const BOUND: StdDuration = StdDuration::from_secs(60);

async fn setup() -> Bundle {
    let b = setup_on(Backend::Postgres).await;
    b.channel(&b.acme, CHANNEL, "ops").await;
    b.channel(&b.acme_eu, CHANNEL, "ops").await;
    b
}

async fn queue_many(b: &Bundle, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..count {
        let ctx = if i % 2 == 0 { &b.acme } else { &b.acme_eu };
        let mut new = NewDelivery::new(format!("k{i}"), CHANNEL, format!("e{i}"), "ops");
        new.due_at = Some(epoch() - Duration::seconds((i % 5) as i64));
        let enqueued = b.notify.deliveries.enqueue(ctx, &new).await.unwrap();
        ids.push(enqueued.delivery.id.to_string());
    }
    ids
}

/// Records one operation of a queue race.
#[allow(clippy::too_many_arguments)]
fn record(
    history: &History,
    t: Invocation,
    worker: &str,
    op: Op,
    item: &str,
    token: i32,
    accepted: bool,
    batch: Option<(usize, usize)>,
) {
    history.record(
        t,
        Record {
            worker,
            op,
            item,
            token: i64::from(token),
            accepted,
            batch,
            validity: None,
        },
    );
}

/// Claimers take from the queue until it is empty, completing what they
/// take; every claim, completion and empty claim is recorded.
async fn drain(b: &Bundle, limit: i64, history: Arc<History>) {
    let batches = Arc::new(AtomicUsize::new(0));
    let mut claimers = Vec::new();
    for c in 0..CLAIMERS {
        let notify = b.notify.clone();
        let system = b.system.clone();
        let history = history.clone();
        let batches = batches.clone();
        claimers.push(tokio::spawn(async move {
            let sender = format!("sender-{c}");
            loop {
                let t = history.invoke();
                let claimed = notify
                    .deliveries
                    .claim_deliveries(&system, &sender, limit)
                    .await
                    .unwrap();
                let batch = batches.fetch_add(1, Ordering::Relaxed);
                let of_batch = Some((batch, limit as usize));
                if claimed.is_empty() {
                    history.idle(t, &sender, of_batch);
                    return;
                }
                for d in &claimed {
                    record(
                        &history,
                        t,
                        &sender,
                        Op::Claim,
                        &d.id.to_string(),
                        d.attempts,
                        true,
                        of_batch,
                    );
                }
                for d in &claimed {
                    let t = history.invoke();
                    let done = notify
                        .deliveries
                        .complete_delivery(&system, &d.claim(), &sender, None)
                        .await
                        .unwrap();
                    record(
                        &history,
                        t,
                        &sender,
                        Op::Complete,
                        &d.id.to_string(),
                        d.attempts,
                        done,
                        None,
                    );
                }
            }
        }));
    }
    for claimer in claimers {
        tokio::time::timeout(BOUND, claimer).await.unwrap().unwrap();
    }
}

fn accepted_claims(history: &History) -> usize {
    history
        .events()
        .iter()
        .filter(|e| e.op == Op::Claim && e.accepted)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_claim_unique() {
    let b = setup().await;
    let expected = queue_many(&b, QUEUED).await;
    let history = Arc::new(History::default());
    drain(&b, 1, history.clone()).await;
    let violations = history.check(&expected);
    assert!(violations.is_empty(), "{violations:#?}");
    assert_eq!(
        accepted_claims(&history),
        QUEUED,
        "each delivery claimed exactly once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_claim_respects_limit() {
    let b = setup().await;
    let expected = queue_many(&b, QUEUED).await;
    let history = Arc::new(History::default());
    drain(&b, 3, history.clone()).await;
    let violations = history.check(&expected);
    assert!(violations.is_empty(), "{violations:#?}");
    assert_eq!(accepted_claims(&history), QUEUED);
}

#[tokio::test]
async fn late_complete_after_rescue_rejected() {
    let b = setup().await;
    let queue = &b.notify.deliveries;
    let history = History::default();
    let id = queue_many(&b, 1).await.remove(0);
    let t = history.invoke();
    let old = queue
        .claim_deliveries(&b.system, "s1", 1)
        .await
        .unwrap()
        .remove(0);
    record(
        &history,
        t,
        "s1",
        Op::Claim,
        &id,
        old.attempts,
        true,
        Some((0, 1)),
    );
    b.clock.advance(STALE_AFTER + Duration::microseconds(1));
    let t = history.invoke();
    let rescued = queue
        .rescue_stale_deliveries(&b.system, STALE_AFTER)
        .await
        .unwrap();
    record(
        &history,
        t,
        "rescuer",
        Op::Rescue,
        &id,
        old.attempts,
        rescued == 1,
        None,
    );
    assert_eq!(rescued, 1);
    // The same sender id claims it again (a restarted process): only the
    // attempt tells the two claims apart.
    let t = history.invoke();
    let new = queue
        .claim_deliveries(&b.system, "s1", 1)
        .await
        .unwrap()
        .remove(0);
    record(
        &history,
        t,
        "s1",
        Op::Claim,
        &id,
        new.attempts,
        true,
        Some((1, 1)),
    );
    assert_eq!((old.attempts, new.attempts), (1, 2));

    let t = history.invoke();
    let late = queue
        .complete_delivery(&b.system, &old.claim(), "s1", Some("late"))
        .await
        .unwrap();
    record(
        &history,
        t,
        "s1",
        Op::Complete,
        &id,
        old.attempts,
        late,
        None,
    );
    assert!(!late, "the rescued claim's completion must change nothing");
    let t = history.invoke();
    let late_failure = queue
        .fail_delivery(&b.system, &old.claim(), "s1", &Failure::new("late"))
        .await
        .unwrap();
    assert_eq!(late_failure, None);
    record(
        &history,
        t,
        "s1",
        Op::Complete,
        &id,
        old.attempts,
        late_failure.is_some(),
        None,
    );
    let current = queue.get_delivery(&b.acme, new.id).await.unwrap().unwrap();
    assert_eq!(current, new, "still the second claim's");

    let t = history.invoke();
    let done = queue
        .complete_delivery(&b.system, &new.claim(), "s1", Some("msg"))
        .await
        .unwrap();
    record(
        &history,
        t,
        "s1",
        Op::Complete,
        &id,
        new.attempts,
        done,
        None,
    );
    assert!(done);
    let violations = history.check(&[id]);
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_enqueue_under_race() {
    let b = setup().await;
    let history = Arc::new(History::default());
    let start = Arc::new(Barrier::new(ENQUEUERS));
    let mut enqueuers = Vec::new();
    for n in 0..ENQUEUERS {
        let notify = b.notify.clone();
        let ctx = b.acme.clone();
        let history = history.clone();
        let start = start.clone();
        enqueuers.push(tokio::spawn(async move {
            let mut new = NewDelivery::new("scan-42/ops", CHANNEL, "scan-42", "ops");
            // Every enqueuer would create its own id: only the key joins them.
            new.id = Uuid::from_u128(n as u128 + 1);
            start.wait().await;
            let t = history.invoke();
            let enqueued = notify.deliveries.enqueue(&ctx, &new).await.unwrap();
            let worker = format!("enqueuer-{n}");
            record(
                &history,
                t,
                &worker,
                Op::Enqueue,
                "scan-42/ops",
                0,
                enqueued.created,
                None,
            );
            enqueued.delivery.id
        }));
    }
    let mut ids = Vec::new();
    for enqueuer in enqueuers {
        ids.push(
            tokio::time::timeout(BOUND, enqueuer)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let violations = history.check(&[]);
    assert!(violations.is_empty(), "{violations:#?}");
    let created = history.events().iter().filter(|e| e.accepted).count();
    assert_eq!(created, 1, "one enqueuer wrote");
    ids.dedup();
    assert_eq!(ids.len(), 1, "every enqueuer got the one delivery");
    let all = b
        .notify
        .deliveries
        .list_deliveries(&b.acme, &DeliveryQuery::default())
        .await
        .unwrap();
    assert_eq!(all.items.iter().map(|d| d.id).collect::<Vec<_>>(), ids);
}
