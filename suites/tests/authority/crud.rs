//! CRUD of every repository method, on both backends (the conformance
//! suite): the happy path, not found, duplicates, and the error the caller sees.

use chrono::Duration;
use rstest::rstest;
use serde_json::json;
use stellaops_storage::authority::*;
use stellaops_storage::{Backend, ErrorKind, StorageError, TenantCode};
use uuid::Uuid;

use crate::support::{ACME, epoch, expect_kind, setup_on};

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn tenants_are_created_read_listed_and_updated_by_system_operations(
    #[case] backend: Backend,
) {
    let b = setup_on(backend).await;
    let code = TenantCode::parse("initech").unwrap();
    let created = b
        .authority
        .tenants
        .create_tenant(&b.system, &NewTenant::new(code.clone(), "Initech"))
        .await
        .unwrap();
    assert_eq!(
        (created.code.as_str(), created.status),
        ("initech", TenantStatus::Active)
    );
    assert_eq!(created.created_at, epoch());
    assert_eq!(
        b.authority
            .tenants
            .get_tenant(&b.system, &code)
            .await
            .unwrap(),
        Some(created.clone())
    );
    let codes: Vec<String> = b
        .authority
        .tenants
        .list_tenants(&b.system)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.code)
        .collect();
    assert_eq!(codes, ["acme", "acme-eu", "globex", "initech"]);

    b.clock.advance(Duration::seconds(1));
    let suspended = b
        .authority
        .tenants
        .set_tenant_status(&b.system, &code, TenantStatus::Suspended)
        .await
        .unwrap();
    assert_eq!(suspended.status, TenantStatus::Suspended);
    assert_eq!(suspended.updated_at, epoch() + Duration::seconds(1));

    let err = expect_kind(
        b.authority
            .tenants
            .create_tenant(&b.system, &NewTenant::new(code.clone(), "Again"))
            .await,
        ErrorKind::Conflict,
    );
    assert_eq!(err.to_string(), "tenant conflict: code is already taken");
    let nobody = TenantCode::parse("nobody").unwrap();
    assert_eq!(
        b.authority
            .tenants
            .get_tenant(&b.system, &nobody)
            .await
            .unwrap(),
        None
    );
    let err = expect_kind(
        b.authority
            .tenants
            .set_tenant_status(&b.system, &nobody, TenantStatus::Active)
            .await,
        ErrorKind::NotFound,
    );
    assert_eq!(err.to_string(), "tenant not found");
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn users_round_trip_through_every_method(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let mut fields = UserFields::named("alice");
    fields.email = Some("alice@acme.test".into());
    fields.attributes = json!({"team": "blue", "level": 3});
    let new = NewUser::new(fields.clone());
    let alice = b.authority.users.create_user(&b.acme, &new).await.unwrap();
    assert_eq!(alice.tenant_id, ACME);
    assert_eq!((alice.id, alice.subject_id), (new.id, new.subject_id));
    assert_eq!(alice.attributes, json!({"level": 3, "team": "blue"}));
    assert_eq!((alice.created_at, alice.updated_at), (epoch(), epoch()));

    assert_eq!(
        b.authority.users.get_user(&b.acme, alice.id).await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        b.authority
            .users
            .get_user_by_username(&b.acme, "alice")
            .await
            .unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        b.authority
            .users
            .get_user_by_subject_id(&b.system, alice.subject_id)
            .await
            .unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        b.authority
            .users
            .get_user(&b.acme, Uuid::new_v4())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        b.authority
            .users
            .get_user_by_username(&b.acme, "bob")
            .await
            .unwrap(),
        None
    );

    b.clock.advance(Duration::minutes(1));
    fields.status = UserStatus::Deleted;
    fields.display_name = Some("Alice A.".into());
    let updated = b
        .authority
        .users
        .update_user(&b.acme, alice.id, &fields)
        .await
        .unwrap();
    assert_eq!(updated.display_name.as_deref(), Some("Alice A."));
    assert_eq!(updated.updated_at, epoch() + Duration::minutes(1));
    assert_eq!(updated.deleted_at, Some(epoch() + Duration::minutes(1)));
    assert_eq!(updated.created_at, epoch());

    // Duplicates: the caller learns the field, not the row.
    let err = expect_kind(
        b.authority
            .users
            .create_user(&b.acme, &NewUser::new(UserFields::named("alice")))
            .await,
        ErrorKind::Conflict,
    );
    assert_eq!(err.to_string(), "user conflict: username is already taken");
    let bob = b.user(&b.acme, "bob").await;
    let err = expect_kind(
        b.authority
            .users
            .update_user(&b.acme, bob.id, &fields)
            .await,
        ErrorKind::Conflict,
    );
    assert!(matches!(
        err,
        StorageError::Conflict {
            field: "username",
            ..
        }
    ));
    let err = expect_kind(
        b.authority
            .users
            .update_user(&b.acme, Uuid::new_v4(), &UserFields::named("carol"))
            .await,
        ErrorKind::NotFound,
    );
    assert_eq!(err.to_string(), "user not found");

    // Roles of a user.
    let admin = b
        .authority
        .roles
        .create_role(&b.acme, Uuid::new_v4(), &RoleFields::named("admin"))
        .await
        .unwrap();
    let auditor = b
        .authority
        .roles
        .create_role(&b.acme, Uuid::new_v4(), &RoleFields::named("auditor"))
        .await
        .unwrap();
    for role in [&auditor, &admin, &admin] {
        b.authority
            .users
            .assign_role(&b.acme, bob.id, role.id, Some("alice"))
            .await
            .unwrap();
    }
    let names: Vec<String> = b
        .authority
        .users
        .user_roles(&b.acme, bob.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["admin", "auditor"], "by name, assigned once");
    let err = expect_kind(
        b.authority
            .users
            .assign_role(&b.acme, Uuid::new_v4(), admin.id, None)
            .await,
        ErrorKind::NotFound,
    );
    assert_eq!(err.to_string(), "user not found");
    let err = expect_kind(
        b.authority
            .users
            .assign_role(&b.acme, bob.id, Uuid::new_v4(), None)
            .await,
        ErrorKind::NotFound,
    );
    assert_eq!(err.to_string(), "role not found");
    assert!(
        b.authority
            .users
            .revoke_role(&b.acme, bob.id, admin.id)
            .await
            .unwrap()
    );
    assert!(
        !b.authority
            .users
            .revoke_role(&b.acme, bob.id, admin.id)
            .await
            .unwrap()
    );

    // Delete cascades to grants and tokens.
    b.authority
        .tokens
        .create_token(
            &b.acme,
            &NewToken::access("hash-bob", bob.id, epoch() + Duration::hours(1)),
        )
        .await
        .unwrap();
    assert!(
        b.authority
            .users
            .delete_user(&b.acme, bob.id)
            .await
            .unwrap()
    );
    assert!(
        !b.authority
            .users
            .delete_user(&b.acme, bob.id)
            .await
            .unwrap()
    );
    assert_eq!(
        b.authority.users.user_roles(&b.acme, bob.id).await.unwrap(),
        []
    );
    assert_eq!(
        b.authority
            .tokens
            .get_token_by_hash(&b.system, "hash-bob")
            .await
            .unwrap(),
        None
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn roles_service_accounts_and_clients_have_crud(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let ctx = &b.acme;
    // Roles.
    let mut role = RoleFields::named("operator");
    role.permissions = vec!["scan:run".into(), "scan:read".into()];
    let id = Uuid::new_v4();
    let created = b.authority.roles.create_role(ctx, id, &role).await.unwrap();
    assert_eq!(created.permissions, ["scan:run", "scan:read"], "order kept");
    assert_eq!(
        b.authority.roles.get_role(ctx, id).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        b.authority
            .roles
            .get_role_by_name(ctx, "operator")
            .await
            .unwrap(),
        Some(created)
    );
    role.description = Some("runs scans".into());
    let updated = b.authority.roles.update_role(ctx, id, &role).await.unwrap();
    assert_eq!(updated.description.as_deref(), Some("runs scans"));
    expect_kind(
        b.authority
            .roles
            .create_role(ctx, Uuid::new_v4(), &role)
            .await,
        ErrorKind::Conflict,
    );
    expect_kind(
        b.authority
            .roles
            .update_role(ctx, Uuid::new_v4(), &role)
            .await,
        ErrorKind::NotFound,
    );
    assert_eq!(b.authority.roles.list_roles(ctx).await.unwrap(), [updated]);
    assert!(b.authority.roles.delete_role(ctx, id).await.unwrap());
    assert!(!b.authority.roles.delete_role(ctx, id).await.unwrap());

    // Service accounts.
    let mut account = ServiceAccountFields::named("scanner-bot");
    account.allowed_scopes = vec!["scan:run".into()];
    let id = Uuid::new_v4();
    let created = b
        .authority
        .service_accounts
        .create_service_account(ctx, id, &account)
        .await
        .unwrap();
    assert_eq!(
        b.authority
            .service_accounts
            .get_service_account(ctx, id)
            .await
            .unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        b.authority
            .service_accounts
            .get_service_account_by_account_id(ctx, "scanner-bot")
            .await
            .unwrap(),
        Some(created)
    );
    account.status = AccountStatus::Disabled;
    let updated = b
        .authority
        .service_accounts
        .update_service_account(ctx, id, &account)
        .await
        .unwrap();
    assert_eq!(updated.status, AccountStatus::Disabled);
    let err = expect_kind(
        b.authority
            .service_accounts
            .create_service_account(ctx, Uuid::new_v4(), &account)
            .await,
        ErrorKind::Conflict,
    );
    assert_eq!(
        err.to_string(),
        "service account conflict: account id is already taken"
    );
    expect_kind(
        b.authority
            .service_accounts
            .update_service_account(ctx, Uuid::new_v4(), &account)
            .await,
        ErrorKind::NotFound,
    );
    assert_eq!(
        b.authority
            .service_accounts
            .list_service_accounts(ctx)
            .await
            .unwrap(),
        [updated]
    );
    assert!(
        b.authority
            .service_accounts
            .delete_service_account(ctx, id)
            .await
            .unwrap()
    );
    assert_eq!(
        b.authority
            .service_accounts
            .get_service_account(ctx, id)
            .await
            .unwrap(),
        None
    );

    // Clients.
    let mut client = ClientFields::named("console");
    client.redirect_uris = vec!["https://console.acme.test/cb".into()];
    client.grant_types = vec!["authorization_code".into()];
    let id = Uuid::new_v4();
    let created = b
        .authority
        .clients
        .create_client(ctx, id, &client)
        .await
        .unwrap();
    assert_eq!(
        b.authority.clients.get_client(ctx, id).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        b.authority
            .clients
            .get_client_by_client_id(ctx, "console")
            .await
            .unwrap(),
        Some(created)
    );
    client.client_type = ClientType::Public;
    let updated = b
        .authority
        .clients
        .update_client(ctx, id, &client)
        .await
        .unwrap();
    assert_eq!(updated.client_type, ClientType::Public);
    let err = expect_kind(
        b.authority
            .clients
            .create_client(ctx, Uuid::new_v4(), &client)
            .await,
        ErrorKind::Conflict,
    );
    assert_eq!(
        err.to_string(),
        "client conflict: client id is already taken"
    );
    expect_kind(
        b.authority
            .clients
            .update_client(ctx, Uuid::new_v4(), &client)
            .await,
        ErrorKind::NotFound,
    );
    assert_eq!(
        b.authority.clients.list_clients(ctx).await.unwrap(),
        [updated]
    );
    assert!(b.authority.clients.delete_client(ctx, id).await.unwrap());
    assert!(!b.authority.clients.delete_client(ctx, id).await.unwrap());
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn scopes_are_global_and_written_only_by_system_operations(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let created = b
        .authority
        .scopes
        .create_scope(&b.system, &NewScope::named("scan:run"))
        .await
        .unwrap();
    b.authority
        .scopes
        .create_scope(&b.system, &NewScope::named("policy:read"))
        .await
        .unwrap();
    // Every tenant reads the same scopes.
    for ctx in [&b.acme, &b.globex] {
        let names: Vec<String> = b
            .authority
            .scopes
            .list_scopes(ctx)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["policy:read", "scan:run"]);
        assert_eq!(
            b.authority
                .scopes
                .get_scope_by_name(ctx, "scan:run")
                .await
                .unwrap(),
            Some(created.clone())
        );
    }
    expect_kind(
        b.authority
            .scopes
            .create_scope(&b.system, &NewScope::named("scan:run"))
            .await,
        ErrorKind::Conflict,
    );
    assert!(
        b.authority
            .scopes
            .delete_scope(&b.system, "scan:run")
            .await
            .unwrap()
    );
    assert!(
        !b.authority
            .scopes
            .delete_scope(&b.system, "scan:run")
            .await
            .unwrap()
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn tokens_are_issued_found_revoked_listed_and_pruned(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let alice = b.user(&b.acme, "alice").await;
    let hour = epoch() + Duration::hours(1);
    let mut first = NewToken::access("h1", alice.id, hour);
    first.client_id = Some("console".into());
    let first = b
        .authority
        .tokens
        .create_token(&b.acme, &first)
        .await
        .unwrap();
    assert_eq!(
        (first.status, first.issued_at),
        (TokenStatus::Valid, epoch())
    );
    b.clock.advance(Duration::seconds(1));
    let second = b
        .authority
        .tokens
        .create_token(
            &b.acme,
            &NewToken::access("h2", alice.id, epoch() + Duration::minutes(5)),
        )
        .await
        .unwrap();

    assert_eq!(
        b.authority
            .tokens
            .get_token(&b.acme, first.id)
            .await
            .unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        b.authority
            .tokens
            .get_token_by_hash(&b.system, "h2")
            .await
            .unwrap(),
        Some(second.clone())
    );
    assert_eq!(
        b.authority
            .tokens
            .get_token_by_hash(&b.system, "nope")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        b.authority
            .tokens
            .active_tokens_of_user(&b.acme, alice.id)
            .await
            .unwrap(),
        [first.clone(), second.clone()]
    );
    assert_eq!(
        b.authority
            .tokens
            .active_tokens_of_client(&b.acme, "console")
            .await
            .unwrap(),
        std::slice::from_ref(&first)
    );

    // Duplicate hash, missing user, expiry not after issue.
    let err = expect_kind(
        b.authority
            .tokens
            .create_token(&b.acme, &NewToken::access("h1", alice.id, hour))
            .await,
        ErrorKind::Conflict,
    );
    assert_eq!(
        err.to_string(),
        "token conflict: token hash is already taken"
    );
    let err = expect_kind(
        b.authority
            .tokens
            .create_token(&b.acme, &NewToken::access("h3", Uuid::new_v4(), hour))
            .await,
        ErrorKind::NotFound,
    );
    assert_eq!(err.to_string(), "user not found");
    expect_kind(
        b.authority
            .tokens
            .create_token(
                &b.acme,
                &NewToken::access("h4", alice.id, epoch() + Duration::seconds(1)),
            )
            .await,
        ErrorKind::InvalidInput,
    );

    assert!(
        b.authority
            .tokens
            .revoke_token(&b.acme, first.id, "logout")
            .await
            .unwrap()
    );
    assert!(
        !b.authority
            .tokens
            .revoke_token(&b.acme, first.id, "again")
            .await
            .unwrap()
    );
    let revoked = b
        .authority
        .tokens
        .get_token(&b.acme, first.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(revoked.status, TokenStatus::Revoked);
    assert_eq!(revoked.revoked_reason.as_deref(), Some("logout"));
    assert_eq!(
        b.authority
            .tokens
            .active_tokens_of_user(&b.acme, alice.id)
            .await
            .unwrap(),
        std::slice::from_ref(&second)
    );

    // Ten minutes on, the second has expired: inactive, then pruned.
    b.clock.advance(Duration::minutes(10));
    assert_eq!(
        b.authority
            .tokens
            .active_tokens_of_user(&b.acme, alice.id)
            .await
            .unwrap(),
        []
    );
    assert_eq!(
        b.authority
            .tokens
            .prune_expired_tokens(&b.system)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        b.authority
            .tokens
            .get_token(&b.acme, second.id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        b.authority
            .tokens
            .prune_expired_tokens(&b.system)
            .await
            .unwrap(),
        0
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn revocations_take_effect_and_expire_on_the_clock(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let now_one = NewRevocation::of_token(Uuid::new_v4(), "compromised");
    let mut later = NewRevocation::of_token(Uuid::new_v4(), "scheduled");
    later.effective_at = Some(epoch() + Duration::hours(1));
    later.expires_at = Some(epoch() + Duration::hours(2));
    let first = b
        .authority
        .revocations
        .create_revocation(&b.acme, &now_one)
        .await
        .unwrap();
    let second = b
        .authority
        .revocations
        .create_revocation(&b.acme, &later)
        .await
        .unwrap();
    assert_eq!(first.effective_at, epoch());
    assert_eq!(
        b.authority
            .revocations
            .get_revocation(&b.acme, RevocationCategory::Token, &now_one.revocation_id)
            .await
            .unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        b.authority
            .revocations
            .active_revocations(&b.acme)
            .await
            .unwrap(),
        std::slice::from_ref(&first)
    );
    b.clock.advance(Duration::minutes(90));
    assert_eq!(
        b.authority
            .revocations
            .active_revocations(&b.acme)
            .await
            .unwrap(),
        [first.clone(), second.clone()]
    );
    b.clock.advance(Duration::minutes(30));
    assert_eq!(
        b.authority
            .revocations
            .active_revocations(&b.acme)
            .await
            .unwrap(),
        std::slice::from_ref(&first)
    );

    let mut again = now_one.clone();
    again.id = Uuid::new_v4();
    let err = expect_kind(
        b.authority
            .revocations
            .create_revocation(&b.acme, &again)
            .await,
        ErrorKind::Conflict,
    );
    assert_eq!(
        err.to_string(),
        "revocation conflict: revocation id is already taken"
    );
    assert!(
        b.authority
            .revocations
            .delete_revocation(&b.acme, first.id)
            .await
            .unwrap()
    );
    assert!(
        !b.authority
            .revocations
            .delete_revocation(&b.acme, first.id)
            .await
            .unwrap()
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn login_attempts_are_recorded_listed_and_counted_in_a_window(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let outcomes = [
        LoginOutcome::Failure,
        LoginOutcome::Failure,
        LoginOutcome::Success,
        LoginOutcome::Failure,
    ];
    let mut recorded = Vec::new();
    for outcome in outcomes {
        let mut attempt = NewLoginAttempt::new("alice", outcome);
        attempt.client_ip = Some("10.1.2.3".parse().unwrap());
        recorded.push(
            b.authority
                .login_attempts
                .record_login_attempt(&b.acme, &attempt)
                .await
                .unwrap(),
        );
        b.clock.advance(Duration::minutes(10));
    }
    assert_eq!(recorded[0].client_ip.as_deref(), Some("10.1.2.3"));
    let recent = b
        .authority
        .login_attempts
        .recent_login_attempts(&b.acme, "alice", 2)
        .await
        .unwrap();
    assert_eq!(
        recent,
        [recorded[3].clone(), recorded[2].clone()],
        "newest first"
    );
    // Now is epoch + 40 min; failures at +0, +10 and +30.
    let count = |minutes| {
        b.authority.login_attempts.count_login_failures(
            &b.acme,
            "alice",
            Duration::minutes(minutes),
        )
    };
    assert_eq!(count(15).await.unwrap(), 1);
    assert_eq!(
        count(30).await.unwrap(),
        1,
        "a failure exactly at the window's start is out"
    );
    assert_eq!(count(31).await.unwrap(), 2);
    assert_eq!(count(60).await.unwrap(), 3);
    assert_eq!(
        b.authority
            .login_attempts
            .count_login_failures(&b.acme, "bob", Duration::hours(1))
            .await
            .unwrap(),
        0
    );
    expect_kind(
        b.authority
            .login_attempts
            .recent_login_attempts(&b.acme, "alice", 0)
            .await,
        ErrorKind::InvalidInput,
    );
    expect_kind(
        b.authority
            .login_attempts
            .count_login_failures(&b.acme, "alice", Duration::minutes(-5))
            .await,
        ErrorKind::InvalidInput,
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn licenses_and_their_usage_have_crud(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let ctx = &b.acme;
    let mut fields = LicenseFields::new("LIC-1", LicenseEdition::Enterprise, epoch());
    fields.max_seats = Some(50);
    fields.features = json!({"airgap": true});
    let id = Uuid::new_v4();
    let created = b
        .authority
        .licenses
        .create_license(ctx, id, &fields)
        .await
        .unwrap();
    assert_eq!(
        b.authority.licenses.get_license(ctx, id).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        b.authority
            .licenses
            .get_license_by_key(ctx, "LIC-1")
            .await
            .unwrap(),
        Some(created)
    );
    fields.status = LicenseStatus::Suspended;
    let updated = b
        .authority
        .licenses
        .update_license(ctx, id, &fields)
        .await
        .unwrap();
    assert_eq!(updated.status, LicenseStatus::Suspended);
    assert_eq!(
        b.authority.licenses.list_licenses(ctx).await.unwrap(),
        [updated]
    );
    expect_kind(
        b.authority
            .licenses
            .create_license(ctx, Uuid::new_v4(), &fields)
            .await,
        ErrorKind::Conflict,
    );
    expect_kind(
        b.authority
            .licenses
            .update_license(ctx, Uuid::new_v4(), &fields)
            .await,
        ErrorKind::NotFound,
    );

    let period = epoch();
    b.authority
        .licenses
        .record_license_usage(ctx, id, "scans", period, 3)
        .await
        .unwrap();
    let usage = b
        .authority
        .licenses
        .record_license_usage(ctx, id, "scans", period, 4)
        .await
        .unwrap();
    assert_eq!(usage.used_count, 7, "usage in one period adds up");
    b.authority
        .licenses
        .record_license_usage(ctx, id, "exports", period, 1)
        .await
        .unwrap();
    let features: Vec<(String, i64)> = b
        .authority
        .licenses
        .license_usage(ctx, id)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.feature, u.used_count))
        .collect();
    assert_eq!(
        features,
        [("exports".to_owned(), 1), ("scans".to_owned(), 7)]
    );
    let err = expect_kind(
        b.authority
            .licenses
            .record_license_usage(ctx, Uuid::new_v4(), "scans", period, 1)
            .await,
        ErrorKind::NotFound,
    );
    assert_eq!(err.to_string(), "license not found");
    assert!(b.authority.licenses.delete_license(ctx, id).await.unwrap());
    assert_eq!(
        b.authority.licenses.license_usage(ctx, id).await.unwrap(),
        []
    );
}
