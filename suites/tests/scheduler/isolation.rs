//! Tenant isolation of the scheduler's repositories as `stellaops_app`
//! (DESIGN sections 3 and 9): every read and write of one tenant is blind
//! to the others, related codes (`acme`, `acme-eu`) included. The queries
//! lean on row-level security (a run is looked up by id alone), so these
//! tests are what shows the policy holds through the repositories.

use stellaops_storage::scheduler::{NewRun, RunQuery, RunState, ScheduleFields, ScheduleQuery};
use stellaops_storage::{ErrorKind, TenantContext};
use uuid::Uuid;

use crate::support::{epoch, setup};

#[tokio::test]
async fn each_tenant_sees_and_changes_only_its_own_schedules_and_runs() {
    let b = setup().await;
    let s = &b.postgres;
    let acme_eu = TenantContext::new("acme-eu").unwrap();
    let tenants = [&b.acme, &acme_eu, &b.globex];
    let mut owned = Vec::new();
    for ctx in tenants {
        // The same schedule name in every tenant: names are unique per tenant only.
        let schedule = Uuid::new_v4();
        s.schedules
            .upsert(
                ctx,
                schedule,
                &ScheduleFields::new("nightly", "0 3 * * *", "UTC"),
                "alice",
            )
            .await
            .unwrap();
        let run = s
            .runs
            .create(
                ctx,
                &NewRun {
                    schedule_id: Some(schedule),
                    ..NewRun::manual(epoch())
                },
            )
            .await
            .unwrap();
        owned.push((ctx, schedule, run.id));
    }
    for (ctx, schedule, run) in &owned {
        let schedules = s
            .schedules
            .list(ctx, &ScheduleQuery::default())
            .await
            .unwrap();
        assert_eq!(
            schedules.items.iter().map(|x| x.id).collect::<Vec<_>>(),
            [*schedule]
        );
        assert!(
            schedules
                .items
                .iter()
                .all(|x| x.tenant_id == ctx.tenant().as_str())
        );
        let runs = s.runs.list(ctx, &RunQuery::default()).await.unwrap();
        assert_eq!(runs.items.iter().map(|x| x.id).collect::<Vec<_>>(), [*run]);
        for (other, other_schedule, other_run) in
            owned.iter().filter(|(o, ..)| o.tenant() != ctx.tenant())
        {
            let who = format!("{} reading {}", ctx.tenant(), other.tenant());
            assert_eq!(
                s.schedules.get(ctx, *other_schedule).await.unwrap(),
                None,
                "{who}"
            );
            assert_eq!(s.runs.get(ctx, *other_run).await.unwrap(), None, "{who}");
            // Writes by id find nothing of another tenant and change nothing.
            let cancel = s
                .runs
                .transition(ctx, *other_run, RunState::Cancelled)
                .await;
            assert_eq!(cancel.unwrap_err().kind(), ErrorKind::NotFound, "{who}");
            assert!(
                !s.schedules
                    .soft_delete(ctx, *other_schedule, "mallory")
                    .await
                    .unwrap(),
                "{who}"
            );
        }
    }
    for (ctx, schedule, run) in &owned {
        let live = s.schedules.get(ctx, *schedule).await.unwrap().unwrap();
        assert_eq!(live.deleted_at, None, "{}", ctx.tenant());
        assert_eq!(
            s.runs.get(ctx, *run).await.unwrap().unwrap().state,
            "queued"
        );
    }
}

#[tokio::test]
async fn a_run_cannot_point_at_another_tenants_schedule() {
    let b = setup().await;
    let s = &b.postgres;
    let globex_schedule = Uuid::new_v4();
    s.schedules
        .upsert(
            &b.globex,
            globex_schedule,
            &ScheduleFields::new("weekly", "0 4 * * 1", "UTC"),
            "carol",
        )
        .await
        .unwrap();
    let stolen = s
        .runs
        .create(
            &b.acme,
            &NewRun {
                schedule_id: Some(globex_schedule),
                ..NewRun::manual(epoch())
            },
        )
        .await;
    let error = stolen.unwrap_err();
    // Refused as a missing reference: the same answer as for an id no one has.
    let unknown = s
        .runs
        .create(
            &b.acme,
            &NewRun {
                schedule_id: Some(Uuid::new_v4()),
                ..NewRun::manual(epoch())
            },
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), unknown.kind());
    assert_eq!(error.to_string(), unknown.to_string());
    assert!(
        s.runs
            .list(&b.acme, &RunQuery::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

/// Every tenant-scoped read against a related tenant's rows of the same keys.
#[path = "related_reads.rs"]
mod related_reads;
