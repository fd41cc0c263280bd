//! Model-based property test: random sequences of user, role, token and
//! login-attempt operations across tenants run on PostgreSQL and on the
//! in-memory reference; after every step the answers and the visible state
//! must agree. proptest-state-machine shrinks a failure to a minimal sequence.

use chrono::Duration;
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use serde::Serialize;
use stellaops_storage::authority::*;
use stellaops_storage::{
    Clock, ManualClock, StorageError, SystemContext, TenantCode, TenantContext,
};
use uuid::Uuid;

use stellaops_suites::agreement::BothBackends;

use crate::support::epoch;

const TENANTS: [&str; 3] = ["acme", "acme-eu", "globex"];
const NAMES: [&str; 4] = ["alice", "bob", "Carol", "dave"];
const USER_SLOTS: u128 = 4;
const ROLE_SLOTS: u128 = 3;
const TOKEN_SLOTS: u128 = 5;

#[derive(Debug, Clone)]
pub enum Op {
    CreateUser {
        tenant: usize,
        slot: u128,
        name: usize,
    },
    UpdateUser {
        tenant: usize,
        slot: u128,
        name: usize,
        status: usize,
    },
    DeleteUser {
        tenant: usize,
        slot: u128,
    },
    UserByName {
        tenant: usize,
        name: usize,
    },
    ListUsers {
        tenant: usize,
        prefix: Option<usize>,
        size: i64,
    },
    CreateRole {
        tenant: usize,
        slot: u128,
        name: usize,
    },
    DeleteRole {
        tenant: usize,
        slot: u128,
    },
    Assign {
        tenant: usize,
        user: u128,
        role: u128,
    },
    Revoke {
        tenant: usize,
        user: u128,
        role: u128,
    },
    IssueToken {
        tenant: usize,
        slot: u128,
        user: u128,
        hash: usize,
        ttl_minutes: i64,
    },
    RevokeToken {
        tenant: usize,
        slot: u128,
    },
    TokenByHash {
        hash: usize,
    },
    Prune,
    Attempt {
        tenant: usize,
        name: usize,
        failed: bool,
    },
    CountFailures {
        tenant: usize,
        name: usize,
        window_minutes: i64,
    },
    Advance {
        minutes: i64,
    },
}

fn user_id(slot: u128) -> Uuid {
    Uuid::from_u128(0x1000 + slot)
}
fn role_id(slot: u128) -> Uuid {
    Uuid::from_u128(0x2000 + slot)
}
fn token_id(slot: u128) -> Uuid {
    Uuid::from_u128(0x3000 + slot)
}

/// What exists, roughly: a hint that steers generation towards operations
/// on rows that exist (a revoke of an issued token, a grant to a created
/// user). The oracle is the in-memory backend, not this.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    users: std::collections::BTreeSet<(usize, u128)>,
    roles: std::collections::BTreeSet<(usize, u128)>,
    tokens: std::collections::BTreeSet<(usize, u128)>,
}

/// The generator: operations are drawn from small pools of tenants, names
/// and ids, so they collide often (duplicates, missing references, another
/// tenant's ids) and the error paths are exercised too; about half of them
/// aim at rows that exist.
pub struct Operations;

impl ReferenceStateMachine for Operations {
    type State = Existing;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Existing> {
        Just(Existing::default()).boxed()
    }

