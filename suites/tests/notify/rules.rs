//! Rules on both backends: CRUD, the total order of a match, references
//! to the tenant's channel and template, and what deleting them does.

use rstest::rstest;
use stellaops_storage::notify::*;
use stellaops_storage::{Backend, ErrorKind};
use uuid::Uuid;

use crate::support::{Bundle, expect_kind, setup_on};

const CHANNEL: Uuid = Uuid::from_u128(0xc0);
const TEMPLATE: Uuid = Uuid::from_u128(0x70);

async fn with_channel_and_template(backend: Backend) -> Bundle {
    let b = setup_on(backend).await;
    b.notify
        .channels
        .create_channel(
            &b.acme,
            CHANNEL,
            &ChannelFields::new("ops", ChannelType::Email),
        )
        .await
        .unwrap();
    b.notify
        .templates
        .create_template(
            &b.acme,
            TEMPLATE,
            &TemplateFields::new("t", ChannelType::Email, "{{ event.kind }}"),
        )
        .await
        .unwrap();
    b
}

fn rule(name: &str, priority: i32, kinds: &[&str]) -> RuleFields {
    let mut fields = RuleFields::new(name, kinds[0], CHANNEL);
    fields.priority = priority;
    fields.event_kinds = kinds.iter().map(|k| (*k).to_owned()).collect();
    fields
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn a_match_is_enabled_rules_of_the_kind_by_priority_then_name_then_id(
    #[case] backend: Backend,
) {
    let b = with_channel_and_template(backend).await;
    let rules = &b.notify.rules;
    let mut disabled = rule("disabled", 100, &["scan.completed"]);
    disabled.enabled = false;
    for (n, fields) in [
        rule("b-low", 1, &["scan.completed"]),
        rule("a-high", 10, &["scan.completed", "policy.violated"]),
        rule("a-low", 1, &["scan.completed"]),
        rule("other-kind", 50, &["policy.violated"]),
        disabled,
    ]
    .iter()
    .enumerate()
    {
        rules
            .create_rule(&b.acme, Uuid::from_u128(n as u128 + 1), fields)
            .await
            .unwrap();
    }
    let names = |found: Vec<Rule>| found.into_iter().map(|r| r.name).collect::<Vec<_>>();
    assert_eq!(
        names(
            rules
                .matching_rules(&b.acme, "scan.completed")
                .await
                .unwrap()
        ),
        ["a-high", "a-low", "b-low"]
    );
    assert_eq!(
        names(
            rules
                .matching_rules(&b.acme, "policy.violated")
                .await
                .unwrap()
        ),
        ["other-kind", "a-high"]
    );
    assert!(
        rules
            .matching_rules(&b.acme, "nothing")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        names(rules.list_rules(&b.acme).await.unwrap()),
        ["a-high", "a-low", "b-low", "disabled", "other-kind"]
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn references_must_be_the_tenants_and_follow_their_deletion(#[case] backend: Backend) {
    let b = with_channel_and_template(backend).await;
    let rules = &b.notify.rules;
    let mut fields = rule("r", 0, &["scan.completed"]);
    fields.template_id = Some(TEMPLATE);
    let created = rules
        .create_rule(&b.acme, Uuid::from_u128(1), &fields)
        .await
        .unwrap();
    assert_eq!(created.template_id, Some(TEMPLATE));

    // Another tenant's rule cannot point at acme's channel.
    let foreign = rules
        .create_rule(&b.acme_eu, Uuid::from_u128(2), &rule("r", 0, &["x"]))
        .await;
    assert_eq!(
        expect_kind(foreign, ErrorKind::NotFound),
        "channel not found"
    );
    let mut no_template = rule("t", 0, &["x"]);
    no_template.template_id = Some(Uuid::from_u128(0xdead));
    let refused = rules
        .create_rule(&b.acme, Uuid::from_u128(3), &no_template)
        .await;
    assert_eq!(
        expect_kind(refused, ErrorKind::NotFound),
        "template not found"
    );
    let duplicate = rules
        .create_rule(&b.acme, Uuid::from_u128(4), &fields)
        .await;
    assert_eq!(
        expect_kind(duplicate, ErrorKind::Conflict),
        "rule conflict: name is already taken"
    );

    // Deleting the template keeps the rule, without it; deleting the
    // channel takes the rule along.
    assert!(
        b.notify
            .templates
            .delete_template(&b.acme, TEMPLATE)
            .await
            .unwrap()
    );
    let kept = rules
        .get_rule(&b.acme, Uuid::from_u128(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.template_id, None);
    assert!(
        b.notify
            .channels
            .delete_channel(&b.acme, CHANNEL)
            .await
            .unwrap()
    );
    assert_eq!(
        rules.get_rule(&b.acme, Uuid::from_u128(1)).await.unwrap(),
        None
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn rules_update_and_refuse_bad_input(#[case] backend: Backend) {
    let b = with_channel_and_template(backend).await;
    let rules = &b.notify.rules;
    let id = Uuid::from_u128(1);
    rules
        .create_rule(&b.acme, id, &rule("r", 0, &["a"]))
        .await
        .unwrap();
    let mut changed = rule("renamed", 5, &["b"]);
    changed.digest = DigestMode::Hourly;
    changed.throttle_seconds = 300;
    let updated = rules.update_rule(&b.acme, id, &changed).await.unwrap();
    assert_eq!(
        (
            updated.name.as_str(),
            updated.priority,
            updated.digest,
            updated.throttle_seconds
        ),
        ("renamed", 5, DigestMode::Hourly, 300)
    );
    let mut negative = changed.clone();
    negative.throttle_seconds = -1;
    let refused = rules.update_rule(&b.acme, id, &negative).await;
    assert!(expect_kind(refused, ErrorKind::InvalidInput).contains("throttle seconds"));
    let empty_kind = rules.matching_rules(&b.acme, "").await;
    assert!(expect_kind(empty_kind, ErrorKind::InvalidInput).contains("event kind"));
    assert_eq!(rules.get_rule(&b.acme, id).await.unwrap().unwrap(), updated);
    assert!(rules.delete_rule(&b.acme, id).await.unwrap());
    let gone = rules.update_rule(&b.acme, id, &changed).await;
    assert_eq!(expect_kind(gone, ErrorKind::NotFound), "rule not found");
}
