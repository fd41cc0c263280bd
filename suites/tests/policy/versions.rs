//! Versions: numbered per pack, moved by their transition table (each
//! illegal move names both states and writes nothing), activated one at a
//! time per pack (the previous one retires in the same transaction), and
//! derived into new drafts with their rules.

use rstest::rstest;
use sha2::{Digest, Sha256};
use stellaops_storage::policy::*;
use stellaops_storage::{Backend, ErrorKind};
use uuid::Uuid;

use crate::support::{expect_kind, setup_on};

const PACK: Uuid = Uuid::from_u128(1);

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn versions_are_numbered_per_pack_and_carry_their_digest(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    b.pack(&b.acme, PACK, "p").await;
    b.pack(&b.acme, Uuid::from_u128(2), "q").await;
    let versions = &b.policy.versions;
    let mut numbers = Vec::new();
    for (n, pack) in [(10, PACK), (11, Uuid::from_u128(2)), (12, PACK)] {
        let v = versions
            .create_version(
                &b.acme,
                Uuid::from_u128(n),
                pack,
                &VersionFields::new("allow all"),
            )
            .await
            .unwrap();
        numbers.push((v.pack_id, v.version, v.status));
        // The digest by its definition: sha256 of the source's UTF-8 bytes.
        let expected: String = Sha256::digest(b"allow all")
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(v.digest, format!("sha256:{expected}"));
    }
    assert_eq!(
        numbers,
        [
            (PACK, 1, VersionStatus::Draft),
            (Uuid::from_u128(2), 1, VersionStatus::Draft),
            (PACK, 2, VersionStatus::Draft)
        ]
    );
    let changed = versions
        .update_draft(
            &b.acme,
            Uuid::from_u128(10),
            &VersionFields::new("deny all"),
        )
        .await
        .unwrap();
    assert_eq!(changed.source, "deny all");
    assert_eq!(changed.digest, source_digest("deny all"));
    assert_ne!(changed.digest, source_digest("allow all"));
    let listed: Vec<i32> = versions
        .versions_of(&b.acme, PACK)
        .await
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(listed, [1, 2]);
    let orphan = versions
        .create_version(
            &b.acme,
            Uuid::from_u128(13),
            Uuid::from_u128(99),
            &VersionFields::new("x"),
        )
        .await;
    assert_eq!(expect_kind(orphan, ErrorKind::NotFound), "pack not found");
    let mut not_object = VersionFields::new("x");
    not_object.compiled = serde_json::json!([1, 2]);
    let refused = versions
        .create_version(&b.acme, Uuid::from_u128(14), PACK, &not_object)
        .await;
    expect_kind(refused, ErrorKind::InvalidInput);
    assert!(
        versions
            .get_version(&b.acme, Uuid::from_u128(14))
            .await
            .unwrap()
            .is_none()
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn illegal_moves_name_both_states_and_write_nothing(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    b.pack(&b.acme, PACK, "p").await;
    let id = Uuid::from_u128(10);
    let versions = &b.policy.versions;
    versions
        .create_version(&b.acme, id, PACK, &VersionFields::new("allow"))
        .await
        .unwrap();
    let approve = versions.approve_version(&b.acme, id, "bob").await;
    assert_eq!(
        expect_kind(approve, ErrorKind::Conflict),
        "pack version cannot go from draft to approved"
    );
    let activate = versions.activate_version(&b.acme, id).await;
    assert_eq!(
        expect_kind(activate, ErrorKind::Conflict),
        "pack version cannot go from draft to published"
    );
    let retire = versions.retire_version(&b.acme, id).await;
    assert_eq!(
        expect_kind(retire, ErrorKind::Conflict),
        "pack version cannot go from draft to retired"
    );
    let submitted = versions.submit_version(&b.acme, id, "alice").await.unwrap();
    assert_eq!(submitted.submitted_by.as_deref(), Some("alice"));
    let again = versions.submit_version(&b.acme, id, "alice").await;
    assert_eq!(
        expect_kind(again, ErrorKind::Conflict),
        "pack version cannot go from submitted to submitted"
    );
    let back = versions.return_to_draft(&b.acme, id).await.unwrap();
    assert_eq!(
        (
            back.status,
            back.submitted_by.as_deref(),
            back.approved_by.as_deref()
        ),
        (VersionStatus::Draft, None, None)
    );
    let nobody = versions.submit_version(&b.acme, id, "").await;
    expect_kind(nobody, ErrorKind::InvalidInput);
    let unchanged = versions.get_version(&b.acme, id).await.unwrap().unwrap();
    assert_eq!(unchanged, back, "nothing written by the refused moves");
    let missing = versions
        .submit_version(&b.acme, Uuid::from_u128(99), "a")
        .await;
    assert_eq!(
        expect_kind(missing, ErrorKind::NotFound),
        "pack version not found"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn activation_retires_the_previous_version_and_moves_the_pack(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    b.pack(&b.acme, PACK, "p").await;
    let versions = &b.policy.versions;
    assert_eq!(versions.active_version(&b.acme, PACK).await.unwrap(), None);
    let first = b.published(&b.acme, PACK, Uuid::from_u128(10), "v1").await;
    assert_eq!(
        (first.status, first.published_at.is_some()),
        (VersionStatus::Published, true)
    );
    b.approved(&b.acme, PACK, Uuid::from_u128(11), "v2").await;
    b.clock.advance(chrono::Duration::seconds(1));
    let activated = versions
        .activate_version(&b.acme, Uuid::from_u128(11))
        .await
        .unwrap();
    let retired = activated.retired.expect("v1 retires");
    assert_eq!(
        (retired.id, retired.status),
        (first.id, VersionStatus::Retired)
    );
    assert_eq!(
        retired.published_at, first.published_at,
        "retiring keeps its history"
    );
    assert_eq!(
        versions.active_version(&b.acme, PACK).await.unwrap(),
        Some(activated.version.clone())
    );
    let pack = b
        .policy
        .packs
        .get_pack(&b.acme, PACK)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (pack.status, pack.active_version),
        (PackStatus::Active, Some(2))
    );
    // Retired is final.
    let back = versions.activate_version(&b.acme, first.id).await;
    assert_eq!(
        expect_kind(back, ErrorKind::Conflict),
        "pack version cannot go from retired to published"
    );
    // Retiring the active one leaves the pack with none, deprecated.
    versions
        .retire_version(&b.acme, activated.version.id)
        .await
        .unwrap();
    assert_eq!(versions.active_version(&b.acme, PACK).await.unwrap(), None);
    let pack = b
        .policy
        .packs
        .get_pack(&b.acme, PACK)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (pack.status, pack.active_version),
        (PackStatus::Deprecated, None)
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn a_derived_version_copies_content_and_rules_into_a_new_draft(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    b.pack(&b.acme, PACK, "p").await;
    let from = Uuid::from_u128(10);
    b.policy
        .versions
        .create_version(&b.acme, from, PACK, &VersionFields::new("block criticals"))
        .await
        .unwrap();
    for (n, key) in [(1u128, "crit"), (2, "high")] {
        let mut rule = PolicyRuleFields::new(key, RuleSeverity::Critical, RuleAction::Block);
        rule.condition = serde_json::json!({"severity": key});
        b.policy
            .rules
            .add_rule(&b.acme, Uuid::from_u128(100 + n), from, &rule)
            .await
            .unwrap();
    }
    b.policy
        .versions
        .submit_version(&b.acme, from, "alice")
        .await
        .unwrap();
    b.policy
        .versions
        .approve_version(&b.acme, from, "bob")
        .await
        .unwrap();
    b.policy
        .versions
        .activate_version(&b.acme, from)
        .await
        .unwrap();
    let derived = Uuid::from_u128(11);
    let draft = b
        .policy
        .versions
        .derive_version(&b.acme, derived, from)
        .await
        .unwrap();
    let original = b
        .policy
        .versions
        .get_version(&b.acme, from)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            draft.version,
            draft.status,
            draft.source.as_str(),
            draft.digest.as_str()
        ),
        (
            2,
            VersionStatus::Draft,
            original.source.as_str(),
            original.digest.as_str()
        )
    );
    assert_eq!(
        original.status,
        VersionStatus::Published,
        "the source stays"
    );
    let copied = b
        .policy
        .rules
        .rules_of_version(&b.acme, derived)
        .await
        .unwrap();
    let kept = b
        .policy
        .rules
        .rules_of_version(&b.acme, from)
        .await
        .unwrap();
    assert_eq!(copied.len(), 2);
    for (copy, rule) in copied.iter().zip(&kept) {
        assert_eq!(copy.id, derived_rule_id(derived, &rule.rule_key));
        assert_eq!(
            (&copy.rule_key, &copy.condition, copy.pack_version_id),
            (&rule.rule_key, &rule.condition, derived)
        );
    }
    // The draft is editable; the published source is not.
    b.policy
        .rules
        .delete_rule(&b.acme, copied[0].id)
        .await
        .unwrap();
    assert_eq!(
        b.policy
            .rules
            .rules_of_version(&b.acme, from)
            .await
            .unwrap(),
        kept
    );
}
