//! Model-based property test: random sequences of schedule, trigger and
//! run operations (upserts with good and bad cron expressions and time
//! zones, soft deletes, due polls that fire, run creation, every state
//! change, claims, fenced heartbeats and finishes with right and wrong
//! attempts, rescues, the clock moving across a DST change) run on
//! PostgreSQL and on the in-memory reference. Every answer and, after every
//! step, the whole visible state must agree; proptest-state-machine shrinks
//! a failure to a minimal sequence.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use serde::Serialize;
use stellaops_storage::scheduler::{
    Claim, NewRun, NewTrigger, Outcome, RunQuery, RunState, ScheduleFields, ScheduleQuery,
    Scheduler, TriggerKind, TriggerStatus,
};
use stellaops_storage::{ManualClock, PageRequest, StorageError, SystemContext, TenantContext};
use uuid::Uuid;

use stellaops_suites::agreement::BothBackends;

const TENANTS: [&str; 3] = ["acme", "acme-eu", "globex"];
const NAMES: [&str; 3] = ["nightly", "hourly", "Nightly"];
/// Good, never-firing and refused expressions, in zones with a DST change
/// inside the model's time span, one without, and one that does not exist.
const TIMINGS: [(&str, &str); 7] = [
    ("*/5 * * * *", "UTC"),
    ("0 * * * *", "Europe/Berlin"),
    ("30 2 * * *", "America/New_York"),
    ("15 1 * * *", "America/New_York"),
    ("0 0 30 2 *", "UTC"),
    ("61 * * * *", "UTC"),
    ("0 * * * *", "Mars/Olympus_Mons"),
];
const WORKERS: [&str; 3] = ["w1", "w2", "w3"];
const SCHEDULE_SLOTS: u128 = 3;
const RUN_SLOTS: u128 = 5;
const TRIGGER_SLOTS: u128 = 3;

/// Two hours before New York springs forward (8 March 2026, 07:00Z).
fn model_epoch() -> DateTime<Utc> {
    "2026-03-08T05:00:00Z".parse().unwrap()
}

#[derive(Debug, Clone)]
pub enum Op {
    Upsert {
        tenant: usize,
        slot: u128,
        name: usize,
        timing: usize,
        enabled: bool,
    },
    SoftDelete {
        tenant: usize,
        slot: u128,
    },
    /// Poll the due schedules and fire each (one scheduler).
    PollAndFire {
        limit: i64,
    },
    CreateRun {
        tenant: usize,
        slot: u128,
        schedule: Option<u128>,
        priority: i32,
        due_in_minutes: i64,
        max_attempts: i32,
    },
    Transition {
        tenant: usize,
        slot: u128,
        to: usize,
    },
    Claim {
        worker: usize,
        limit: i64,
    },
    Heartbeat {
        tenant: usize,
        slot: u128,
        attempt: i32,
        worker: usize,
    },
    Finish {
        tenant: usize,
        slot: u128,
        attempt: i32,
        worker: usize,
        failed: bool,
    },
    RescueStale {
        seconds: i64,
    },
    RescueWorker {
        worker: usize,
    },
    Pending {
        tenant: usize,
        limit: i64,
    },
    OfSchedule {
        tenant: usize,
        slot: u128,
        limit: i64,
    },
    ListRuns {
        tenant: usize,
        state: Option<usize>,
        size: i64,
    },
    CreateTrigger {
        tenant: usize,
        slot: u128,
        schedule: u128,
        due_in_minutes: i64,
    },
    ResolveTrigger {
        tenant: usize,
        slot: u128,
        status: usize,
        run: Option<u128>,
    },
    Advance {
        minutes: i64,
    },
}

fn schedule_id(slot: u128) -> Uuid {
    Uuid::from_u128(0x1000 + slot)
}
/// Run ids are unique across tenants, so the cross-tenant claim order
/// (priority, due time, id) is total.
fn run_id(tenant: usize, slot: u128) -> Uuid {
    Uuid::from_u128(0x2000 + tenant as u128 * 0x100 + slot)
}
fn trigger_id(slot: u128) -> Uuid {
    Uuid::from_u128(0x3000 + slot)
}

