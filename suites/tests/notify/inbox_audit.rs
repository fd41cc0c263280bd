//! The inbox and the audit trail on both backends: an item per user and
//! event, pages newest first, unread counts, mark read and archive only
//! for the item's user; audit entries append and page per entity.

use chrono::Duration;
use rstest::rstest;
use stellaops_storage::notify::*;
use stellaops_storage::page::PageRequest;
use stellaops_storage::{Backend, ErrorKind};
use uuid::Uuid;

use crate::support::{epoch, expect_kind, setup_on};

const ALICE: Uuid = Uuid::from_u128(0xa1);
const BOB: Uuid = Uuid::from_u128(0xb0);

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn an_inbox_pages_newest_first_and_counts_what_is_unread(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let inbox = &b.notify.inbox;
    let mut ids = Vec::new();
    for i in 0..5 {
        // Two items share each second: the id orders them.
        if i % 2 == 0 {
            b.clock.advance(Duration::seconds(1));
        }
        let mut item = NewInboxItem::new(ALICE, format!("e{i}"), format!("scan {i} done"));
        item.id = Uuid::from_u128(0x100 + i);
        item.severity = Severity::High;
        ids.push(
            inbox
                .deliver_to_inbox(&b.acme, &item)
                .await
                .unwrap()
                .item
                .id,
        );
    }
    let again = inbox
        .deliver_to_inbox(&b.acme, &NewInboxItem::new(ALICE, "e0", "again"))
        .await
        .unwrap();
    assert_eq!(
        (again.created, again.item.id, again.item.title.as_str()),
        (false, ids[0], "scan 0 done")
    );
    inbox
        .deliver_to_inbox(&b.acme, &NewInboxItem::new(BOB, "e0", "bob's"))
        .await
        .unwrap();
    inbox
        .deliver_to_inbox(
            &b.acme_eu,
            &NewInboxItem::new(ALICE, "e9", "related tenant"),
        )
        .await
        .unwrap();

    let newest_first: Vec<Uuid> = ids.iter().rev().copied().collect();
    let first = inbox
        .inbox_page(
            &b.acme,
            ALICE,
            &InboxQuery {
                page: PageRequest::first(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        first.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        newest_first[..2]
    );
    let second = inbox
        .inbox_page(
            &b.acme,
            ALICE,
            &InboxQuery {
                page: PageRequest::after(2, first.next.clone().unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        second.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        newest_first[2..4]
    );
    let back = inbox
        .inbox_page(
            &b.acme,
            ALICE,
            &InboxQuery {
                page: PageRequest::before(2, second.previous.clone().unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(back.items, first.items);
    assert_eq!(inbox.unread_count(&b.acme, ALICE).await.unwrap(), 5);

    b.clock.advance(Duration::seconds(1));
    assert_eq!(
        inbox
            .mark_read(&b.acme, ALICE, &[ids[0], ids[1], Uuid::from_u128(0xdead)])
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        inbox.mark_read(&b.acme, ALICE, &[ids[0]]).await.unwrap(),
        0,
        "already read"
    );
    assert_eq!(
        inbox.mark_read(&b.acme, BOB, &[ids[2]]).await.unwrap(),
        0,
        "not bob's"
    );
    assert_eq!(inbox.unread_count(&b.acme, ALICE).await.unwrap(), 3);
    assert!(inbox.archive(&b.acme, ALICE, ids[2]).await.unwrap());
    assert!(!inbox.archive(&b.acme, ALICE, ids[2]).await.unwrap());
    assert!(!inbox.archive(&b.acme, BOB, ids[3]).await.unwrap());
    assert_eq!(inbox.unread_count(&b.acme, ALICE).await.unwrap(), 2);
    let unread = inbox
        .inbox_page(
            &b.acme,
            ALICE,
            &InboxQuery {
                unread_only: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        unread.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [ids[4], ids[3]]
    );
    let with_archived = inbox
        .inbox_page(
            &b.acme,
            ALICE,
            &InboxQuery {
                include_archived: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(with_archived.items.len(), 5);
    let read = with_archived.items.iter().find(|i| i.id == ids[0]).unwrap();
    assert_eq!(read.read_at, Some(b.now()));
    assert_eq!(inbox.mark_all_read(&b.acme, ALICE).await.unwrap(), 3);
    assert_eq!(inbox.unread_count(&b.acme, ALICE).await.unwrap(), 0);
    assert_eq!(inbox.unread_count(&b.acme, BOB).await.unwrap(), 1);
    assert_eq!(inbox.unread_count(&b.acme_eu, ALICE).await.unwrap(), 1);

    let too_many = vec![Uuid::nil(); MAX_MARK_READ + 1];
    expect_kind(
        inbox.mark_read(&b.acme, ALICE, &too_many).await,
        ErrorKind::InvalidInput,
    );
    let mut nul = NewInboxItem::new(ALICE, "e\0", "t");
    expect_kind(
        inbox.deliver_to_inbox(&b.acme, &nul).await,
        ErrorKind::InvalidInput,
    );
    nul.event_id = String::new();
    expect_kind(
        inbox.deliver_to_inbox(&b.acme, &nul).await,
        ErrorKind::InvalidInput,
    );
    let bad_page = InboxQuery {
        page: PageRequest::first(0),
        ..Default::default()
    };
    expect_kind(
        inbox.inbox_page(&b.acme, ALICE, &bad_page).await,
        ErrorKind::InvalidInput,
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn audit_entries_append_and_page_per_entity(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let audit = &b.notify.audit;
    let mut appended = Vec::new();
    for (i, action) in ["created", "updated", "disabled"].into_iter().enumerate() {
        b.clock.advance(Duration::microseconds(1));
        let mut entry = NewAuditEntry::new(
            AuditCategory::Channel,
            action,
            "ch-1",
            "alice",
            ActorType::User,
        );
        entry.id = Uuid::from_u128(i as u128 + 1);
        entry.correlation_id = Some("req-7".to_owned());
        appended.push(audit.append_audit(&b.acme, &entry).await.unwrap());
    }
    assert_eq!(appended[0].occurred_at, epoch() + Duration::microseconds(1));
    let other = NewAuditEntry::new(
        AuditCategory::Rule,
        "created",
        "ch-1",
        "svc",
        ActorType::Service,
    );
    audit.append_audit(&b.acme, &other).await.unwrap();
    audit
        .append_audit(
            &b.acme_eu,
            &NewAuditEntry::new(
                AuditCategory::Channel,
                "created",
                "ch-1",
                "eve",
                ActorType::User,
            ),
        )
        .await
        .unwrap();
    let first = audit
        .audit_of(
            &b.acme,
            AuditCategory::Channel,
            "ch-1",
            &PageRequest::first(2),
        )
        .await
        .unwrap();
    assert_eq!(first.items, appended[..2]);
    let rest = audit
        .audit_of(
            &b.acme,
            AuditCategory::Channel,
            "ch-1",
            &PageRequest::after(2, first.next.unwrap()),
        )
        .await
        .unwrap();
    assert_eq!((rest.items.as_slice(), rest.next), (&appended[2..], None));
    let twice = audit
        .append_audit(
            &b.acme,
            &NewAuditEntry {
                id: appended[0].id,
                ..other.clone()
            },
        )
        .await;
    assert_eq!(
        expect_kind(twice, ErrorKind::Conflict),
        "audit entry conflict: id is already taken"
    );
    let no_actor = NewAuditEntry {
        actor: String::new(),
        ..other
    };
    assert_eq!(
        expect_kind(
            audit.append_audit(&b.acme, &no_actor).await,
            ErrorKind::InvalidInput
        ),
        "invalid actor: must not be empty"
    );
}
