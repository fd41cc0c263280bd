//! Quiet hours and maintenance windows on both backends: wall-clock windows
//! across both DST changes of Europe/Berlin and the same dates in
//! Asia/Tokyo (no DST), overnight and chained windows, deliveries deferred
//! to the end, maintenance by event kind, and what a bad request is told.
//! Every expected instant is written out by hand.

use chrono::{DateTime, NaiveTime, Utc};
use rstest::rstest;
use stellaops_storage::notify::*;
use stellaops_storage::page::PageRequest;
use stellaops_storage::{Backend, ErrorKind};
use uuid::Uuid;

use crate::support::{Bundle, expect_kind, setup_on};

const CHANNEL: Uuid = Uuid::from_u128(0xc0);
const OTHER: Uuid = Uuid::from_u128(0xc1);

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn time(text: &str) -> NaiveTime {
    text.parse().unwrap()
}

async fn with_channels(backend: Backend) -> Bundle {
    let b = setup_on(backend).await;
    b.channel(&b.acme, CHANNEL, "ops").await;
    b.channel(&b.acme, OTHER, "other").await;
    b.channel(&b.acme_eu, CHANNEL, "ops").await;
    b
}

async fn quiet(b: &Bundle, id: u128, zone: &str, from: &str, to: &str, days: &[i16]) -> QuietHours {
    let mut fields = QuietHoursFields::new(format!("quiet-{id}"), zone, time(from), time(to));
    fields.days_of_week = days.to_vec();
    b.notify
        .quiet_hours
        .create_quiet_hours(&b.acme, Uuid::from_u128(id), &fields)
        .await
        .unwrap()
}

