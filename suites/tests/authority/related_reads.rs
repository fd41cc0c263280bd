//! Every tenant-scoped read of every Authority repository, on both
//! backends, against a related tenant holding rows with the same natural
//! keys and ids: `acme` never reads a row of `acme-eu`. A read served
//! without row-level security (through the system pool, or a memory map
//! keyed without the tenant) answers with the other tenant's row; here it
//! is caught whatever the order of the rows.

use std::future::Future;
use std::pin::Pin;

use chrono::Duration;
use rstest::rstest;
use stellaops_storage::authority::*;
use stellaops_storage::{Backend, TenantContext};
use stellaops_suites::related_reads::{Probe, Seen, read_all, tenants};
use uuid::Uuid;

use crate::support::{ACME, ACME_EU, epoch, setup_on};

const USER: Uuid = Uuid::from_u128(0x11);
const SUBJECT: Uuid = Uuid::from_u128(0x12);
const ROLE: Uuid = Uuid::from_u128(0x13);
const ACCOUNT: Uuid = Uuid::from_u128(0x14);
const CLIENT: Uuid = Uuid::from_u128(0x15);
const TOKEN: Uuid = Uuid::from_u128(0x16);
const LICENSE: Uuid = Uuid::from_u128(0x17);
const USERNAME: &str = "alice";
const ROLE_NAME: &str = "admin";
const ACCOUNT_ID: &str = "ci-bot";
const CLIENT_ID: &str = "web-portal";
const LICENSE_KEY: &str = "LIC-1";

/// The same rows, ids and natural keys for any tenant.
async fn seed(authority: &Authority, ctx: &TenantContext) {
    let user = NewUser {
        id: USER,
        subject_id: SUBJECT,
        fields: UserFields::named(USERNAME),
    };
    authority.users.create_user(ctx, &user).await.unwrap();
    authority
        .roles
        .create_role(ctx, ROLE, &RoleFields::named(ROLE_NAME))
        .await
        .unwrap();
    authority
        .users
        .assign_role(ctx, USER, ROLE, None)
        .await
        .unwrap();
    authority
        .service_accounts
        .create_service_account(ctx, ACCOUNT, &ServiceAccountFields::named(ACCOUNT_ID))
        .await
        .unwrap();
    authority
        .clients
        .create_client(ctx, CLIENT, &ClientFields::named(CLIENT_ID))
        .await
        .unwrap();
    let mut token = NewToken::access("hash-1", USER, epoch() + Duration::hours(1));
    token.id = TOKEN;
    token.client_id = Some(CLIENT_ID.into());
    authority.tokens.create_token(ctx, &token).await.unwrap();
    authority
        .revocations
        .create_revocation(ctx, &NewRevocation::of_token(TOKEN, "leaked"))
        .await
        .unwrap();
    authority
        .login_attempts
        .record_login_attempt(ctx, &NewLoginAttempt::new(USERNAME, LoginOutcome::Failure))
        .await
        .unwrap();
    authority
        .licenses
        .create_license(
            ctx,
            LICENSE,
            &LicenseFields::new(LICENSE_KEY, LicenseEdition::Team, epoch()),
        )
        .await
        .unwrap();
    authority
        .licenses
        .record_license_usage(ctx, LICENSE, "scans", epoch(), 3)
        .await
        .unwrap();
}

macro_rules! probes {
    ($($name:ident => |$a:ident, $ctx:ident| $body:expr;)*) => {
        $(
            fn $name<'a>(
                $a: &'a Authority,
                $ctx: &'a TenantContext,
            ) -> Pin<Box<dyn Future<Output = Seen> + Send + 'a>> {
                Box::pin(async move { $body })
            }
        )*
        /// Every tenant-scoped read of the Authority traits.
        const PROBES: &[(&str, Probe<Authority>)] = &[$((stringify!($name), $name)),*];
    };
}

