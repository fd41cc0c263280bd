//! Packs: create, read, update, keyset pages, the status table, and a
//! delete that keeps published history.

use chrono::Duration;
use rstest::rstest;
use stellaops_storage::policy::*;
use stellaops_storage::{Backend, ErrorKind, PageRequest};
use uuid::Uuid;

use crate::support::{expect_kind, setup_on};

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn packs_round_trip_and_names_are_unique(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let id = Uuid::from_u128(1);
    let mut fields = PackFields::new("baseline");
    fields.description = Some("the platform's defaults".into());
    let created = b
        .policy
        .packs
        .create_pack(&b.acme, id, &fields, "alice")
        .await
        .unwrap();
    assert_eq!(
        (
            created.status,
            created.active_version,
            created.created_by.as_str()
        ),
        (PackStatus::Draft, None, "alice")
    );
    assert_eq!(
        b.policy.packs.get_pack(&b.acme, id).await.unwrap(),
        Some(created.clone())
    );
    let taken = b
        .policy
        .packs
        .create_pack(
            &b.acme,
            Uuid::from_u128(2),
            &PackFields::new("baseline"),
            "bob",
        )
        .await;
    assert_eq!(
        expect_kind(taken, ErrorKind::Conflict),
        "pack conflict: name is already taken"
    );
    b.clock.advance(Duration::seconds(5));
    let renamed = b
        .policy
        .packs
        .update_pack(&b.acme, id, &PackFields::new("strict"))
        .await
        .unwrap();
    assert_eq!(
        (
            renamed.name.as_str(),
            renamed.description,
            renamed.created_at
        ),
        ("strict", None, created.created_at)
    );
    assert!(renamed.updated_at > created.updated_at);
    let missing = b
        .policy
        .packs
        .update_pack(&b.acme, Uuid::from_u128(9), &PackFields::new("x"))
        .await;
    assert_eq!(expect_kind(missing, ErrorKind::NotFound), "pack not found");
    let bad = b
        .policy
        .packs
        .create_pack(&b.acme, Uuid::from_u128(3), &PackFields::new(""), "alice")
        .await;
    expect_kind(bad, ErrorKind::InvalidInput);
    assert!(
        b.policy
            .packs
            .get_pack(&b.acme, Uuid::from_u128(3))
            .await
            .unwrap()
            .is_none()
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn pack_pages_list_each_pack_once_in_creation_order(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    // Two packs share each creation time: the id breaks the tie.
    let mut expected = Vec::new();
    for n in 0..7u128 {
        if n % 2 == 0 {
            b.clock.advance(Duration::microseconds(1));
        }
        let id = Uuid::from_u128(100 - n);
        b.pack(&b.acme, id, &format!("pack-{n}")).await;
        expected.push(id);
    }
    let created: Vec<_> = {
        let mut all = Vec::new();
        for id in &expected {
            let pack = b
                .policy
                .packs
                .get_pack(&b.acme, *id)
                .await
                .unwrap()
                .unwrap();
            all.push((pack.created_at, pack.id));
        }
        all.sort();
        all.into_iter().map(|(_, id)| id).collect()
    };
    let mut seen = Vec::new();
    let mut page = PageRequest::first(3);
    loop {
        let listed = b.policy.packs.list_packs(&b.acme, &page).await.unwrap();
        seen.extend(listed.items.iter().map(|p| p.id));
        match listed.next {
            Some(next) => page = PageRequest::after(3, next),
            None => break,
        }
    }
    assert_eq!(seen, created);
    let bad = b
        .policy
        .packs
        .list_packs(&b.acme, &PageRequest::first(-1))
        .await;
    expect_kind(bad, ErrorKind::InvalidInput);
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn pack_status_moves_by_its_table_and_names_both_states(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let pack = Uuid::from_u128(1);
    b.pack(&b.acme, pack, "p").await;
    let packs = &b.policy.packs;
    // A draft becomes active only through an activation.
    let early = packs
        .change_pack_status(&b.acme, pack, PackStatus::Active)
        .await;
    assert_eq!(
        expect_kind(early, ErrorKind::Conflict),
        "pack cannot go from draft to active"
    );
    b.published(&b.acme, pack, Uuid::from_u128(10), "allow")
        .await;
    let active = packs.get_pack(&b.acme, pack).await.unwrap().unwrap();
    assert_eq!(
        (active.status, active.active_version),
        (PackStatus::Active, Some(1))
    );
    let deprecated = packs
        .change_pack_status(&b.acme, pack, PackStatus::Deprecated)
        .await
        .unwrap();
    assert_eq!(deprecated.status, PackStatus::Deprecated);
    packs
        .change_pack_status(&b.acme, pack, PackStatus::Active)
        .await
        .unwrap();
    packs
        .change_pack_status(&b.acme, pack, PackStatus::Deprecated)
        .await
        .unwrap();
    packs
        .change_pack_status(&b.acme, pack, PackStatus::Archived)
        .await
        .unwrap();
    for to in [
        PackStatus::Active,
        PackStatus::Deprecated,
        PackStatus::Draft,
    ] {
        let frozen = packs.change_pack_status(&b.acme, pack, to).await;
        assert_eq!(
            expect_kind(frozen, ErrorKind::Conflict),
            format!("pack cannot go from archived to {to}")
        );
    }
    // An archived pack takes no new version and activates none.
    let draft = b
        .policy
        .versions
        .create_version(&b.acme, Uuid::from_u128(11), pack, &VersionFields::new("x"))
        .await;
    assert_eq!(
        expect_kind(draft, ErrorKind::Conflict),
        "pack is archived: immutable; create a new pack"
    );
    assert_eq!(
        packs.get_pack(&b.acme, pack).await.unwrap().unwrap().status,
        PackStatus::Archived
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn a_pack_that_published_keeps_its_history(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let (kept, gone) = (Uuid::from_u128(1), Uuid::from_u128(2));
    b.pack(&b.acme, kept, "kept").await;
    b.pack(&b.acme, gone, "gone").await;
    b.published(&b.acme, kept, Uuid::from_u128(10), "allow")
        .await;
    let draft = Uuid::from_u128(20);
    b.policy
        .versions
        .create_version(&b.acme, draft, gone, &VersionFields::new("deny"))
        .await
        .unwrap();
    b.policy
        .rules
        .add_rule(
            &b.acme,
            Uuid::from_u128(30),
            draft,
            &PolicyRuleFields::new("r", RuleSeverity::High, RuleAction::Block),
        )
        .await
        .unwrap();
    let refused = b.policy.packs.delete_pack(&b.acme, kept).await;
    assert_eq!(
        expect_kind(refused, ErrorKind::Conflict),
        "pack is published: immutable; archive it instead"
    );
    assert!(
        b.policy
            .packs
            .get_pack(&b.acme, kept)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        b.policy
            .versions
            .versions_of(&b.acme, kept)
            .await
            .unwrap()
            .len(),
        1
    );
    // A pack that never published goes with its drafts and their rules.
    assert!(b.policy.packs.delete_pack(&b.acme, gone).await.unwrap());
    assert!(
        b.policy
            .versions
            .get_version(&b.acme, draft)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        b.policy
            .rules
            .get_rule(&b.acme, Uuid::from_u128(30))
            .await
            .unwrap()
            .is_none()
    );
    assert!(!b.policy.packs.delete_pack(&b.acme, gone).await.unwrap());
}
