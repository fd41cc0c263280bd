//! Notify's workers under contention on PostgreSQL: digest flushers,
//! escalation workers, correlating events, escalation starters and lease
//! holders race; each operation is recorded and the history checked.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use stellaops_storage::notify::*;
use stellaops_storage::{Backend, Leases, StorageError};
use stellaops_suites::history::{History, Invocation, Op, Record};
use stellaops_suites::lease_race::lease_contention;
use tokio::sync::Barrier;
use uuid::Uuid;

use crate::support::{Bundle, setup_on};

const CHANNEL: Uuid = Uuid::from_u128(0xc0);
const POLICY: Uuid = Uuid::from_u128(0xe0);
/// Workers racing in each test.
const WORKERS: usize = 8;
/// Digest windows flushed in the flush race, over two related tenants.
const WINDOWS: usize = 24;
/// Escalations advanced in the escalation race.
const ESCALATIONS: usize = 12;
/// Stages per pass and passes (1 + repeats) of the race's policy.
const STAGES: usize = 3;
const PASSES: usize = 2;
/// Lease grants each holder waits for.
const GRANTS_PER_WORKER: usize = 4;
const BOUND: StdDuration = StdDuration::from_secs(60);

async fn setup() -> Bundle {
    let b = setup_on(Backend::Postgres).await;
    b.channel(&b.acme, CHANNEL, "ops").await;
    b.channel(&b.acme_eu, CHANNEL, "ops").await;
    b
}

fn record(
    history: &History,
    t: Invocation,
    worker: &str,
    op: Op,
    item: &str,
    token: i64,
    accepted: bool,
) {
    history.record(
        t,
        Record {
            worker,
            op,
            item,
            token,
            accepted,
            batch: None,
            validity: None,
        },
    );
}

