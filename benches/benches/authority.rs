//! Authority repositories against the same work written by hand in sqlx,
//! side by side in one run, on a realistic volume: 50 tenants, 50k users,
//! 100k tokens.
//!
//! | bench | what one iteration does |
//! |---|---|
//! | `token_by_hash` | a system transaction that finds one token among 100k by hash |
//! | `user_by_username` | a tenant transaction that finds one user among 50k (1k in the tenant) |
//! | `user_page_50` | a tenant transaction that reads a keyset page of 50 users |
//!
//! Both sides run the same transaction: `BEGIN` with the session settings,
//! the bound tenant (tenant work), the statement, `COMMIT`. Setup (seeding,
//! pools, connections) is outside the timed part.
//!
//! After criterion's own report, an interleaved comparison: rounds of
//! `STELLAOPS_BENCH_OPS` operations per side, in a random order every round,
//! and per path the median of the per-round ratios (repository over hand
//! written) with its quartiles. Then the round trips per operation, counted
//! by a proxy that reads the protocol (each Sync or simple Query waits for
//! the server once).
//!
//! Run: `cargo bench -p stellaops-benches --bench authority`
//! (`STELLAOPS_BENCH_ROUNDS`, default 21; `STELLAOPS_BENCH_OPS`, default 100).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::Criterion;
use sqlx::{AssertSqlSafe, PgPool};
use stellaops_benches::side_by_side::{self, BEGIN, Side, env_number, pool};
use stellaops_harness::{APP_ROLE, SYSTEM_ROLE, TestDb};
use stellaops_storage::authority::{
    PgAuthority, Token, TokenRepository, User, UserQuery, UserRepository,
};
use stellaops_storage::{DataSource, PageRequest, SystemClock, SystemContext, TenantContext};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TENANTS: i64 = 50;
const USERS_PER_TENANT: i64 = 1_000;
const TOKENS_PER_USER: i64 = 2;
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
const KEYS: usize = 256;

const TOKEN_BY_HASH: &str = "SELECT tenant_id, id, token_hash, token_type, status, subject_id, \
     user_id, service_account_id, client_id, scopes, issued_at, expires_at, revoked_at, \
     revoked_reason, payload FROM authority.tokens WHERE token_hash = $1 \
     ORDER BY tenant_id, id LIMIT 1";
const USER_BY_USERNAME: &str = "SELECT tenant_id, id, subject_id, username, email, \
     display_name, password_hash, status, failed_login_count, last_login_at, attributes, \
     created_at, updated_at, deleted_at FROM authority.users WHERE username = $1";
const USER_PAGE: &str = "SELECT tenant_id, id, subject_id, username, email, display_name, \
     password_hash, status, failed_login_count, last_login_at, attributes, created_at, \
     updated_at, deleted_at FROM authority.users WHERE username > $1 ORDER BY username LIMIT $2";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Path {
    TokenByHash,
    UserByUsername,
    UserPage,
}

impl Path {
    const ALL: [Path; 3] = [Path::TokenByHash, Path::UserByUsername, Path::UserPage];

    fn name(self) -> &'static str {
        match self {
            Path::TokenByHash => "token_by_hash",
            Path::UserByUsername => "user_by_username",
            Path::UserPage => "user_page_50",
        }
    }
}

/// Everything one side needs, set up before any timing.
struct Fixture {
    repository: PgAuthority,
    app: PgPool,
    system: PgPool,
    tenant: TenantContext,
    hashes: Vec<String>,
    usernames: Vec<String>,
}

