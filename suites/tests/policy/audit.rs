//! Policy's audit trail: entries appended per entity at the injected now,
//! read oldest first in keyset pages, never changed; bad input refused.

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
async fn the_trail_of_an_entity_reads_oldest_first(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let audit = &b.policy.audit;
    for (n, action) in ["created", "submitted", "approved", "published"]
        .iter()
        .enumerate()
    {
        b.clock.advance(Duration::seconds(1));
        let mut entry = NewAuditEntry::new(
            AuditCategory::PackVersion,
            *action,
            "v-1",
            "alice",
            ActorType::User,
        );
        entry.id = Uuid::from_u128(n as u128 + 1);
        audit.append_audit(&b.acme, &entry).await.unwrap();
    }
    let other = NewAuditEntry::new(
        AuditCategory::Pack,
        "created",
        "v-1",
        "alice",
        ActorType::User,
    );
    audit.append_audit(&b.acme, &other).await.unwrap();
    let first = audit
        .audit_of(
            &b.acme,
            AuditCategory::PackVersion,
            "v-1",
            &PageRequest::first(3),
        )
        .await
        .unwrap();
    let next = audit
        .audit_of(
            &b.acme,
            AuditCategory::PackVersion,
            "v-1",
            &PageRequest::after(3, first.next.clone().unwrap()),
        )
        .await
        .unwrap();
    let actions: Vec<&str> = first
        .items
        .iter()
        .chain(&next.items)
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(actions, ["created", "submitted", "approved", "published"]);
    assert_eq!(next.next, None);
    let mut twice = NewAuditEntry::new(AuditCategory::Pack, "x", "p", "a", ActorType::System);
    twice.id = Uuid::from_u128(1);
    assert_eq!(
        expect_kind(
            audit.append_audit(&b.acme, &twice).await,
            ErrorKind::Conflict
        ),
        "audit entry conflict: id is already taken"
    );
    let mut bad = NewAuditEntry::new(AuditCategory::Pack, "", "p", "a", ActorType::System);
    bad.id = Uuid::from_u128(99);
    expect_kind(
        audit.append_audit(&b.acme, &bad).await,
        ErrorKind::InvalidInput,
    );
    let mut not_object = NewAuditEntry::new(AuditCategory::Pack, "x", "p", "a", ActorType::System);
    not_object.payload = serde_json::json!([1]);
    expect_kind(
        audit.append_audit(&b.acme, &not_object).await,
        ErrorKind::InvalidInput,
    );
    let pack_trail = audit
        .audit_of(&b.acme, AuditCategory::Pack, "p", &PageRequest::first(10))
        .await
        .unwrap();
    assert!(
        pack_trail.items.is_empty(),
        "nothing of the refused entries"
    );
}
