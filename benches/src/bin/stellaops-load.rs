//! `stellaops-load`: the load scenarios of the critical paths.
//!
//! ```sh
//! cargo run --release -p stellaops-benches --bin stellaops-load -- run
//! ```
//!
//! `run` measures the current build on the embedded default server (or
//! `STELLAOPS_PG_URL`), prints a table per path and the paths of its
//! reports; `report` renders saved results again.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use stellaops_benches::load::{
    CriticalPath, FORMAT, LoadError, RunResults, RunSize, Volume, run_round, seeded_template,
    slowdown,
};
use stellaops_harness::Server;

#[derive(Debug, Parser)]
#[command(
    name = "stellaops-load",
    about = "Load scenarios of the StellaOps critical paths"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the scenarios on the current build and prints a table per path.
    Run {
        /// Comma-separated path names (default: all).
        #[arg(long)]
        paths: Option<String>,
        /// Concurrent users per path.
        #[arg(long, default_value_t = RunSize::default().users)]
        users: usize,
        /// Workers claiming at once on scheduler.run_claim.
        #[arg(long, default_value_t = RunSize::default().claim_workers)]
        claim_workers: usize,
        /// Operations per user and path.
        #[arg(long, default_value_t = RunSize::default().iterations)]
        iterations: usize,
        /// Where results go (default: target/stellaops-load/<time>).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Renders saved results files again: the table, and `report.md` and
    /// `report.html` beside each file.
    Report {
        #[arg(required = true)]
        results: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("stellaops-load: starting the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(dispatch(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stellaops-load: {e}");
            ExitCode::from(2)
        }
    }
}

async fn dispatch(command: Command) -> Result<(), LoadError> {
    match command {
        Command::Run {
            paths,
            users,
            claim_workers,
            iterations,
            out,
        } => {
            let paths = match paths {
                Some(list) => CriticalPath::parse_list(&list)?,
                None => CriticalPath::ALL.to_vec(),
            };
            for (field, value) in [
                ("users", users),
                ("claim workers", claim_workers),
                ("iterations", iterations),
            ] {
                if !(1..=10_000).contains(&value) {
                    return Err(LoadError::Invalid {
                        field,
                        reason: format!("{value} is outside 1 to 10000"),
                    });
                }
            }
            let size = RunSize {
                users,
                claim_workers,
                iterations,
            };
            run(paths, size, out).await
        }
        Command::Report { results } => {
            for file in results {
                let loaded = RunResults::load(&file)?;
                let dir = file.parent().unwrap_or(std::path::Path::new("."));
                let (_, html) = loaded.write_reports(dir)?;
                println!("{}", loaded.markdown());
                println!("report: {}", html.display());
            }
            Ok(())
        }
    }
}

async fn run(
    paths: Vec<CriticalPath>,
    size: RunSize,
    out: Option<PathBuf>,
) -> Result<(), LoadError> {
    let knob = slowdown::init()?;
    let started_at = chrono::Utc::now();
    let server = Server::shared().await?;
    let volume = Volume::default();
    eprintln!(
        "dataset: {} tenants, {} users, {} tokens, {} schedules, {} runs",
        volume.tenants,
        volume.users(),
        volume.tokens(),
        volume.schedules(),
        volume.runs()
    );
    let clock = Instant::now();
    let seeded = seeded_template(&server, &volume).await?;
    eprintln!(
        "seeded template {seeded} ready in {:.1} s",
        clock.elapsed().as_secs_f64()
    );
    let clock = Instant::now();
    let stats = run_round(&server, &seeded, "run", volume, &paths, &size).await?;
    eprintln!(
        "{} paths in {:.1} s",
        paths.len(),
        clock.elapsed().as_secs_f64()
    );
    let results = RunResults {
        format: FORMAT.to_owned(),
        revision: revision(),
        started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        server: server_version(&server).await?,
        volume,
        dataset: volume.hash(),
        size,
        slowdown: knob.map(|_| std::env::var(slowdown::VAR).unwrap_or_default()),
        paths: stats,
    };
    let dir = out.unwrap_or_else(|| {
        PathBuf::from("target/stellaops-load").join(started_at.format("%Y%m%dT%H%M%SZ").to_string())
    });
    let saved = results.save(&dir)?;
    println!();
    println!("{}", results.table());
    println!("results:  {}", saved.json.display());
    println!("markdown: {}", saved.markdown.display());
    println!("report:   {}", saved.html.display());
    Ok(())
}

/// The checkout's revision, or "unknown" outside git.
fn revision() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

async fn server_version(server: &Server) -> Result<String, LoadError> {
    let mut admin = server.connect_admin().await?;
    let version: String =
        sqlx::query_scalar("SELECT 'PostgreSQL ' || current_setting('server_version')")
            .fetch_one(&mut admin)
            .await
            .map_err(|source| LoadError::Database {
                doing: "reading the server version",
                source,
            })?;
    Ok(version)
}
