//! Runs and triggers on both backends: create, read, pending and
//! per-schedule lists, keyset pages with ties, triggers and their one-way
//! resolution, references kept inside the tenant.

use chrono::Duration;
use rstest::rstest;
use stellaops_storage::Backend;
use stellaops_storage::scheduler::{
    NewRun, NewTrigger, RunQuery, RunState, ScheduleFields, Scheduler, TriggerKind, TriggerStatus,
};
use stellaops_storage::{Cursor, ErrorKind, PageRequest, TenantContext};
use uuid::Uuid;

use crate::support::{epoch, setup};

async fn schedule(s: &Scheduler, ctx: &TenantContext, name: &str) -> Uuid {
    let id = Uuid::new_v4();
    s.schedules
        .upsert(
            ctx,
            id,
            &ScheduleFields::new(name, "0 * * * *", "UTC"),
            "alice",
        )
        .await
        .unwrap();
    id
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn run_crud_and_lists(#[case] backend: Backend) {
    let b = setup().await;
    {
        let s = b.on(backend);
        let backend = s.backend;
        let nightly = schedule(s, &b.acme, "nightly").await;
        let mut run = NewRun::manual(epoch());
        run.schedule_id = Some(nightly);
        let created = s.runs.create(&b.acme, &run).await.unwrap();
        assert_eq!(created.state, "queued", "{backend}");
        assert_eq!(created.schedule_id, Some(nightly));
        assert_eq!(
            s.runs.get(&b.acme, run.id).await.unwrap(),
            Some(created.clone())
        );
        assert_eq!(s.runs.get(&b.globex, run.id).await.unwrap(), None);

        let err = s.runs.create(&b.acme, &run).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "run conflict: id is already taken",
            "{backend}"
        );
        // A schedule of another tenant is "not found", like a missing one.
        let mut foreign = NewRun::manual(epoch());
        foreign.schedule_id = Some(nightly);
        let err = s.runs.create(&b.globex, &foreign).await.unwrap_err();
        assert_eq!(err.to_string(), "schedule not found", "{backend}");

        // Pending: planning and queued, oldest first.
        b.clock.advance(Duration::seconds(1));
        let mut second = NewRun::manual(epoch());
        second.schedule_id = Some(nightly);
        let second = s.runs.create(&b.acme, &second).await.unwrap();
        b.clock.advance(Duration::seconds(1));
        let cancelled = s
            .runs
            .create(&b.acme, &NewRun::manual(epoch()))
            .await
            .unwrap();
        s.runs
            .transition(&b.acme, cancelled.id, RunState::Cancelled)
            .await
            .unwrap();
        let pending = s.runs.pending(&b.acme, 10).await.unwrap();
        assert_eq!(
            pending.iter().map(|r| r.id).collect::<Vec<_>>(),
            [created.id, second.id],
            "{backend}"
        );
        assert_eq!(s.runs.pending(&b.acme, 1).await.unwrap().len(), 1);
        assert!(s.runs.pending(&b.globex, 10).await.unwrap().is_empty());
        // A schedule's runs, newest first.
        let of = s.runs.of_schedule(&b.acme, nightly, 10).await.unwrap();
        assert_eq!(
            of.iter().map(|r| r.id).collect::<Vec<_>>(),
            [second.id, created.id]
        );
        assert_eq!(
            s.runs.of_schedule(&b.acme, nightly, 1).await.unwrap().len(),
            1
        );
        b.clock.set(epoch());
    }
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn run_pages_each_row_once_with_tied_times(#[case] backend: Backend) {
    let b = setup().await;
    {
        let s = b.on(backend);
        let mut expected = Vec::new();
        for i in 0..17 {
            // Groups of runs created at the same instant: ties broken by id.
            if i % 4 == 0 {
                b.clock.advance(Duration::microseconds(1));
            }
            let run = s
                .runs
                .create(&b.acme, &NewRun::manual(epoch()))
                .await
                .unwrap();
            expected.push((run.created_at, run.id));
        }
        s.runs
            .create(&b.globex, &NewRun::manual(epoch()))
            .await
            .unwrap();
        expected.sort();
        let mut forward = Vec::new();
        let mut page = PageRequest::first(5);
        loop {
            let query = RunQuery {
                state: None,
                page: page.clone(),
            };
            let got = s.runs.list(&b.acme, &query).await.unwrap();
            forward.extend(got.items.iter().map(|r| (r.created_at, r.id)));
            match got.next {
                Some(next) => page = PageRequest::after(5, next),
                None => break,
            }
        }
        assert_eq!(forward, expected, "{}: forward", s.backend);
        let mut backward = Vec::new();
        let mut page = PageRequest {
            size: 4,
            cursor: Cursor::End,
        };
        loop {
            let query = RunQuery {
                state: Some(RunState::Queued),
                page: page.clone(),
            };
            let got = s.runs.list(&b.acme, &query).await.unwrap();
            let mut items: Vec<_> = got.items.iter().map(|r| (r.created_at, r.id)).collect();
            items.extend(backward);
            backward = items;
            match got.previous {
                Some(previous) => page = PageRequest::before(4, previous),
                None => break,
            }
        }
        assert_eq!(backward, expected, "{}: backward", s.backend);
        let err = s
            .runs
            .list(
                &b.acme,
                &RunQuery {
                    state: None,
                    page: PageRequest::after(5, "not a cursor"),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        b.clock.set(epoch());
    }
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn triggers_resolve_once(#[case] backend: Backend) {
    let b = setup().await;
    {
        let s = b.on(backend);
        let backend = s.backend;
        let nightly = schedule(s, &b.acme, "nightly").await;
        let soon = NewTrigger::new(
            nightly,
            TriggerKind::Feedser,
            epoch() + Duration::minutes(5),
        );
        let now = NewTrigger::new(nightly, TriggerKind::Manual, epoch());
        let created = s.triggers.create(&b.acme, &soon).await.unwrap();
        assert_eq!(created.status, TriggerStatus::Pending, "{backend}");
        s.triggers.create(&b.acme, &now).await.unwrap();
        let err = s.triggers.create(&b.acme, &now).await.unwrap_err();
        assert_eq!(err.to_string(), "trigger conflict: id is already taken");
        let foreign = NewTrigger::new(nightly, TriggerKind::Manual, epoch());
        let err = s.triggers.create(&b.globex, &foreign).await.unwrap_err();
        assert_eq!(err.to_string(), "schedule not found", "{backend}");

        let due = s.triggers.due(&b.acme, 10).await.unwrap();
        assert_eq!(
            due.iter().map(|t| t.id).collect::<Vec<_>>(),
            [now.id],
            "{backend}"
        );
        let listed = s.triggers.of_schedule(&b.acme, nightly, 10).await.unwrap();
        assert_eq!(
            listed.iter().map(|t| t.id).collect::<Vec<_>>(),
            [now.id, soon.id]
        );

        let run = s
            .runs
            .create(&b.acme, &NewRun::manual(epoch()))
            .await
            .unwrap();
        let fired = s
            .triggers
            .resolve(&b.acme, now.id, TriggerStatus::Fired, Some(run.id))
            .await
            .unwrap();
        assert_eq!(
            (fired.fired_at, fired.run_id),
            (Some(epoch()), Some(run.id))
        );
        let err = s
            .triggers
            .resolve(&b.acme, now.id, TriggerStatus::Skipped, None)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "trigger cannot go from fired to skipped",
            "{backend}"
        );
        let err = s
            .triggers
            .resolve(&b.acme, soon.id, TriggerStatus::Skipped, Some(run.id))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{backend}: {err}");
        assert_eq!(
            s.triggers
                .get(&b.acme, soon.id)
                .await
                .unwrap()
                .unwrap()
                .status,
            TriggerStatus::Pending,
            "a refused resolution writes nothing"
        );
        let err = s
            .triggers
            .resolve(&b.globex, soon.id, TriggerStatus::Skipped, None)
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "trigger not found");
    }
}
