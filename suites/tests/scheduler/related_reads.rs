//! Every tenant-scoped read of the Scheduler's schedule, trigger and run
//! repositories, on both backends, against a related tenant holding rows
//! with the same ids and names: `acme` never reads a row of `acme-eu`. A
//! read served without row-level security (through the system pool, or a
//! memory map keyed without the tenant) answers with the other tenant's
//! row; here it is caught whatever the order of the rows.

use std::future::Future;
use std::pin::Pin;

use rstest::rstest;
use stellaops_storage::scheduler::{
    NewRun, NewTrigger, RunQuery, ScheduleFields, ScheduleQuery, Scheduler, TriggerKind,
};
use stellaops_storage::{Backend, TenantContext};
use stellaops_suites::related_reads::{Probe, Seen, read_all, tenants};
use uuid::Uuid;

use crate::support::{epoch, setup};

const SCHEDULE: Uuid = Uuid::from_u128(0x21);
const TRIGGER: Uuid = Uuid::from_u128(0x22);
const RUN: Uuid = Uuid::from_u128(0x23);
const SCHEDULE_NAME: &str = "nightly";

/// The same rows, ids and names for any tenant.
async fn seed(scheduler: &Scheduler, ctx: &TenantContext) {
    scheduler
        .schedules
        .upsert(
            ctx,
            SCHEDULE,
            &ScheduleFields::new(SCHEDULE_NAME, "0 2 * * *", "Europe/Berlin"),
            "tester",
        )
        .await
        .unwrap();
    let mut trigger = NewTrigger::new(SCHEDULE, TriggerKind::Manual, epoch());
    trigger.id = TRIGGER;
    scheduler.triggers.create(ctx, &trigger).await.unwrap();
    let mut run = NewRun::manual(epoch());
    run.id = RUN;
    run.schedule_id = Some(SCHEDULE);
    scheduler.runs.create(ctx, &run).await.unwrap();
}

macro_rules! probes {
    ($($name:ident => |$s:ident, $ctx:ident| $body:expr;)*) => {
        $(
            fn $name<'a>(
                $s: &'a Scheduler,
                $ctx: &'a TenantContext,
            ) -> Pin<Box<dyn Future<Output = Seen> + Send + 'a>> {
                Box::pin(async move { $body })
            }
        )*
        /// Every tenant-scoped read of the three repository traits.
        const PROBES: &[(&str, Probe<Scheduler>)] = &[$((stringify!($name), $name)),*];
    };
}

probes! {
    schedule_get => |s, ctx| tenants(s.schedules.get(ctx, SCHEDULE).await.unwrap(), |x| &x.tenant_id);
    schedule_list => |s, ctx| {
        let query = ScheduleQuery { include_deleted: true, ..Default::default() };
        tenants(s.schedules.list(ctx, &query).await.unwrap().items, |x| &x.tenant_id)
    };
    trigger_get => |s, ctx| tenants(s.triggers.get(ctx, TRIGGER).await.unwrap(), |x| &x.tenant_id);
    trigger_of_schedule => |s, ctx| {
        tenants(s.triggers.of_schedule(ctx, SCHEDULE, 10).await.unwrap(), |x| &x.tenant_id)
    };
    trigger_due => |s, ctx| tenants(s.triggers.due(ctx, 10).await.unwrap(), |x| &x.tenant_id);
    run_get => |s, ctx| tenants(s.runs.get(ctx, RUN).await.unwrap(), |x| &x.tenant_id);
    run_list => |s, ctx| {
        tenants(s.runs.list(ctx, &RunQuery::default()).await.unwrap().items, |x| &x.tenant_id)
    };
    run_pending => |s, ctx| tenants(s.runs.pending(ctx, 10).await.unwrap(), |x| &x.tenant_id);
    run_of_schedule => |s, ctx| {
        tenants(s.runs.of_schedule(ctx, SCHEDULE, 10).await.unwrap(), |x| &x.tenant_id)
    };
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn no_read_returns_a_related_tenants_row_with_the_same_key(#[case] backend: Backend) {
    let b = setup().await;
    let scheduler = match backend {
        Backend::Postgres => &b.postgres,
        Backend::Memory => &b.memory,
    };
    let acme_eu = TenantContext::new("acme-eu").unwrap();
    seed(scheduler, &acme_eu).await;

    let owned = read_all(PROBES, scheduler, &acme_eu).await;
    let leaked = read_all(PROBES, scheduler, &b.acme).await;
    // acme's own rows under the same ids and names.
    seed(scheduler, &b.acme).await;
    let after = read_all(PROBES, scheduler, &b.acme).await;
    let owner_after = read_all(PROBES, scheduler, &acme_eu).await;
    stellaops_suites::related_reads::judge(
        "acme-eu",
        "acme",
        &owned,
        &leaked,
        &after,
        &owner_after,
    );
}
