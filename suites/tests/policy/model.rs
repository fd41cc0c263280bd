//! Model-based property test: random sequences over packs (status by
//! hand, deletes), versions (drafts, edits, submissions, approvals,
//! returns, activations, retirements, derivations, deletes, with right and
//! wrong states), rules of drafts and of frozen versions, and exceptions
//! (proposals with good and bad expiries, approvals, rejections,
//! revocations, the expiry sweep) with the clock moving, run on
//! PostgreSQL and on the in-memory reference. Every answer and, after
//! every step, the whole visible state must agree; proptest-state-machine
//! shrinks a failure to a minimal sequence.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use serde::Serialize;
use stellaops_storage::policy::*;
use stellaops_storage::{ManualClock, PageRequest, StorageError, SystemContext, TenantContext};
use uuid::Uuid;

use stellaops_suites::agreement::BothBackends;

const TENANTS: [&str; 2] = ["acme", "acme-eu"];
const PACKS: u128 = 2;
const VERSION_SLOTS: u128 = 4;
const EXCEPTION_SLOTS: u128 = 3;
const KEYS: [&str; 2] = ["crit", "high"];

fn model_epoch() -> DateTime<Utc> {
    "2026-03-01T11:58:00.250000Z".parse().unwrap()
}

#[derive(Debug, Clone)]
pub enum Op {
    PackStatus {
        tenant: usize,
        pack: u128,
        to: usize,
    },
    DeletePack {
        tenant: usize,
        pack: u128,
    },
    CreateVersion {
        tenant: usize,
        pack: u128,
        slot: u128,
        source: u8,
    },
    EditDraft {
        tenant: usize,
        slot: u128,
        source: u8,
    },
    Submit {
        tenant: usize,
        slot: u128,
    },
    Approve {
        tenant: usize,
        slot: u128,
    },
    Return {
        tenant: usize,
        slot: u128,
    },
    Activate {
        tenant: usize,
        slot: u128,
    },
    Retire {
        tenant: usize,
        slot: u128,
    },
    Derive {
        tenant: usize,
        from: u128,
        slot: u128,
    },
    DeleteVersion {
        tenant: usize,
        slot: u128,
    },
    AddRule {
        tenant: usize,
        slot: u128,
        key: usize,
        priority: i32,
    },
    DeleteRule {
        tenant: usize,
        slot: u128,
        key: usize,
    },
    Propose {
        tenant: usize,
        slot: u128,
        pack: Option<u128>,
        key: Option<usize>,
        expires_in_minutes: i64,
    },
    ApproveException {
        tenant: usize,
        slot: u128,
    },
    RejectException {
        tenant: usize,
        slot: u128,
    },
    Revoke {
        tenant: usize,
        slot: u128,
    },
    Sweep {
        limit: i64,
    },
    Tick {
        minutes: i64,
    },
}

fn pack_id(pack: u128) -> Uuid {
    Uuid::from_u128(0x100 + pack)
}

fn version_id(slot: u128) -> Uuid {
    Uuid::from_u128(0x200 + slot)
}

fn rule_id(slot: u128, key: usize) -> Uuid {
    Uuid::from_u128(0x300 + slot * 0x10 + key as u128)
}

