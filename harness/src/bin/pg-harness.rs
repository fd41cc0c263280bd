//! `pg-harness`: start, inspect and stop the workspace's shared test server.
//!
//! ```text
//! pg-harness up       find or start the server, build the template, print the admin URL
//! pg-harness url      print the admin URL of the running server
//! pg-harness status   backend, server, templates and test databases
//! pg-harness down     stop the servers, keepers and containers this workspace started
//! pg-harness keeper --handle <file>
//!                     run a server's keeper (test processes start it themselves)
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use sqlx::Connection;
use stellaops_harness::handle::handle_path;
use stellaops_harness::keeper::{self, KeeperPaths, Launch, Reply, Request};
use stellaops_harness::naming::{Owner, TEMPLATE_PREFIX, TEST_DB_PREFIX};
use stellaops_harness::pool::{self, POOL_PREFIX};
use stellaops_harness::pooler;
use stellaops_harness::state::{ServerState, StatePaths, unix_now};
use stellaops_harness::sweep::{KEPT_MARK, drop_database};
use stellaops_harness::{
    BackendKind, HarnessError, PoolerChoice, Server, Settings, backend, ensure_template, lock_file,
    reaper, redact, workspace_id,
};
use stellaops_migrations::MigrationSet;

#[derive(Debug, Parser)]
#[command(
    name = "pg-harness",
    about = "The StellaOps test server of this workspace"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find or start the shared server, build the template, print the admin URL.
    Up,
    /// Print the admin URL of the running server.
    Url,
    /// Show the backend, the server, its templates and test databases.
    Status,
    /// Stop the servers, keepers and containers this workspace started.
    Down,
    /// Run the keeper of the server a handle file names: hands out pooled
    /// databases, refills the pools, drops returned databases. Test
    /// processes start it when none runs; it stops with its server or
    /// after the idle period.
    Keeper {
        /// The server handle (`target/stellaops-pg/handle-*.json`).
        #[arg(long)]
        handle: PathBuf,
        /// A template whose pool to fill at once.
        #[arg(long)]
        template: Option<String>,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match Settings::from_env() {
        Ok(settings) => match cli.command {
            Command::Up => up(&settings).await,
            Command::Url => url(&settings).await,
            Command::Status => status(&settings).await,
            Command::Down => down(&settings).await,
            Command::Keeper { handle, template } => {
                keeper::run(settings, &handle, template.as_deref()).await
            }
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pg-harness: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn up(settings: &Settings) -> Result<(), HarnessError> {
    let server = Server::acquire(settings).await?;
    eprintln!(
        "pg-harness: {} backend ({}), PostgreSQL {}",
        server.kind, server.reason, server.major_version
    );
    let set = MigrationSet::load(stellaops_migrations::default_dir())?;
    let template = ensure_template(&server, &set).await?;
    eprintln!(
        "pg-harness: template {} ({} migrations)",
        template.name,
        set.migrations().len()
    );
    while pool::refill(&server, &template.name, settings.pool_size).await? > 0 {}
    eprintln!(
        "pg-harness: {} pre-cloned database(s) ready",
        settings.pool_size
    );
    if settings.keeper {
        let paths = server.keeper_paths();
        match keeper::launch(&paths, &handle_path(settings), Some(&template.name)) {
            Launch::Started(_) => {
                eprintln!("pg-harness: keeper started (log {})", paths.log.display())
            }
            Launch::AlreadyStarting => eprintln!("pg-harness: keeper running"),
            Launch::NoBinary(why) | Launch::Failed(why) => {
                eprintln!("pg-harness: no keeper: {why}")
            }
        }
    }
    if settings.pooler == PoolerChoice::PgBouncer {
        let port = pooler::ensure(&server).await?;
        eprintln!(
            "pg-harness: pgbouncer (transaction pooling) for the app and system roles on 127.0.0.1:{port}"
        );
    }
    if server.state.is_some() {
        eprintln!(
            "pg-harness: the server stops by itself after {} s unused, or with `pg-harness down`",
            settings.idle.as_secs()
        );
    }
    println!("{}", server.admin_url());
    Ok(())
}

/// The state of a started server of the configured backend, if one runs.
fn running_states(settings: &Settings) -> Result<Vec<(StatePaths, ServerState)>, HarnessError> {
    let mut states = Vec::new();
    for kind in [BackendKind::Local, BackendKind::Docker] {
        let paths = StatePaths::new(&settings.state_dir, kind.as_str());
        if let Some(state) = ServerState::read(&paths.state)? {
            states.push((paths, state));
        }
    }
    Ok(states)
}

async fn url(settings: &Settings) -> Result<(), HarnessError> {
    if let Some(url) = &settings.url {
        println!("{url}");
        return Ok(());
    }
    match running_states(settings)?.into_iter().next() {
        Some((_, state)) => {
            println!("{}", state.admin_url);
            Ok(())
        }
        None => Err(HarnessError::Backend {
            backend: "any",
            reason: format!(
                "no server is running for {}; start one with `pg-harness up`",
                settings.state_dir.display()
            ),
        }),
    }
}

async fn status(settings: &Settings) -> Result<(), HarnessError> {
    println!("state folder   {}", settings.state_dir.display());
    match backend::select(settings).await {
        Ok(selection) => println!("backend        {} ({})", selection.kind, selection.reason),
        Err(e) => println!("backend        none: {e}"),
    }
    let mut urls = Vec::new();
    if let Some(url) = &settings.url {
        urls.push(("external".to_owned(), url.clone()));
    }
    for (paths, state) in running_states(settings)? {
        let idle = std::fs::metadata(&paths.activity)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .map(|d| format!("{} s", d.as_secs()))
            .unwrap_or_else(|| "unknown".to_owned());
        println!(
            "server         {} {} (up {} s, unused for {idle}, stops after {} s unused){}{}",
            state.backend,
            redact(&state.admin_url),
            unix_now().saturating_sub(state.started_at),
            settings.idle.as_secs(),
            state.pid.map(|p| format!(", pid {p}")).unwrap_or_default(),
            state
                .container_id
                .as_deref()
                .map(|c| format!(", container {}", &c[..c.len().min(12)]))
                .unwrap_or_default(),
        );
        urls.push((state.backend.clone(), state.admin_url.clone()));
    }
    if urls.is_empty() {
        println!("server         none running (`pg-harness up` starts one)");
    }
    for (_, url) in &urls {
        let pooler_paths = pooler::paths_for(&settings.state_dir, url);
        if let Ok(Some(state)) = ServerState::read(&pooler_paths.state) {
            println!(
                "pooler         pgbouncer {}{}",
                state.admin_url,
                state.pid.map(|p| format!(", pid {p}")).unwrap_or_default()
            );
        }
        let paths = KeeperPaths::new(&settings.state_dir, url);
        match keeper::request_blocking(&paths, &Request::Ping, Duration::from_secs(2)) {
            Ok(Reply::Ok(detail)) => println!(
                "keeper         pid {detail}, socket {}, log {}",
                paths.socket.display(),
                paths.log.display()
            ),
            _ => println!("keeper         none (the next test process starts one)"),
        }
    }
    for (backend, url) in urls {
        let Ok(mut conn) = sqlx::PgConnection::connect(&url).await else {
            println!("  {backend}: not reachable");
            continue;
        };
        let rows: Vec<(String, Option<String>, i64)> = sqlx::query_as(
            "SELECT datname, shobj_description(oid, 'pg_database'), pg_database_size(oid)
               FROM pg_database WHERE starts_with(datname, 'stellaops_') ORDER BY oid",
        )
        .fetch_all(&mut conn)
        .await
        .map_err(|e| HarnessError::Database {
            what: "listing databases".to_owned(),
            source: e,
        })?;
        println!("  {:<48} {:<10} {:>9}", "database", "kind", "size");
        for (name, comment, size) in rows {
            let kind = if name.starts_with(TEMPLATE_PREFIX) {
                "template".to_owned()
            } else if name.starts_with(POOL_PREFIX) {
                "pooled".to_owned()
            } else if name.starts_with(TEST_DB_PREFIX) {
                match (
                    comment.as_deref().is_some_and(|c| c.starts_with(KEPT_MARK)),
                    Owner::parse(&name).map(|o| o.is_alive()),
                ) {
                    (true, _) => "kept".to_owned(),
                    (false, Some(true)) => "in use".to_owned(),
                    _ => "stale".to_owned(),
                }
            } else {
                "other".to_owned()
            };
            println!("  {name:<48} {kind:<10} {:>6} kB", size / 1024);
        }
        let _ = conn.close().await;
    }
    Ok(())
}

/// Asks every keeper of the state folder to exit, makes sure it did, and
/// removes the files of keepers that no longer run (each server instance
/// has a keeper of its own); also the server handles, whose servers this
/// command stops.
fn stop_keepers(settings: &Settings) -> usize {
    let mut stopped = 0;
    for paths in KeeperPaths::all(&settings.state_dir) {
        let pid = std::fs::read_to_string(&paths.pid)
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok())
            .map(nix::unistd::Pid::from_raw);
        let running = |pid| nix::sys::signal::kill(pid, None).is_ok();
        if let Some(pid) = pid.filter(|pid| running(*pid)) {
            let asked = keeper::request_blocking(&paths, &Request::Quit, Duration::from_secs(5));
            if !matches!(asked, Ok(Reply::Ok(_))) {
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            }
            // Bounded: a keeper exits within one tick; past that it is killed.
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while running(pid) && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if running(pid) {
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            }
            stopped += 1;
        }
        if !keeper::keeper_lock_held(&paths) {
            for file in [
                &paths.socket,
                &paths.pid,
                &paths.log,
                &paths.launch,
                &paths.lock,
            ] {
                let _ = std::fs::remove_file(file);
            }
        }
    }
    for entry in std::fs::read_dir(&settings.state_dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
    {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("handle-") && name.ends_with(".json") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    stopped
}

async fn down(settings: &Settings) -> Result<(), HarnessError> {
    let keepers = stop_keepers(settings);
    if keepers > 0 {
        println!("stopped {keepers} keeper(s)");
    }
    let poolers = pooler::stop_all(&settings.state_dir)?;
    if poolers > 0 {
        println!("stopped {poolers} pgbouncer(s)");
    }
    let mut stopped = 0;
    for (paths, state) in running_states(settings)? {
        // Bounded: a process starting a server holds this lock only briefly.
        let lock = lock_file(&paths).await?;
        reaper::run_stop_script(&state)?;
        reaper::remove_if_present(&paths.state);
        reaper::remove_if_present(&paths.activity);
        println!(
            "stopped the {} server {}",
            state.backend,
            redact(&state.admin_url)
        );
        stopped += 1;
        drop(lock);
    }
    if backend::docker::engine_reachable().await.is_ok() {
        let removed = backend::docker::remove_labelled(&workspace_id(settings)).await?;
        if removed > 0 {
            println!("removed {removed} labelled container(s)");
        }
    }
    if let Some(url) = &settings.url {
        // A shared server is not ours to stop: drop this host's test databases on it.
        let mut conn =
            sqlx::PgConnection::connect(url)
                .await
                .map_err(|e| HarnessError::Database {
                    what: format!("connecting to {}", redact(url)),
                    source: e,
                })?;
        let names: Vec<String> =
            sqlx::query_scalar("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
                .bind(TEST_DB_PREFIX)
                .fetch_all(&mut conn)
                .await
                .map_err(|e| HarnessError::Database {
                    what: "listing test databases".to_owned(),
                    source: e,
                })?;
        let me = Owner::current();
        let mut dropped = 0;
        for name in names {
            if Owner::parse(&name).is_some_and(|o| o.host == me.host) {
                drop_database(&mut conn, &name).await?;
                dropped += 1;
            }
        }
        println!(
            "dropped {dropped} test database(s) of this host on {}",
            redact(url)
        );
    }
    if stopped == 0 && settings.url.is_none() {
        println!("no server was running");
    }
    Ok(())
}