async fn until(b: &Bundle, instant: &str) -> Option<String> {
    b.notify
        .quiet_hours
        .quiet_until(&b.acme, CHANNEL, at(instant))
        .await
        .unwrap()
        .map(|end| end.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

const EVERY_DAY: &[i16] = &[1, 2, 3, 4, 5, 6, 7];

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn a_window_starting_in_the_spring_gap_begins_when_the_gap_ends(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    // Berlin skips 02:00-03:00 on 2026-03-29 (01:00Z).
    quiet(&b, 1, "Europe/Berlin", "02:30", "04:00", EVERY_DAY).await;
    assert_eq!(until(&b, "2026-03-29T00:59:59.999999Z").await, None);
    assert_eq!(
        until(&b, "2026-03-29T01:00:00Z").await.as_deref(),
        Some("2026-03-29T02:00:00.000000Z")
    );
    assert_eq!(until(&b, "2026-03-29T02:00:00Z").await, None);
    // The day before, in CET: 01:30Z to 03:00Z.
    assert_eq!(until(&b, "2026-03-28T01:29:59.999999Z").await, None);
    assert_eq!(
        until(&b, "2026-03-28T01:30:00Z").await.as_deref(),
        Some("2026-03-28T03:00:00.000000Z")
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn a_window_across_the_fall_back_hour_holds_through_both_passes(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    // Berlin shows 02:00-03:00 twice on 2026-10-25: CEST until 01:00Z, then CET.
    quiet(&b, 1, "Europe/Berlin", "01:30", "02:30", EVERY_DAY).await;
    assert_eq!(until(&b, "2026-10-24T23:29:59.999999Z").await, None);
    // 01:30 CEST to the second 02:30 (CET): two hours.
    assert_eq!(
        until(&b, "2026-10-24T23:30:00Z").await.as_deref(),
        Some("2026-10-25T01:30:00.000000Z")
    );
    assert_eq!(
        until(&b, "2026-10-25T00:45:00Z").await.as_deref(),
        Some("2026-10-25T01:30:00.000000Z")
    );
    assert_eq!(
        until(&b, "2026-10-25T01:29:59.999999Z").await.as_deref(),
        Some("2026-10-25T01:30:00.000000Z")
    );
    assert_eq!(until(&b, "2026-10-25T01:30:00Z").await, None);
    // The next day, in CET: one hour.
    assert_eq!(
        until(&b, "2026-10-26T00:30:00Z").await.as_deref(),
        Some("2026-10-26T01:30:00.000000Z")
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn a_zone_without_dst_keeps_its_hours_on_those_dates(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    quiet(&b, 1, "Asia/Tokyo", "02:30", "04:00", EVERY_DAY).await;
    quiet(&b, 2, "Asia/Tokyo", "12:30", "13:30", EVERY_DAY).await;
    // 02:30 JST on 2026-03-29 is 17:30Z the day before.
    assert_eq!(
        until(&b, "2026-03-28T17:30:00Z").await.as_deref(),
        Some("2026-03-28T19:00:00.000000Z")
    );
    assert_eq!(until(&b, "2026-03-28T17:29:59.999999Z").await, None);
    assert_eq!(
        until(&b, "2026-10-25T03:30:00Z").await.as_deref(),
        Some("2026-10-25T04:30:00.000000Z")
    );
    assert_eq!(until(&b, "2026-10-25T04:30:00Z").await, None);
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn overnight_windows_start_on_their_listed_days_and_windows_chain(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    // Weeknights (Monday to Friday evenings) 22:00-07:00, Berlin.
    quiet(&b, 1, "Europe/Berlin", "22:00", "07:00", &[1, 2, 3, 4, 5]).await;
    // Friday 2026-03-27 22:00 CET to Saturday 07:00 CET.
    assert_eq!(
        until(&b, "2026-03-27T21:00:00Z").await.as_deref(),
        Some("2026-03-28T06:00:00.000000Z")
    );
    assert_eq!(
        until(&b, "2026-03-28T05:59:59Z").await.as_deref(),
        Some("2026-03-28T06:00:00.000000Z")
    );
    assert_eq!(
        until(&b, "2026-03-28T22:00:00Z").await,
        None,
        "Saturday evening is not listed"
    );
    // Sunday 2026-03-29 is not listed either, so the spring night is loud.
    assert_eq!(until(&b, "2026-03-29T23:00:00Z").await, None);
    // Monday 2026-03-30 22:00 CEST = 20:00Z, to 07:00 CEST = 05:00Z.
    assert_eq!(
        until(&b, "2026-03-30T20:00:00Z").await.as_deref(),
        Some("2026-03-31T05:00:00.000000Z")
    );

    // Saturday night 22:00-07:00 spanning the spring gap is 8 real hours,
    // and a second window touching its end chains on until 09:00 CEST.
    quiet(&b, 2, "Europe/Berlin", "22:00", "07:00", &[6]).await;
    quiet(&b, 3, "Europe/Berlin", "07:00", "09:00", &[7]).await;
    assert_eq!(
        until(&b, "2026-03-28T21:00:00Z").await.as_deref(),
        Some("2026-03-29T07:00:00.000000Z")
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn deliveries_due_in_quiet_hours_are_deferred_to_their_end(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let mut only_ops =
        QuietHoursFields::new("ops-nights", "Europe/Berlin", time("22:00"), time("07:00"));
    only_ops.channel_id = Some(CHANNEL);
    b.notify
        .quiet_hours
        .create_quiet_hours(&b.acme, Uuid::from_u128(1), &only_ops)
        .await
        .unwrap();
    let mut off = QuietHoursFields::new("disabled", "UTC", time("00:00"), time("23:59"));
    off.enabled = false;
    b.notify
        .quiet_hours
        .create_quiet_hours(&b.acme, Uuid::from_u128(2), &off)
        .await
        .unwrap();

    b.clock.set(at("2026-03-27T23:15:00.5Z"));
    let mut new = NewDelivery::new("k1", CHANNEL, "e1", "ops@example.test");
    let deferred = b
        .notify
        .deliveries
        .enqueue(&b.acme, &new)
        .await
        .unwrap()
        .delivery;
    assert_eq!(deferred.next_attempt_at, Some(at("2026-03-28T06:00:00Z")));
    new = NewDelivery::new("k2", OTHER, "e1", "ops@example.test");
    let loud = b
        .notify
        .deliveries
        .enqueue(&b.acme, &new)
        .await
        .unwrap()
        .delivery;
    assert_eq!(
        loud.next_attempt_at,
        Some(b.now()),
        "another channel is not quiet"
    );
    new = NewDelivery::new("k1", CHANNEL, "e1", "ops@example.test");
    let theirs = b
        .notify
        .deliveries
        .enqueue(&b.acme_eu, &new)
        .await
        .unwrap()
        .delivery;
    assert_eq!(
        theirs.next_attempt_at,
        Some(b.now()),
        "acme's quiet hours are not acme-eu's"
    );
    assert!(
        b.notify
            .deliveries
            .claim_deliveries(&b.system, "s", 10)
            .await
            .unwrap()
            .iter()
            .all(|d| d.id != deferred.id),
        "a deferred delivery is not claimed in the quiet"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn quiet_hours_are_kept_by_name_and_bad_ones_refused(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let qh = &b.notify.quiet_hours;
    let created = quiet(
        &b,
        1,
        "Europe/Berlin",
        "22:00:00.1234567",
        "07:00",
        &[5, 1, 3],
    )
    .await;
    assert_eq!(created.days_of_week, vec![1, 3, 5], "days sorted");
    assert_eq!(
        created.starts_at,
        time("22:00:00.123456"),
        "to the microsecond"
    );
    assert_eq!(
        qh.get_quiet_hours(&b.acme, created.id).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        qh.get_quiet_hours(&b.acme_eu, created.id).await.unwrap(),
        None
    );
    let mut renamed = QuietHoursFields::new("weekends", "UTC", time("00:00"), time("12:00"));
    renamed.days_of_week = vec![6, 7];
    let updated = qh
        .update_quiet_hours(&b.acme, created.id, &renamed)
        .await
        .unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.timezone.as_str()),
        ("weekends", "UTC")
    );
    let duplicate = qh
        .create_quiet_hours(&b.acme, Uuid::from_u128(2), &renamed)
        .await;
    assert_eq!(
        expect_kind(duplicate, ErrorKind::Conflict),
        "quiet hours conflict: name is already taken"
    );

    let bad = |zone: &str, from: &str, to: &str, days: Vec<i16>| {
        let mut fields = QuietHoursFields::new("bad", zone, time(from), time(to));
        fields.days_of_week = days;
        fields
    };
    let refused = [
        (
            bad("Mars/Olympus_Mons", "22:00", "07:00", vec![1]),
            "invalid time zone: \"Mars/Olympus_Mons\" is not an IANA time zone",
        ),
        (
            bad("", "22:00", "07:00", vec![1]),
            "invalid time zone: must not be empty",
        ),
        (bad("UTC", "22:00", "07:00", vec![]), "invalid days of week"),
        (
            bad("UTC", "22:00", "07:00", vec![0]),
            "invalid days of week",
        ),
        (
            bad("UTC", "22:00", "07:00", vec![8]),
            "invalid days of week",
        ),
        (
            bad("UTC", "22:00", "07:00", vec![2, 2]),
            "invalid days of week",
        ),
        (
            bad("UTC", "07:00", "07:00", vec![1]),
            "invalid quiet hours: start and end are both 07:00:00",
        ),
    ];
    for (fields, expected) in refused {
        let message = expect_kind(
            qh.create_quiet_hours(&b.acme, Uuid::from_u128(3), &fields)
                .await,
            ErrorKind::InvalidInput,
        );
        assert!(message.starts_with(expected), "{message}");
    }
    let mut foreign = bad("UTC", "22:00", "07:00", vec![1]);
    foreign.channel_id = Some(Uuid::from_u128(0xdead));
    let missing = qh
        .create_quiet_hours(&b.acme, Uuid::from_u128(3), &foreign)
        .await;
    assert_eq!(
        expect_kind(missing, ErrorKind::NotFound),
        "channel not found"
    );
    assert_eq!(
        qh.list_quiet_hours(&b.acme).await.unwrap(),
        vec![updated.clone()]
    );
    assert!(qh.delete_quiet_hours(&b.acme, updated.id).await.unwrap());
    assert!(!qh.delete_quiet_hours(&b.acme, updated.id).await.unwrap());
}

fn window(id: u128, from: &str, to: &str, kinds: &[&str]) -> NewMaintenanceWindow {
    NewMaintenanceWindow {
        id: Uuid::from_u128(id),
        name: format!("upgrade-{id}"),
        description: Some("database upgrade".to_owned()),
        suppressed_event_kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
        starts_at: at(from),
        ends_at: at(to),
        created_by: "alice".to_owned(),
    }
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn maintenance_suppresses_its_kinds_from_start_until_end(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let mw = &b.notify.maintenance;
    let scans = mw
        .schedule_maintenance(
            &b.acme,
            &window(
                1,
                "2026-03-01T10:00:00Z",
                "2026-03-01T12:00:00Z",
                &["scan.failed", "scan.completed", "scan.failed"],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        scans.suppressed_event_kinds,
        ["scan.completed", "scan.failed"]
    );
    let all = mw
        .schedule_maintenance(
            &b.acme,
            &window(
                2,
                "2026-03-01T11:00:00Z",
                "2026-03-01T11:30:00.000001Z",
                &[],
            ),
        )
        .await
        .unwrap();
    let suppressing = |kind: &'static str, instant: &'static str| {
        let acme = &b.acme;
        async move {
            mw.suppressing(acme, kind, at(instant))
                .await
                .unwrap()
                .map(|w| w.id)
        }
    };
    assert_eq!(
        suppressing("scan.failed", "2026-03-01T09:59:59.999999Z").await,
        None
    );
    assert_eq!(
        suppressing("scan.failed", "2026-03-01T10:00:00Z").await,
        Some(scans.id)
    );
    assert_eq!(
        suppressing("policy.changed", "2026-03-01T10:30:00Z").await,
        None,
        "not its kind"
    );
    assert_eq!(
        suppressing("policy.changed", "2026-03-01T11:00:00Z").await,
        Some(all.id),
        "every kind"
    );
    assert_eq!(
        suppressing("scan.failed", "2026-03-01T11:15:00Z").await,
        Some(scans.id),
        "the one ending last"
    );
    assert_eq!(
        suppressing("scan.failed", "2026-03-01T12:00:00Z").await,
        None,
        "the end is not in it"
    );
    assert_eq!(
        mw.suppressing(&b.acme_eu, "scan.failed", at("2026-03-01T10:30:00Z"))
            .await
            .unwrap(),
        None
    );

    let page = mw
        .list_maintenance(&b.acme, &PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(page.items, vec![scans.clone()]);
    let next = mw
        .list_maintenance(&b.acme, &PageRequest::after(1, page.next.unwrap()))
        .await
        .unwrap();
    assert_eq!((next.items, next.next), (vec![all.clone()], None));

    for (from, to) in [
        ("2026-03-01T12:00:00Z", "2026-03-01T10:00:00Z"),
        ("2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z"),
    ] {
        let refused = mw
            .schedule_maintenance(&b.acme, &window(3, from, to, &[]))
            .await;
        assert!(
            expect_kind(refused, ErrorKind::InvalidInput)
                .starts_with("invalid maintenance window: ends at")
        );
    }
    let mut nameless = window(3, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", &[]);
    nameless.name = String::new();
    expect_kind(
        mw.schedule_maintenance(&b.acme, &nameless).await,
        ErrorKind::InvalidInput,
    );
    let twice = mw
        .schedule_maintenance(
            &b.acme,
            &window(1, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z", &[]),
        )
        .await;
    assert_eq!(
        expect_kind(twice, ErrorKind::Conflict),
        "maintenance window conflict: id is already taken"
    );
    assert_eq!(
        mw.get_maintenance(&b.acme, Uuid::from_u128(3))
            .await
            .unwrap(),
        None
    );
    assert!(mw.cancel_maintenance(&b.acme, scans.id).await.unwrap());
    assert!(
        !mw.cancel_maintenance(&b.acme_eu, all.id).await.unwrap(),
        "not the related tenant's to cancel"
    );
    assert_eq!(
        suppressing("scan.failed", "2026-03-01T10:30:00Z").await,
        None
    );
}
