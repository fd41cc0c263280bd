//! Model-based property test: random sequences over the delivery queue
//! (idempotent enqueues, some with a reused key or a missing channel,
//! claims, fenced completions and failures with right and wrong attempts,
//! rescues, changes by hand), digests (appends in every window, flushes)
//! and escalations (correlating events, starts, advances, acknowledgements
//! and resolutions), with the clock moving, run on PostgreSQL and on the
//! in-memory reference. Every answer and, after every step, the whole
//! visible state must agree; proptest-state-machine shrinks a failure to a
//! minimal sequence.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use serde::Serialize;
use stellaops_storage::notify::*;
use stellaops_storage::{ManualClock, PageRequest, StorageError, SystemContext, TenantContext};
use uuid::Uuid;

use stellaops_suites::agreement::BothBackends;

const TENANTS: [&str; 2] = ["acme", "acme-eu"];
const SENDERS: [&str; 2] = ["s1", "s2"];
const PEOPLE: [&str; 2] = ["alice", "bob"];
const ACTIONS: [&str; 2] = ["scan.completed", "policy.changed"];
const KEY_SLOTS: u128 = 4;
const INCIDENT_SLOTS: u128 = 3;
const CHANNEL: Uuid = Uuid::from_u128(0xc0);
const POLICY: Uuid = Uuid::from_u128(0xe0);

fn model_epoch() -> DateTime<Utc> {
    "2026-03-01T11:58:00.250000Z".parse().unwrap()
}

#[derive(Debug, Clone)]
pub enum Op {
    Enqueue {
        tenant: usize,
        key: u128,
        event: u128,
        missing_channel: bool,
        due_in_seconds: i64,
        max_attempts: i32,
        payload: u8,
    },
    Claim {
        sender: usize,
        limit: i64,
    },
    Complete {
        tenant: usize,
        key: u128,
        attempt: i32,
        sender: usize,
    },
    Fail {
        tenant: usize,
        key: u128,
        attempt: i32,
        sender: usize,
        retry_after_seconds: i64,
    },
    Rescue {
        seconds: i64,
    },
    ByHand {
        tenant: usize,
        key: u128,
        to: usize,
    },
    Append {
        tenant: usize,
        window: usize,
        action: usize,
        event: u8,
    },
    Flush {
        limit: i64,
    },
    Correlate {
        tenant: usize,
        key: u128,
        id: u128,
    },
    Start {
        tenant: usize,
        incident: u128,
        id: u128,
    },
    /// An event correlated into incident `slot` and its escalation started.
    Escalate {
        tenant: usize,
        key: u128,
        slot: u128,
    },
    Advance {
        limit: i64,
    },
    AckEscalation {
        tenant: usize,
        id: u128,
        by: usize,
    },
    AckIncident {
        tenant: usize,
        incident: u128,
        by: usize,
    },
    Resolve {
        tenant: usize,
        incident: u128,
        by: usize,
    },
    Tick {
        seconds: i64,
    },
}

/// Ids are unique across tenants, so cross-tenant orders (claims,
/// advances) are total.
fn delivery_id(tenant: usize, key: u128) -> Uuid {
    Uuid::from_u128(0x1000 + tenant as u128 * 0x100 + key)
}
fn incident_id(tenant: usize, slot: u128) -> Uuid {
    Uuid::from_u128(0x2000 + tenant as u128 * 0x100 + slot)
}
fn escalation_id(tenant: usize, slot: u128) -> Uuid {
    Uuid::from_u128(0x3000 + tenant as u128 * 0x100 + slot)
}

pub struct Operations;

impl ReferenceStateMachine for Operations {
    type State = ();
    type Transition = Op;

    fn init_state() -> BoxedStrategy<()> {
        Just(()).boxed()
    }

