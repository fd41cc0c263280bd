//! One migrated template database per migration set and server version.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{AssertSqlSafe, PgConnection};
use stellaops_migrations::{MigrationLock, MigrationSet, Migrator};

use crate::naming::{TEMPLATE_BUILD_PREFIX, TEMPLATE_PREFIX, quote_ident, template_name};
use crate::sweep::{drop_database, sweep_templates};
use crate::{HarnessError, Server};

pub use stellaops_kit::{APP_ROLE, SYSTEM_ROLE};

/// A build takes a few seconds; another process waits for it this long at most.
const BUILD_LOCK_WAIT: Duration = Duration::from_secs(600);

/// A sealed template: migrated, marked `IS_TEMPLATE`, closed to connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub name: String,
    pub fingerprint: String,
}

/// Returns the template of `set` on `server`, building it first if no process
/// has yet. Builds are serialized by an advisory lock named after the
/// template; a build happens in a scratch database that is renamed only once
/// fully migrated, so a template that exists is complete.
pub async fn ensure_template(
    server: &Server,
    set: &MigrationSet,
) -> Result<Template, HarnessError> {
    let mut conn = server.connect_admin().await?;
    ensure_template_with(server, set, &mut conn).await
}

/// [`ensure_template`] on a superuser connection the caller already has: the
/// usual case (the template exists) then costs one query and no new login.
pub async fn ensure_template_with(
    server: &Server,
    set: &MigrationSet,
    conn: &mut PgConnection,
) -> Result<Template, HarnessError> {
    let fingerprint = set.fingerprint();
    let name = template_name(&fingerprint, server.major_version);
    let template = Template {
        name: name.clone(),
        fingerprint,
    };
    if database_exists(conn, &name).await? {
        return Ok(template);
    }
    // The build lock lives on a connection of its own, released on every path.
    let conn = server.connect_admin().await?;
    let mut lock = MigrationLock::acquire(conn, lock_key(&name), BUILD_LOCK_WAIT).await?;
    let built = build_locked(server, set, lock.connection(), &name).await;
    let released = lock.release().await;
    built?;
    released?;
    Ok(template)
}

async fn build_locked(
    server: &Server,
    set: &MigrationSet,
    conn: &mut PgConnection,
    name: &str,
) -> Result<(), HarnessError> {
    if database_exists(conn, name).await? {
        return Ok(());
    }
    let started = std::time::Instant::now();
    eprintln!(
        "stellaops-harness: building template {name} ({} migrations of {} modules)",
        set.migrations().len(),
        set.modules().len()
    );
    let scratch = format!("{TEMPLATE_BUILD_PREFIX}{}", &name[TEMPLATE_PREFIX.len()..]);
    drop_database(conn, &scratch).await?;
    exec(
        conn,
        format!("CREATE DATABASE {}", quote_ident(&scratch)),
        "creating the template scratch database",
    )
    .await?;

    let migrated = async {
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(server.admin_options(&scratch)?)
            .await
            .map_err(HarnessError::db(format!("connecting to {scratch}")))?;
        let applied = Migrator::new(set.clone()).include_all().apply(&pool).await;
        pool.close().await;
        applied.map(drop).map_err(HarnessError::from)
    }
    .await;
    if let Err(e) = migrated {
        let _ = drop_database(conn, &scratch).await;
        return Err(e);
    }

    enable_role_logins(server, conn).await?;
    exec(
        conn,
        format!(
            "ALTER DATABASE {} RENAME TO {}",
            quote_ident(&scratch),
            quote_ident(name)
        ),
        "sealing the template",
    )
    .await?;
    exec(
        conn,
        format!(
            "ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
            quote_ident(name)
        ),
        "sealing the template",
    )
    .await?;
    let swept = sweep_templates(conn, server.settings.keep_templates).await?;
    eprintln!(
        "stellaops-harness: template {name} sealed in {} ms{}",
        started.elapsed().as_millis(),
        if swept.is_empty() {
            String::new()
        } else {
            format!("; swept {} old database(s)", swept.len())
        }
    );
    Ok(())
}

/// The migrations create the roles NOLOGIN; tests log in as them, with the
/// password the harness derives for this server.
pub(crate) async fn enable_role_logins(
    server: &Server,
    conn: &mut PgConnection,
) -> Result<(), HarnessError> {
    for role in [APP_ROLE, SYSTEM_ROLE] {
        crate::scram::set_password(conn, role, &server.role_password(role), true).await?;
    }
    Ok(())
}

pub(crate) async fn database_exists(
    conn: &mut PgConnection,
    name: &str,
) -> Result<bool, HarnessError> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(conn)
        .await
        .map_err(HarnessError::db(format!("looking up database {name}")))
}

pub(crate) async fn exec(
    conn: &mut PgConnection,
    sql: String,
    what: &str,
) -> Result<(), HarnessError> {
    sqlx::raw_sql(AssertSqlSafe(sql))
        .execute(conn)
        .await
        .map(drop)
        .map_err(HarnessError::db(what.to_owned()))
}

/// A stable advisory-lock key per template name (never a per-process hash).
fn lock_key(name: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(name.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}