probes! {
    get_user => |a, ctx| tenants(a.users.get_user(ctx, USER).await.unwrap(), |u| &u.tenant_id);
    get_user_by_username => |a, ctx| {
        tenants(a.users.get_user_by_username(ctx, USERNAME).await.unwrap(), |u| &u.tenant_id)
    };
    list_users => |a, ctx| {
        tenants(a.users.list_users(ctx, &UserQuery::default()).await.unwrap().items, |u| &u.tenant_id)
    };
    user_roles => |a, ctx| tenants(a.users.user_roles(ctx, USER).await.unwrap(), |r| &r.tenant_id);
    get_role => |a, ctx| tenants(a.roles.get_role(ctx, ROLE).await.unwrap(), |r| &r.tenant_id);
    get_role_by_name => |a, ctx| {
        tenants(a.roles.get_role_by_name(ctx, ROLE_NAME).await.unwrap(), |r| &r.tenant_id)
    };
    list_roles => |a, ctx| tenants(a.roles.list_roles(ctx).await.unwrap(), |r| &r.tenant_id);
    get_service_account => |a, ctx| {
        tenants(a.service_accounts.get_service_account(ctx, ACCOUNT).await.unwrap(), |s| &s.tenant_id)
    };
    get_service_account_by_account_id => |a, ctx| {
        tenants(
            a.service_accounts.get_service_account_by_account_id(ctx, ACCOUNT_ID).await.unwrap(),
            |s| &s.tenant_id,
        )
    };
    list_service_accounts => |a, ctx| {
        tenants(a.service_accounts.list_service_accounts(ctx).await.unwrap(), |s| &s.tenant_id)
    };
    get_client => |a, ctx| tenants(a.clients.get_client(ctx, CLIENT).await.unwrap(), |c| &c.tenant_id);
    get_client_by_client_id => |a, ctx| {
        tenants(a.clients.get_client_by_client_id(ctx, CLIENT_ID).await.unwrap(), |c| &c.tenant_id)
    };
    list_clients => |a, ctx| tenants(a.clients.list_clients(ctx).await.unwrap(), |c| &c.tenant_id);
    get_token => |a, ctx| tenants(a.tokens.get_token(ctx, TOKEN).await.unwrap(), |t| &t.tenant_id);
    active_tokens_of_user => |a, ctx| {
        tenants(a.tokens.active_tokens_of_user(ctx, USER).await.unwrap(), |t| &t.tenant_id)
    };
    active_tokens_of_client => |a, ctx| {
        tenants(a.tokens.active_tokens_of_client(ctx, CLIENT_ID).await.unwrap(), |t| &t.tenant_id)
    };
    get_revocation => |a, ctx| {
        tenants(
            a.revocations.get_revocation(ctx, RevocationCategory::Token, &TOKEN.to_string()).await.unwrap(),
            |r| &r.tenant_id,
        )
    };
    active_revocations => |a, ctx| {
        tenants(a.revocations.active_revocations(ctx).await.unwrap(), |r| &r.tenant_id)
    };
    recent_login_attempts => |a, ctx| {
        tenants(a.login_attempts.recent_login_attempts(ctx, USERNAME, 10).await.unwrap(), |l| &l.tenant_id)
    };
    count_login_failures => |a, ctx| {
        let counted = a.login_attempts.count_login_failures(ctx, USERNAME, Duration::hours(1)).await.unwrap();
        vec!["count".to_owned(); usize::try_from(counted).unwrap()]
    };
    get_license => |a, ctx| tenants(a.licenses.get_license(ctx, LICENSE).await.unwrap(), |l| &l.tenant_id);
    get_license_by_key => |a, ctx| {
        tenants(a.licenses.get_license_by_key(ctx, LICENSE_KEY).await.unwrap(), |l| &l.tenant_id)
    };
    list_licenses => |a, ctx| tenants(a.licenses.list_licenses(ctx).await.unwrap(), |l| &l.tenant_id);
    license_usage => |a, ctx| {
        tenants(a.licenses.license_usage(ctx, LICENSE).await.unwrap(), |u| &u.tenant_id)
    };
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn no_read_returns_a_related_tenants_row_with_the_same_key(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let authority = &b.authority;
    seed(authority, &b.acme_eu).await;

    let owned = read_all(PROBES, authority, &b.acme_eu).await;
    let leaked = read_all(PROBES, authority, &b.acme).await;
    // acme's own rows under the same ids and keys.
    seed(authority, &b.acme).await;
    let after = read_all(PROBES, authority, &b.acme).await;
    let owner_after = read_all(PROBES, authority, &b.acme_eu).await;
    stellaops_suites::related_reads::judge(ACME_EU, ACME, &owned, &leaked, &after, &owner_after);
}
