//! Schedules on both backends: CRUD and soft delete, next fire times from
//! cron expressions in time zones (DST, never-firing ones), the due poll
//! across tenants, and firing: K competing schedulers, one run per tick.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use rstest::rstest;
use stellaops_storage::Backend;
use stellaops_storage::scheduler::{
    Run, Schedule, ScheduleFields, ScheduleQuery, Scheduler, TriggerKind, tick_run_id,
};
use stellaops_storage::{Clock, ErrorKind, PageRequest, SystemContext, TenantContext};
use stellaops_suites::history::{History, Op, Record};
use uuid::Uuid;

use crate::support::{epoch, setup};

/// Schedulers polling and firing the same due schedules at once.
const SCHEDULERS: usize = 8;
/// Ticks each schedule goes through in the race.
const TICKS: usize = 4;
const BOUND: StdDuration = StdDuration::from_secs(60);

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn upsert(s: &Scheduler, ctx: &TenantContext, id: Uuid, fields: &ScheduleFields) -> Schedule {
    s.schedules.upsert(ctx, id, fields, "alice").await.unwrap()
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn schedule_crud_and_soft_delete(#[case] backend: Backend) {
    let b = setup().await;
    {
        let s = b.on(backend);
        let backend = s.backend;
        let id = Uuid::new_v4();
        let fields = ScheduleFields::new("nightly", "0 3 * * *", "Europe/Berlin");
        let created = upsert(s, &b.acme, id, &fields).await;
        assert_eq!(created.created_at, epoch(), "{backend}");
        assert_eq!(created.created_by, "alice");
        // 03:00 Berlin (CET, UTC+1) on the next day.
        assert_eq!(created.next_fire_at, Some(at("2026-03-02T02:00:00Z")));
        assert_eq!(
            s.schedules.get(&b.acme, id).await.unwrap().as_ref(),
            Some(&created)
        );
        assert_eq!(s.schedules.get(&b.globex, id).await.unwrap(), None);

        // An edit that keeps the timing keeps the tick, even a due one.
        b.clock.advance(Duration::days(2));
        let mut renamed = fields.clone();
        renamed.name = "nightly scan".into();
        let updated = s
            .schedules
            .upsert(&b.acme, id, &renamed, "bob")
            .await
            .unwrap();
        assert_eq!(updated.next_fire_at, created.next_fire_at, "{backend}");
        assert_eq!(
            (updated.created_by.as_str(), updated.updated_by.as_str()),
            ("alice", "bob")
        );
        // A new expression moves it to the new expression's next tick.
        let mut hourly = renamed.clone();
        hourly.cron_expression = "0 * * * *".into();
        let retimed = upsert(s, &b.acme, id, &hourly).await;
        assert_eq!(
            retimed.next_fire_at,
            Some(at("2026-03-03T13:00:00Z")),
            "{backend}"
        );

        // Names are unique among live schedules of a tenant only.
        let other = Uuid::new_v4();
        let err = s
            .schedules
            .upsert(&b.acme, other, &renamed, "alice")
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "schedule conflict: name is already taken",
            "{backend}"
        );
        upsert(s, &b.globex, other, &renamed).await;

        assert!(s.schedules.soft_delete(&b.acme, id, "carol").await.unwrap());
        assert!(!s.schedules.soft_delete(&b.acme, id, "carol").await.unwrap());
        let deleted = s.schedules.get(&b.acme, id).await.unwrap().unwrap();
        assert_eq!(deleted.deleted_by.as_deref(), Some("carol"));
        assert_eq!(deleted.deleted_at, Some(b.clock.now()));
        // A deleted schedule cannot be written again, and frees its name.
        let err = s
            .schedules
            .upsert(&b.acme, id, &renamed, "x")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{backend}: {err}");
        upsert(s, &b.acme, other, &renamed).await;
        let live = s
            .schedules
            .list(&b.acme, &ScheduleQuery::default())
            .await
            .unwrap();
        assert_eq!(live.items.iter().map(|s| s.id).collect::<Vec<_>>(), [other]);
        let all = s
            .schedules
            .list(
                &b.acme,
                &ScheduleQuery {
                    include_deleted: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(all.items.len(), 2, "{backend}");
        b.clock.set(epoch());
    }
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn schedule_pages_keep_soft_deleted_namesakes_apart(#[case] backend: Backend) {
    let b = setup().await;
    {
        let s = b.on(backend);
        let mut expected = Vec::new();
        for i in 0..7 {
            let id = Uuid::new_v4();
            let name = format!("scan-{}", i % 3);
            upsert(
                s,
                &b.acme,
                id,
                &ScheduleFields::new(&name, "0 * * * *", "UTC"),
            )
            .await;
            if i < 6 - 2 {
                assert!(s.schedules.soft_delete(&b.acme, id, "x").await.unwrap());
            }
            expected.push((name, id));
        }
        expected.sort();
        let mut seen = Vec::new();
        let mut page = PageRequest::first(2);
        loop {
            let got = s
                .schedules
                .list(
                    &b.acme,
                    &ScheduleQuery {
                        include_deleted: true,
                        page: page.clone(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            seen.extend(got.items.iter().map(|s| (s.name.clone(), s.id)));
            match got.next {
                Some(next) => page = PageRequest::after(2, next),
                None => break,
            }
        }
        assert_eq!(
            seen, expected,
            "{}: each schedule once, in order",
            s.backend
        );
        // And backward from the end.
        let mut back = Vec::new();
        let mut page = PageRequest {
            size: 3,
            cursor: stellaops_storage::Cursor::End,
        };
        loop {
            let got = s
                .schedules
                .list(
                    &b.acme,
                    &ScheduleQuery {
                        include_deleted: true,
                        page: page.clone(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            let mut items: Vec<_> = got.items.iter().map(|s| (s.name.clone(), s.id)).collect();
            items.extend(back);
            back = items;
            match got.previous {
                Some(previous) => page = PageRequest::before(3, previous),
                None => break,
            }
        }
        assert_eq!(back, expected, "{}: backward pages", s.backend);
    }
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn next_fire_time_stays_right_across_dst(#[case] backend: Backend) {
    let b = setup().await;
    {
        let s = b.on(backend);
        // New York springs forward on 8 March 2026 (02:00 EST -> 03:00 EDT)
        // and falls back on 1 November 2026 (02:00 EDT -> 01:00 EST).
        b.clock.set(at("2026-03-07T12:00:00Z"));
        let id = Uuid::new_v4();
        let gap = upsert(
            s,
            &b.acme,
            id,
            &ScheduleFields::new("gap", "30 2 * * *", "America/New_York"),
        )
        .await;
        assert_eq!(
            gap.next_fire_at,
            Some(at("2026-03-08T07:00:00Z")),
            "{}",
            s.backend
        );
        b.clock.set(at("2026-03-08T07:00:00Z"));
        let run = s.schedules.fire(&b.system, &gap).await.unwrap().unwrap();
        assert_eq!(run.scheduled_for, Some(at("2026-03-08T07:00:00Z")));
        let after = s.schedules.get(&b.acme, id).await.unwrap().unwrap();
        assert_eq!(
            after.next_fire_at,
            Some(at("2026-03-09T06:30:00Z")),
            "{}",
            s.backend
        );

        b.clock.set(at("2026-10-31T12:00:00Z"));
        let overlap_id = Uuid::new_v4();
        let overlap = upsert(
            s,
            &b.acme,
            overlap_id,
            &ScheduleFields::new("overlap", "30 1 * * *", "America/New_York"),
        )
        .await;
        assert_eq!(overlap.next_fire_at, Some(at("2026-11-01T05:30:00Z")));
        b.clock.set(at("2026-11-01T05:30:00Z"));
        s.schedules
            .fire(&b.system, &overlap)
            .await
            .unwrap()
            .unwrap();
        // 01:30 happens again at 06:30Z (EST): it does not fire twice.
        let after = s.schedules.get(&b.acme, overlap_id).await.unwrap().unwrap();
        assert_eq!(
            after.next_fire_at,
            Some(at("2026-11-02T06:30:00Z")),
            "{}",
            s.backend
        );
        b.clock.set(epoch());
    }
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn never_firing_schedule_is_never_due(#[case] backend: Backend) {
    let b = setup().await;
    {
        let s = b.on(backend);
        let id = Uuid::new_v4();
        let never = upsert(
            s,
            &b.acme,
            id,
            &ScheduleFields::new("feb 30", "0 0 30 2 *", "UTC"),
        )
        .await;
        assert_eq!(never.next_fire_at, None, "{}", s.backend);
        b.clock.advance(Duration::days(3 * 366));
        assert!(s.schedules.due(&b.system, 100).await.unwrap().is_empty());
        assert_eq!(s.schedules.fire(&b.system, &never).await.unwrap(), None);
        b.clock.set(epoch());
    }
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn due_poll_spans_tenants_in_tick_order_and_skips_the_rest(#[case] backend: Backend) {
    let b = setup().await;
    {
        let s = b.on(backend);
        let every_minute = ScheduleFields::new("a", "* * * * *", "UTC");
        let hourly = ScheduleFields::new("b", "0 * * * *", "UTC");
        let mut disabled = ScheduleFields::new("c", "* * * * *", "UTC");
        disabled.enabled = false;
        let minute_acme = upsert(s, &b.acme, Uuid::new_v4(), &every_minute).await;
        let minute_globex = upsert(s, &b.globex, Uuid::new_v4(), &every_minute).await;
        let hour_acme = upsert(s, &b.acme, Uuid::new_v4(), &hourly).await;
        upsert(s, &b.acme, Uuid::new_v4(), &disabled).await;
        let deleted = upsert(
            s,
            &b.globex,
            Uuid::new_v4(),
            &ScheduleFields::new("d", "* * * * *", "UTC"),
        )
        .await;
        s.schedules
            .soft_delete(&b.globex, deleted.id, "x")
            .await
            .unwrap();

        assert!(
            s.schedules.due(&b.system, 10).await.unwrap().is_empty(),
            "nothing due yet"
        );
        b.clock.advance(Duration::hours(1));
        let due = s.schedules.due(&b.system, 10).await.unwrap();
        let mut expected = vec![&minute_acme, &minute_globex];
        expected.sort_by_key(|s| (s.next_fire_at, s.tenant_id.clone(), s.id));
        expected.push(&hour_acme);
        assert_eq!(
            due.iter().map(|s| s.id).collect::<Vec<_>>(),
            expected.iter().map(|s| s.id).collect::<Vec<_>>(),
            "{}",
            s.backend
        );
        assert_eq!(s.schedules.due(&b.system, 1).await.unwrap().len(), 1);
        b.clock.set(epoch());
    }
}

/// Schedulers that each poll the due schedules and fire what they find,
/// all at once; what each fire did is recorded.
async fn race(s: &Scheduler, history: &Arc<History>) {
    let start = Arc::new(tokio::sync::Barrier::new(SCHEDULERS));
    let mut schedulers = Vec::new();
    for k in 0..SCHEDULERS {
        let s = s.clone();
        let start = start.clone();
        let history = history.clone();
        schedulers.push(tokio::spawn(async move {
            let system = SystemContext::new("scheduler");
            let worker = format!("scheduler-{k}");
            start.wait().await;
            for schedule in s.schedules.due(&system, 100).await.unwrap() {
                let tick = schedule.next_fire_at.unwrap();
                let t = history.invoke();
                let run: Option<Run> = s.schedules.fire(&system, &schedule).await.unwrap();
                history.record(
                    t,
                    Record {
                        worker: &worker,
                        op: Op::Claim,
                        item: &format!("{}@{}", schedule.id, tick.to_rfc3339()),
                        token: 1,
                        accepted: run.is_some(),
                        batch: None,
                        validity: None,
                    },
                );
            }
        }));
    }
    for scheduler in schedulers {
        tokio::time::timeout(BOUND, scheduler)
            .await
            .unwrap()
            .unwrap();
    }
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_run_per_schedule_tick(#[case] backend: Backend) {
    let b = setup().await;
    {
        let s = b.on(backend);
        let schedules = [
            upsert(
                s,
                &b.acme,
                Uuid::new_v4(),
                &ScheduleFields::new("m", "*/5 * * * *", "UTC"),
            )
            .await,
            upsert(
                s,
                &b.acme,
                Uuid::new_v4(),
                &ScheduleFields::new("n", "*/5 * * * *", "Asia/Kolkata"),
            )
            .await,
            upsert(
                s,
                &b.globex,
                Uuid::new_v4(),
                &ScheduleFields::new("m", "*/5 * * * *", "UTC"),
            )
            .await,
        ];
        let history = Arc::new(History::default());
        let mut expected_ticks = Vec::new();
        for _ in 0..TICKS {
            let tick = schedules[0].next_fire_at.unwrap()
                + Duration::minutes(5 * expected_ticks.len() as i64);
            expected_ticks.push(tick);
            b.clock.set(tick);
            race(s, &history).await;
        }
        let violations = history.check(&[]);
        assert!(violations.is_empty(), "{}: {violations:#?}", s.backend);
        let fired = history.events().iter().filter(|e| e.accepted).count();
        assert_eq!(
            fired,
            schedules.len() * TICKS,
            "{}: one fire per tick",
            s.backend
        );
        for schedule in &schedules {
            let ctx = TenantContext::new(&schedule.tenant_id).unwrap();
            let runs = s.runs.of_schedule(&ctx, schedule.id, 100).await.unwrap();
            let mut ticks: Vec<_> = runs.iter().map(|r| r.scheduled_for.unwrap()).collect();
            ticks.sort();
            assert_eq!(ticks, expected_ticks, "{}: one run per tick", s.backend);
            for run in &runs {
                assert_eq!(run.trigger, TriggerKind::Cron);
                assert_eq!(run.due_at, run.scheduled_for);
                assert_eq!(
                    run.id,
                    tick_run_id(&run.tenant_id, schedule.id, run.due_at.unwrap())
                );
            }
        }
        b.clock.set(epoch());
    }
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn stale_fire_after_an_edit_changes_nothing(#[case] backend: Backend) {
    let b = setup().await;
    {
        let s = b.on(backend);
        let id = Uuid::new_v4();
        let read = upsert(
            s,
            &b.acme,
            id,
            &ScheduleFields::new("x", "0 * * * *", "UTC"),
        )
        .await;
        b.clock.advance(Duration::hours(1));
        // Someone changes the expression between the poll and the fire.
        upsert(
            s,
            &b.acme,
            id,
            &ScheduleFields::new("x", "30 * * * *", "UTC"),
        )
        .await;
        assert_eq!(
            s.schedules.fire(&b.system, &read).await.unwrap(),
            None,
            "{}",
            s.backend
        );
        assert!(
            s.runs
                .of_schedule(&b.acme, id, 10)
                .await
                .unwrap()
                .is_empty()
        );
        b.clock.set(epoch());
    }
}

#[tokio::test]
async fn second_run_for_a_tick_is_refused_by_the_database() {
    let b = setup().await;
    let id = Uuid::new_v4();
    let schedule = upsert(
        &b.postgres,
        &b.acme,
        id,
        &ScheduleFields::new("x", "0 * * * *", "UTC"),
    )
    .await;
    b.clock.advance(Duration::hours(1));
    let run = b
        .postgres
        .schedules
        .fire(&b.system, &schedule)
        .await
        .unwrap()
        .unwrap();
    // Whatever path inserts it, a second run of the same tick cannot exist.
    let err = sqlx::query(
        "INSERT INTO scheduler.runs (tenant_id, schedule_id, trigger, scheduled_for) \
         VALUES ('acme', $1, 'cron', $2)",
    )
    .bind(id)
    .bind(run.scheduled_for)
    .execute(b.db.admin())
    .await
    .unwrap_err();
    assert!(err.to_string().contains("runs_schedule_tick_idx"), "{err}");
}
