//! Tenant isolation as `stellaops_app` through the repositories (DESIGN
//! sections 3 and 9). The superuser pool only seeds data and reads plans.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, Row};
use stellaops_harness::APP_ROLE;
use stellaops_storage::ModuleStorage;
use stellaops_storage::authority::*;
use stellaops_storage::{DataSource, ErrorKind, StorageError};
use uuid::Uuid;

use crate::support::{ACME, GLOBEX, direct_pool, epoch, expect_kind, one_app_connection, setup};

#[tokio::test]
async fn role_cannot_bypass_rls() {
    let b = setup().await;
    let source = crate::support::data_source(b.db()).await;
    let mut tx = source.tenant(&b.acme).await.unwrap();
    let (user, superuser, bypass): (String, bool, bool) = sqlx::query_as(
        "SELECT current_user::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
    )
    .persistent(false)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!((user.as_str(), superuser, bypass), (APP_ROLE, false, false));
    // Switching row security off is refused rather than honoured.
    sqlx::query("SET LOCAL row_security = off")
        .persistent(false)
        .execute(tx.conn())
        .await
        .unwrap();
    let off = sqlx::query("SELECT count(*) FROM authority.users")
        .persistent(false)
        .execute(tx.conn())
        .await;
    let message = off.unwrap_err().to_string();
    assert!(message.contains("row-level security"), "{message}");
    drop(tx);
    // Nor can the app role become a role that bypasses it.
    for role in ["stellaops_system", "stellaops_owner", "postgres"] {
        let mut tx = source.tenant(&b.acme).await.unwrap();
        let set = sqlx::query(sqlx::AssertSqlSafe(format!("SET LOCAL ROLE {role}")))
            .persistent(false)
            .execute(tx.conn())
            .await;
        assert!(set.is_err(), "{APP_ROLE} must not become {role}");
    }
}

#[tokio::test]
async fn tenant_sees_only_own_rows() {
    let b = setup().await;
    for (ctx, name) in [(&b.acme, "a"), (&b.acme_eu, "e"), (&b.globex, "g")] {
        for i in 0..3 {
            b.user(ctx, &format!("{name}{i}")).await;
        }
    }
    for (ctx, name) in [(&b.acme, "a"), (&b.acme_eu, "e"), (&b.globex, "g")] {
        let page = b
            .authority
            .users
            .list_users(ctx, &UserQuery::default())
            .await
            .unwrap();
        let names: Vec<&str> = page.items.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(
            names,
            [format!("{name}0"), format!("{name}1"), format!("{name}2")]
        );
        assert!(
            page.items
                .iter()
                .all(|u| u.tenant_id == ctx.tenant().as_str())
        );
    }
    // Even an explicit predicate on another tenant finds nothing.
    let source = crate::support::data_source(b.db()).await;
    let mut tx = source.tenant(&b.acme).await.unwrap();
    let foreign: i64 =
        sqlx::query_scalar("SELECT count(*) FROM authority.users WHERE tenant_id <> $1")
            .bind(ACME)
            .persistent(false)
            .fetch_one(tx.conn())
            .await
            .unwrap();
    assert_eq!(foreign, 0, "acme must not see acme-eu or globex");
}

#[tokio::test]
async fn unset_tenant_fails_closed() {
    let b = setup().await;
    b.user(&b.acme, "alice").await;
    // A session that never set the tenant (direct: a pooler could hand over
    // a server session where an earlier transaction did).
    let app = one_app_connection(b.db()).await;
    let (setting, visible): (Option<String>, i64) = sqlx::query_as(
        "SELECT current_setting('app.tenant_id', true), (SELECT count(*) FROM authority.users)",
    )
    .fetch_one(&app)
    .await
    .unwrap();
    assert_eq!(
        (setting, visible),
        (None, 0),
        "never set: no rows, no error"
    );
    let insert = sqlx::query("INSERT INTO authority.users (tenant_id, username) VALUES ($1, 'x')")
        .bind(ACME)
        .execute(&app)
        .await;
    assert!(
        insert
            .unwrap_err()
            .to_string()
            .contains("row-level security")
    );
}

#[tokio::test]
async fn stale_empty_setting_fails_closed() {
    let b = setup().await;
    b.user(&b.acme, "alice").await;
    let app = one_app_connection(b.db()).await;
    let source = DataSource::from_pools(app.clone(), None, Duration::from_secs(30));
    let mut tx = source.tenant(&b.acme).await.unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM authority.users")
        .persistent(false)
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(seen, 1);
    tx.commit().await.unwrap();
    // The same connection after the transaction: the setting is '' now.
    let (setting, visible): (Option<String>, i64) = sqlx::query_as(
        "SELECT current_setting('app.tenant_id', true), (SELECT count(*) FROM authority.users)",
    )
    .fetch_one(&app)
    .await
    .unwrap();
    assert_eq!((setting.as_deref(), visible), (Some(""), 0));
}