    fn transitions(state: &Existing) -> BoxedStrategy<Op> {
        let tenant = 0..TENANTS.len();
        let name = 0..NAMES.len();
        let random = prop_oneof![
            3 => (tenant.clone(), 0..USER_SLOTS, name.clone())
                .prop_map(|(tenant, slot, name)| Op::CreateUser { tenant, slot, name }),
            1 => (tenant.clone(), 0..USER_SLOTS, name.clone(), 0..UserStatus::ALL.len())
                .prop_map(|(tenant, slot, name, status)| Op::UpdateUser { tenant, slot, name, status }),
            1 => (tenant.clone(), 0..USER_SLOTS).prop_map(|(tenant, slot)| Op::DeleteUser { tenant, slot }),
            1 => (tenant.clone(), name.clone()).prop_map(|(tenant, name)| Op::UserByName { tenant, name }),
            1 => (tenant.clone(), proptest::option::of(name.clone()), prop_oneof![Just(0i64), 1..4i64, Just(10_000)])
                .prop_map(|(tenant, prefix, size)| Op::ListUsers { tenant, prefix, size }),
            2 => (tenant.clone(), 0..ROLE_SLOTS, name.clone())
                .prop_map(|(tenant, slot, name)| Op::CreateRole { tenant, slot, name }),
            1 => (tenant.clone(), 0..ROLE_SLOTS).prop_map(|(tenant, slot)| Op::DeleteRole { tenant, slot }),
            1 => (tenant.clone(), 0..USER_SLOTS, 0..ROLE_SLOTS)
                .prop_map(|(tenant, user, role)| Op::Assign { tenant, user, role }),
            1 => (tenant.clone(), 0..USER_SLOTS, 0..ROLE_SLOTS)
                .prop_map(|(tenant, user, role)| Op::Revoke { tenant, user, role }),
            1 => (tenant.clone(), 0..TOKEN_SLOTS, 0..USER_SLOTS, 0..4usize, -5..120i64)
                .prop_map(|(tenant, slot, user, hash, ttl_minutes)| Op::IssueToken { tenant, slot, user, hash, ttl_minutes }),
            1 => (tenant.clone(), 0..TOKEN_SLOTS).prop_map(|(tenant, slot)| Op::RevokeToken { tenant, slot }),
            1 => (0..4usize).prop_map(|hash| Op::TokenByHash { hash }),
            1 => Just(Op::Prune),
            2 => (tenant.clone(), name.clone(), any::<bool>())
                .prop_map(|(tenant, name, failed)| Op::Attempt { tenant, name, failed }),
            1 => (tenant, name.clone(), prop_oneof![Just(0i64), 1..90i64])
                .prop_map(|(tenant, name, window_minutes)| Op::CountFailures { tenant, name, window_minutes }),
            1 => (0..45i64).prop_map(|minutes| Op::Advance { minutes }),
        ];
        let mut aimed: Vec<BoxedStrategy<Op>> = Vec::new();
        if !state.users.is_empty() {
            let users: Vec<(usize, u128)> = state.users.iter().copied().collect();
            let pick = proptest::sample::select(users);
            aimed.push(
                (pick.clone(), 0..TOKEN_SLOTS, 0..4usize, 1..120i64)
                    .prop_map(|((tenant, user), slot, hash, ttl_minutes)| Op::IssueToken {
                        tenant,
                        slot,
                        user,
                        hash,
                        ttl_minutes,
                    })
                    .boxed(),
            );
            aimed.push(
                (pick.clone(), 0..ROLE_SLOTS)
                    .prop_map(|((tenant, user), role)| Op::Assign { tenant, user, role })
                    .boxed(),
            );
            aimed.push(
                (pick.clone(), 0..ROLE_SLOTS)
                    .prop_map(|((tenant, user), role)| Op::Revoke { tenant, user, role })
                    .boxed(),
            );
            aimed.push(
                (pick.clone(), name.clone(), 0..UserStatus::ALL.len())
                    .prop_map(|((tenant, slot), name, status)| Op::UpdateUser {
                        tenant,
                        slot,
                        name,
                        status,
                    })
                    .boxed(),
            );
            aimed.push(
                pick.prop_map(|(tenant, slot)| Op::DeleteUser { tenant, slot })
                    .boxed(),
            );
        }
        if !state.tokens.is_empty() {
            let tokens: Vec<(usize, u128)> = state.tokens.iter().copied().collect();
            aimed.push(
                proptest::sample::select(tokens)
                    .prop_map(|(tenant, slot)| Op::RevokeToken { tenant, slot })
                    .boxed(),
            );
        }
        if !state.roles.is_empty() {
            let roles: Vec<(usize, u128)> = state.roles.iter().copied().collect();
            aimed.push(
                proptest::sample::select(roles)
                    .prop_map(|(tenant, slot)| Op::DeleteRole { tenant, slot })
                    .boxed(),
            );
        }
        if aimed.is_empty() {
            return random.boxed();
        }
        prop_oneof![1 => random, 1 => proptest::strategy::Union::new(aimed)].boxed()
    }