    fn transitions(_: &()) -> BoxedStrategy<Op> {
        let tenant = 0..TENANTS.len();
        let key = 0..KEY_SLOTS;
        let slot = 0..INCIDENT_SLOTS;
        prop_oneof![
            4 => (tenant.clone(), key.clone(), 0..3u128, prop::bool::weighted(0.1), -60i64..120, 1i32..4, 0u8..2)
                .prop_map(|(tenant, key, event, missing_channel, due_in_seconds, max_attempts, payload)| Op::Enqueue {
                    tenant, key, event, missing_channel, due_in_seconds, max_attempts, payload,
                }),
            3 => (0..SENDERS.len(), 1i64..4).prop_map(|(sender, limit)| Op::Claim { sender, limit }),
            2 => (tenant.clone(), key.clone(), 0i32..4, 0..SENDERS.len())
                .prop_map(|(tenant, key, attempt, sender)| Op::Complete { tenant, key, attempt, sender }),
            2 => (tenant.clone(), key.clone(), 0i32..4, 0..SENDERS.len(), 1i64..120)
                .prop_map(|(tenant, key, attempt, sender, retry_after_seconds)| Op::Fail {
                    tenant, key, attempt, sender, retry_after_seconds,
                }),
            1 => (1i64..300).prop_map(|seconds| Op::Rescue { seconds }),
            1 => (tenant.clone(), key, 0..DeliveryStatus::ALL.len())
                .prop_map(|(tenant, key, to)| Op::ByHand { tenant, key, to }),
            3 => (tenant.clone(), 0..DigestWindow::ALL.len(), 0..ACTIONS.len(), 0u8..3)
                .prop_map(|(tenant, window, action, event)| Op::Append { tenant, window, action, event }),
            2 => (1i64..4).prop_map(|limit| Op::Flush { limit }),
            2 => (tenant.clone(), 0..2u128, slot.clone()).prop_map(|(tenant, key, id)| Op::Correlate { tenant, key, id }),
            2 => (tenant.clone(), slot.clone(), 0..3u128).prop_map(|(tenant, incident, id)| Op::Start { tenant, incident, id }),
            3 => (tenant.clone(), 0..2u128, slot.clone()).prop_map(|(tenant, key, slot)| Op::Escalate { tenant, key, slot }),
            4 => (1i64..4).prop_map(|limit| Op::Advance { limit }),
            1 => (tenant.clone(), 0..3u128, 0..PEOPLE.len()).prop_map(|(tenant, id, by)| Op::AckEscalation { tenant, id, by }),
            1 => (tenant.clone(), slot.clone(), 0..PEOPLE.len()).prop_map(|(tenant, incident, by)| Op::AckIncident { tenant, incident, by }),
            1 => (tenant, slot, 0..PEOPLE.len()).prop_map(|(tenant, incident, by)| Op::Resolve { tenant, incident, by }),
            3 => (1i64..400).prop_map(|seconds| Op::Tick { seconds }),
        ]
        .boxed()
    }

    fn apply(state: (), _: &Op) {
        state
    }
}

type Backends = BothBackends<Notify>;

fn tenant(t: usize) -> TenantContext {
    TenantContext::new(TENANTS[t]).unwrap()
}

/// An answer as text: the value, or the error's message.
fn seen<T: Serialize>(result: Result<T, StorageError>) -> Result<String, String> {
    result
        .map(|v| serde_json::to_string(&v).unwrap())
        .map_err(|e| e.to_string())
}

fn claim(t: usize, key: u128, attempt: i32) -> DeliveryClaim {
    DeliveryClaim {
        tenant_id: TENANTS[t].to_owned(),
        id: delivery_id(t, key),
        attempt,
    }
}

/// What every tenant starts with: its channel and a two-stage policy that
/// repeats once.
async fn setup(n: &Notify) {
    for t in 0..TENANTS.len() {
        let ctx = tenant(t);
        n.channels
            .create_channel(
                &ctx,
                CHANNEL,
                &ChannelFields::new("ops", ChannelType::Email),
            )
            .await
            .unwrap();
        let mut policy = PolicyFields::new(
            "on-call",
            vec![
                EscalationStep::new(0, [CHANNEL]),
                EscalationStep::new(60, [CHANNEL]),
            ],
        );
        policy.repeat_count = 1;
        n.policies
            .create_policy(&ctx, POLICY, &policy)
            .await
            .unwrap();
    }
}