impl Fixture {
    async fn run(&self, path: Path, side: Side, i: usize) {
        let key = i % KEYS;
        match (path, side) {
            (Path::TokenByHash, Side::Repository) => {
                let found = self
                    .repository
                    .get_token_by_hash(&SystemContext::new("bench"), &self.hashes[key])
                    .await
                    .expect("token by hash");
                assert!(found.is_some());
            }
            (Path::TokenByHash, Side::HandWritten) => {
                let mut tx = self.system.begin_with(BEGIN).await.expect("begin");
                let found = sqlx::query_as::<_, Token>(TOKEN_BY_HASH)
                    .bind(&self.hashes[key])
                    .fetch_optional(&mut *tx)
                    .await
                    .expect("token by hash");
                tx.commit().await.expect("commit");
                assert!(found.is_some());
            }
            (Path::UserByUsername, Side::Repository) => {
                let found = self
                    .repository
                    .get_user_by_username(&self.tenant, &self.usernames[key])
                    .await
                    .expect("user by username");
                assert!(found.is_some());
            }
            (Path::UserByUsername, Side::HandWritten) => {
                let mut tx = self.tenant_tx().await;
                let found = sqlx::query_as::<_, User>(USER_BY_USERNAME)
                    .bind(&self.usernames[key])
                    .fetch_optional(&mut *tx)
                    .await
                    .expect("user by username");
                tx.commit().await.expect("commit");
                assert!(found.is_some());
            }
            (Path::UserPage, Side::Repository) => {
                let query = UserQuery {
                    page: PageRequest::after(50, self.usernames[key].clone()),
                    ..UserQuery::default()
                };
                let page = self
                    .repository
                    .list_users(&self.tenant, &query)
                    .await
                    .expect("user page");
                assert!(!page.items.is_empty());
            }
            (Path::UserPage, Side::HandWritten) => {
                let mut tx = self.tenant_tx().await;
                let rows = sqlx::query_as::<_, User>(USER_PAGE)
                    .bind(&self.usernames[key])
                    .bind(51i64)
                    .fetch_all(&mut *tx)
                    .await
                    .expect("user page");
                tx.commit().await.expect("commit");
                assert!(!rows.is_empty());
            }
        }
    }

    async fn tenant_tx(&self) -> sqlx::Transaction<'static, sqlx::Postgres> {
        side_by_side::tenant_tx(&self.app, &self.tenant).await
    }
}

async fn set_up(db: &TestDb, through: Option<u16>) -> Fixture {
    let options = |role: &str| {
        let options = db
            .server()
            .role_options(db.name(), role)
            .expect("role options");
        match through {
            Some(port) => options.host("127.0.0.1").port(port),
            None => options,
        }
    };
    let app = pool(options(APP_ROLE), 2).await;
    let system = pool(options(SYSTEM_ROLE), 2).await;
    let prepared = db.server().pooler_port.is_none();
    let source = DataSource::from_pools(app.clone(), Some(system.clone()), COMMAND_TIMEOUT)
        .with_prepared_statements(prepared);
    let hashes: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT token_hash FROM authority.tokens ORDER BY md5(token_hash) LIMIT {KEYS}"
    )))
    .fetch_all(db.admin())
    .await
    .expect("hashes");
    let usernames = (0..KEYS)
        .map(|i| {
            format!(
                "user-{:05}",
                1 + (i * 37) % (USERS_PER_TENANT as usize - 60)
            )
        })
        .collect();
    Fixture {
        repository: PgAuthority::new(source, Arc::new(SystemClock)),
        app,
        system,
        tenant: TenantContext::new("bench-07").expect("tenant"),
        hashes,
        usernames,
    }
}

async fn seed(db: &TestDb) {
    let admin = db.admin();
    for sql in [
        format!(
            "INSERT INTO authority.tenants (code, display_name) \
             SELECT 'bench-' || lpad(t::text, 2, '0'), 'Bench ' || t FROM generate_series(1, {TENANTS}) t"
        ),
        format!(
            "INSERT INTO authority.users (tenant_id, username, email, attributes) \
             SELECT 'bench-' || lpad(t::text, 2, '0'), 'user-' || lpad(u::text, 5, '0'), \
                    'u' || u || '@bench.test', jsonb_build_object('n', u) \
             FROM generate_series(1, {TENANTS}) t, generate_series(1, {USERS_PER_TENANT}) u"
        ),
        format!(
            "INSERT INTO authority.tokens (tenant_id, token_hash, token_type, user_id, expires_at) \
             SELECT u.tenant_id, md5(u.tenant_id || u.username || k), 'access', u.id, \
                    now() + interval '1 day' \
             FROM authority.users u, generate_series(1, {TOKENS_PER_USER}) k"
        ),
        "ANALYZE".to_owned(),
    ] {
        sqlx::query(AssertSqlSafe(sql))
            .execute(admin)
            .await
            .expect("seeding");
    }
}

/// What the counting proxy saw the clients wait for.
#[derive(Debug, Default)]
struct Waits {
    /// Syncs that close a statement, and simple Queries: each one wait.
    statements: AtomicU64,
    /// Syncs with nothing before them: sqlx's pool pings a connection
    /// when it is released (off the caller's path, but a server wait).
    pings: AtomicU64,
}