    fn apply(mut state: Existing, op: &Op) -> Existing {
        match op {
            Op::CreateUser { tenant, slot, .. } => {
                state.users.insert((*tenant, *slot));
            }
            Op::DeleteUser { tenant, slot } => {
                state.users.remove(&(*tenant, *slot));
            }
            Op::CreateRole { tenant, slot, .. } => {
                state.roles.insert((*tenant, *slot));
            }
            Op::DeleteRole { tenant, slot } => {
                state.roles.remove(&(*tenant, *slot));
            }
            Op::IssueToken {
                tenant, slot, user, ..
            } if state.users.contains(&(*tenant, *user)) => {
                state.tokens.insert((*tenant, *slot));
            }
            _ => {}
        }
        state
    }
}

/// Both backends, one clock, and the runtime that drives them.
type Backends = BothBackends<Authority>;

fn tenant(index: usize) -> TenantContext {
    TenantContext::new(TENANTS[index]).unwrap()
}

/// What a caller sees of one call: the value as JSON, or the error's kind and message.
fn seen<T: Serialize>(result: Result<T, StorageError>) -> Result<String, String> {
    result
        .map(|value| serde_json::to_string(&value).unwrap())
        .map_err(|err| format!("{:?}: {err}", err.kind()))
}

async fn run(authority: &Authority, clock: &ManualClock, op: &Op) -> Result<String, String> {
    let system = SystemContext::new("model test");
    match op {
        Op::CreateUser {
            tenant: t,
            slot,
            name,
        } => {
            let mut user = NewUser::new(UserFields::named(NAMES[*name]));
            user.id = user_id(*slot);
            user.subject_id = Uuid::from_u128(0x9000 + (*t as u128) * 16 + slot);
            seen(authority.users.create_user(&tenant(*t), &user).await)
        }
        Op::UpdateUser {
            tenant: t,
            slot,
            name,
            status,
        } => {
            let mut fields = UserFields::named(NAMES[*name]);
            fields.status = UserStatus::ALL[*status];
            fields.attributes = serde_json::json!({"step": clock.now().timestamp()});
            seen(
                authority
                    .users
                    .update_user(&tenant(*t), user_id(*slot), &fields)
                    .await,
            )
        }
        Op::DeleteUser { tenant: t, slot } => seen(
            authority
                .users
                .delete_user(&tenant(*t), user_id(*slot))
                .await,
        ),
        Op::UserByName { tenant: t, name } => seen(
            authority
                .users
                .get_user_by_username(&tenant(*t), NAMES[*name])
                .await,
        ),
        Op::ListUsers {
            tenant: t,
            prefix,
            size,
        } => {
            let query = UserQuery {
                username_prefix: prefix.map(|n| NAMES[n][..1].to_owned()),
                page: stellaops_storage::PageRequest::first(*size),
                ..UserQuery::default()
            };
            seen(authority.users.list_users(&tenant(*t), &query).await)
        }
        Op::CreateRole {
            tenant: t,
            slot,
            name,
        } => seen(
            authority
                .roles
                .create_role(
                    &tenant(*t),
                    role_id(*slot),
                    &RoleFields::named(NAMES[*name]),
                )
                .await,
        ),
        Op::DeleteRole { tenant: t, slot } => seen(
            authority
                .roles
                .delete_role(&tenant(*t), role_id(*slot))
                .await,
        ),
        Op::Assign {
            tenant: t,
            user,
            role,
        } => seen(
            authority
                .users
                .assign_role(&tenant(*t), user_id(*user), role_id(*role), None)
                .await,
        ),
        Op::Revoke {
            tenant: t,
            user,
            role,
        } => seen(
            authority
                .users
                .revoke_role(&tenant(*t), user_id(*user), role_id(*role))
                .await,
        ),
        Op::IssueToken {
            tenant: t,
            slot,
            user,
            hash,
            ttl_minutes,
        } => {
            let mut token = NewToken::access(
                format!("hash-{hash}"),
                user_id(*user),
                clock.now() + Duration::minutes(*ttl_minutes),
            );
            token.id = token_id(*slot);
            seen(authority.tokens.create_token(&tenant(*t), &token).await)
        }
        Op::RevokeToken { tenant: t, slot } => seen(
            authority
                .tokens
                .revoke_token(&tenant(*t), token_id(*slot), "model")
                .await,
        ),
        Op::TokenByHash { hash } => seen(
            authority
                .tokens
                .get_token_by_hash(&system, &format!("hash-{hash}"))
                .await,
        ),
        Op::Prune => seen(authority.tokens.prune_expired_tokens(&system).await),
        Op::Attempt {
            tenant: t,
            name,
            failed,
        } => {
            let outcome = if *failed {
                LoginOutcome::Failure
            } else {
                LoginOutcome::Success
            };
            let mut attempt = NewLoginAttempt::new(NAMES[*name], outcome);
            // Ids that sort like the clock, so equal times order the same everywhere.
            attempt.id = Uuid::from_u128(clock.now().timestamp_micros() as u128 * 8 + *t as u128);
            seen(
                authority
                    .login_attempts
                    .record_login_attempt(&tenant(*t), &attempt)
                    .await,
            )
        }
        Op::CountFailures {
            tenant: t,
            name,
            window_minutes,
        } => seen(
            authority
                .login_attempts
                .count_login_failures(
                    &tenant(*t),
                    NAMES[*name],
                    Duration::minutes(*window_minutes),
                )
                .await,
        ),
        Op::Advance { minutes } => {
            clock.advance(Duration::minutes(*minutes) + Duration::microseconds(1));
            Ok(String::new())
        }
    }
}