#[tokio::test]
async fn foreign_tenant_writes_rejected() {
    let b = setup().await;
    let alice = b.user(&b.acme, "alice").await;
    let source = crate::support::data_source(b.db()).await;
    let refused = |result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>| {
        let message = result.unwrap_err().to_string();
        assert!(message.contains("row-level security"), "{message}");
    };
    // Insert for another tenant.
    let mut tx = source.tenant(&b.globex).await.unwrap();
    refused(
        sqlx::query("INSERT INTO authority.users (tenant_id, username) VALUES ($1, 'mallory')")
            .bind(ACME)
            .persistent(false)
            .execute(tx.conn())
            .await,
    );
    drop(tx);
    // An update that moves an own row into another tenant.
    let mallory = b.user(&b.globex, "mallory").await;
    let mut tx = source.tenant(&b.globex).await.unwrap();
    refused(
        sqlx::query("UPDATE authority.users SET tenant_id = $1 WHERE id = $2")
            .bind(ACME)
            .bind(mallory.id)
            .persistent(false)
            .execute(tx.conn())
            .await,
    );
    drop(tx);
    // An upsert aimed at another tenant's key.
    let mut tx = source.tenant(&b.globex).await.unwrap();
    refused(
        sqlx::query(
            "INSERT INTO authority.users (tenant_id, id, username) VALUES ($1, $2, 'alice') \
             ON CONFLICT (tenant_id, id) DO UPDATE SET display_name = 'pwned'",
        )
        .bind(ACME)
        .bind(alice.id)
        .persistent(false)
        .execute(tx.conn())
        .await,
    );
    drop(tx);
    // RETURNING of another tenant's row returns nothing.
    let mut tx = source.tenant(&b.globex).await.unwrap();
    let returned = sqlx::query(
        "UPDATE authority.users SET display_name = 'pwned' WHERE id = $1 RETURNING username",
    )
    .bind(alice.id)
    .persistent(false)
    .fetch_all(tx.conn())
    .await
    .unwrap();
    assert!(returned.is_empty());
    tx.commit().await.unwrap();
    // Through the repository: not found, and acme's row is untouched.
    expect_kind(
        b.authority
            .users
            .update_user(&b.globex, alice.id, &UserFields::named("pwned"))
            .await,
        ErrorKind::NotFound,
    );
    assert!(
        !b.authority
            .users
            .delete_user(&b.globex, alice.id)
            .await
            .unwrap()
    );
    assert_eq!(
        b.authority.users.get_user(&b.acme, alice.id).await.unwrap(),
        Some(alice)
    );
    let acme_users: Vec<String> =
        sqlx::query("SELECT username FROM authority.users WHERE tenant_id = $1")
            .bind(ACME)
            .fetch_all(b.db().admin())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("username"))
            .collect();
    assert_eq!(acme_users, ["alice"]);
}

#[tokio::test]
async fn pooled_connection_no_tenant_leak() {
    let b = setup().await;
    let app = one_app_connection(b.db()).await;
    let source = DataSource::from_pools(app.clone(), None, Duration::from_secs(30));
    let pg = Authority::postgres(source.clone(), b.clock.clone());
    pg.users
        .create_user(&b.acme, &NewUser::new(UserFields::named("alice")))
        .await
        .unwrap();

    let mut tx = source.tenant(&b.acme).await.unwrap();
    let acme_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .persistent(false)
        .fetch_one(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // The same connection, used without a tenant: nothing of acme is left.
    let (pid, setting, visible): (i32, Option<String>, i64) = sqlx::query_as(
        "SELECT pg_backend_pid(), current_setting('app.tenant_id', true), \
                (SELECT count(*) FROM authority.users)",
    )
    .fetch_one(&app)
    .await
    .unwrap();
    assert_eq!(pid, acme_pid, "precondition: the pool has one connection");
    assert_eq!(
        (setting.as_deref(), visible),
        (Some(""), 0),
        "acme leaked into the pool"
    );
    let mut tx = source.tenant(&b.globex).await.unwrap();
    let (globex_pid, setting, visible): (i32, String, i64) = sqlx::query_as(
        "SELECT pg_backend_pid(), current_setting('app.tenant_id'), \
                (SELECT count(*) FROM authority.users)",
    )
    .persistent(false)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        acme_pid, globex_pid,
        "one pooled connection served both tenants"
    );
    assert_eq!((setting.as_str(), visible), (GLOBEX, 0));
    let page = pg
        .users
        .list_users(&b.globex, &UserQuery::default())
        .await
        .unwrap();
    assert!(page.items.is_empty());
}