/// A proxy between client and server that reads the client's protocol
/// messages and counts each wait for the server.
async fn counting_proxy(upstream: (String, u16)) -> (u16, Arc<Waits>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy");
    let port = listener.local_addr().expect("proxy address").port();
    let waits = Arc::new(Waits::default());
    let counter = waits.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                });
                let mut started = false;
                let mut pending = false;
                loop {
                    // Untyped packets until the startup message, typed after.
                    let kind = if started {
                        match client_read.read_u8().await {
                            Ok(kind) => Some(kind),
                            Err(_) => return,
                        }
                    } else {
                        None
                    };
                    let Ok(len) = client_read.read_u32().await else {
                        return;
                    };
                    let mut body = vec![0u8; (len as usize).saturating_sub(4)];
                    if client_read.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    match kind {
                        Some(b'Q') => {
                            counter.statements.fetch_add(1, Ordering::Relaxed);
                            pending = false;
                        }
                        Some(b'S') if pending => {
                            counter.statements.fetch_add(1, Ordering::Relaxed);
                            pending = false;
                        }
                        Some(b'S') => {
                            counter.pings.fetch_add(1, Ordering::Relaxed);
                        }
                        Some(_) => pending = true,
                        None if body.len() >= 4 && body[..4] == [0, 3, 0, 0] => started = true,
                        None => {}
                    }
                    let mut frame = Vec::with_capacity(len as usize + 1);
                    frame.extend(kind);
                    frame.extend(len.to_be_bytes());
                    frame.extend(body);
                    if server_write.write_all(&frame).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, waits)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let db = runtime.block_on(async { TestDb::new().await.expect("bench database") });
    eprintln!(
        "seeding {TENANTS} tenants, {} users, {} tokens",
        TENANTS * USERS_PER_TENANT,
        TENANTS * USERS_PER_TENANT * TOKENS_PER_USER
    );
    runtime.block_on(seed(&db));
    let fixture = runtime.block_on(set_up(&db, None));

    let mut criterion = Criterion::default().configure_from_args();
    side_by_side::criterion_groups(
        &mut criterion,
        &runtime,
        &Path::ALL,
        Path::name,
        |_| {},
        |path, side, i| fixture.run(path, side, i),
    );
    criterion.final_summary();

    // Interleaved rounds: per round and path, the ratio of the two sides.
    let rounds = env_number("STELLAOPS_BENCH_ROUNDS", 21);
    let ops = env_number("STELLAOPS_BENCH_OPS", 100);
    let comparison = runtime.block_on(side_by_side::interleave(
        &Path::ALL,
        rounds,
        ops,
        async |path, side, i| fixture.run(path, side, i).await,
        async |_, _| {},
    ));

    // Round trips per operation, through the counting proxy.
    let (host, port) = {
        let options = db
            .server()
            .role_options(db.name(), APP_ROLE)
            .expect("options");
        (options.get_host().to_owned(), options.get_port())
    };
    let trips: BTreeMap<(Path, Side), (f64, f64)> = runtime.block_on(async {
        let (proxy, waits) = counting_proxy((host, port)).await;
        let counted = set_up(&db, Some(proxy)).await;
        let mut trips = BTreeMap::new();
        const COUNTED: u64 = 20;
        for path in Path::ALL {
            for side in [Side::Repository, Side::HandWritten] {
                counted.run(path, side, 0).await; // warm: statements prepared
                tokio::time::sleep(Duration::from_millis(50)).await;
                let statements = waits.statements.load(Ordering::Relaxed);
                let pings = waits.pings.load(Ordering::Relaxed);
                for i in 0..COUNTED {
                    counted.run(path, side, i as usize).await;
                }
                // Let the last release ping land.
                tokio::time::sleep(Duration::from_millis(50)).await;
                trips.insert(
                    (path, side),
                    (
                        (waits.statements.load(Ordering::Relaxed) - statements) as f64
                            / COUNTED as f64,
                        (waits.pings.load(Ordering::Relaxed) - pings) as f64 / COUNTED as f64,
                    ),
                );
            }
        }
        trips
    });

    println!();
    println!(
        "Authority repositories vs hand-written sqlx ({rounds} interleaved rounds of {ops} operations per side)"
    );
    println!();
    println!(
        "| path | repository µs/op | hand-written µs/op | ratio (median) | ratio p25–p75 | round trips per op, repository / hand-written (+ release pings) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for path in Path::ALL {
        let row = comparison.row(path);
        println!(
            "| {} {} {} / {} (+{} / +{}) |",
            path.name(),
            row.cells(),
            trips[&(path, Side::Repository)].0,
            trips[&(path, Side::HandWritten)].0,
            trips[&(path, Side::Repository)].1,
            trips[&(path, Side::HandWritten)].1,
        );
    }
    runtime.block_on(async {
        fixture.app.close().await;
        fixture.system.close().await;
        db.close().await.expect("dropping the bench database");
    });
}
