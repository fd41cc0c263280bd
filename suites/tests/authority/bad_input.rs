//! Bad input gets a clear error before any SQL runs, and nothing is written.

use rstest::rstest;
use serde_json::json;
use stellaops_storage::authority::*;
use stellaops_storage::input::parse_json_object;
use stellaops_storage::{Backend, ErrorKind, StorageError, TenantContext};

use crate::support::{Bundle, expect_kind, setup_on};

/// Everything of the tenants the bundle knows, as the caller sees it.
async fn snapshot(b: &Bundle) -> String {
    let mut out = String::new();
    for ctx in [&b.acme, &b.acme_eu, &b.globex] {
        let users = b
            .authority
            .users
            .list_users(ctx, &UserQuery::default())
            .await
            .unwrap();
        let roles = b.authority.roles.list_roles(ctx).await.unwrap();
        out.push_str(&serde_json::to_string(&(users, roles)).unwrap());
    }
    out
}

#[rstest]
#[tokio::test]
async fn a_refused_tenant_code_never_reaches_sql() {
    for code in [
        "",
        "Acme",
        "acme'; DROP SCHEMA authority; --",
        "a b",
        &"a".repeat(65),
    ] {
        let err = TenantContext::new(code).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{code:?}");
        assert!(
            err.to_string().starts_with("invalid tenant code: "),
            "{err}"
        );
    }
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn oversized_nul_and_malformed_values_are_refused_and_nothing_is_written(
    #[case] backend: Backend,
) {
    let b = setup_on(backend).await;
    b.user(&b.acme, "alice").await;
    let before = snapshot(&b).await;

    let mut cases: Vec<(&str, UserFields, &str)> = Vec::new();
    cases.push((
        "oversized username",
        UserFields::named("x".repeat(257)),
        "257 characters",
    ));
    cases.push(("NUL in username", UserFields::named("bo\0b"), "NUL byte"));
    let mut nul_email = UserFields::named("bob");
    nul_email.email = Some("bob\0@acme.test".into());
    cases.push(("NUL in email", nul_email, "NUL byte"));
    let mut huge = UserFields::named("bob");
    huge.display_name = Some("d".repeat(5000));
    cases.push(("oversized display name", huge, "5000 characters"));
    let mut array = UserFields::named("bob");
    array.attributes = json!(["not", "an", "object"]);
    cases.push(("attributes not an object", array, "must be a JSON object"));
    let mut nul_json = UserFields::named("bob");
    nul_json.attributes = json!({"note": "a\u{0}b"});
    cases.push(("NUL inside JSON", nul_json, "NUL"));
    let mut big_json = UserFields::named("bob");
    big_json.attributes = json!({"blob": "x".repeat(70_000)});
    cases.push(("oversized JSON", big_json, "bytes of JSON"));

    for (what, fields, reason) in cases {
        let err = expect_kind(
            b.authority
                .users
                .create_user(&b.acme, &NewUser::new(fields.clone()))
                .await,
            ErrorKind::InvalidInput,
        );
        assert!(err.to_string().contains(reason), "{what}: {err}");
        let alice = b
            .authority
            .users
            .get_user_by_username(&b.acme, "alice")
            .await
            .unwrap()
            .unwrap();
        expect_kind(
            b.authority
                .users
                .update_user(&b.acme, alice.id, &fields)
                .await,
            ErrorKind::InvalidInput,
        );
    }
    // Raw JSON that does not parse.
    let err = parse_json_object("attributes", "{\"team\": blue}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string()
            .starts_with("invalid attributes: is not valid JSON"),
        "{err}"
    );
    // Lookups refuse too, rather than asking the server.
    expect_kind(
        b.authority.users.get_user_by_username(&b.acme, "a\0").await,
        ErrorKind::InvalidInput,
    );
    expect_kind(
        b.authority
            .roles
            .create_role(&b.acme, uuid::Uuid::new_v4(), &RoleFields::named(""))
            .await,
        ErrorKind::InvalidInput,
    );
    assert_eq!(
        snapshot(&b).await,
        before,
        "a refused request wrote something"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn another_tenants_id_changes_nothing(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let alice = b.user(&b.acme, "alice").await;
    let role = b
        .authority
        .roles
        .create_role(&b.acme, uuid::Uuid::new_v4(), &RoleFields::named("admin"))
        .await
        .unwrap();
    let before = snapshot(&b).await;
    let err = expect_kind(
        b.authority
            .users
            .update_user(&b.globex, alice.id, &UserFields::named("mallory"))
            .await,
        ErrorKind::NotFound,
    );
    assert!(matches!(err, StorageError::NotFound { entity: "user" }));
    assert!(
        !b.authority
            .users
            .delete_user(&b.globex, alice.id)
            .await
            .unwrap()
    );
    assert!(
        !b.authority
            .roles
            .delete_role(&b.globex, role.id)
            .await
            .unwrap()
    );
    expect_kind(
        b.authority
            .roles
            .update_role(&b.globex, role.id, &RoleFields::named("pwned"))
            .await,
        ErrorKind::NotFound,
    );
    assert_eq!(
        b.authority
            .users
            .get_user(&b.globex, alice.id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(snapshot(&b).await, before);
}