fn exception_id(slot: u128) -> Uuid {
    Uuid::from_u128(0x400 + slot)
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
        let pack = 0..PACKS;
        let slot = 0..VERSION_SLOTS;
        let ex = 0..EXCEPTION_SLOTS;
        prop_oneof![
            1 => (tenant.clone(), pack.clone(), 0..PackStatus::ALL.len()).prop_map(|(tenant, pack, to)| Op::PackStatus { tenant, pack, to }),
            1 => (tenant.clone(), pack.clone()).prop_map(|(tenant, pack)| Op::DeletePack { tenant, pack }),
            4 => (tenant.clone(), pack.clone(), slot.clone(), 0u8..3).prop_map(|(tenant, pack, slot, source)| Op::CreateVersion { tenant, pack, slot, source }),
            1 => (tenant.clone(), slot.clone(), 0u8..3).prop_map(|(tenant, slot, source)| Op::EditDraft { tenant, slot, source }),
            3 => (tenant.clone(), slot.clone()).prop_map(|(tenant, slot)| Op::Submit { tenant, slot }),
            3 => (tenant.clone(), slot.clone()).prop_map(|(tenant, slot)| Op::Approve { tenant, slot }),
            1 => (tenant.clone(), slot.clone()).prop_map(|(tenant, slot)| Op::Return { tenant, slot }),
            3 => (tenant.clone(), slot.clone()).prop_map(|(tenant, slot)| Op::Activate { tenant, slot }),
            1 => (tenant.clone(), slot.clone()).prop_map(|(tenant, slot)| Op::Retire { tenant, slot }),
            1 => (tenant.clone(), slot.clone(), slot.clone()).prop_map(|(tenant, from, slot)| Op::Derive { tenant, from, slot }),
            1 => (tenant.clone(), slot.clone()).prop_map(|(tenant, slot)| Op::DeleteVersion { tenant, slot }),
            3 => (tenant.clone(), slot.clone(), 0..KEYS.len(), -2i32..3).prop_map(|(tenant, slot, key, priority)| Op::AddRule { tenant, slot, key, priority }),
            1 => (tenant.clone(), slot, 0..KEYS.len()).prop_map(|(tenant, slot, key)| Op::DeleteRule { tenant, slot, key }),
            2 => (tenant.clone(), ex.clone(), proptest::option::of(pack), proptest::option::of(0..KEYS.len()), -10i64..120)
                .prop_map(|(tenant, slot, pack, key, expires_in_minutes)| Op::Propose { tenant, slot, pack, key, expires_in_minutes }),
            2 => (tenant.clone(), ex.clone()).prop_map(|(tenant, slot)| Op::ApproveException { tenant, slot }),
            1 => (tenant.clone(), ex.clone()).prop_map(|(tenant, slot)| Op::RejectException { tenant, slot }),
            1 => (tenant, ex).prop_map(|(tenant, slot)| Op::Revoke { tenant, slot }),
            1 => (1i64..4).prop_map(|limit| Op::Sweep { limit }),
            2 => (1i64..90).prop_map(|minutes| Op::Tick { minutes }),
        ]
        .boxed()
    }

    fn apply(state: (), _: &Op) {
        state
    }
}

type Backends = BothBackends<Policy>;

fn tenant(t: usize) -> TenantContext {
    TenantContext::new(TENANTS[t]).unwrap()
}

/// An answer as text: the value, or the error's message.
fn seen<T: Serialize>(result: Result<T, StorageError>) -> Result<String, String> {
    result
        .map(|v| serde_json::to_string(&v).unwrap())
        .map_err(|e| e.to_string())
}

/// What every tenant starts with: two packs.
async fn setup(p: &Policy) {
    for t in 0..TENANTS.len() {
        for pack in 0..PACKS {
            p.packs
                .create_pack(
                    &tenant(t),
                    pack_id(pack),
                    &PackFields::new(format!("pack-{pack}")),
                    "alice",
                )
                .await
                .unwrap();
        }
    }
}