/// What exists, roughly: steers about half of the operations to rows that
/// exist. The oracle is the in-memory backend, not this.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    schedules: BTreeSet<(usize, u128)>,
    runs: BTreeSet<(usize, u128)>,
}

pub struct Operations;

impl ReferenceStateMachine for Operations {
    type State = Existing;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Existing> {
        Just(Existing::default()).boxed()
    }

    fn transitions(state: &Existing) -> BoxedStrategy<Op> {
        let tenant = 0..TENANTS.len();
        let random = prop_oneof![
            3 => (tenant.clone(), 0..SCHEDULE_SLOTS, 0..NAMES.len(), 0..TIMINGS.len(), prop::bool::weighted(0.85))
                .prop_map(|(tenant, slot, name, timing, enabled)| Op::Upsert { tenant, slot, name, timing, enabled }),
            1 => (tenant.clone(), 0..SCHEDULE_SLOTS).prop_map(|(tenant, slot)| Op::SoftDelete { tenant, slot }),
            2 => (1i64..4).prop_map(|limit| Op::PollAndFire { limit }),
            3 => (tenant.clone(), 0..RUN_SLOTS, prop::option::weighted(0.3, 0..SCHEDULE_SLOTS), 0i32..3, -30i64..30, 1i32..3)
                .prop_map(|(tenant, slot, schedule, priority, due_in_minutes, max_attempts)| Op::CreateRun {
                    tenant, slot, schedule, priority, due_in_minutes, max_attempts,
                }),
            2 => (tenant.clone(), 0..RUN_SLOTS, 0..RunState::ALL.len())
                .prop_map(|(tenant, slot, to)| Op::Transition { tenant, slot, to }),
            3 => (0..WORKERS.len(), 1i64..4).prop_map(|(worker, limit)| Op::Claim { worker, limit }),
            2 => (tenant.clone(), 0..RUN_SLOTS, 1i32..3, 0..WORKERS.len())
                .prop_map(|(tenant, slot, attempt, worker)| Op::Heartbeat { tenant, slot, attempt, worker }),
            2 => (tenant.clone(), 0..RUN_SLOTS, 1i32..3, 0..WORKERS.len(), any::<bool>())
                .prop_map(|(tenant, slot, attempt, worker, failed)| Op::Finish { tenant, slot, attempt, worker, failed }),
            1 => (1i64..600).prop_map(|seconds| Op::RescueStale { seconds }),
            1 => (0..WORKERS.len()).prop_map(|worker| Op::RescueWorker { worker }),
            1 => (tenant.clone(), 1i64..4).prop_map(|(tenant, limit)| Op::Pending { tenant, limit }),
            1 => (tenant.clone(), 0..SCHEDULE_SLOTS, 1i64..4).prop_map(|(tenant, slot, limit)| Op::OfSchedule { tenant, slot, limit }),
            1 => (tenant.clone(), prop::option::of(0..RunState::ALL.len()), 1i64..4)
                .prop_map(|(tenant, state, size)| Op::ListRuns { tenant, state, size }),
            1 => (tenant.clone(), 0..TRIGGER_SLOTS, 0..SCHEDULE_SLOTS, -10i64..10)
                .prop_map(|(tenant, slot, schedule, due_in_minutes)| Op::CreateTrigger { tenant, slot, schedule, due_in_minutes }),
            1 => (tenant.clone(), 0..TRIGGER_SLOTS, 0usize..4, prop::option::of(0..RUN_SLOTS))
                .prop_map(|(tenant, slot, status, run)| Op::ResolveTrigger { tenant, slot, status, run }),
            2 => (1i64..120).prop_map(|minutes| Op::Advance { minutes }),
        ];
        let runs: Vec<_> = state.runs.iter().copied().collect();
        if runs.is_empty() {
            return random.boxed();
        }
        // Aim at runs that exist: their life cycle is where bugs hide.
        let aimed = (
            prop::sample::select(runs),
            0..RunState::ALL.len(),
            1i32..3,
            0..WORKERS.len(),
            any::<bool>(),
        )
            .prop_flat_map(|((tenant, slot), to, attempt, worker, failed)| {
                prop_oneof![
                    Just(Op::Transition { tenant, slot, to }),
                    Just(Op::Heartbeat {
                        tenant,
                        slot,
                        attempt,
                        worker
                    }),
                    Just(Op::Finish {
                        tenant,
                        slot,
                        attempt,
                        worker,
                        failed
                    }),
                    Just(Op::Claim { worker, limit: 2 }),
                ]
            });
        prop_oneof![1 => random, 1 => aimed].boxed()
    }