#[tokio::test]
async fn no_cross_tenant_existence_oracle() {
    let b = setup().await;
    let alice = b.user(&b.acme, "alice").await;
    let admin = b
        .authority
        .roles
        .create_role(&b.acme, Uuid::new_v4(), &RoleFields::named("admin"))
        .await
        .unwrap();
    // The same key in another tenant is no conflict at all.
    let globex_alice = b.user(&b.globex, "alice").await;
    // Foreign keys: another tenant's id fails exactly like an unknown one.
    let foreign = b
        .authority
        .users
        .assign_role(&b.globex, alice.id, Uuid::new_v4(), None)
        .await
        .unwrap_err()
        .to_string();
    let unknown = b
        .authority
        .users
        .assign_role(&b.globex, Uuid::new_v4(), Uuid::new_v4(), None)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(foreign, unknown);
    let foreign_role = b
        .authority
        .users
        .assign_role(&b.globex, globex_alice.id, admin.id, None)
        .await
        .unwrap_err();
    assert!(matches!(
        foreign_role,
        StorageError::NotFound { entity: "role" }
    ));
    let foreign_user_token = b
        .authority
        .tokens
        .create_token(
            &b.globex,
            &NewToken::access("t", alice.id, epoch() + chrono::Duration::hours(1)),
        )
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(foreign_user_token, "user not found");
    // A conflict names the field, never the other row's values.
    let conflict = b
        .authority
        .users
        .create_user(&b.globex, &NewUser::new(UserFields::named("alice")))
        .await
        .unwrap_err();
    let text = format!("{conflict} {conflict:?}");
    assert!(!text.contains("alice") && !text.contains(ACME), "{text}");
    assert!(!text.contains(&alice.id.to_string()), "{text}");
}

#[tokio::test]
async fn rls_predicate_uses_tenant_index() {
    const TENANTS: i64 = 50;
    const USERS_PER_TENANT: i64 = 1_000;
    let b = setup().await;
    let admin = b.db().admin();
    sqlx::query(
        "INSERT INTO authority.tenants (code, display_name) \
         SELECT 'load-' || t, 'Load ' || t FROM generate_series(1, $1) t",
    )
    .bind(TENANTS)
    .execute(admin)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO authority.users (tenant_id, username) \
         SELECT 'load-' || t, 'user-' || lpad(u::text, 5, '0') \
         FROM generate_series(1, $1) t, generate_series(1, $2) u",
    )
    .bind(TENANTS)
    .bind(USERS_PER_TENANT)
    .execute(admin)
    .await
    .unwrap();
    sqlx::query("ANALYZE authority.users")
        .execute(admin)
        .await
        .unwrap();

    let source = crate::support::data_source(b.db()).await;
    let tenant = stellaops_storage::TenantContext::new("load-7").unwrap();
    for (what, sql) in [
        (
            "by username",
            "EXPLAIN (COSTS OFF) SELECT * FROM authority.users WHERE username = 'user-00042'",
        ),
        (
            "a page",
            "EXPLAIN (COSTS OFF) SELECT * FROM authority.users ORDER BY username LIMIT 51",
        ),
        (
            "a count",
            "EXPLAIN (COSTS OFF) SELECT count(*) FROM authority.users",
        ),
    ] {
        let mut tx = source.tenant(&tenant).await.unwrap();
        let plan: Vec<String> = sqlx::query_scalar(sql)
            .persistent(false)
            .fetch_all(tx.conn())
            .await
            .unwrap();
        let plan = plan.join("\n");
        assert!(
            !plan.contains("Seq Scan"),
            "{what} scans all 50k rows:\n{plan}"
        );
        assert!(
            plan.contains("Index"),
            "{what} must use the tenant index:\n{plan}"
        );
        assert!(
            plan.contains("tenant_id"),
            "{what}: the RLS predicate drives the index:\n{plan}"
        );
    }
}

