//! Digests on both backends: events gathered in aligned windows, an event
//! counted once, a window flushed once into one delivery when it has ended,
//! and what a bad request is told.

use chrono::{DateTime, Duration, Utc};
use rstest::rstest;
use serde_json::json;
use stellaops_storage::notify::*;
use stellaops_storage::page::PageRequest;
use stellaops_storage::{Backend, ErrorKind, TenantContext};
use uuid::Uuid;

use crate::support::{Bundle, epoch, expect_kind, setup_on};

const CHANNEL: Uuid = Uuid::from_u128(0xc0);

async fn with_channels(backend: Backend) -> Bundle {
    let b = setup_on(backend).await;
    b.channel(&b.acme, CHANNEL, "ops").await;
    b.channel(&b.acme_eu, CHANNEL, "ops").await;
    b
}

fn event(window: DigestWindow, event_id: &str) -> DigestEvent {
    DigestEvent {
        channel_id: CHANNEL,
        recipient: "ops@example.test".to_owned(),
        action: "scan.completed".to_owned(),
        window,
        event_id: event_id.to_owned(),
        event: json!({"scan": event_id, "findings": 3}),
    }
}

async fn append(b: &Bundle, ctx: &TenantContext, e: &DigestEvent) -> Digest {
    b.notify.digests.append_to_digest(ctx, e).await.unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn windows_are_aligned_and_every_replica_finds_the_same(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    // epoch() is 2026-03-01T12:00:00.123456Z.
    let expected = [
        (
            DigestWindow::Instant,
            "2026-03-01T12:00:00.123456Z",
            "2026-03-01T12:00:00.123457Z",
        ),
        (
            DigestWindow::FiveMinutes,
            "2026-03-01T12:00:00Z",
            "2026-03-01T12:05:00Z",
        ),
        (
            DigestWindow::FifteenMinutes,
            "2026-03-01T12:00:00Z",
            "2026-03-01T12:15:00Z",
        ),
        (
            DigestWindow::Hour,
            "2026-03-01T12:00:00Z",
            "2026-03-01T13:00:00Z",
        ),
        (
            DigestWindow::Day,
            "2026-03-01T00:00:00Z",
            "2026-03-02T00:00:00Z",
        ),
    ];
    for (window, start, end) in expected {
        let digest = append(&b, &b.acme, &event(window, "e1")).await;
        assert_eq!(
            (digest.window_start, digest.window_end),
            (at(start), at(end)),
            "{window}"
        );
        assert_eq!(
            digest.digest_key,
            format!("scan.completed@{window}>ops@example.test")
        );
        assert_eq!(
            (digest.status, digest.event_count),
            (DigestStatus::Collecting, 1)
        );
        // The same window on the related tenant is its own, with its own id.
        let theirs = append(&b, &b.acme_eu, &event(window, "e1")).await;
        assert_eq!(theirs.window_start, digest.window_start);
        assert_ne!(theirs.id, digest.id);
    }
    let all = b
        .notify
        .digests
        .list_digests(&b.acme, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(all.items.len(), 5);
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn events_gather_once_each_until_the_window_ends(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let first = append(&b, &b.acme, &event(DigestWindow::FiveMinutes, "e1")).await;
    b.clock.set(at("2026-03-01T12:04:59.999999Z"));
    let second = append(&b, &b.acme, &event(DigestWindow::FiveMinutes, "e2")).await;
    assert_eq!(second.id, first.id);
    let again = append(&b, &b.acme, &event(DigestWindow::FiveMinutes, "e1")).await;
    assert_eq!(
        again, second,
        "an event the window holds is not added again"
    );
    assert_eq!(
        again.events,
        json!([
            {"event_id": "e1", "event": {"scan": "e1", "findings": 3}},
            {"event_id": "e2", "event": {"scan": "e2", "findings": 3}},
        ])
    );
    let mut elsewhere = event(DigestWindow::FiveMinutes, "e3");
    elsewhere.recipient = "security@example.test".to_owned();
    assert_ne!(
        append(&b, &b.acme, &elsewhere).await.id,
        first.id,
        "another recipient, another window"
    );

    b.clock.set(at("2026-03-01T12:05:00Z"));
    let next = append(&b, &b.acme, &event(DigestWindow::FiveMinutes, "e4")).await;
    assert_ne!(next.id, first.id, "the window's end belongs to the next");
    assert_eq!(next.window_start, at("2026-03-01T12:05:00Z"));
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn an_ended_window_flushes_once_into_one_delivery(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let digests = &b.notify.digests;
    append(&b, &b.acme, &event(DigestWindow::FiveMinutes, "e1")).await;
    let open = append(&b, &b.acme, &event(DigestWindow::FiveMinutes, "e2")).await;
    let other = append(&b, &b.acme_eu, &event(DigestWindow::Hour, "e1")).await;

    b.clock.set(at("2026-03-01T12:04:59.999999Z"));
    assert!(
        digests
            .flush_digests(&b.system, 10)
            .await
            .unwrap()
            .is_empty(),
        "not before its end"
    );
    b.clock.set(at("2026-03-01T12:05:00Z"));
    let made = digests.flush_digests(&b.system, 10).await.unwrap();
    assert_eq!(made.len(), 1, "only the ended window");
    let delivery = &made[0];
    let key = format!("digest:{}", open.id);
    assert_eq!(
        (
            delivery.tenant_id.as_str(),
            delivery.id,
            delivery.idempotency_key.as_deref(),
            delivery.event_id.as_str(),
            delivery.recipient.as_str(),
            delivery.status,
            delivery.next_attempt_at,
        ),
        (
            "acme",
            open.id,
            Some(key.as_str()),
            key.as_str(),
            "ops@example.test",
            DeliveryStatus::Pending,
            Some(b.now())
        )
    );
    assert_eq!(
        delivery.payload,
        json!({"digest_key": open.digest_key, "event_count": 2, "events": open.events})
    );
    assert_eq!(
        b.notify
            .deliveries
            .get_delivery(&b.acme, open.id)
            .await
            .unwrap()
            .as_ref(),
        Some(delivery)
    );
    let flushed = digests.get_digest(&b.acme, open.id).await.unwrap().unwrap();
    assert_eq!(
        (flushed.status, flushed.sent_at),
        (DigestStatus::Sent, Some(b.now()))
    );
    assert!(
        digests
            .flush_digests(&b.system, 10)
            .await
            .unwrap()
            .is_empty(),
        "flushed once"
    );

    // A replica whose clock lags appends to the flushed window: refused.
    b.clock.set(at("2026-03-01T12:04:00Z"));
    let late = digests
        .append_to_digest(&b.acme, &event(DigestWindow::FiveMinutes, "e9"))
        .await;
    assert_eq!(
        expect_kind(late, ErrorKind::Conflict),
        "digest cannot go from sent to collecting"
    );
    assert_eq!(
        digests.get_digest(&b.acme, open.id).await.unwrap().unwrap(),
        flushed
    );

    b.clock.set(at("2026-03-01T13:00:00Z"));
    let made = digests.flush_digests(&b.system, 10).await.unwrap();
    assert_eq!(
        made.iter()
            .map(|d| (d.tenant_id.as_str(), d.id))
            .collect::<Vec<_>>(),
        [("acme-eu", other.id)]
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn flushes_take_their_limit_in_window_order(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let mut expected = Vec::new();
    for i in 0..5 {
        b.clock.set(epoch() + Duration::microseconds(i));
        expected.push(
            append(&b, &b.acme, &event(DigestWindow::Instant, &format!("e{i}")))
                .await
                .id,
        );
    }
    b.clock.set(epoch() + Duration::seconds(1));
    let first = b.notify.digests.flush_digests(&b.system, 3).await.unwrap();
    let rest = b.notify.digests.flush_digests(&b.system, 3).await.unwrap();
    let mut taken_first: Vec<Uuid> = expected[..3].to_vec();
    taken_first.sort();
    let mut taken_rest: Vec<Uuid> = expected[3..].to_vec();
    taken_rest.sort();
    assert_eq!(
        first.iter().map(|d| d.id).collect::<Vec<_>>(),
        taken_first,
        "the earliest windows first"
    );
    assert_eq!(rest.iter().map(|d| d.id).collect::<Vec<_>>(), taken_rest);
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn bad_digest_requests_are_refused_and_write_nothing(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let digests = &b.notify.digests;
    let acme = &b.acme;
    let refused = |e: DigestEvent| async move { digests.append_to_digest(acme, &e).await };
    let mut no_action = event(DigestWindow::Hour, "e1");
    no_action.action = String::new();
    assert_eq!(
        expect_kind(refused(no_action).await, ErrorKind::InvalidInput),
        "invalid digest action: must not be empty"
    );
    let mut not_object = event(DigestWindow::Hour, "e1");
    not_object.event = json!("text");
    expect_kind(refused(not_object).await, ErrorKind::InvalidInput);
    let mut nowhere = event(DigestWindow::Hour, "e1");
    nowhere.channel_id = Uuid::from_u128(0xdead);
    assert_eq!(
        expect_kind(refused(nowhere).await, ErrorKind::NotFound),
        "channel not found"
    );
    for limit in [0, -1, MAX_DIGEST_FLUSH + 1] {
        let result = digests.flush_digests(&b.system, limit).await;
        assert!(expect_kind(result, ErrorKind::InvalidInput).starts_with("invalid flush limit"));
    }
    let all = digests
        .list_digests(&b.acme, &PageRequest::first(10))
        .await
        .unwrap();
    assert!(all.items.is_empty(), "{:?}", all.items);
}
