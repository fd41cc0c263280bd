//! Rules of a draft: keyed within their version, listed in evaluation
//! order (priority highest first, then name, then id) whatever the order
//! they were added in; bad input refused before anything is written.

use rstest::rstest;
use stellaops_storage::policy::*;
use stellaops_storage::{Backend, ErrorKind};
use uuid::Uuid;

use crate::support::{expect_kind, setup_on};

const PACK: Uuid = Uuid::from_u128(1);
const VERSION: Uuid = Uuid::from_u128(10);

fn fields(key: &str, name: &str, priority: i32) -> PolicyRuleFields {
    let mut rule = PolicyRuleFields::new(key, RuleSeverity::Medium, RuleAction::Warn);
    rule.name = name.to_owned();
    rule.priority = priority;
    rule
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn rules_list_in_a_total_evaluation_order(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    b.pack(&b.acme, PACK, "p").await;
    b.policy
        .versions
        .create_version(&b.acme, VERSION, PACK, &VersionFields::new("x"))
        .await
        .unwrap();
    // (id, key, name, priority), added in an order unlike the expected one.
    let rules = [
        (7u128, "a", "zeta", 5),
        (3, "b", "alpha", 5),
        (9, "c", "same", 1),
        (2, "d", "same", 1),
        (5, "e", "first", 100),
        (4, "f", "last", -100),
    ];
    for (id, key, name, priority) in rules {
        b.policy
            .rules
            .add_rule(
                &b.acme,
                Uuid::from_u128(id),
                VERSION,
                &fields(key, name, priority),
            )
            .await
            .unwrap();
    }
    let order: Vec<u128> = b
        .policy
        .rules
        .rules_of_version(&b.acme, VERSION)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id.as_u128())
        .collect();
    assert_eq!(order, [5, 3, 7, 2, 9, 4]);
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn bad_rules_are_refused_and_nothing_is_written(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    b.pack(&b.acme, PACK, "p").await;
    b.policy
        .versions
        .create_version(&b.acme, VERSION, PACK, &VersionFields::new("x"))
        .await
        .unwrap();
    let rules = &b.policy.rules;
    let id = Uuid::from_u128(1);
    rules
        .add_rule(&b.acme, id, VERSION, &fields("k", "k", 0))
        .await
        .unwrap();
    let taken = rules
        .add_rule(
            &b.acme,
            Uuid::from_u128(2),
            VERSION,
            &fields("k", "other", 0),
        )
        .await;
    assert_eq!(
        expect_kind(taken, ErrorKind::Conflict),
        "rule conflict: rule key is already taken"
    );
    let too_high = rules
        .add_rule(
            &b.acme,
            Uuid::from_u128(3),
            VERSION,
            &fields("h", "h", MAX_RULE_PRIORITY + 1),
        )
        .await;
    assert_eq!(
        expect_kind(too_high, ErrorKind::InvalidInput),
        "invalid rule priority: 1000001 is out of range; ask for -1000000 to 1000000"
    );
    let mut not_object = fields("o", "o", 0);
    not_object.condition = serde_json::json!("severity >= high");
    let bad_condition = rules
        .add_rule(&b.acme, Uuid::from_u128(4), VERSION, &not_object)
        .await;
    expect_kind(bad_condition, ErrorKind::InvalidInput);
    let no_key = rules
        .add_rule(&b.acme, Uuid::from_u128(5), VERSION, &fields("", "x", 0))
        .await;
    expect_kind(no_key, ErrorKind::InvalidInput);
    let no_version = rules
        .add_rule(
            &b.acme,
            Uuid::from_u128(6),
            Uuid::from_u128(99),
            &fields("v", "v", 0),
        )
        .await;
    assert_eq!(
        expect_kind(no_version, ErrorKind::NotFound),
        "pack version not found"
    );
    let lowered = rules
        .update_rule(&b.acme, id, &fields("k", "k", -MAX_RULE_PRIORITY - 1))
        .await;
    expect_kind(lowered, ErrorKind::InvalidInput);
    let listed = rules.rules_of_version(&b.acme, VERSION).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|r| (r.id, r.priority))
            .collect::<Vec<_>>(),
        [(id, 0)],
        "only the first rule, unchanged"
    );
    let missing = rules
        .update_rule(&b.acme, Uuid::from_u128(98), &fields("m", "m", 0))
        .await;
    assert_eq!(expect_kind(missing, ErrorKind::NotFound), "rule not found");
    assert!(
        !rules
            .delete_rule(&b.acme, Uuid::from_u128(98))
            .await
            .unwrap()
    );
}
