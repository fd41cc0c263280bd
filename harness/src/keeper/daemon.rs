//! The keeper process: serves hand-outs, refills pools, drops returned
//! databases, sweeps dead runs, and exits when its server goes or nobody
//! has asked anything for the idle period.

use std::collections::{HashMap, VecDeque};
use std::fs::{self, File};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::Notify;

use super::paths::KeeperPaths;
use super::protocol::{Reply, Request};
use crate::backend::BackendKind;
use crate::config::{Settings, redact};
use crate::handle::ServerHandle;
use crate::pool;
use crate::state::{ServerState, StatePaths};
use crate::sweep::{drop_database, mark_kept, sweep_dead_runs};
use crate::template::database_exists;
use crate::{HarnessError, Server, server_unavailable};

/// How often the keeper checks its server, its idleness and dead runs.
const TICK: Duration = Duration::from_secs(2);
/// Consecutive failed ticks (the server unreachable) before the keeper gives up.
const UNREACHABLE_TICKS: u32 = 5;
/// A client that connects and says nothing is dropped after this long.
const REQUEST_READ_LIMIT: Duration = Duration::from_secs(5);
/// A pool grows by one for each hand-out it could not serve, up to this many
/// times its configured size: a burst of parallel tests sizes its own pool.
const GROWTH_FACTOR: usize = 4;

/// Why the keeper stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Exit {
    Idle(Duration),
    ServerReplaced,
    ServerUnreachable(String),
    Signal,
    Asked,
}

#[derive(Debug)]
struct Demand {
    target: usize,
}

#[derive(Debug)]
struct Keeper {
    server: Arc<Server>,
    admin: PgPool,
    max_pool: usize,
    demand: Mutex<HashMap<String, Demand>>,
    drops: Mutex<VecDeque<String>>,
    refill_wake: Notify,
    drop_wake: Notify,
    quit: Notify,
    last_request: Mutex<Instant>,
    counts: Mutex<Counts>,
}

/// What the keeper has done, reported by `ping` (and so by `pg-harness status`).
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    taken: u64,
    missed: u64,
    returned: u64,
}

impl Keeper {
    async fn connection(
        &self,
        what: &str,
    ) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>, HarnessError> {
        self.admin
            .acquire()
            .await
            .map_err(HarnessError::db(what.to_owned()))
    }
}

/// Runs the keeper of the server the handle file names until it exits.
///
/// `template`, when given, is filled at once: the process that launched the
/// keeper was about to need it.
pub async fn run(
    settings: Settings,
    handle_file: &Path,
    template: Option<&str>,
) -> Result<(), HarnessError> {
    let text = fs::read_to_string(handle_file)
        .map_err(HarnessError::io("reading the server handle", handle_file))?;
    let handle: ServerHandle = serde_json::from_str(&text).map_err(|e| HarnessError::State {
        path: handle_file.to_path_buf(),
        reason: format!("unreadable server handle: {e}"),
    })?;
    let kind = handle.kind().ok_or_else(|| HarnessError::State {
        path: handle_file.to_path_buf(),
        reason: format!("unknown backend {:?}", handle.backend),
    })?;
    let state_paths = StatePaths::new(&settings.state_dir, kind.as_str());
    let state = ServerState::read(&state_paths.state)?;
    let server = Arc::new(Server::from_handle(&handle, state, &settings)?);
    let paths = KeeperPaths::new(&settings.state_dir, &handle.admin_url);

    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&paths.lock)
        .map_err(HarnessError::io("opening the keeper lock", &paths.lock))?;
    if lock.try_lock().is_err() {
        eprintln!(
            "keeper {}: another keeper runs; exiting",
            std::process::id()
        );
        return Ok(());
    }
    fs::write(&paths.pid, std::process::id().to_string())
        .map_err(HarnessError::io("writing", &paths.pid))?;
    let _ = fs::remove_file(&paths.socket);
    let listener = UnixListener::bind(&paths.socket)
        .map_err(HarnessError::io("listening on", &paths.socket))?;
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&paths.socket, fs::Permissions::from_mode(0o600))
            .map_err(HarnessError::io("restricting", &paths.socket))?;
    }
    eprintln!(
        "keeper {}: serving {} on {} (pool {} per template, up to {}; idle stop {} s)",
        std::process::id(),
        redact(server.admin_url()),
        paths.socket.display(),
        settings.pool_size,
        settings.pool_size * GROWTH_FACTOR,
        settings.idle.as_secs()
    );

    let admin = PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy_with(server.admin_options(&server.maintenance_database())?);
    let keeper = Arc::new(Keeper {
        server: server.clone(),
        admin,
        max_pool: settings.pool_size * GROWTH_FACTOR,
        demand: Mutex::new(
            template
                .map(|t| {
                    (
                        t.to_owned(),
                        Demand {
                            target: settings.pool_size,
                        },
                    )
                })
                .into_iter()
                .collect(),
        ),
        drops: Mutex::new(VecDeque::new()),
        refill_wake: Notify::new(),
        drop_wake: Notify::new(),
        quit: Notify::new(),
        last_request: Mutex::new(Instant::now()),
        counts: Mutex::new(Counts::default()),
    });

    let tasks = [
        tokio::spawn(accept_loop(keeper.clone(), listener)),
        tokio::spawn(refill_loop(keeper.clone())),
        tokio::spawn(drop_loop(keeper.clone())),
    ];
    let exit = supervise(&keeper, &settings, &handle, &state_paths).await;
    for task in &tasks {
        task.abort();
    }
    let _ = fs::remove_file(&paths.socket);
    let _ = fs::remove_file(&paths.pid);
    let _ = fs::remove_file(&paths.launch);
    // Databases handed back but not yet dropped, and (on a server that is
    // not ours to stop) the pools: nothing of this keeper stays behind.
    if matches!(exit, Exit::Idle(_) | Exit::Signal | Exit::Asked) {
        let leftover: Vec<String> = lock_or_recover(&keeper.drops).drain(..).collect();
        if let Ok(mut conn) = keeper.admin.acquire().await {
            for name in leftover {
                let _ = drop_database(&mut conn, &name).await;
            }
            if server.kind == BackendKind::External {
                let templates: Vec<String> =
                    lock_or_recover(&keeper.demand).keys().cloned().collect();
                for template in templates {
                    let _ = drop_pool(&mut conn, &template).await;
                }
            }
        }
    }
    keeper.admin.close().await;
    eprintln!("keeper {}: exiting: {exit:?}", std::process::id());
    drop(lock);
    Ok(())
}

