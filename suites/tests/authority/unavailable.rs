//! When the database cannot serve a call, the caller gets `Unavailable`
//! within a bound: a dead server, a full pool, a statement held up past the
//! command timeout. Nothing hangs.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use stellaops_storage::authority::*;
use stellaops_storage::{DataSource, ErrorKind, SystemClock};

use crate::support::{expect_kind, setup};

/// Generous: the waits under test are a second or less. A call that has
/// not answered by then hangs, which is the bug these tests look for.
const NO_HANG: Duration = Duration::from_secs(10);

/// Awaits `call`, failing the test if it does not answer within [`NO_HANG`].
async fn bounded<T>(call: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(NO_HANG, call)
        .await
        .expect("the call hung instead of reporting the database unavailable")
}

fn repository(source: DataSource) -> PgAuthority {
    PgAuthority::new(source, std::sync::Arc::new(SystemClock))
}

#[tokio::test]
async fn a_dead_server_is_unavailable() {
    let b = setup().await;
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = PgConnectOptions::new()
        .host("127.0.0.1")
        .port(port)
        .username("stellaops_app")
        .database("postgres");
    let app = PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy_with(options);
    let pg = repository(DataSource::from_pools(app, None, Duration::from_secs(5)));
    let err = expect_kind(
        bounded(pg.list_roles(&b.acme)).await,
        ErrorKind::Unavailable,
    );
    assert!(
        err.to_string().starts_with("database unavailable while"),
        "{err}"
    );
}

#[tokio::test]
async fn a_full_pool_is_unavailable_after_its_wait() {
    let b = setup().await;
    let app = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_millis(300))
        .connect_with(crate::support::one_app_options(b.db()))
        .await
        .unwrap();
    let source = DataSource::from_pools(app, None, Duration::from_secs(5));
    let held = source.tenant(&b.acme).await.unwrap();
    let err = expect_kind(
        bounded(repository(source.clone()).list_roles(&b.acme)).await,
        ErrorKind::Unavailable,
    );
    let cause = format!("{:?}", std::error::Error::source(&err));
    assert!(
        cause.contains("PoolTimedOut"),
        "the pool's wait ran out: {cause}"
    );
    drop(held);
    // Freed, the pool serves again.
    assert!(
        repository(source)
            .list_roles(&b.acme)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_statement_held_past_the_command_timeout_is_unavailable_and_changes_nothing() {
    let b = setup().await;
    let alice = b.user(&b.acme, "alice").await;
    // Another session holds alice's row.
    let mut blocker = b.db().admin().begin().await.unwrap();
    sqlx::query("SELECT 1 FROM authority.users WHERE id = $1 FOR UPDATE")
        .bind(alice.id)
        .execute(&mut *blocker)
        .await
        .unwrap();
    let app = b.db().app_without_tenant().await.unwrap();
    let source = DataSource::from_pools(app, None, Duration::from_millis(300))
        .with_prepared_statements(b.db().server().pooler_port.is_none());
    let err = expect_kind(
        bounded(repository(source).update_user(&b.acme, alice.id, &UserFields::named("alice2")))
            .await,
        ErrorKind::Unavailable,
    );
    let cause = format!("{:?}", std::error::Error::source(&err));
    assert!(
        cause.contains("57014"),
        "the statement timeout ended it: {cause}"
    );
    assert!(err.to_string().contains("updating a user"), "{err}");
    blocker.rollback().await.unwrap();
    let stored = b
        .authority
        .users
        .get_user(&b.acme, alice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.username, "alice");
}