    fn apply(mut state: Existing, op: &Op) -> Existing {
        match op {
            Op::Upsert { tenant, slot, .. } => {
                state.schedules.insert((*tenant, *slot));
            }
            Op::CreateRun { tenant, slot, .. } => {
                state.runs.insert((*tenant, *slot));
            }
            _ => {}
        }
        state
    }
}

/// Both backends, one clock, and the runtime that drives them.
type Backends = BothBackends<Scheduler>;

fn tenant(t: usize) -> TenantContext {
    TenantContext::new(TENANTS[t]).unwrap()
}

/// An answer as text: the value, or the error's message.
fn seen<T: Serialize>(result: Result<T, StorageError>) -> Result<String, String> {
    result
        .map(|v| serde_json::to_string(&v).unwrap())
        .map_err(|e| e.to_string())
}

fn claim(tenant: usize, slot: u128, attempt: i32) -> Claim {
    Claim {
        tenant_id: TENANTS[tenant].to_owned(),
        id: run_id(tenant, slot),
        attempt,
        priority: 0,
        due_at: None,
    }
}

async fn run(s: &Scheduler, clock: &ManualClock, op: &Op) -> Result<String, String> {
    use stellaops_storage::Clock;
    let system = SystemContext::new("model");
    match op {
        Op::Upsert {
            tenant: t,
            slot,
            name,
            timing,
            enabled,
        } => {
            let (cron, zone) = TIMINGS[*timing];
            let mut fields = ScheduleFields::new(NAMES[*name], cron, zone);
            fields.enabled = *enabled;
            seen(
                s.schedules
                    .upsert(&tenant(*t), schedule_id(*slot), &fields, "model")
                    .await,
            )
        }
        Op::SoftDelete { tenant: t, slot } => seen(
            s.schedules
                .soft_delete(&tenant(*t), schedule_id(*slot), "model")
                .await,
        ),
        Op::PollAndFire { limit } => {
            let due = s
                .schedules
                .due(&system, *limit)
                .await
                .map_err(|e| e.to_string())?;
            let mut fired = Vec::new();
            for schedule in &due {
                fired.push(seen(s.schedules.fire(&system, schedule).await));
            }
            Ok(serde_json::to_string(&(due, fired)).unwrap())
        }
        Op::CreateRun {
            tenant: t,
            slot,
            schedule,
            priority,
            due_in_minutes,
            max_attempts,
        } => {
            let mut new = NewRun::manual(clock.now() + Duration::minutes(*due_in_minutes));
            new.id = run_id(*t, *slot);
            new.schedule_id = schedule.map(schedule_id);
            new.priority = *priority;
            new.max_attempts = *max_attempts;
            seen(s.runs.create(&tenant(*t), &new).await)
        }
        Op::Transition {
            tenant: t,
            slot,
            to,
        } => seen(
            s.runs
                .transition(&tenant(*t), run_id(*t, *slot), RunState::ALL[*to])
                .await,
        ),
        Op::Claim { worker, limit } => seen(s.runs.claim(&system, WORKERS[*worker], *limit).await),
        Op::Heartbeat {
            tenant: t,
            slot,
            attempt,
            worker,
        } => seen(
            s.runs
                .heartbeat(&system, &claim(*t, *slot, *attempt), WORKERS[*worker])
                .await,
        ),
        Op::Finish {
            tenant: t,
            slot,
            attempt,
            worker,
            failed,
        } => {
            let (outcome, error) = if *failed {
                (Outcome::Failed, Some("boom"))
            } else {
                (Outcome::Completed, None)
            };
            seen(
                s.runs
                    .finish(
                        &system,
                        &claim(*t, *slot, *attempt),
                        WORKERS[*worker],
                        outcome,
                        error,
                    )
                    .await,
            )
        }
        Op::RescueStale { seconds } => seen(
            s.runs
                .rescue_stale(&system, Duration::seconds(*seconds))
                .await,
        ),
        Op::RescueWorker { worker } => seen(
            s.runs
                .rescue_claims_of(&system, &[WORKERS[*worker].to_owned()])
                .await,
        ),
        Op::Pending { tenant: t, limit } => seen(s.runs.pending(&tenant(*t), *limit).await),
        Op::OfSchedule {
            tenant: t,
            slot,
            limit,
        } => seen(
            s.runs
                .of_schedule(&tenant(*t), schedule_id(*slot), *limit)
                .await,
        ),
        Op::ListRuns {
            tenant: t,
            state,
            size,
        } => {
            let query = RunQuery {
                state: state.map(|i| RunState::ALL[i]),
                page: PageRequest::first(*size),
            };
            seen(s.runs.list(&tenant(*t), &query).await)
        }
        Op::CreateTrigger {
            tenant: t,
            slot,
            schedule,
            due_in_minutes,
        } => {
            let mut trigger = NewTrigger::new(
                schedule_id(*schedule),
                TriggerKind::Manual,
                clock.now() + Duration::minutes(*due_in_minutes),
            );
            trigger.id = trigger_id(*slot);
            seen(s.triggers.create(&tenant(*t), &trigger).await)
        }
        Op::ResolveTrigger {
            tenant: t,
            slot,
            status,
            run,
        } => seen(
            s.triggers
                .resolve(
                    &tenant(*t),
                    trigger_id(*slot),
                    TriggerStatus::ALL[*status],
                    run.map(|r| run_id(*t, r)),
                )
                .await,
        ),
        Op::Advance { minutes } => {
            clock.advance(Duration::minutes(*minutes) + Duration::microseconds(1));
            Ok(String::new())
        }
    }
}

