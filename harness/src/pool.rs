//! Pre-cloned databases waiting to be handed out (the IntegreSQL idea).
//!
//! Cloning a template costs tens of milliseconds; renaming a database that
//! was cloned ahead of time costs well under one. A test takes a pooled
//! clone by renaming it to its own name (the rename is atomic, so two
//! processes never get the same one) and a background task clones a
//! replacement while the test runs. An empty pool only means a direct clone.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use sqlx::{AssertSqlSafe, PgConnection, Row};

use crate::naming::{TEMPLATE_PREFIX, next_test_db_name, quote_ident, quote_literal};
use crate::sweep::drop_database;
use crate::template::{APP_ROLE, SYSTEM_ROLE, exec};
use crate::{HarnessError, Server};

pub const POOL_PREFIX: &str = "stellaops_pool_";

/// Clones made ahead at most per refill, so one refill never hogs the server.
const REFILL_BATCH: usize = 2;
/// Longest the keeper waits for its warm-up session to leave a clone.
const WARM_UP_EXIT_LIMIT: Duration = Duration::from_secs(2);
/// Longest a background refill may take.
const REFILL_LIMIT: Duration = Duration::from_secs(60);

/// Settings every test database gets. `CREATE DATABASE … TEMPLATE` copies
/// neither `ALTER DATABASE … SET` nor database grants, so they are applied
/// to each clone rather than to the template.
const CLONE_SETTINGS: &[(&str, &str)] = &[
    ("statement_timeout", "60s"),
    ("lock_timeout", "15s"),
    ("idle_in_transaction_session_timeout", "60s"),
];

/// The name prefix of the pooled clones of `template`.
pub fn pool_prefix(template: &str) -> String {
    let hash = template.strip_prefix(TEMPLATE_PREFIX).unwrap_or(template);
    format!("{POOL_PREFIX}{hash}_")
}

/// Clones `template` (or creates an empty database) as `name`, with the
/// grants and settings a test database needs.
pub async fn create_database(
    server: &Server,
    conn: &mut PgConnection,
    template: Option<&str>,
    name: &str,
) -> Result<(), HarnessError> {
    let ident = quote_ident(name);
    let mut create = format!("CREATE DATABASE {ident}");
    if let Some(template) = template {
        create.push_str(&format!(" TEMPLATE {}", quote_ident(template)));
        if server.major_version >= 15 {
            create.push_str(&format!(
                " STRATEGY {}",
                server.settings.clone_strategy.sql_keyword()
            ));
        }
    }
    exec(conn, create, "creating a test database").await?;

    let mut prepare = String::new();
    if template.is_some() {
        // An empty database has no roles migration behind it yet.
        prepare.push_str(&format!(
            "REVOKE ALL ON DATABASE {ident} FROM PUBLIC;
             GRANT CONNECT, TEMPORARY ON DATABASE {ident} TO {APP_ROLE}, {SYSTEM_ROLE};"
        ));
    }
    for (setting, value) in CLONE_SETTINGS {
        prepare.push_str(&format!(
            "ALTER DATABASE {ident} SET {setting} = '{value}';"
        ));
    }
    if let Err(e) = exec(conn, prepare, "preparing a test database").await {
        let _ = drop_database(conn, name).await;
        return Err(e);
    }
    Ok(())
}

/// Renames one pooled clone of `template` to `name`; false when none is left.
///
/// One round trip: a DO block walks the pool and renames the first clone it
/// can. The rename is atomic, so two takers never get the same clone; one
/// that loses a race finds its candidate gone and tries the next.
pub async fn take(
    conn: &mut PgConnection,
    template: &str,
    name: &str,
) -> Result<bool, HarnessError> {
    let sql = format!(
        "DO $take$
         DECLARE candidate text;
         BEGIN
           FOR candidate IN
             SELECT datname FROM pg_database WHERE starts_with(datname, {prefix}) ORDER BY oid
           LOOP
             BEGIN
               EXECUTE format('ALTER DATABASE %I RENAME TO %I', candidate, {name});
               RETURN;
             EXCEPTION WHEN invalid_catalog_name THEN
               NULL; -- another process took it first
             END;
           END LOOP;
         END $take$;
         SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = {name})",
        prefix = quote_literal(&pool_prefix(template)),
        name = quote_literal(name),
    );
    let rows = sqlx::raw_sql(AssertSqlSafe(sql))
        .fetch_all(conn)
        .await
        .map_err(HarnessError::db("taking a pooled database"))?;
    let taken = rows
        .last()
        .map(|row| row.try_get::<bool, _>(0))
        .transpose()
        .map_err(HarnessError::db("taking a pooled database"))?;
    Ok(taken == Some(true))
}

/// How many clones of `template` the pool holds.
pub async fn pooled_count(conn: &mut PgConnection, template: &str) -> Result<usize, HarnessError> {
    Ok(pooled(conn, template).await?.len())
}