async fn run(n: &Notify, clock: &ManualClock, op: &Op) -> Result<String, String> {
    use stellaops_storage::Clock;
    let system = SystemContext::new("model");
    match op {
        Op::Enqueue {
            tenant: t,
            key,
            event,
            missing_channel,
            due_in_seconds,
            max_attempts,
            payload,
        } => {
            let channel = if *missing_channel {
                Uuid::from_u128(0xdead)
            } else {
                CHANNEL
            };
            let mut new = NewDelivery::new(
                format!("key-{key}"),
                channel,
                format!("event-{event}"),
                "ops@example.test",
            );
            new.id = delivery_id(*t, *key);
            new.due_at = Some(clock.now() + Duration::seconds(*due_in_seconds));
            new.max_attempts = *max_attempts;
            new.payload = serde_json::json!({"variant": payload});
            seen(n.deliveries.enqueue(&tenant(*t), &new).await)
        }
        Op::Claim { sender, limit } => seen(
            n.deliveries
                .claim_deliveries(&system, SENDERS[*sender], *limit)
                .await,
        ),
        Op::Complete {
            tenant: t,
            key,
            attempt,
            sender,
        } => seen(
            n.deliveries
                .complete_delivery(
                    &system,
                    &claim(*t, *key, *attempt),
                    SENDERS[*sender],
                    Some("msg"),
                )
                .await,
        ),
        Op::Fail {
            tenant: t,
            key,
            attempt,
            sender,
            retry_after_seconds,
        } => {
            let mut failure = Failure::new("smtp 451");
            failure.retry_after = Duration::seconds(*retry_after_seconds);
            seen(
                n.deliveries
                    .fail_delivery(
                        &system,
                        &claim(*t, *key, *attempt),
                        SENDERS[*sender],
                        &failure,
                    )
                    .await,
            )
        }
        Op::Rescue { seconds } => seen(
            n.deliveries
                .rescue_stale_deliveries(&system, Duration::seconds(*seconds))
                .await,
        ),
        Op::ByHand { tenant: t, key, to } => seen(
            n.deliveries
                .transition_delivery(&tenant(*t), delivery_id(*t, *key), DeliveryStatus::ALL[*to])
                .await,
        ),
        Op::Append {
            tenant: t,
            window,
            action,
            event,
        } => {
            let event = DigestEvent {
                channel_id: CHANNEL,
                recipient: "ops@example.test".to_owned(),
                action: ACTIONS[*action].to_owned(),
                window: DigestWindow::ALL[*window],
                event_id: format!("e{event}"),
                event: serde_json::json!({"n": event}),
            };
            seen(n.digests.append_to_digest(&tenant(*t), &event).await)
        }
        Op::Flush { limit } => seen(n.digests.flush_digests(&system, *limit).await),
        Op::Correlate { tenant: t, key, id } => {
            let mut new = NewIncident::new(format!("svc-{key}"), "down", Severity::High);
            new.id = incident_id(*t, *id);
            seen(n.incidents.correlate(&tenant(*t), &new).await)
        }
        Op::Start {
            tenant: t,
            incident,
            id,
        } => seen(
            n.escalations
                .start_escalation(
                    &tenant(*t),
                    escalation_id(*t, *id),
                    incident_id(*t, *incident),
                    POLICY,
                )
                .await,
        ),
        Op::Escalate {
            tenant: t,
            key,
            slot,
        } => {
            let mut new = NewIncident::new(format!("svc-{key}"), "down", Severity::High);
            new.id = incident_id(*t, *slot);
            let correlated = seen(n.incidents.correlate(&tenant(*t), &new).await);
            let started = seen(
                n.escalations
                    .start_escalation(&tenant(*t), escalation_id(*t, *slot), new.id, POLICY)
                    .await,
            );
            seen(Ok((correlated, started)))
        }
        Op::Advance { limit } => seen(n.escalations.advance_escalations(&system, *limit).await),
        Op::AckEscalation { tenant: t, id, by } => seen(
            n.escalations
                .acknowledge_escalation(&tenant(*t), escalation_id(*t, *id), PEOPLE[*by])
                .await,
        ),
        Op::AckIncident {
            tenant: t,
            incident,
            by,
        } => seen(
            n.incidents
                .acknowledge_incident(&tenant(*t), incident_id(*t, *incident), PEOPLE[*by])
                .await,
        ),
        Op::Resolve {
            tenant: t,
            incident,
            by,
        } => seen(
            n.incidents
                .resolve_incident(&tenant(*t), incident_id(*t, *incident), PEOPLE[*by])
                .await,
        ),
        Op::Tick { seconds } => {
            clock.advance(Duration::seconds(*seconds));
            Ok(String::new())
        }
    }
}

/// Everything each tenant can see, as one JSON text.
async fn visible(n: &Notify) -> String {
    let mut out = Vec::new();
    for t in 0..TENANTS.len() {
        let ctx = tenant(t);
        let deliveries = n
            .deliveries
            .list_deliveries(
                &ctx,
                &DeliveryQuery {
                    status: None,
                    page: PageRequest::first(500),
                },
            )
            .await;
        let digests = n.digests.list_digests(&ctx, &PageRequest::first(500)).await;
        let incidents = n
            .incidents
            .list_incidents(&ctx, &IncidentQuery::default())
            .await;
        let mut escalations = Vec::new();
        for slot in 0..INCIDENT_SLOTS {
            escalations.push(seen(
                n.escalations
                    .escalations_of(&ctx, incident_id(t, slot))
                    .await,
            ));
        }
        out.push(serde_json::json!({
            "deliveries": seen(deliveries), "digests": seen(digests),
            "incidents": seen(incidents), "escalations": escalations,
        }));
    }
    serde_json::to_string_pretty(&out).unwrap()
}

pub struct Agreement;

impl StateMachineTest for Agreement {
    type SystemUnderTest = Backends;
    type Reference = Operations;

    fn init_test(_: &()) -> Backends {
        let backends = Backends::start(model_epoch());
        backends.on_both(async |n| setup(n).await);
        backends
    }

    fn apply(backends: Backends, _: &(), op: Op) -> Backends {
        backends.agree(&op, async |module, clock| run(module, clock, &op).await);
        backends
    }

    fn check_invariants(backends: &Backends, _: &()) {
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