/// Everything a tenant can see, as one JSON text.
async fn visible(authority: &Authority) -> String {
    let mut out = Vec::new();
    for t in 0..TENANTS.len() {
        let ctx = tenant(t);
        let users = authority
            .users
            .list_users(
                &ctx,
                &UserQuery {
                    page: stellaops_storage::PageRequest::first(500),
                    ..Default::default()
                },
            )
            .await
            .map(|p| p.items);
        let roles = authority.roles.list_roles(&ctx).await;
        let mut grants = Vec::new();
        let mut tokens = Vec::new();
        for slot in 0..USER_SLOTS {
            grants.push(seen(authority.users.user_roles(&ctx, user_id(slot)).await));
            tokens.push(seen(
                authority
                    .tokens
                    .active_tokens_of_user(&ctx, user_id(slot))
                    .await,
            ));
        }
        let mut attempts = Vec::new();
        for name in NAMES {
            attempts.push(seen(
                authority
                    .login_attempts
                    .recent_login_attempts(&ctx, name, 50)
                    .await,
            ));
        }
        let stored: Vec<_> = {
            let mut all = Vec::new();
            for slot in 0..TOKEN_SLOTS {
                all.push(seen(authority.tokens.get_token(&ctx, token_id(slot)).await));
            }
            all
        };
        out.push(serde_json::json!({
            "users": seen(users), "roles": seen(roles), "grants": grants,
            "active_tokens": tokens, "tokens": stored, "attempts": attempts,
        }));
    }
    serde_json::to_string_pretty(&out).unwrap()
}

pub struct Agreement;

impl StateMachineTest for Agreement {
    type SystemUnderTest = Backends;
    type Reference = Operations;

    fn init_test(_: &Existing) -> Backends {
        let backends = Backends::start(epoch());
        let system = SystemContext::new("model setup");
        backends.on_both(async |authority| {
            for code in TENANTS {
                let mut tenant = NewTenant::new(TenantCode::parse(code).unwrap(), code);
                tenant.id = Uuid::from_u128(code.len() as u128 * 31 + code.as_bytes()[0] as u128);
                authority
                    .tenants
                    .create_tenant(&system, &tenant)
                    .await
                    .unwrap();
            }
        });
        backends
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