/// Runs `WORKERS` copies of `work`, released together, each bounded.
async fn race<F, Fut, T>(work: F) -> Vec<T>
where
    F: Fn(usize, Arc<Barrier>) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let start = Arc::new(Barrier::new(WORKERS));
    let tasks: Vec<_> = (0..WORKERS)
        .map(|w| tokio::spawn(work(w, start.clone())))
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(tokio::time::timeout(BOUND, task).await.unwrap().unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_flushes_once_per_window() {
    let b = setup().await;
    let mut windows = Vec::new();
    for i in 0..WINDOWS {
        let ctx = if i % 2 == 0 { &b.acme } else { &b.acme_eu };
        let event = DigestEvent {
            channel_id: CHANNEL,
            recipient: format!("r{i}@example.test"),
            action: "scan.completed".to_owned(),
            window: DigestWindow::FiveMinutes,
            event_id: format!("e{i}"),
            event: serde_json::json!({"i": i}),
        };
        windows.push(
            b.notify
                .digests
                .append_to_digest(ctx, &event)
                .await
                .unwrap()
                .id,
        );
    }
    b.clock.advance(Duration::minutes(5));
    let history = Arc::new(History::default());
    let made = race(|w, start| {
        let notify = b.notify.clone();
        let system = b.system.clone();
        let history = history.clone();
        async move {
            let flusher = format!("flusher-{w}");
            start.wait().await;
            let mut made = 0;
            loop {
                let t = history.invoke();
                let flushed = notify.digests.flush_digests(&system, 2).await.unwrap();
                if flushed.is_empty() {
                    return made;
                }
                for delivery in &flushed {
                    record(
                        &history,
                        t,
                        &flusher,
                        Op::Flush,
                        &delivery.id.to_string(),
                        0,
                        true,
                    );
                }
                made += flushed.len();
            }
        }
    })
    .await;
    let violations = history.check(&[]);
    assert!(violations.is_empty(), "{violations:#?}");
    assert_eq!(
        made.iter().sum::<usize>(),
        WINDOWS,
        "one delivery per window"
    );
    for (i, id) in windows.iter().enumerate() {
        let ctx = if i % 2 == 0 { &b.acme } else { &b.acme_eu };
        let digest = b
            .notify
            .digests
            .get_digest(ctx, *id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(digest.status, DigestStatus::Sent);
        let delivery = b
            .notify
            .deliveries
            .get_delivery(ctx, *id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(delivery.payload["event_count"], 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_appends_open_one_window_and_count_every_event() {
    let b = setup().await;
    let history = Arc::new(History::default());
    let windows = race(|w, start| {
        let notify = b.notify.clone();
        let acme = b.acme.clone();
        let history = history.clone();
        async move {
            let event = DigestEvent {
                channel_id: CHANNEL,
                recipient: "ops@example.test".to_owned(),
                action: "scan.completed".to_owned(),
                window: DigestWindow::Hour,
                event_id: format!("e{w}"),
                event: serde_json::json!({"w": w}),
            };
            start.wait().await;
            let t = history.invoke();
            let digest = notify
                .digests
                .append_to_digest(&acme, &event)
                .await
                .unwrap();
            // Opened by this append when it is the first event in it.
            let opened = digest.event_count == 1 && digest.holds(&event.event_id);
            record(
                &history,
                t,
                &format!("appender-{w}"),
                Op::Enqueue,
                "window",
                0,
                opened,
            );
            digest.id
        }
    })
    .await;
    let violations = history.check(&[]);
    assert!(violations.is_empty(), "{violations:#?}");
    assert!(windows.iter().all(|id| *id == windows[0]), "{windows:?}");
    let digest = b
        .notify
        .digests
        .get_digest(&b.acme, windows[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        digest.event_count, WORKERS as i32,
        "no event lost or counted twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalation_advances_once_per_stage() {
    let b = setup().await;
    let steps = (0..STAGES)
        .map(|_| EscalationStep::new(0, [CHANNEL]))
        .collect();
    let mut policy = PolicyFields::new("race", steps);
    policy.repeat_count = PASSES as i32 - 1;
    b.notify
        .policies
        .create_policy(&b.acme, POLICY, &policy)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..ESCALATIONS {
        let mut new = NewIncident::new(format!("svc-{i}"), "down", Severity::High);
        new.id = Uuid::from_u128(0x1000 + i as u128);
        b.notify.incidents.correlate(&b.acme, &new).await.unwrap();
        let started = b
            .notify
            .escalations
            .start_escalation(&b.acme, Uuid::from_u128(0x2000 + i as u128), new.id, POLICY)
            .await
            .unwrap();
        ids.push(started.escalation.id);
    }
    let history = Arc::new(History::default());
    let fired = race(|w, start| {
        let notify = b.notify.clone();
        let system = b.system.clone();
        let history = history.clone();
        async move {
            let worker = format!("escalator-{w}");
            start.wait().await;
            let mut fired = 0;
            loop {
                let t = history.invoke();
                let advances = notify
                    .escalations
                    .advance_escalations(&system, 3)
                    .await
                    .unwrap();
                if advances.is_empty() {
                    return fired;
                }
                for a in &advances {
                    let token = i64::from(a.iteration) * 100 + i64::from(a.stage);
                    record(
                        &history,
                        t,
                        &worker,
                        Op::Advance,
                        &a.escalation.id.to_string(),
                        token,
                        true,
                    );
                }
                fired += advances.len();
            }
        }
    })
    .await;
    let violations = history.check(&[]);
    assert!(violations.is_empty(), "{violations:#?}");
    assert_eq!(
        fired.iter().sum::<usize>(),
        ESCALATIONS * STAGES * PASSES,
        "every stage of every pass, once"
    );
    for id in ids {
        let e = b
            .notify
            .escalations
            .get_escalation(&b.acme, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(e.status, EscalationStatus::Expired);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_events_open_one_incident_and_one_escalation() {
    let b = setup().await;
    b.notify
        .policies
        .create_policy(
            &b.acme,
            POLICY,
            &PolicyFields::new("p", vec![EscalationStep::new(60, [CHANNEL])]),
        )
        .await
        .unwrap();
    let history = Arc::new(History::default());
    let incidents = race(|w, start| {
        let notify = b.notify.clone();
        let acme = b.acme.clone();
        let history = history.clone();
        async move {
            let mut new = NewIncident::new("db/primary", "down", Severity::Critical);
            new.id = Uuid::from_u128(w as u128 + 1);
            start.wait().await;
            let t = history.invoke();
            let correlated = notify.incidents.correlate(&acme, &new).await.unwrap();
            record(
                &history,
                t,
                &format!("event-{w}"),
                Op::Enqueue,
                "db/primary",
                0,
                correlated.opened,
            );
            let t = history.invoke();
            let started = notify
                .escalations
                .start_escalation(
                    &acme,
                    Uuid::from_u128(0x100 + w as u128),
                    correlated.incident.id,
                    POLICY,
                )
                .await
                .unwrap();
            record(
                &history,
                t,
                &format!("event-{w}"),
                Op::Enqueue,
                "escalation",
                0,
                started.started,
            );
            (correlated.incident.id, started.escalation.id)
        }
    })
    .await;
    let violations = history.check(&[]);
    assert!(violations.is_empty(), "{violations:#?}");
    let (incident, escalation) = incidents[0];
    assert!(
        incidents.iter().all(|pair| *pair == (incident, escalation)),
        "{incidents:?}"
    );
    let stored = b
        .notify
        .incidents
        .get_incident(&b.acme, incident)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.event_count, WORKERS as i32,
        "every event counted once"
    );
    assert_eq!(
        b.notify
            .escalations
            .escalations_of(&b.acme, incident)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lease_contention_one_holder_at_a_time() {
    let b = setup().await;
    let locks: Leases = notify_locks(b.source(), b.clock.clone());
    let name = "notify:delivery-sweeper";
    let ttl = Duration::minutes(5);
    let (history, total) =
        lease_contention(&locks, &b.system, name, WORKERS, GRANTS_PER_WORKER, BOUND).await;
    let violations = history.check(&[]);
    assert!(violations.is_empty(), "{violations:#?}");
    assert_eq!(total, WORKERS * GRANTS_PER_WORKER);
    let current = locks.current(&b.system, name).await.unwrap().unwrap();
    assert_eq!(
        current.fencing_token, total as i64,
        "every grant its own token, in order"
    );

    // A holder whose lease expired and was taken over changes nothing.
    let first = locks
        .acquire(&b.system, "notify:escalator", "a", ttl)
        .await
        .unwrap()
        .unwrap();
    b.clock.advance(ttl);
    let second = locks
        .acquire(&b.system, "notify:escalator", "b", ttl)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.fencing_token, first.fencing_token + 1);
    assert!(matches!(
        locks.renew(&b.system, &first, ttl).await,
        Err(StorageError::LeaseLost { .. })
    ));
    assert!(!locks.release(&b.system, &first).await.unwrap());
    assert_eq!(
        locks.current(&b.system, "notify:escalator").await.unwrap(),
        Some(second)
    );
}
