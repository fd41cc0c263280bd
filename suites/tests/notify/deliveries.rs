//! The delivery queue on both backends: idempotent enqueue, claims in order
//! with their attempt, fenced completion, back-off and the dead letter,
//! stale claims rescued, the transition table, keyset pages, cascades and
//! what a bad request is told.

use chrono::Duration;
use rstest::rstest;
use serde_json::json;
use stellaops_storage::notify::*;
use stellaops_storage::page::{Page, PageRequest};
use stellaops_storage::{Backend, ErrorKind, TenantContext};
use uuid::Uuid;

use crate::support::{Bundle, epoch, expect_kind, setup_on};

const CHANNEL: Uuid = Uuid::from_u128(0xc0);
const SENDER: &str = "sender-1";
const STALE_AFTER: Duration = Duration::seconds(30);

async fn with_channels(backend: Backend) -> Bundle {
    let b = setup_on(backend).await;
    b.channel(&b.acme, CHANNEL, "ops").await;
    b.channel(&b.acme_eu, CHANNEL, "ops").await;
    b
}

fn delivery(key: &str) -> NewDelivery {
    let mut new = NewDelivery::new(key, CHANNEL, format!("event-{key}"), "ops@example.test");
    new.id = Uuid::new_v5(&Uuid::NAMESPACE_OID, key.as_bytes());
    new.subject = Some(format!("subject {key}"));
    new.payload = json!({"key": key, "severity": "high"});
    new
}

async fn enqueue(b: &Bundle, ctx: &TenantContext, new: &NewDelivery) -> Delivery {
    let enqueued = b.notify.deliveries.enqueue(ctx, new).await.unwrap();
    assert!(
        enqueued.created,
        "{} was already queued",
        new.idempotency_key
    );
    enqueued.delivery
}

async fn claim(b: &Bundle, limit: i64) -> Vec<Delivery> {
    b.notify
        .deliveries
        .claim_deliveries(&b.system, SENDER, limit)
        .await
        .unwrap()
}

