//! Bad input gets a clear error naming what is wrong, and nothing is
//! written: a cron expression croner rejects, an unknown time zone, an
//! illegal state change, a lease renewed by a holder that lost it, a
//! negative or absurd limit.

use chrono::Duration;
use rstest::rstest;
use stellaops_storage::Backend;
use stellaops_storage::scheduler::{
    MAX_CLAIM, NewRun, NewTrigger, RunState, ScheduleFields, TriggerKind, TriggerStatus,
};
use stellaops_storage::{ErrorKind, StorageError};
use uuid::Uuid;

use crate::support::{Bundle, epoch, setup};

/// Every row of the scheduler's tables, as text, read as the owner.
async fn everything(b: &Bundle) -> String {
    let mut all = String::new();
    for table in [
        "schedules",
        "triggers",
        "runs",
        "locks",
        "workers",
        "graph_jobs",
        "policy_jobs",
        "impact_snapshots",
        "execution_logs",
        "run_summaries",
        "audit",
    ] {
        let rows: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') \
             FROM scheduler.{table} t"
        )))
        .fetch_one(b.db.admin())
        .await
        .unwrap();
        all.push_str(&format!("{table}:\n{rows}\n"));
    }
    all
}

fn expect(result: Result<impl std::fmt::Debug, StorageError>, kind: ErrorKind, text: &str) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), kind, "{err}");
    assert!(
        err.to_string().contains(text),
        "{err:?} should say {text:?}"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn bad_schedules_are_refused_and_write_nothing(#[case] backend: Backend) {
    let b = setup().await;
    let id = Uuid::new_v4();
    {
        let s = b.on(backend);
        s.schedules
            .upsert(
                &b.acme,
                id,
                &ScheduleFields::new("ok", "0 * * * *", "UTC"),
                "a",
            )
            .await
            .unwrap();
    }
    let before = everything(&b).await;
    {
        let s = b.on(backend);
        for (expression, zone, says) in [
            (
                "61 * * * *",
                "UTC",
                "invalid cron expression: \"61 * * * *\"",
            ),
            ("every day", "UTC", "invalid cron expression"),
            ("* * *", "UTC", "invalid cron expression"),
            ("0 0 * * MON-FOO", "UTC", "invalid cron expression"),
            (
                "0 * * * *",
                "Mars/Olympus_Mons",
                "\"Mars/Olympus_Mons\" is not an IANA time zone",
            ),
            ("0 * * * *", "utc+2", "is not an IANA time zone"),
            ("0 * * * *", "", "invalid time zone: must not be empty"),
        ] {
            let fields = ScheduleFields::new("ok", expression, zone);
            // Both a new schedule and an edit of an existing one.
            for target in [Uuid::new_v4(), id] {
                let result = s.schedules.upsert(&b.acme, target, &fields, "a").await;
                expect(result, ErrorKind::InvalidInput, says);
            }
        }
        let mut not_object = ScheduleFields::new("ok", "0 * * * *", "UTC");
        not_object.selection = serde_json::json!(["a"]);
        expect(
            s.schedules.upsert(&b.acme, id, &not_object, "a").await,
            ErrorKind::InvalidInput,
            "invalid selection: must be a JSON object",
        );
    }
    assert_eq!(
        everything(&b).await,
        before,
        "a refused schedule wrote something"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn illegal_changes_are_refused_naming_both_states(#[case] backend: Backend) {
    let b = setup().await;
    {
        let s = b.on(backend);
        let run = s
            .runs
            .create(&b.acme, &NewRun::manual(epoch()))
            .await
            .unwrap();
        s.runs
            .transition(&b.acme, run.id, RunState::Cancelled)
            .await
            .unwrap();
        let nightly = Uuid::new_v4();
        s.schedules
            .upsert(
                &b.acme,
                nightly,
                &ScheduleFields::new("n", "0 * * * *", "UTC"),
                "a",
            )
            .await
            .unwrap();
        let trigger = NewTrigger::new(nightly, TriggerKind::Manual, epoch());
        s.triggers.create(&b.acme, &trigger).await.unwrap();
        s.triggers
            .resolve(&b.acme, trigger.id, TriggerStatus::Skipped, None)
            .await
            .unwrap();
        let before = everything(&b).await;
        expect(
            s.runs.transition(&b.acme, run.id, RunState::Queued).await,
            ErrorKind::Conflict,
            "run cannot go from cancelled to queued",
        );
        expect(
            s.runs.transition(&b.acme, run.id, RunState::Running).await,
            ErrorKind::Conflict,
            "run cannot go from cancelled to running",
        );
        expect(
            s.triggers
                .resolve(&b.acme, trigger.id, TriggerStatus::Pending, None)
                .await,
            ErrorKind::Conflict,
            "trigger cannot go from skipped to pending",
        );
        assert_eq!(everything(&b).await, before, "{}", s.backend);
        assert_eq!(
            s.runs.get(&b.acme, run.id).await.unwrap().unwrap().state,
            "cancelled"
        );
    }
}

#[tokio::test]
async fn a_lost_lease_cannot_be_renewed() {
    let b = setup().await;
    let ttl = Duration::seconds(30);
    let old = b
        .locks
        .acquire(&b.system, "nightly", "a", ttl)
        .await
        .unwrap()
        .unwrap();
    b.clock.advance(ttl);
    let new = b
        .locks
        .acquire(&b.system, "nightly", "b", ttl)
        .await
        .unwrap()
        .unwrap();
    let before = everything(&b).await;
    let err = b.locks.renew(&b.system, &old, ttl).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "lease nightly is no longer held by a with fencing token 1"
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
    // Expired, even by its own holder and with the current token.
    b.clock.advance(ttl);
    let err = b.locks.renew(&b.system, &new, ttl).await.unwrap_err();
    assert!(
        matches!(err, StorageError::LeaseLost { token: 2, .. }),
        "{err}"
    );
    assert_eq!(everything(&b).await, before);
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn negative_and_absurd_limits_are_refused(#[case] backend: Backend) {
    let b = setup().await;
    {
        let s = b.on(backend);
        s.runs
            .create(&b.acme, &NewRun::manual(epoch()))
            .await
            .unwrap();
    }
    let before = everything(&b).await;
    {
        let s = b.on(backend);
        for limit in [-1, 0, i64::MIN, MAX_CLAIM + 1, i64::MAX] {
            let says = format!("{limit} is not allowed; ask for 1 to");
            expect(
                s.runs.claim(&b.system, "w", limit).await,
                ErrorKind::InvalidInput,
                &says,
            );
            expect(
                s.runs.pending(&b.acme, limit).await,
                ErrorKind::InvalidInput,
                &says,
            );
            expect(
                s.runs.of_schedule(&b.acme, Uuid::new_v4(), limit).await,
                ErrorKind::InvalidInput,
                &says,
            );
            expect(
                s.schedules.due(&b.system, limit).await,
                ErrorKind::InvalidInput,
                &says,
            );
            expect(
                s.triggers.due(&b.acme, limit).await,
                ErrorKind::InvalidInput,
                &says,
            );
        }
        let mut run = NewRun::manual(epoch());
        run.max_attempts = -3;
        expect(
            s.runs.create(&b.acme, &run).await,
            ErrorKind::InvalidInput,
            "invalid max attempts: -3 is not allowed",
        );
        expect(
            s.runs.rescue_stale(&b.system, Duration::seconds(-1)).await,
            ErrorKind::InvalidInput,
            "invalid stale after",
        );
    }
    assert_eq!(
        everything(&b).await,
        before,
        "a refused request wrote something"
    );
}
