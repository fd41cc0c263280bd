//! Determinism: the same data, inserted in any order, gives byte-identical
//! list outputs and content hashes per tenant, also with the planner pushed
//! off its usual plans; times come out in UTC at microsecond precision and
//! JSON comes out canonical.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use stellaops_storage::ModuleStorage;
use stellaops_storage::authority::*;
use stellaops_storage::{ManualClock, PageRequest, SystemContext, TenantContext};
use uuid::Uuid;

use stellaops_suites::agreement::{in_any_order, same_bytes_in_any_order};

use crate::support::{data_source, epoch, setup, users_page};

/// One row to insert: a user with a role and a token.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    attributes: serde_json::Value,
    role: String,
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::btree_set("[a-zA-Z0-9_é-]{1,12}", 1..12).prop_flat_map(|names| {
        let names: Vec<String> = names.into_iter().collect();
        let len = names.len();
        (
            Just(names),
            proptest::collection::vec(
                proptest::collection::btree_map("[a-z]{1,6}", 0..1000i64, 0..4),
                len,
            ),
            proptest::collection::vec(0..3usize, len),
        )
            .prop_map(|(names, attributes, roles)| {
                names
                    .into_iter()
                    .zip(attributes)
                    .zip(roles)
                    .map(|((name, attributes), role)| Row {
                        name,
                        attributes: serde_json::to_value(attributes).unwrap(),
                        role: ["admin", "auditor", "Operator"][role].to_owned(),
                    })
                    .collect()
            })
    })
}

/// The ids a row gets, independent of the insertion order.
fn ids(name: &str) -> (Uuid, Uuid, Uuid) {
    let digest = Sha256::digest(name.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let base = u128::from_be_bytes(bytes);
    (
        Uuid::from_u128(base),
        Uuid::from_u128(base ^ 1),
        Uuid::from_u128(base ^ 2),
    )
}

async fn insert(authority: &Authority, ctx: &TenantContext, rows: &[Row]) {
    for role in ["Operator", "admin", "auditor"] {
        let id = Uuid::from_u128(role.len() as u128);
        if authority.roles.get_role(ctx, id).await.unwrap().is_none() {
            authority
                .roles
                .create_role(ctx, id, &RoleFields::named(role))
                .await
                .unwrap();
        }
    }
    for row in rows {
        let (id, subject_id, token_id) = ids(&row.name);
        let mut fields = UserFields::named(&row.name);
        fields.attributes = row.attributes.clone();
        authority
            .users
            .create_user(
                ctx,
                &NewUser {
                    id,
                    subject_id,
                    fields,
                },
            )
            .await
            .unwrap();
        let role = authority
            .roles
            .get_role_by_name(ctx, &row.role)
            .await
            .unwrap()
            .unwrap();
        authority
            .users
            .assign_role(ctx, id, role.id, None)
            .await
            .unwrap();
        let mut token =
            NewToken::access(format!("h-{}", row.name), id, epoch() + Duration::hours(1));
        token.id = token_id;
        authority.tokens.create_token(ctx, &token).await.unwrap();
    }
}

/// Every list of the tenant, serialized: the bytes compared and hashed.
async fn output(authority: &Authority, ctx: &TenantContext) -> Vec<u8> {
    let mut pages = Vec::new();
    let mut request = PageRequest::first(4);
    loop {
        let page = users_page(authority, ctx, request).await;
        let next = page.next.clone();
        pages.push(page);
        match next {
            Some(key) => request = PageRequest::after(4, key),
            None => break,
        }
    }
    let mut per_user = Vec::new();
    for user in pages.iter().flat_map(|p| &p.items) {
        per_user.push((
            authority.users.user_roles(ctx, user.id).await.unwrap(),
            authority
                .tokens
                .active_tokens_of_user(ctx, user.id)
                .await
                .unwrap(),
        ));
    }
    let roles = authority.roles.list_roles(ctx).await.unwrap();
    serde_json::to_vec(&(pages, per_user, roles)).unwrap()
}

#[test]
fn same_data_in_any_order_gives_identical_bytes_and_hashes() {
    in_any_order(rows(), 12, async |rows, shuffled| {
        let clock = Arc::new(ManualClock::at(epoch()));
        let ctx = TenantContext::new("acme").unwrap();
        let system = SystemContext::new("determinism");
        same_bytes_in_any_order::<Authority, _>(
            &clock,
            rows.as_slice(),
            shuffled.as_slice(),
            async |authority, order| {
                authority
                    .tenants
                    .create_tenant(&system, &NewTenant::new(ctx.tenant().clone(), "acme"))
                    .await
                    .unwrap();
                insert(authority, &ctx, order).await;
            },
            async |authority| output(authority, &ctx).await,
        )
        .await
    });
}

#[tokio::test]
async fn times_come_out_in_utc_at_microsecond_precision() {
    let b = setup().await;
    // A database default in another zone must not leak into what is read.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE \"{}\" SET TimeZone = 'Asia/Kolkata'",
        b.db().name()
    )))
    .execute(b.db().admin())
    .await
    .unwrap();
    let source = data_source(b.db()).await;
    let pg = Authority::postgres(source.clone(), b.clock.clone());
    let mut tx = source.tenant(&b.acme).await.unwrap();
    let (zone, rendered): (String, String) = sqlx::query_as(
        "SELECT current_setting('TimeZone'), '2026-03-01 12:00:00+00'::timestamptz::text",
    )
    .persistent(false)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!(
        (zone.as_str(), rendered.as_str()),
        ("UTC", "2026-03-01 12:00:00+00")
    );
    drop(tx);

    let issued =
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap() + Duration::nanoseconds(123_456_789);
    let license = pg
        .licenses
        .create_license(
            &b.acme,
            Uuid::new_v4(),
            &LicenseFields::new("L-1", LicenseEdition::Team, issued),
        )
        .await
        .unwrap();
    assert_eq!(
        license.issued_at,
        issued - Duration::nanoseconds(789),
        "microseconds, truncated"
    );
    let json = serde_json::to_value(&license).unwrap();
    assert_eq!(json["issued_at"], "2026-01-02T03:04:05.123456Z");
    assert_eq!(json["created_at"], "2026-03-01T12:00:00.123456Z");
}

/// The repository hands out `serde_json::Value`s whose maps sort their keys;
/// a dependency that switched on serde_json's `preserve_order` feature
/// (features unify across the workspace) would hand out jsonb's own order
/// (by key length) instead, and this test would fail.
#[tokio::test]
async fn json_comes_out_canonical() {
    let b = setup().await;
    let mut fields = UserFields::named("alice");
    fields.attributes =
        serde_json::from_str(r#"{"zeta": 1, "alpha": {"y": [3, 1], "b": "x"}, "mid": true}"#)
            .unwrap();
    let user = b
        .authority
        .users
        .create_user(&b.acme, &NewUser::new(fields))
        .await
        .unwrap();
    let stored = b
        .authority
        .users
        .get_user(&b.acme, user.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        serde_json::to_string(&stored.attributes).unwrap(),
        r#"{"alpha":{"b":"x","y":[3,1]},"mid":true,"zeta":1}"#,
        "keys sorted, arrays in order, no whitespace"
    );
}
