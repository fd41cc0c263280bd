//! Determinism: the same rules, exceptions and explanations, inserted in
//! any order, give byte-identical reads (a version's rules in evaluation
//! order, the active exceptions, a run's explanation pages, packs, runs
//! and the sealed profile with its digest), also with the planner pushed
//! off its usual plans, and the in-memory reference gives the same bytes.

use std::sync::Arc;

use chrono::Duration;
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use stellaops_storage::policy::*;
use stellaops_storage::{ManualClock, PageRequest, TenantContext};
use stellaops_suites::agreement::{in_any_order, same_bytes_in_any_order};
use uuid::Uuid;

use crate::support::epoch;

const PACK: Uuid = Uuid::from_u128(0x51);
const VERSION: Uuid = Uuid::from_u128(0x52);
const PROFILE: Uuid = Uuid::from_u128(0x53);
const RUN: Uuid = Uuid::from_u128(0x54);

/// One name's rule, exception and explanation.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    /// Ties on purpose: the name and then the id decide.
    priority: i32,
    /// Days until the exception expires (ties on purpose).
    expires_in: i64,
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::btree_set("[a-zA-Z0-9_é -]{1,12}", 1..8).prop_flat_map(|names| {
        let len = names.len();
        (
            Just(names.into_iter().collect::<Vec<_>>()),
            proptest::collection::vec((-2i32..3, 1i64..3), len),
        )
            .prop_map(|(names, numbers)| {
                names
                    .into_iter()
                    .zip(numbers)
                    .map(|(name, (priority, expires_in))| Row {
                        name,
                        priority,
                        expires_in,
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

fn acme() -> TenantContext {
    TenantContext::new("acme").unwrap()
}

async fn insert(p: &Policy, rows: &[Row]) {
    let ctx = acme();
    // Created in a fixed order: only the rows' order varies.
    p.packs
        .create_pack(&ctx, PACK, &PackFields::new("baseline"), "alice")
        .await
        .unwrap();
    p.versions
        .create_version(&ctx, VERSION, PACK, &VersionFields::new("rules below"))
        .await
        .unwrap();
    let mut profile = ProfileFields::new("default");
    profile.weights = serde_json::json!({"cvss": 0.5, "epss": 0.25, "kev": 1});
    p.profiles
        .create_profile(&ctx, PROFILE, &profile)
        .await
        .unwrap();
    p.profiles.promote_profile(&ctx, PROFILE).await.unwrap();
    for row in rows {
        let mut rule = PolicyRuleFields::new(&row.name, RuleSeverity::High, RuleAction::Warn);
        rule.priority = row.priority;
        rule.condition = serde_json::json!({"name": row.name, "weights": [3, 1, 2]});
        p.rules
            .add_rule(&ctx, id(&row.name, 1), VERSION, &rule)
            .await
            .unwrap();
        let mut waiver = NewException::new(
            id(&row.name, 2),
            &row.name,
            "vendor fix pending",
            "alice",
            epoch() + Duration::days(row.expires_in),
        );
        waiver.pack_id = Some(PACK);
        p.exceptions.propose_exception(&ctx, &waiver).await.unwrap();
        p.exceptions
            .approve_exception(&ctx, waiver.id, "bob")
            .await
            .unwrap();
    }
    p.versions
        .submit_version(&ctx, VERSION, "alice")
        .await
        .unwrap();
    p.versions
        .approve_version(&ctx, VERSION, "bob")
        .await
        .unwrap();
    p.versions.activate_version(&ctx, VERSION).await.unwrap();
    let run = NewEvaluation {
        id: RUN,
        pack_version_id: VERSION,
        risk_profile_id: Some(PROFILE),
        mode: EvaluationMode::Full,
        input_digest: format!("sha256:{}", "0f".repeat(32)),
    };
    p.evaluations.record_evaluation(&ctx, &run).await.unwrap();
    p.evaluations.start_evaluation(&ctx, RUN).await.unwrap();
    for row in rows {
        let mut explanation = NewExplanation::new(id(&row.name, 3), &row.name, Verdict::Warn);
        explanation.rule_id = Some(id(&row.name, 1));
        explanation.trace = serde_json::json!([row.name, row.priority]);
        p.explanations
            .add_explanations(&ctx, RUN, &[explanation])
            .await
            .unwrap();
    }
}

/// Every read, serialized.
async fn output(p: &Policy) -> Vec<u8> {
    let ctx = acme();
    let rules = p.rules.rules_of_version(&ctx, VERSION).await.unwrap();
    let active = p
        .exceptions
        .active_exceptions(&ctx, PACK, "any-rule", epoch() + Duration::hours(1))
        .await
        .unwrap();
    let mut pages = Vec::new();
    let mut request = PageRequest::first(3);
    loop {
        let page = p
            .explanations
            .explanations_page(&ctx, RUN, &request)
            .await
            .unwrap();
        let next = page.next.clone();
        pages.push(page);
        match next {
            Some(key) => request = PageRequest::after(3, key),
            None => break,
        }
    }
    let packs = p
        .packs
        .list_packs(&ctx, &PageRequest::first(10))
        .await
        .unwrap();
    let versions = p.versions.versions_of(&ctx, PACK).await.unwrap();
    let runs = p
        .evaluations
        .evaluations_of_pack(&ctx, PACK, &PageRequest::first(10))
        .await
        .unwrap();
    let profiles = p.profiles.list_profiles(&ctx).await.unwrap();
    serde_json::to_vec(&(rules, active, pages, packs, versions, runs, profiles)).unwrap()
}

#[test]
fn same_data_in_any_order_gives_identical_bytes_and_hashes() {
    in_any_order(rows(), 8, async |rows, shuffled| {
        let clock = Arc::new(ManualClock::at(epoch()));
        same_bytes_in_any_order::<Policy, _>(
            &clock,
            rows.as_slice(),
            shuffled.as_slice(),
            async |p, order| {
                clock.set(epoch());
                insert(p, order).await;
            },
            async |p| output(p).await,
        )
        .await
    });
}