async fn supervise(
    keeper: &Keeper,
    settings: &Settings,
    handle: &ServerHandle,
    state_paths: &StatePaths,
) -> Exit {
    let mut failures = 0u32;
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let mut interrupt =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = keeper.quit.notified() => return Exit::Asked,
            Some(()) = recv_signal(&mut terminate) => return Exit::Signal,
            Some(()) = recv_signal(&mut interrupt) => return Exit::Signal,
        }
        if let Some(token) = &handle.token {
            let current = ServerState::read(&state_paths.state).ok().flatten();
            if current.is_none_or(|s| &s.token != token) {
                return Exit::ServerReplaced;
            }
        }
        let idle_for = lock_or_recover(&keeper.last_request).elapsed();
        if idle_for >= settings.idle {
            return Exit::Idle(idle_for);
        }
        match sweep(keeper).await {
            Ok(()) => failures = 0,
            Err(e) => {
                failures += 1;
                eprintln!("keeper {}: sweep failed: {e}", std::process::id());
                if failures >= UNREACHABLE_TICKS {
                    return Exit::ServerUnreachable(e.to_string());
                }
            }
        }
    }
}

async fn recv_signal(signal: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
    match signal {
        Some(signal) => signal.recv().await,
        None => std::future::pending().await,
    }
}

async fn sweep(keeper: &Keeper) -> Result<(), HarnessError> {
    let mut conn = keeper.connection("connecting for the sweep").await?;
    let report = sweep_dead_runs(&mut conn).await?;
    if !report.dropped.is_empty() {
        eprintln!(
            "keeper {}: swept {} database(s) of dead runs",
            std::process::id(),
            report.dropped.len()
        );
    }
    Ok(())
}