#[tokio::test]
async fn system_operations_are_the_only_cross_tenant_path() {
    let b = setup().await;
    let hour = epoch() + chrono::Duration::hours(1);
    let mut tokens = Vec::new();
    for (ctx, name) in [(&b.acme, "a"), (&b.globex, "g")] {
        let user = b.user(ctx, name).await;
        tokens.push(
            b.authority
                .tokens
                .create_token(
                    ctx,
                    &NewToken::access(format!("hash-{name}"), user.id, hour),
                )
                .await
                .unwrap(),
        );
    }
    // The system lookup finds both tenants' tokens ...
    for token in &tokens {
        let found = b
            .authority
            .tokens
            .get_token_by_hash(&b.system, &token.token_hash)
            .await
            .unwrap();
        assert_eq!(found.as_ref(), Some(token));
    }
    // ... a tenant finds only its own, by id or through its lists.
    assert_eq!(
        b.authority
            .tokens
            .get_token(&b.acme, tokens[1].id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        b.authority
            .tokens
            .get_token(&b.globex, tokens[0].id)
            .await
            .unwrap(),
        None
    );
    // The app role cannot write the global tables the system operations own.
    let app = direct_pool(b.db(), APP_ROLE).await;
    for sql in [
        "INSERT INTO authority.tenants (code, display_name) VALUES ('evil', 'Evil')",
        "INSERT INTO authority.scopes (name) VALUES ('evil:all')",
        "UPDATE authority.tenants SET status = 'terminated'",
    ] {
        let err = sqlx::query(sql)
            .execute(&app)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("permission denied"), "{sql}: {err}");
    }
    // And the system pool is the only one that reads across tenants.
    let system = direct_pool(b.db(), "stellaops_system").await;
    let tenants_with_tokens: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT tenant_id) FROM authority.tokens")
            .fetch_one(&system)
            .await
            .unwrap();
    assert_eq!(tenants_with_tokens, 2);
    let seen_by_app: i64 = sqlx::query_scalar("SELECT count(*) FROM authority.tokens")
        .fetch_one(&app)
        .await
        .unwrap();
    assert_eq!(seen_by_app, 0);
}

/// The seeds' session-level `SET app.tenant_id = '…'` leaks through a
/// transaction-pooling PgBouncer to the next client of the server
/// connection; the kit's transaction-local `set_config(.., true)` does not.
#[tokio::test]
async fn session_set_leaks_through_pgbouncer_transaction_local_does_not() {
    let b = setup().await;
    let server = b.db().server();
    let port = match server.pooler_port {
        Some(port) => port,
        None if stellaops_harness::pooler::find_pgbouncer().is_none()
            && std::env::var_os("CI").is_none() =>
        {
            eprintln!(
                "skipped: no pgbouncer binary (Debian: apt-get install pgbouncer); CI requires it"
            );
            return;
        }
        None => stellaops_harness::pooler::ensure(server).await.unwrap(),
    };
    let through_pooler = || {
        server
            .direct_role_options(b.db().name(), APP_ROLE)
            .unwrap()
            .host("127.0.0.1")
            .port(port)
            .statement_cache_capacity(0)
    };
    let alice = b.user(&b.acme, "alice").await;

    // The kit's way: the tenant ends with the transaction.
    let app = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(through_pooler())
        .await
        .unwrap();
    let source = DataSource::from_pools(app.clone(), None, Duration::from_secs(30))
        .with_prepared_statements(false);
    let pg = Authority::postgres(source.clone(), b.clock.clone());
    assert_eq!(
        pg.users.get_user(&b.acme, alice.id).await.unwrap(),
        Some(alice.clone())
    );
    let mut tx = source.tenant(&b.acme).await.unwrap();
    let kit_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .persistent(false)
        .fetch_one(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Closed first: sqlx pings a connection it gets back, and a ping still
    // in flight would make the pooler open a second server connection.
    app.close().await;
    let mut next_client = sqlx::PgConnection::connect_with(&through_pooler())
        .await
        .unwrap();
    let (pid, setting, visible): (i32, Option<String>, i64) = sqlx::query_as(
        "SELECT pg_backend_pid(), current_setting('app.tenant_id', true), \
                (SELECT count(*) FROM authority.users)",
    )
    .persistent(false)
    .fetch_one(&mut next_client)
    .await
    .unwrap();
    assert_eq!(
        pid, kit_pid,
        "precondition: the pooler handed over the same server connection"
    );
    assert_eq!(
        (setting.unwrap_or_default().as_str(), visible),
        ("", 0),
        "nothing of acme stayed"
    );

    // The seeds' way: a session SET stays on the server connection.
    let mut seed_client = sqlx::PgConnection::connect_with(&through_pooler())
        .await
        .unwrap();
    let seed_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .persistent(false)
        .fetch_one(&mut seed_client)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET app.tenant_id = '{ACME}'")))
        .execute(&mut seed_client)
        .await
        .unwrap();
    seed_client.close().await.unwrap();
    let (pid, setting, leaked): (i32, Option<String>, Vec<String>) = sqlx::query_as(
        "SELECT pg_backend_pid(), current_setting('app.tenant_id', true), \
                ARRAY(SELECT username FROM authority.users ORDER BY username)",
    )
    .persistent(false)
    .fetch_one(&mut next_client)
    .await
    .unwrap();
    assert_eq!(
        pid, seed_pid,
        "precondition: the pooler handed over the same server connection"
    );
    assert_eq!(
        setting.as_deref(),
        Some(ACME),
        "the session SET leaked to another client"
    );
    assert_eq!(leaked, ["alice"], "and with it acme's rows");
}

/// Every tenant-scoped read against a related tenant's rows of the same keys.
#[path = "related_reads.rs"]
mod related_reads;