async fn get(b: &Bundle, ctx: &TenantContext, id: Uuid) -> Delivery {
    b.notify
        .deliveries
        .get_delivery(ctx, id)
        .await
        .unwrap()
        .unwrap()
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn enqueue_queues_a_pending_delivery_due_now(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let new = delivery("k1");
    let created = enqueue(&b, &b.acme, &new).await;
    assert_eq!(
        (
            created.tenant_id.as_str(),
            created.id,
            created.status,
            created.attempts,
            created.max_attempts
        ),
        (
            "acme",
            new.id,
            DeliveryStatus::Pending,
            0,
            DEFAULT_MAX_ATTEMPTS
        )
    );
    assert_eq!(created.next_attempt_at, Some(epoch()));
    assert_eq!(created.created_at, epoch());
    assert_eq!(created.idempotency_key.as_deref(), Some("k1"));
    assert_eq!(created.payload, new.payload);
    assert_eq!(created.claimed_by, None);
    assert_eq!(get(&b, &b.acme, new.id).await, created);

    let mut later = delivery("k2");
    later.due_at = Some(epoch() + Duration::microseconds(1_500_001));
    let deferred = enqueue(&b, &b.acme, &later).await;
    assert_eq!(
        deferred.next_attempt_at,
        Some(epoch() + Duration::microseconds(1_500_001))
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn enqueue_of_a_known_key_returns_the_first_and_writes_nothing(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let first = enqueue(&b, &b.acme, &delivery("k1")).await;
    b.clock.advance(Duration::seconds(5));
    let mut again = delivery("k1");
    again.id = Uuid::from_u128(99);
    again.due_at = Some(epoch() + Duration::hours(1));
    let second = b.notify.deliveries.enqueue(&b.acme, &again).await.unwrap();
    assert_eq!(
        second,
        Enqueued {
            delivery: first.clone(),
            created: false
        }
    );
    assert_eq!(
        b.notify
            .deliveries
            .get_delivery(&b.acme, again.id)
            .await
            .unwrap(),
        None
    );
    // The same key in a related tenant is that tenant's own delivery.
    let other = enqueue(&b, &b.acme_eu, &delivery("k1")).await;
    assert_eq!(other.tenant_id, "acme-eu");

    let mut reused = delivery("k1");
    reused.payload = json!({"key": "k1", "severity": "low"});
    let conflict = b.notify.deliveries.enqueue(&b.acme, &reused).await;
    assert_eq!(
        expect_kind(conflict, ErrorKind::Conflict),
        "delivery conflict: idempotency key is already taken"
    );
    let all = b
        .notify
        .deliveries
        .list_deliveries(&b.acme, &DeliveryQuery::default())
        .await
        .unwrap();
    assert_eq!(all.items, vec![first]);
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn claims_take_due_deliveries_across_tenants_in_order(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let mut expected = Vec::new();
    for (i, ctx) in [&b.acme, &b.acme_eu, &b.acme, &b.acme_eu]
        .into_iter()
        .enumerate()
    {
        let mut new = delivery(&format!("k{i}"));
        // Two share a due time: the id breaks the tie.
        new.due_at = Some(epoch() - Duration::seconds(10 - (i as i64 / 2)));
        expected.push((enqueue(&b, ctx, &new).await.id, new.due_at));
    }
    let mut future = delivery("future");
    future.due_at = Some(epoch() + Duration::microseconds(1));
    let future = enqueue(&b, &b.acme, &future).await;
    expected.sort_by_key(|(id, due)| (*due, *id));

    let first = claim(&b, 3).await;
    assert_eq!(
        first.iter().map(|d| d.id).collect::<Vec<_>>(),
        expected[..3].iter().map(|(id, _)| *id).collect::<Vec<_>>()
    );
    for d in &first {
        assert_eq!(
            (d.status, d.attempts, d.claimed_by.as_deref(), d.claimed_at),
            (DeliveryStatus::Sending, 1, Some(SENDER), Some(epoch()))
        );
    }
    let rest = claim(&b, 3).await;
    assert_eq!(rest.len(), 1, "the future delivery is not due yet");
    assert_eq!(rest[0].id, expected[3].0);
    b.clock.advance(Duration::microseconds(1));
    assert_eq!(claim(&b, 3).await[0].id, future.id);
    assert!(claim(&b, 3).await.is_empty());
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn completion_is_fenced_by_attempt_and_sender(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let queued = enqueue(&b, &b.acme, &delivery("k1")).await;
    let claimed = claim(&b, 1).await.remove(0);
    let token = claimed.claim();
    assert_eq!(token.attempt, 1);
    let queue = &b.notify.deliveries;
    let mut old = token.clone();
    old.attempt = 0;
    assert!(
        !queue
            .complete_delivery(&b.system, &old, SENDER, None)
            .await
            .unwrap()
    );
    assert!(
        !queue
            .complete_delivery(&b.system, &token, "sender-2", None)
            .await
            .unwrap()
    );
    let mut elsewhere = token.clone();
    elsewhere.tenant_id = "acme-eu".to_owned();
    assert!(
        !queue
            .complete_delivery(&b.system, &elsewhere, SENDER, None)
            .await
            .unwrap()
    );
    assert_eq!(
        get(&b, &b.acme, queued.id).await,
        claimed,
        "refused writes change nothing"
    );

    b.clock.advance(Duration::milliseconds(250));
    assert!(
        queue
            .complete_delivery(&b.system, &token, SENDER, Some("msg-1"))
            .await
            .unwrap()
    );
    let sent = get(&b, &b.acme, queued.id).await;
    assert_eq!(
        (
            sent.status,
            sent.sent_at,
            sent.external_id.as_deref(),
            sent.claimed_by.as_deref()
        ),
        (
            DeliveryStatus::Sent,
            Some(epoch() + Duration::milliseconds(250)),
            Some("msg-1"),
            None
        )
    );
    assert!(
        !queue
            .complete_delivery(&b.system, &token, SENDER, None)
            .await
            .unwrap()
    );
    let failed = queue
        .fail_delivery(&b.system, &token, SENDER, &Failure::new("late"))
        .await
        .unwrap();
    assert_eq!(failed, None, "a finished claim cannot fail");
    assert_eq!(get(&b, &b.acme, queued.id).await, sent);
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn failures_back_off_then_dead_letter(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let id = enqueue(&b, &b.acme, &delivery("k1")).await.id;
    let queue = &b.notify.deliveries;
    for attempt in 1..=DEFAULT_MAX_ATTEMPTS {
        let claimed = claim(&b, 5).await;
        assert_eq!(claimed.len(), 1, "attempt {attempt} claims it");
        assert_eq!(claimed[0].attempts, attempt);
        let status = queue
            .fail_delivery(
                &b.system,
                &claimed[0].claim(),
                SENDER,
                &Failure::new(format!("smtp 451 #{attempt}")),
            )
            .await
            .unwrap();
        let after = get(&b, &b.acme, id).await;
        assert_eq!(after.last_error, Some(format!("smtp 451 #{attempt}")));
        assert_eq!(after.claimed_by, None);
        if attempt < DEFAULT_MAX_ATTEMPTS {
            assert_eq!(status, Some(DeliveryStatus::Queued));
            assert_eq!(after.next_attempt_at, Some(b.now() + DEFAULT_BACKOFF));
            b.clock.advance(DEFAULT_BACKOFF - Duration::microseconds(1));
            assert!(claim(&b, 5).await.is_empty(), "not before its back-off");
            b.clock.advance(Duration::microseconds(1));
        } else {
            assert_eq!(status, Some(DeliveryStatus::Failed));
            assert_eq!(
                (after.status, after.failed_at, after.next_attempt_at),
                (DeliveryStatus::Failed, Some(b.now()), None)
            );
        }
    }
    b.clock.advance(Duration::days(1));
    assert!(
        claim(&b, 5).await.is_empty(),
        "a dead letter is never claimed"
    );

    // A redrive puts it back with its attempts restarted; a failure may ask
    // for its own back-off.
    let redriven = queue
        .transition_delivery(&b.acme, id, DeliveryStatus::Queued)
        .await
        .unwrap();
    assert_eq!(
        (
            redriven.status,
            redriven.attempts,
            redriven.next_attempt_at,
            redriven.failed_at
        ),
        (DeliveryStatus::Queued, 0, Some(b.now()), None)
    );
    let claimed = claim(&b, 1).await.remove(0);
    let mut failure = Failure::new("rate limited");
    failure.retry_after = Duration::microseconds(1_234_567);
    queue
        .fail_delivery(&b.system, &claimed.claim(), SENDER, &failure)
        .await
        .unwrap();
    assert_eq!(
        get(&b, &b.acme, id).await.next_attempt_at,
        Some(b.now() + Duration::microseconds(1_234_567))
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn stale_claims_are_rescued_and_their_late_writes_refused(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let mut once = delivery("once");
    once.max_attempts = 1;
    let once = enqueue(&b, &b.acme, &once).await.id;
    let twice = enqueue(&b, &b.acme_eu, &delivery("twice")).await.id;
    let claimed = claim(&b, 5).await;
    assert_eq!(claimed.len(), 2);
    let queue = &b.notify.deliveries;

    b.clock.advance(STALE_AFTER);
    assert_eq!(
        queue
            .rescue_stale_deliveries(&b.system, STALE_AFTER)
            .await
            .unwrap(),
        0,
        "exactly stale_after old is kept"
    );
    b.clock.advance(Duration::microseconds(1));
    assert_eq!(
        queue
            .rescue_stale_deliveries(&b.system, STALE_AFTER)
            .await
            .unwrap(),
        2
    );

    let dead = get(&b, &b.acme, once).await;
    assert_eq!(
        (
            dead.status,
            dead.last_error.as_deref(),
            dead.failed_at,
            dead.claimed_by
        ),
        (
            DeliveryStatus::Failed,
            Some(RESCUE_EXHAUSTED),
            Some(b.now()),
            None
        )
    );
    let back = get(&b, &b.acme_eu, twice).await;
    assert_eq!(
        (
            back.status,
            back.attempts,
            back.next_attempt_at,
            back.claimed_at
        ),
        (DeliveryStatus::Queued, 1, Some(b.now()), None)
    );
    for stale in &claimed {
        assert!(
            !queue
                .complete_delivery(&b.system, &stale.claim(), SENDER, None)
                .await
                .unwrap()
        );
    }
    let again = claim(&b, 5).await;
    assert_eq!((again.len(), again[0].id, again[0].attempts), (1, twice, 2));
}

/// A delivery of acme brought to `status` through the queue's own
/// operations; the `seq`th is due before every earlier one, so it is the
/// one a claim takes.
async fn in_status(b: &Bundle, seq: i64, status: DeliveryStatus) -> Delivery {
    let mut new = delivery(&format!("status-{seq}"));
    new.due_at = Some(epoch() - Duration::seconds(seq));
    if status == DeliveryStatus::Failed {
        new.max_attempts = 1;
    }
    let queue = &b.notify.deliveries;
    let id = enqueue(b, &b.acme, &new).await.id;
    use DeliveryStatus::*;
    if !matches!(status, Pending | Suppressed) {
        let claimed = claim(b, 1).await.remove(0);
        assert_eq!(claimed.id, id);
        match status {
            Queued | Failed => {
                queue
                    .fail_delivery(&b.system, &claimed.claim(), SENDER, &Failure::new("x"))
                    .await
                    .unwrap();
            }
            Sent | Delivered | Bounced => {
                queue
                    .complete_delivery(&b.system, &claimed.claim(), SENDER, None)
                    .await
                    .unwrap();
            }
            _ => {}
        }
        if matches!(status, Delivered | Bounced) {
            queue
                .transition_delivery(&b.acme, id, status)
                .await
                .unwrap();
        }
    }
    if status == Suppressed {
        queue
            .transition_delivery(&b.acme, id, status)
            .await
            .unwrap();
    }
    let delivery = get(b, &b.acme, id).await;
    assert_eq!(delivery.status, status);
    delivery
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn changes_by_hand_follow_the_transition_table(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let mut legal = Vec::new();
    for (i, from) in DeliveryStatus::ALL.iter().enumerate() {
        for (j, to) in DeliveryStatus::ALL.iter().enumerate() {
            let before = in_status(&b, (i * 8 + j + 1) as i64, *from).await;
            let result = b
                .notify
                .deliveries
                .transition_delivery(&b.acme, before.id, *to)
                .await;
            if from.by_hand(*to) {
                let after = result.unwrap();
                assert_eq!(after.status, *to);
                legal.push(format!("{from}->{to}"));
            } else {
                assert_eq!(
                    expect_kind(result, ErrorKind::Conflict),
                    format!("delivery cannot go from {from} to {to}")
                );
                assert_eq!(
                    get(&b, &b.acme, before.id).await,
                    before,
                    "{from}->{to} wrote"
                );
            }
        }
    }
    assert_eq!(
        legal,
        [
            "pending->suppressed",
            "queued->suppressed",
            "sent->delivered",
            "sent->bounced",
            "failed->queued"
        ]
    );
    let missing = b
        .notify
        .deliveries
        .transition_delivery(&b.acme_eu, Uuid::from_u128(7), DeliveryStatus::Queued)
        .await;
    assert_eq!(
        expect_kind(missing, ErrorKind::NotFound),
        "delivery not found"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn lists_page_by_creation_both_ways_with_a_status_filter(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        // Pairs share a creation time: the id orders them.
        if i % 2 == 0 {
            b.clock.advance(Duration::microseconds(1));
        }
        ids.push(enqueue(&b, &b.acme, &delivery(&format!("k{i}"))).await);
    }
    enqueue(&b, &b.acme_eu, &delivery("other")).await;
    ids.sort_by_key(|d| (d.created_at, d.id));
    let queue = &b.notify.deliveries;
    let acme = &b.acme;
    let page = |request: PageRequest, status: Option<DeliveryStatus>| {
        let query = DeliveryQuery {
            status,
            page: request,
        };
        async move { queue.list_deliveries(acme, &query).await.unwrap() }
    };
    let mut seen = Vec::new();
    let mut current: Page<Delivery> = page(PageRequest::first(3), None).await;
    loop {
        seen.extend(current.items.iter().map(|d| d.id));
        let Some(next) = current.next.clone() else {
            break;
        };
        current = page(PageRequest::after(3, next), None).await;
    }
    assert_eq!(seen, ids.iter().map(|d| d.id).collect::<Vec<_>>());
    let back = page(PageRequest::before(3, seen_key(&ids[3])), None).await;
    assert_eq!(
        back.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![ids[0].id, ids[1].id, ids[2].id]
    );
    assert_eq!(back.previous, None, "nothing before the first three");
    let middle = page(PageRequest::before(2, seen_key(&ids[4])), None).await;
    assert_eq!(
        middle.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![ids[2].id, ids[3].id]
    );
    assert_eq!(middle.previous, Some(seen_key(&ids[2])));

    claim(&b, 2).await;
    let sending = page(PageRequest::first(10), Some(DeliveryStatus::Sending)).await;
    assert_eq!(
        sending.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![ids[0].id, ids[1].id]
    );
    let bad = queue
        .list_deliveries(
            &b.acme,
            &DeliveryQuery {
                status: None,
                page: PageRequest::after(3, "yesterday"),
            },
        )
        .await;
    expect_kind(bad, ErrorKind::InvalidInput);
}

fn seen_key(d: &Delivery) -> String {
    format!(
        "{}/{}",
        d.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        d.id
    )
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn deleting_the_channel_takes_its_deliveries_and_a_rule_leaves_them(
    #[case] backend: Backend,
) {
    let b = with_channels(backend).await;
    let rule = b
        .notify
        .rules
        .create_rule(
            &b.acme,
            Uuid::from_u128(0x5),
            &RuleFields::new("r", "scan.completed", CHANNEL),
        )
        .await
        .unwrap();
    let mut new = delivery("k1");
    new.rule_id = Some(rule.id);
    let id = enqueue(&b, &b.acme, &new).await.id;
    let kept = enqueue(&b, &b.acme_eu, &delivery("k1")).await;
    assert!(b.notify.rules.delete_rule(&b.acme, rule.id).await.unwrap());
    assert_eq!(get(&b, &b.acme, id).await.rule_id, None);
    assert!(
        b.notify
            .channels
            .delete_channel(&b.acme, CHANNEL)
            .await
            .unwrap()
    );
    assert_eq!(
        b.notify.deliveries.get_delivery(&b.acme, id).await.unwrap(),
        None
    );
    assert_eq!(
        get(&b, &b.acme_eu, kept.id).await,
        kept,
        "the related tenant keeps its own"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn bad_requests_are_refused_and_write_nothing(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let queue = &b.notify.deliveries;
    let acme = &b.acme;
    let refused = |new: NewDelivery| async move { queue.enqueue(acme, &new).await };
    let mut empty = delivery("k");
    empty.idempotency_key = String::new();
    assert_eq!(
        expect_kind(refused(empty).await, ErrorKind::InvalidInput),
        "invalid idempotency key: must not be empty"
    );
    for attempts in [0, -1, MAX_DELIVERY_ATTEMPTS + 1] {
        let mut new = delivery("k");
        new.max_attempts = attempts;
        let message = expect_kind(refused(new).await, ErrorKind::InvalidInput);
        assert!(message.starts_with("invalid max attempts"), "{message}");
    }
    let mut array = delivery("k");
    array.payload = json!([1]);
    expect_kind(refused(array).await, ErrorKind::InvalidInput);
    let mut nowhere = delivery("k");
    nowhere.channel_id = Uuid::from_u128(0xdead);
    assert_eq!(
        expect_kind(refused(nowhere).await, ErrorKind::NotFound),
        "channel not found"
    );
    // A rule of the related tenant is not this tenant's.
    b.notify
        .rules
        .create_rule(
            &b.acme_eu,
            Uuid::from_u128(0x6),
            &RuleFields::new("r", "scan.completed", CHANNEL),
        )
        .await
        .unwrap();
    let mut foreign = delivery("k");
    foreign.rule_id = Some(Uuid::from_u128(0x6));
    assert_eq!(
        expect_kind(refused(foreign).await, ErrorKind::NotFound),
        "rule not found"
    );
    let first = enqueue(&b, &b.acme, &delivery("k")).await;
    let mut same_event = delivery("k-other-key");
    same_event.event_id = first.event_id.clone();
    assert_eq!(
        expect_kind(refused(same_event).await, ErrorKind::Conflict),
        "delivery conflict: event and recipient on the channel is already taken"
    );

    for limit in [0, -1, MAX_DELIVERY_CLAIM + 1] {
        let result = queue.claim_deliveries(&b.system, SENDER, limit).await;
        assert!(expect_kind(result, ErrorKind::InvalidInput).starts_with("invalid claim limit"));
    }
    expect_kind(
        queue.claim_deliveries(&b.system, "", 1).await,
        ErrorKind::InvalidInput,
    );
    for stale in [Duration::zero(), Duration::seconds(-1)] {
        expect_kind(
            queue.rescue_stale_deliveries(&b.system, stale).await,
            ErrorKind::InvalidInput,
        );
    }
    let claimed = claim(&b, 1).await.remove(0);
    for retry_after in [
        Duration::zero(),
        Duration::seconds(-60),
        MAX_BACKOFF + Duration::microseconds(1),
    ] {
        let mut failure = Failure::new("x");
        failure.retry_after = retry_after;
        let result = queue
            .fail_delivery(&b.system, &claimed.claim(), SENDER, &failure)
            .await;
        assert!(expect_kind(result, ErrorKind::InvalidInput).starts_with("invalid retry after"));
    }
    let all = queue
        .list_deliveries(&b.acme, &DeliveryQuery::default())
        .await
        .unwrap();
    assert_eq!(
        all.items,
        vec![claimed],
        "only the one good delivery, still claimed"
    );
}