async fn accept_loop(keeper: Arc<Keeper>, listener: UnixListener) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(serve(keeper.clone(), stream));
            }
            Err(e) => {
                eprintln!("keeper {}: accept: {e}", std::process::id());
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

async fn serve(keeper: Arc<Keeper>, stream: UnixStream) {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    let read = tokio::time::timeout(
        REQUEST_READ_LIMIT,
        BufReader::new(read).read_line(&mut line),
    )
    .await;
    if !matches!(read, Ok(Ok(n)) if n > 0) {
        return;
    }
    *lock_or_recover(&keeper.last_request) = Instant::now();
    let reply = match Request::parse(&line) {
        Ok(request) => answer(&keeper, request).await,
        Err(why) => Reply::Err(why),
    };
    let _ = write.write_all(reply.to_line().as_bytes()).await;
}

async fn answer(keeper: &Keeper, request: Request) -> Reply {
    match request {
        Request::Take { template, database } => {
            let taken = async {
                let mut conn = keeper.connection("connecting for a hand-out").await?;
                pool::take(&mut conn, &template, &database).await
            }
            .await;
            let base = keeper.server.settings.pool_size;
            {
                let mut demand = lock_or_recover(&keeper.demand);
                let entry = demand
                    .entry(template.clone())
                    .or_insert(Demand { target: base });
                let mut counts = lock_or_recover(&keeper.counts);
                match taken {
                    Ok(true) => counts.taken += 1,
                    Ok(false) => {
                        counts.missed += 1;
                        if base > 0 {
                            entry.target = (entry.target + 1).min(keeper.max_pool);
                        }
                        eprintln!(
                            "keeper {}: the pool of {template} was empty; its target is now {}",
                            std::process::id(),
                            entry.target
                        );
                    }
                    Err(_) => {}
                }
            }
            keeper.refill_wake.notify_one();
            match taken {
                Ok(true) => Reply::Ok(String::new()),
                Ok(false) => Reply::Miss,
                Err(e) => Reply::Err(e.to_string()),
            }
        }
        Request::Return { database } => {
            lock_or_recover(&keeper.counts).returned += 1;
            lock_or_recover(&keeper.drops).push_back(database);
            keeper.drop_wake.notify_one();
            Reply::Ok(String::new())
        }
        Request::Keep { database } => {
            let marked = async {
                let mut conn = keeper.connection("connecting to keep a database").await?;
                mark_kept(&mut conn, &database).await
            }
            .await;
            match marked {
                Ok(()) => Reply::Ok(String::new()),
                Err(e) => Reply::Err(e.to_string()),
            }
        }
        Request::Ping => {
            let counts = *lock_or_recover(&keeper.counts);
            Reply::Ok(format!(
                "{} taken={} missed={} returned={}",
                std::process::id(),
                counts.taken,
                counts.missed,
                counts.returned
            ))
        }
        Request::Quit => {
            keeper.quit.notify_one();
            Reply::Ok(String::new())
        }
    }
}

/// Clones into the pools that are below their target, one clone at a time,
/// the pool furthest below its target first.
async fn refill_loop(keeper: Arc<Keeper>) {
    loop {
        let outcome = refill_step(&keeper).await;
        match outcome {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => {
                if server_gone(&e) {
                    tokio::time::sleep(TICK).await;
                }
                eprintln!("keeper {}: refill: {e}", std::process::id());
            }
        }
        tokio::select! {
            _ = keeper.refill_wake.notified() => {}
            _ = tokio::time::sleep(TICK) => {}
        }
    }
}

/// Adds one clone where one is missing; false when every pool is full.
async fn refill_step(keeper: &Keeper) -> Result<bool, HarnessError> {
    let wanted: Vec<(String, usize)> = lock_or_recover(&keeper.demand)
        .iter()
        .map(|(template, demand)| (template.clone(), demand.target))
        .filter(|(_, target)| *target > 0)
        .collect();
    if wanted.is_empty() {
        return Ok(false);
    }
    let mut conn = keeper.connection("connecting for a refill").await?;
    let mut neediest: Option<(String, usize)> = None;
    for (template, target) in wanted {
        let have = pool::pooled_count(&mut conn, &template).await?;
        let missing = target.saturating_sub(have);
        // A template not built yet (its process is building it) or swept is
        // looked at again on the next tick or hand-out.
        if missing > 0
            && neediest.as_ref().is_none_or(|(_, m)| missing > *m)
            && database_exists(&mut conn, &template).await?
        {
            neediest = Some((template, missing));
        }
    }
    let Some((template, _)) = neediest else {
        return Ok(false);
    };
    pool::add_one(&keeper.server, &mut conn, &template).await?;
    Ok(true)
}

async fn drop_loop(keeper: Arc<Keeper>) {
    loop {
        let next = lock_or_recover(&keeper.drops).pop_front();
        match next {
            Some(name) => {
                let dropped = async {
                    let mut conn = keeper.connection("connecting to drop a database").await?;
                    drop_database(&mut conn, &name).await
                }
                .await;
                if let Err(e) = dropped {
                    // The dead-run sweep drops it once its process has ended.
                    eprintln!("keeper {}: {e}", std::process::id());
                }
            }
            None => keeper.drop_wake.notified().await,
        }
    }
}

async fn drop_pool(conn: &mut sqlx::PgConnection, template: &str) -> Result<(), HarnessError> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
            .bind(pool::pool_prefix(template))
            .fetch_all(&mut *conn)
            .await
            .map_err(HarnessError::db("listing pooled databases"))?;
    for name in names {
        drop_database(conn, &name).await?;
    }
    Ok(())
}

fn server_gone(error: &HarnessError) -> bool {
    matches!(error, HarnessError::Database { source, .. } if server_unavailable(source).is_some())
}

/// A poisoned lock only means a task panicked mid-update; the data is still usable.
fn lock_or_recover<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
