//! On-call schedules on both backends: hand-over at the exact local
//! midnight across both DST changes of Europe/Berlin, a day whose midnight
//! America/Santiago skips, a zone without DST, overrides that cut shifts,
//! and what a bad schedule is told. Expected shifts are written out by hand
//! (week k since the Monday 1970-01-05 goes to participant k mod n).

use chrono::{DateTime, Utc};
use rstest::rstest;
use stellaops_storage::notify::*;
use stellaops_storage::{Backend, ErrorKind};
use uuid::Uuid;

use crate::support::{Bundle, expect_kind, setup_on};

const SCHEDULE: Uuid = Uuid::from_u128(0x5c);

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn who(b: &Bundle, instant: &str) -> Option<(String, String, String, bool)> {
    b.notify
        .on_call
        .on_call(&b.acme, SCHEDULE, at(instant))
        .await
        .unwrap()
        .map(|o| {
            let fmt = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            (o.user, fmt(o.from), fmt(o.until), o.by_override)
        })
}

fn shift(
    user: &str,
    from: &str,
    until: &str,
    by_override: bool,
) -> Option<(String, String, String, bool)> {
    Some((
        user.to_owned(),
        from.to_owned(),
        until.to_owned(),
        by_override,
    ))
}

async fn schedule(b: &Bundle, fields: ScheduleFields) -> OnCallSchedule {
    b.notify
        .on_call
        .create_schedule(&b.acme, SCHEDULE, &fields)
        .await
        .unwrap()
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn weekly_hand_over_is_at_mondays_local_midnight_across_dst(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    schedule(
        &b,
        ScheduleFields::new(
            "platform",
            "Europe/Berlin",
            Rotation::Weekly,
            &["alice", "bob", "carol"],
        ),
    )
    .await;
    // Week 2933 (from Monday 2026-03-23, CET) is carol's; week 2934 starts
    // at Monday 2026-03-30 00:00 CEST, after the spring change.
    assert_eq!(
        who(&b, "2026-03-29T21:59:59.999999Z").await,
        shift(
            "carol",
            "2026-03-22T23:00:00Z",
            "2026-03-29T22:00:00Z",
            false
        )
    );
    assert_eq!(
        who(&b, "2026-03-29T22:00:00Z").await,
        shift(
            "alice",
            "2026-03-29T22:00:00Z",
            "2026-04-05T22:00:00Z",
            false
        )
    );
    // Week 2963 starts in CEST and ends at Monday 2026-10-26 00:00 CET.
    assert_eq!(
        who(&b, "2026-10-25T22:59:59Z").await,
        shift(
            "carol",
            "2026-10-18T22:00:00Z",
            "2026-10-25T23:00:00Z",
            false
        )
    );
    assert_eq!(
        who(&b, "2026-10-25T23:00:00Z").await,
        shift(
            "alice",
            "2026-10-25T23:00:00Z",
            "2026-11-01T23:00:00Z",
            false
        )
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn daily_hand_over_in_zones_with_and_without_dst(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    schedule(
        &b,
        ScheduleFields::new("tokyo", "Asia/Tokyo", Rotation::Daily, &["dave", "erin"]),
    )
    .await;
    // Day 20541 (2026-03-29 JST) is erin's; 2026-03-30 JST starts at 15:00Z.
    assert_eq!(
        who(&b, "2026-03-29T14:59:59Z").await,
        shift(
            "erin",
            "2026-03-28T15:00:00Z",
            "2026-03-29T15:00:00Z",
            false
        )
    );
    assert_eq!(
        who(&b, "2026-03-29T15:00:00Z").await,
        shift(
            "dave",
            "2026-03-29T15:00:00Z",
            "2026-03-30T15:00:00Z",
            false
        )
    );
    // Santiago skips 2026-09-06 00:00: that day starts at 01:00 -03 (04:00Z).
    let santiago = ScheduleFields::new(
        "santiago",
        "America/Santiago",
        Rotation::Daily,
        &["dave", "erin"],
    );
    b.notify
        .on_call
        .update_schedule(&b.acme, SCHEDULE, &santiago)
        .await
        .unwrap();
    assert_eq!(
        who(&b, "2026-09-06T03:59:59Z").await,
        shift(
            "erin",
            "2026-09-05T04:00:00Z",
            "2026-09-06T04:00:00Z",
            false
        )
    );
    assert_eq!(
        who(&b, "2026-09-06T04:00:00Z").await,
        shift(
            "dave",
            "2026-09-06T04:00:00Z",
            "2026-09-07T03:00:00Z",
            false
        )
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn overrides_win_and_cut_the_rotations_shift(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let mut fields = ScheduleFields::new(
        "platform",
        "Europe/Berlin",
        Rotation::Weekly,
        &["alice", "bob", "carol"],
    );
    fields.overrides = vec![
        Override {
            user: "bob".to_owned(),
            starts_at: at("2026-03-25T08:00:00Z"),
            ends_at: at("2026-03-25T20:00:00Z"),
        },
        Override {
            user: "dave".to_owned(),
            starts_at: at("2026-03-25T10:00:00Z"),
            ends_at: at("2026-03-25T11:00:00Z"),
        },
    ];
    schedule(&b, fields).await;
    assert_eq!(
        who(&b, "2026-03-25T07:59:59Z").await,
        shift(
            "carol",
            "2026-03-22T23:00:00Z",
            "2026-03-25T08:00:00Z",
            false
        )
    );
    assert_eq!(
        who(&b, "2026-03-25T08:00:00Z").await,
        shift("bob", "2026-03-25T08:00:00Z", "2026-03-25T20:00:00Z", true)
    );
    assert_eq!(
        who(&b, "2026-03-25T10:30:00Z").await,
        shift("dave", "2026-03-25T10:00:00Z", "2026-03-25T11:00:00Z", true),
        "the later override"
    );
    assert_eq!(
        who(&b, "2026-03-25T11:00:00Z").await,
        shift("bob", "2026-03-25T08:00:00Z", "2026-03-25T20:00:00Z", true)
    );
    assert_eq!(
        who(&b, "2026-03-25T20:00:00Z").await,
        shift(
            "carol",
            "2026-03-25T20:00:00Z",
            "2026-03-29T22:00:00Z",
            false
        )
    );

    let mut custom = ScheduleFields::new("custom", "UTC", Rotation::Custom, &[]);
    custom.overrides = vec![Override {
        user: "erin".to_owned(),
        starts_at: at("2026-01-01T00:00:00Z"),
        ends_at: at("2026-01-02T00:00:00Z"),
    }];
    b.notify
        .on_call
        .update_schedule(&b.acme, SCHEDULE, &custom)
        .await
        .unwrap();
    assert_eq!(
        who(&b, "2026-01-01T12:00:00Z").await,
        shift("erin", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", true)
    );
    assert_eq!(
        who(&b, "2026-01-02T00:00:00Z").await,
        None,
        "a custom rotation outside its overrides has nobody"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn bad_schedules_are_refused_and_write_nothing(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let on_call = &b.notify.on_call;
    let fields = |zone: &str, rotation: Rotation, people: &[&str]| {
        ScheduleFields::new("s", zone, rotation, people)
    };
    let refused = [
        (
            fields("Europe/Atlantis", Rotation::Daily, &["a"]),
            "invalid time zone",
        ),
        (fields("UTC", Rotation::Weekly, &[]), "invalid participants"),
        (
            fields("UTC", Rotation::Weekly, &["a", "a"]),
            "invalid participants",
        ),
        (
            fields("UTC", Rotation::Weekly, &[""]),
            "invalid participant: must not be empty",
        ),
    ];
    for (f, expected) in refused {
        let message = expect_kind(
            on_call.create_schedule(&b.acme, SCHEDULE, &f).await,
            ErrorKind::InvalidInput,
        );
        assert!(message.starts_with(expected), "{message}");
    }
    let mut backwards = fields("UTC", Rotation::Daily, &["a"]);
    backwards.overrides = vec![Override {
        user: "b".to_owned(),
        starts_at: at("2026-01-02T00:00:00Z"),
        ends_at: at("2026-01-01T00:00:00Z"),
    }];
    let message = expect_kind(
        on_call.create_schedule(&b.acme, SCHEDULE, &backwards).await,
        ErrorKind::InvalidInput,
    );
    assert!(
        message.starts_with("invalid override: ends at"),
        "{message}"
    );
    assert!(on_call.list_schedules(&b.acme).await.unwrap().is_empty());
    let missing = on_call
        .on_call(&b.acme, SCHEDULE, at("2026-01-01T00:00:00Z"))
        .await;
    assert_eq!(
        expect_kind(missing, ErrorKind::NotFound),
        "on-call schedule not found"
    );

    let created = schedule(&b, fields("UTC", Rotation::Daily, &["a"])).await;
    let twice = on_call
        .create_schedule(
            &b.acme,
            Uuid::from_u128(2),
            &fields("UTC", Rotation::Daily, &["b"]),
        )
        .await;
    assert_eq!(
        expect_kind(twice, ErrorKind::Conflict),
        "on-call schedule conflict: name is already taken"
    );
    assert_eq!(
        on_call.get_schedule(&b.acme_eu, created.id).await.unwrap(),
        None
    );
    assert!(
        !on_call
            .delete_schedule(&b.acme_eu, created.id)
            .await
            .unwrap()
    );
    assert!(on_call.delete_schedule(&b.acme, created.id).await.unwrap());
}