async fn run(p: &Policy, clock: &ManualClock, op: &Op) -> Result<String, String> {
    use stellaops_storage::Clock;
    let ctx = |t: &usize| tenant(*t);
    match op {
        Op::PackStatus {
            tenant: t,
            pack,
            to,
        } => seen(
            p.packs
                .change_pack_status(&ctx(t), pack_id(*pack), PackStatus::ALL[*to])
                .await,
        ),
        Op::DeletePack { tenant: t, pack } => {
            seen(p.packs.delete_pack(&ctx(t), pack_id(*pack)).await)
        }
        Op::CreateVersion {
            tenant: t,
            pack,
            slot,
            source,
        } => seen(
            p.versions
                .create_version(
                    &ctx(t),
                    version_id(*slot),
                    pack_id(*pack),
                    &VersionFields::new(format!("source {source}")),
                )
                .await,
        ),
        Op::EditDraft {
            tenant: t,
            slot,
            source,
        } => seen(
            p.versions
                .update_draft(
                    &ctx(t),
                    version_id(*slot),
                    &VersionFields::new(format!("edit {source}")),
                )
                .await,
        ),
        Op::Submit { tenant: t, slot } => seen(
            p.versions
                .submit_version(&ctx(t), version_id(*slot), "alice")
                .await,
        ),
        Op::Approve { tenant: t, slot } => seen(
            p.versions
                .approve_version(&ctx(t), version_id(*slot), "bob")
                .await,
        ),
        Op::Return { tenant: t, slot } => {
            seen(p.versions.return_to_draft(&ctx(t), version_id(*slot)).await)
        }
        Op::Activate { tenant: t, slot } => seen(
            p.versions
                .activate_version(&ctx(t), version_id(*slot))
                .await,
        ),
        Op::Retire { tenant: t, slot } => {
            seen(p.versions.retire_version(&ctx(t), version_id(*slot)).await)
        }
        Op::Derive {
            tenant: t,
            from,
            slot,
        } => seen(
            p.versions
                .derive_version(&ctx(t), version_id(*slot), version_id(*from))
                .await,
        ),
        Op::DeleteVersion { tenant: t, slot } => {
            seen(p.versions.delete_version(&ctx(t), version_id(*slot)).await)
        }
        Op::AddRule {
            tenant: t,
            slot,
            key,
            priority,
        } => {
            let mut rule = PolicyRuleFields::new(KEYS[*key], RuleSeverity::High, RuleAction::Block);
            rule.priority = *priority;
            seen(
                p.rules
                    .add_rule(&ctx(t), rule_id(*slot, *key), version_id(*slot), &rule)
                    .await,
            )
        }
        Op::DeleteRule {
            tenant: t,
            slot,
            key,
        } => seen(p.rules.delete_rule(&ctx(t), rule_id(*slot, *key)).await),
        Op::Propose {
            tenant: t,
            slot,
            pack,
            key,
            expires_in_minutes,
        } => {
            let mut new = NewException::new(
                exception_id(*slot),
                format!("waiver-{slot}"),
                "fix pending",
                "alice",
                clock.now() + Duration::minutes(*expires_in_minutes),
            );
            new.pack_id = pack.map(pack_id);
            new.rule_key = key.map(|k| KEYS[k].to_owned());
            seen(p.exceptions.propose_exception(&ctx(t), &new).await)
        }
        Op::ApproveException { tenant: t, slot } => seen(
            p.exceptions
                .approve_exception(&ctx(t), exception_id(*slot), "bob")
                .await,
        ),
        Op::RejectException { tenant: t, slot } => seen(
            p.exceptions
                .reject_exception(&ctx(t), exception_id(*slot))
                .await,
        ),
        Op::Revoke { tenant: t, slot } => seen(
            p.exceptions
                .revoke_exception(&ctx(t), exception_id(*slot))
                .await,
        ),
        Op::Sweep { limit } => seen(
            p.exceptions
                .expire_exceptions(&SystemContext::new("model"), *limit)
                .await,
        ),
        Op::Tick { minutes } => {
            clock.advance(Duration::minutes(*minutes));
            Ok(String::new())
        }
    }
}

/// Everything each tenant can see, as one JSON text.
async fn visible(p: &Policy, clock: &ManualClock) -> String {
    use stellaops_storage::Clock;
    let mut out = Vec::new();
    for t in 0..TENANTS.len() {
        let ctx = tenant(t);
        let packs = seen(p.packs.list_packs(&ctx, &PageRequest::first(100)).await);
        let mut per_pack = Vec::new();
        for pack in 0..PACKS {
            let versions = seen(p.versions.versions_of(&ctx, pack_id(pack)).await);
            let active = seen(p.versions.active_version(&ctx, pack_id(pack)).await);
            let mut waived = Vec::new();
            for key in KEYS {
                waived.push(seen(
                    p.exceptions
                        .active_exceptions(&ctx, pack_id(pack), key, clock.now())
                        .await,
                ));
            }
            per_pack.push(
                serde_json::json!({"versions": versions, "active": active, "waived": waived}),
            );
        }
        let mut rules = Vec::new();
        let mut exceptions = Vec::new();
        for slot in 0..VERSION_SLOTS {
            rules.push(seen(p.rules.rules_of_version(&ctx, version_id(slot)).await));
        }
        for slot in 0..EXCEPTION_SLOTS {
            exceptions.push(seen(
                p.exceptions.get_exception(&ctx, exception_id(slot)).await,
            ));
        }
        out.push(serde_json::json!({
            "packs": packs, "per_pack": per_pack, "rules": rules, "exceptions": exceptions,
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
        backends.on_both(async |p| setup(p).await);
        backends
    }

    fn apply(backends: Backends, _: &(), op: Op) -> Backends {
        backends.agree(&op, async |module, clock| run(module, clock, &op).await);
        backends
    }

    fn check_invariants(backends: &Backends, _: &()) {
        backends.agree(&"the visible state", async |module, clock| {
            visible(module, clock).await
        });
    }
}

prop_state_machine! {
    #![proptest_config(Config { cases: stellaops_suites::sources::model_cases(), max_shrink_iters: 2_000, ..Config::default() })]

    #[test]
    fn postgres_agrees_with_the_reference_model(sequential 1..40 => Agreement);
}
