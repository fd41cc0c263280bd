//! Determinism: the same schedules and runs, inserted in any order, give
//! byte-identical lists (schedule and run pages, pending runs, runs per
//! schedule, the due poll) and content hashes, also with the planner pushed
//! off its usual plans, and the in-memory reference gives the same bytes.

use std::sync::Arc;

use chrono::Duration;
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use stellaops_storage::scheduler::{NewRun, RunQuery, ScheduleFields, ScheduleQuery, Scheduler};
use stellaops_storage::{ManualClock, PageRequest, SystemContext, TenantContext};
use uuid::Uuid;

use stellaops_suites::agreement::{in_any_order, same_bytes_in_any_order};

use crate::support::epoch;

/// One schedule and the runs queued for it.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    timing: usize,
    selection: serde_json::Value,
    /// (priority, due offset in minutes) of each run.
    runs: Vec<(i32, i64)>,
}

const TIMINGS: [(&str, &str); 4] = [
    ("*/5 * * * *", "UTC"),
    ("0 * * * *", "Europe/Berlin"),
    ("30 2 * * *", "America/New_York"),
    ("0 0 30 2 *", "UTC"),
];

fn rows() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::btree_set("[a-zA-Z0-9_é -]{1,12}", 1..8).prop_flat_map(|names| {
        let len = names.len();
        (
            Just(names.into_iter().collect::<Vec<_>>()),
            proptest::collection::vec(0..TIMINGS.len(), len),
            proptest::collection::vec(
                proptest::collection::btree_map("[a-z]{1,6}", 0..1000i64, 0..4),
                len,
            ),
            proptest::collection::vec(proptest::collection::vec((0i32..3, -90i64..30), 0..4), len),
        )
            .prop_map(|(names, timings, selections, runs)| {
                names
                    .into_iter()
                    .zip(timings)
                    .zip(selections)
                    .zip(runs)
                    .map(|(((name, timing), selection), runs)| Row {
                        name,
                        timing,
                        selection: serde_json::to_value(selection).unwrap(),
                        runs,
                    })
                    .collect()
            })
    })
}

/// Ids from the name, independent of the insertion order.
fn id(name: &str, n: u128) -> Uuid {
    let digest = Sha256::digest(name.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_u128(u128::from_be_bytes(bytes) ^ n)
}

async fn insert(s: &Scheduler, ctx: &TenantContext, rows: &[Row]) {
    for row in rows {
        let (cron, zone) = TIMINGS[row.timing];
        let mut fields = ScheduleFields::new(&row.name, cron, zone);
        fields.selection = row.selection.clone();
        let schedule = id(&row.name, 0);
        s.schedules
            .upsert(ctx, schedule, &fields, "determinism")
            .await
            .unwrap();
        for (n, (priority, due)) in row.runs.iter().enumerate() {
            let mut run = NewRun::manual(epoch() + Duration::minutes(*due));
            run.id = id(&row.name, n as u128 + 1);
            run.schedule_id = Some(schedule);
            run.priority = *priority;
            s.runs.create(ctx, &run).await.unwrap();
        }
    }
}

/// Every list, serialized: the bytes compared and hashed.
async fn output(s: &Scheduler, ctx: &TenantContext, rows: &[Row]) -> Vec<u8> {
    let mut schedule_pages = Vec::new();
    let mut request = PageRequest::first(3);
    loop {
        let query = ScheduleQuery {
            page: request.clone(),
            ..Default::default()
        };
        let page = s.schedules.list(ctx, &query).await.unwrap();
        let next = page.next.clone();
        schedule_pages.push(page);
        match next {
            Some(key) => request = PageRequest::after(3, key),
            None => break,
        }
    }
    let mut run_pages = Vec::new();
    let mut request = PageRequest::first(4);
    loop {
        let query = RunQuery {
            state: None,
            page: request.clone(),
        };
        let page = s.runs.list(ctx, &query).await.unwrap();
        let next = page.next.clone();
        run_pages.push(page);
        match next {
            Some(key) => request = PageRequest::after(4, key),
            None => break,
        }
    }
    let pending = s.runs.pending(ctx, 500).await.unwrap();
    let mut per_schedule = Vec::new();
    for row in rows {
        per_schedule.push(
            s.runs
                .of_schedule(ctx, id(&row.name, 0), 500)
                .await
                .unwrap(),
        );
    }
    per_schedule.sort_by_key(|runs| runs.first().map(|r| r.id));
    let due = s
        .schedules
        .due(&SystemContext::new("determinism"), 1000)
        .await
        .unwrap();
    serde_json::to_vec(&(schedule_pages, run_pages, pending, per_schedule, due)).unwrap()
}

#[test]
fn same_data_in_any_order_gives_identical_bytes_and_hashes() {
    in_any_order(rows(), 12, async |rows, shuffled| {
        let clock = Arc::new(ManualClock::at(epoch()));
        let ctx = TenantContext::new("acme").unwrap();
        same_bytes_in_any_order::<Scheduler, _>(
            &clock,
            rows.as_slice(),
            shuffled.as_slice(),
            async |s, order| {
                clock.set(epoch());
                insert(s, &ctx, order).await;
            },
            // Due polls see ticks an hour on.
            async |s| {
                clock.set(epoch() + Duration::hours(1));
                output(s, &ctx, &rows).await
            },
        )
        .await
    });
}