/// Clones one database into the pool of `template`.
///
/// Prepared under a name of this process's own and renamed into the pool
/// only when complete: a clone listed in the pool before its grants and
/// settings were applied could be taken without them. If this process dies
/// half-way, the dead-run sweep drops the staging copy.
pub async fn add_one(
    server: &Server,
    conn: &mut PgConnection,
    template: &str,
) -> Result<(), HarnessError> {
    let name = format!(
        "{}{}",
        pool_prefix(template),
        &crate::state::random_hex()?[..8]
    );
    let staging = next_test_db_name();
    create_database(server, conn, Some(template), &staging).await?;
    if let Err(e) = warm_up(server, conn, &staging).await {
        let _ = drop_database(conn, &staging).await;
        return Err(e);
    }
    let publish = format!(
        "ALTER DATABASE {} RENAME TO {}",
        quote_ident(&staging),
        quote_ident(&name)
    );
    if let Err(e) = exec(conn, publish, "adding a clone to the pool").await {
        let _ = drop_database(conn, &staging).await;
        return Err(e);
    }
    Ok(())
}

/// Logs in to a fresh clone once, so that the server builds its relation
/// cache file now rather than during the first login of the test that gets
/// it (about 3 ms of every test process), then waits until that session
/// has left: a rename waits for other sessions in steps of 100 ms.
async fn warm_up(
    server: &Server,
    conn: &mut PgConnection,
    database: &str,
) -> Result<(), HarnessError> {
    use sqlx::Connection;
    let what = format!("warming up {database}");
    let mut warm = sqlx::PgConnection::connect_with(&server.admin_options(database)?)
        .await
        .map_err(HarnessError::db(what.clone()))?;
    sqlx::raw_sql("SELECT 1")
        .execute(&mut warm)
        .await
        .map_err(HarnessError::db(what.clone()))?;
    warm.close().await.map_err(HarnessError::db(what.clone()))?;
    let started = std::time::Instant::now();
    loop {
        let sessions: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = $1")
                .bind(database)
                .fetch_one(&mut *conn)
                .await
                .map_err(HarnessError::db(what.clone()))?;
        if sessions == 0 || started.elapsed() > WARM_UP_EXIT_LIMIT {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Tops the pool of `template` up towards `target`, a few clones at a time.
pub async fn refill(server: &Server, template: &str, target: usize) -> Result<usize, HarnessError> {
    let mut conn = server.connect_admin().await?;
    let have = pooled(&mut conn, template).await?.len();
    let missing = target.saturating_sub(have).min(REFILL_BATCH);
    for _ in 0..missing {
        add_one(server, &mut conn, template).await?;
    }
    Ok(missing)
}

/// Asks the process's refill worker to top the pool of `template` up.
///
/// The worker is a thread with a runtime of its own, never the caller's: a
/// test's runtime stops running tasks the moment the test drops its
/// database, and a refill stalled half-way through logging in would make the
/// server's `DROP DATABASE` wait for it (PostgreSQL 15 waits for every
/// backend to absorb a barrier, and one stuck in authentication does not).
/// A process that ends first leaves the server to finish or roll back the
/// clone it was making.
pub fn spawn_refill(server: Arc<Server>, template: String) {
    if server.settings.pool_size == 0 {
        return;
    }
    static WORKER: OnceLock<Option<Mutex<Sender<Refill>>>> = OnceLock::new();
    let worker = WORKER.get_or_init(|| {
        let (sender, receiver) = channel::<Refill>();
        std::thread::Builder::new()
            .name("stellaops-pg-pool-refill".to_owned())
            .spawn(move || refill_worker(receiver))
            .ok()
            .map(|_| Mutex::new(sender))
    });
    if let Some(sender) = worker
        && let Ok(sender) = sender.lock()
    {
        let _ = sender.send(Refill { server, template });
    }
}

struct Refill {
    server: Arc<Server>,
    template: String,
}

fn refill_worker(requests: Receiver<Refill>) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    while let Ok(mut request) = requests.recv() {
        // Requests queued meanwhile ask for the same thing: serve the newest once.
        while let Ok(newer) = requests.try_recv() {
            request = newer;
        }
        let target = request.server.settings.pool_size;
        let outcome = runtime.block_on(async {
            tokio::time::timeout(
                REFILL_LIMIT,
                refill(&request.server, &request.template, target),
            )
            .await
        });
        match outcome {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => eprintln!(
                "stellaops-harness: refilling the database pool of {}: {e}",
                request.template
            ),
            Err(_) => eprintln!(
                "stellaops-harness: refilling the database pool of {} timed out",
                request.template
            ),
        }
    }
}

async fn pooled(conn: &mut PgConnection, template: &str) -> Result<Vec<String>, HarnessError> {
    sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY oid",
    )
    .bind(pool_prefix(template))
    .fetch_all(conn)
    .await
    .map_err(HarnessError::db("listing pooled databases"))
}