/// Everything each tenant can see, as one JSON text.
async fn visible(s: &Scheduler) -> String {
    let mut out = Vec::new();
    for t in 0..TENANTS.len() {
        let ctx = tenant(t);
        let schedules = s
            .schedules
            .list(
                &ctx,
                &ScheduleQuery {
                    include_deleted: true,
                    page: PageRequest::first(500),
                    ..Default::default()
                },
            )
            .await;
        let runs = s
            .runs
            .list(
                &ctx,
                &RunQuery {
                    state: None,
                    page: PageRequest::first(500),
                },
            )
            .await;
        let mut triggers = Vec::new();
        for slot in 0..SCHEDULE_SLOTS {
            triggers.push(seen(
                s.triggers.of_schedule(&ctx, schedule_id(slot), 100).await,
            ));
        }
        out.push(serde_json::json!({
            "schedules": seen(schedules), "runs": seen(runs), "triggers": triggers,
        }));
    }
    serde_json::to_string_pretty(&out).unwrap()
}

pub struct Agreement;

impl StateMachineTest for Agreement {
    type SystemUnderTest = Backends;
    type Reference = Operations;

    fn init_test(_: &Existing) -> Backends {
        Backends::start(model_epoch())
    }

    fn apply(backends: Backends, _: &Existing, op: Op) -> Backends {
        backends.agree(&op, async |module, clock| run(module, clock, &op).await);
        backends
    }

    fn check_invariants(backends: &Backends, _: &Existing) {
        backends.agree(&"the visible state", async |module, _| {
            visible(module).await
        });
    }
}

prop_state_machine! {
    #![proptest_config(Config { cases: stellaops_suites::sources::model_cases(), max_shrink_iters: 2_000, ..Config::default() })]

    #[test]
    fn postgres_agrees_with_the_reference_model(sequential 1..40 => Agreement);
}
