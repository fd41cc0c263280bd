//! Tenant isolation as the restricted app role: the RLS pitfalls of DESIGN section 8.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

mod support;

use stellaops_harness::{APP_ROLE, HarnessError};
use stellaops_storage::{TenantCode, begin_tenant};
use support::{ACME, GLOBEX, count_users, insert_user, setup};

#[tokio::test]
async fn app_role_is_not_superuser_not_bypassrls_and_owns_nothing() {
    let bundle = setup().await;
    let (superuser, bypass, owned_tables, owned_schemas): (bool, bool, i64, i64) = sqlx::query_as(
        "SELECT r.rolsuper, r.rolbypassrls,
                (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid),
                (SELECT count(*) FROM pg_namespace n WHERE n.nspowner = r.oid)
           FROM pg_roles r WHERE r.rolname = $1",
    )
    .bind(APP_ROLE)
    .fetch_one(bundle.db.admin())
    .await
    .unwrap();
    assert!(!superuser, "{APP_ROLE} must not be a superuser");
    assert!(!bypass, "{APP_ROLE} must not have BYPASSRLS");
    assert_eq!(owned_tables, 0, "{APP_ROLE} must own no relation");
    assert_eq!(owned_schemas, 0, "{APP_ROLE} must own no schema");

    // And the tenant pool really is that role, with the tenant bound.
    let (user, tenant): (String, String) =
        sqlx::query_as("SELECT current_user::text, current_setting('app.tenant_id')")
            .fetch_one(&bundle.acme)
            .await
            .unwrap();
    assert_eq!((user.as_str(), tenant.as_str()), (APP_ROLE, ACME));
}

#[tokio::test]
async fn row_of_one_tenant_is_invisible_and_untouchable_for_another() {
    let bundle = setup().await;
    let id = insert_user(&bundle.acme, ACME, "alice").await.unwrap();
    assert_eq!(count_users(&bundle.acme).await, 1);
    assert_eq!(count_users(&bundle.globex).await, 0);

    let updated = sqlx::query("UPDATE authority.users SET display_name = 'pwned' WHERE id = $1")
        .bind(id)
        .execute(&bundle.globex)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    let deleted = sqlx::query("DELETE FROM authority.users WHERE id = $1")
        .bind(id)
        .execute(&bundle.globex)
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 0);

    let display: Option<String> =
        sqlx::query_scalar("SELECT display_name FROM authority.users WHERE id = $1")
            .bind(id)
            .fetch_one(&bundle.acme)
            .await
            .unwrap();
    assert_eq!(display, None, "another tenant's update must not land");
}

#[tokio::test]
async fn inserting_for_a_foreign_tenant_is_rejected() {
    let bundle = setup().await;
    let err = insert_user(&bundle.globex, ACME, "mallory")
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("row-level security"), "{message}");
    assert_eq!(count_users(&bundle.acme).await, 0);
}

#[tokio::test]
async fn moving_a_row_into_another_tenant_is_rejected() {
    let bundle = setup().await;
    let id = insert_user(&bundle.acme, ACME, "alice").await.unwrap();
    let err = sqlx::query("UPDATE authority.users SET tenant_id = $1 WHERE id = $2")
        .bind(GLOBEX)
        .bind(id)
        .execute(&bundle.acme)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    assert_eq!(count_users(&bundle.globex).await, 0);
    assert_eq!(count_users(&bundle.acme).await, 1);
}

#[tokio::test]
async fn unique_key_conflict_does_not_reveal_another_tenants_row() {
    let bundle = setup().await;
    insert_user(&bundle.acme, ACME, "alice").await.unwrap();
    // The same username in another tenant is a different key, not a conflict.
    insert_user(&bundle.globex, GLOBEX, "alice").await.unwrap();
    assert_eq!(count_users(&bundle.globex).await, 1);
}

#[tokio::test]
async fn unset_and_ended_tenant_settings_see_no_rows_and_raise_no_error() {
    let bundle = setup().await;
    insert_user(&bundle.acme, ACME, "alice").await.unwrap();

    // Never set: current_setting(…, true) is NULL.
    let unset = bundle.db.app_without_tenant().await.unwrap();
    assert_eq!(count_users(&unset).await, 0);

    // Set transaction-locally, then ended: the setting reads '' on that connection.
    let mut conn = unset.acquire().await.unwrap();
    let tenant = TenantCode::parse(ACME).unwrap();
    let mut tx = begin_tenant(&mut *conn, &tenant).await.unwrap();
    let inside: i64 = sqlx::query_scalar("SELECT count(*) FROM authority.users")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        inside, 1,
        "inside the tenant transaction the row is visible"
    );
    tx.commit().await.unwrap();
    let (setting, after): (String, i64) = sqlx::query_as(
        "SELECT current_setting('app.tenant_id', true), (SELECT count(*) FROM authority.users)",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(setting, "", "a transaction-local setting leaves '' behind");
    assert_eq!(
        after, 0,
        "the pooled connection must not carry the tenant on"
    );
}

#[tokio::test]
async fn bad_tenant_codes_are_refused_before_any_sql() {
    let bundle = setup().await;
    let long = "a".repeat(65);
    for bad in [
        "",
        long.as_str(),
        "acme'",
        "acme;",
        "x'; DROP SCHEMA authority; --",
        "Acme",
        "a b",
    ] {
        match bundle.db.tenant(bad).await {
            Err(HarnessError::TenantCode(_)) => {}
            other => panic!("tenant code {bad:?} must be refused up front, got {other:?}"),
        }
    }
    let schema_there: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'authority')",
    )
    .fetch_one(bundle.db.admin())
    .await
    .unwrap();
    assert!(schema_there);
}

#[tokio::test]
async fn system_role_bypasses_rls_for_cross_tenant_operations() {
    let bundle = setup().await;
    insert_user(&bundle.acme, ACME, "alice").await.unwrap();
    insert_user(&bundle.globex, GLOBEX, "bob").await.unwrap();
    let system = bundle.db.system().await.unwrap();
    assert_eq!(count_users(&system).await, 2);
}

#[tokio::test]
async fn clone_gets_database_settings_and_grants_the_template_cannot_carry() {
    let bundle = setup().await;
    let (statement_timeout, lock_timeout, can_connect): (String, String, bool) = sqlx::query_as(
        "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'),
                has_database_privilege('stellaops_app', current_database(), 'CONNECT')",
    )
    .fetch_one(&bundle.acme)
    .await
    .unwrap();
    assert_eq!(
        (statement_timeout.as_str(), lock_timeout.as_str()),
        ("1min", "15s")
    );
    assert!(can_connect);
    let public_can_connect: bool = sqlx::query_scalar(
        "SELECT has_database_privilege('public', current_database(), 'CONNECT')",
    )
    .fetch_one(bundle.db.admin())
    .await
    .unwrap();
    assert!(
        !public_can_connect,
        "only the StellaOps roles may connect to a test database"
    );
}

#[tokio::test]
async fn a_role_password_set_by_another_client_is_set_again() {
    let db = stellaops_harness::TestDb::new().await.unwrap();
    // What a client with a differently spelled admin URL would leave behind.
    sqlx::raw_sql("ALTER ROLE stellaops_system PASSWORD 'set-by-someone-else'")
        .execute(db.admin())
        .await
        .unwrap();
    let system = db.system().await.unwrap();
    let user: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&system)
        .await
        .unwrap();
    assert_eq!(user, stellaops_harness::SYSTEM_ROLE);
}
