//! Keyset pagination of users: a stable total order (username, `COLLATE "C"`),
//! every row exactly once both ways, robust to deleting the cursor row, and
//! page sizes that are refused or clamped, saying which.

use rstest::rstest;
use stellaops_storage::authority::*;
use stellaops_storage::page::{Cursor, MAX_PAGE_SIZE, PageRequest};
use stellaops_storage::{Backend, ErrorKind, TenantContext};

use crate::support::{Bundle, expect_kind, setup_on, users_page};

const USERS: usize = 23;
const PAGE: i64 = 5;

/// Usernames chosen so byte order differs from a naive or locale order.
fn usernames() -> Vec<String> {
    let mut names: Vec<String> = (0..USERS - 3).map(|i| format!("user-{i:02}")).collect();
    names.extend(["Zed".to_owned(), "ümlaut".to_owned(), "_under".to_owned()]);
    names
}

async fn seeded(backend: Backend) -> Bundle {
    let b = setup_on(backend).await;
    for name in usernames() {
        b.user(&b.acme, &name).await;
    }
    b.user(&b.globex, "user-00").await;
    b
}

async fn fetch(
    b: &Bundle,
    ctx: &TenantContext,
    request: PageRequest,
) -> stellaops_storage::Page<User> {
    users_page(&b.authority, ctx, request).await
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn every_row_appears_exactly_once_forward_and_backward(#[case] backend: Backend) {
    let b = seeded(backend).await;
    let mut expected = usernames();
    expected.sort();

    let mut forward = Vec::new();
    let mut request = PageRequest::first(PAGE);
    loop {
        let page = fetch(&b, &b.acme, request).await;
        forward.extend(page.items.iter().map(|u| u.username.clone()));
        match page.next {
            Some(next) => request = PageRequest::after(PAGE, next),
            None => break,
        }
    }
    assert_eq!(forward, expected);

    let mut backward = Vec::new();
    let mut request = PageRequest {
        size: PAGE,
        cursor: Cursor::End,
    };
    loop {
        let page = fetch(&b, &b.acme, request).await;
        let mut names: Vec<String> = page.items.iter().map(|u| u.username.clone()).collect();
        names.reverse();
        backward.extend(names);
        match page.previous {
            Some(previous) => request = PageRequest::before(PAGE, previous),
            None => break,
        }
    }
    backward.reverse();
    assert_eq!(backward, expected);
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn paging_survives_deletion_of_the_cursor_row(#[case] backend: Backend) {
    let b = seeded(backend).await;
    let first = fetch(&b, &b.acme, PageRequest::first(PAGE)).await;
    let cursor_row = first.items.last().unwrap().clone();
    assert!(
        b.authority
            .users
            .delete_user(&b.acme, cursor_row.id)
            .await
            .unwrap()
    );
    let second = fetch(&b, &b.acme, PageRequest::after(PAGE, first.next.unwrap())).await;
    let mut expected = usernames();
    expected.sort();
    let expected: Vec<String> = expected[PAGE as usize..2 * PAGE as usize].to_vec();
    let got: Vec<String> = second.items.iter().map(|u| u.username.clone()).collect();
    assert_eq!(
        got, expected,
        "the page after a deleted cursor row neither skips nor repeats"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn absurd_page_sizes_are_refused_or_clamped_and_say_which(#[case] backend: Backend) {
    let b = seeded(backend).await;
    for size in [0, -1, i64::MIN] {
        let err = expect_kind(
            b.authority
                .users
                .list_users(
                    &b.acme,
                    &UserQuery {
                        page: PageRequest::first(size),
                        ..UserQuery::default()
                    },
                )
                .await,
            ErrorKind::InvalidInput,
        );
        assert!(err.to_string().starts_with("invalid page size"), "{err}");
    }
    for size in [i64::from(MAX_PAGE_SIZE) + 1, 1_000_000, i64::MAX] {
        let page = fetch(&b, &b.acme, PageRequest::first(size)).await;
        assert_eq!((page.size, page.clamped_from), (MAX_PAGE_SIZE, Some(size)));
        assert_eq!(page.items.len(), USERS);
        assert_eq!(page.next, None);
    }
    let exact = fetch(&b, &b.acme, PageRequest::first(i64::from(MAX_PAGE_SIZE))).await;
    assert_eq!(exact.clamped_from, None);
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn filters_narrow_the_page_without_breaking_the_order(#[case] backend: Backend) {
    let b = seeded(backend).await;
    let query = UserQuery {
        username_prefix: Some("user-1".into()),
        page: PageRequest::first(PAGE),
        ..UserQuery::default()
    };
    let page = b.authority.users.list_users(&b.acme, &query).await.unwrap();
    let names: Vec<&str> = page.items.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(
        names,
        ["user-10", "user-11", "user-12", "user-13", "user-14"]
    );
    assert_eq!(page.next.as_deref(), Some("user-14"));
    let disabled = UserQuery {
        status: Some(UserStatus::Disabled),
        ..UserQuery::default()
    };
    assert!(
        b.authority
            .users
            .list_users(&b.acme, &disabled)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}
