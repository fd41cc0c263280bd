//! `stellaops-migrate`: apply, inspect and validate the StellaOps schemas.
//!
//! ```text
//! stellaops-migrate --database-url postgres://… apply [--include release] [--include data]
//! stellaops-migrate apply --database-url postgres://…     (either side of the subcommand)
//! DATABASE_URL=postgres://… stellaops-migrate apply
//! stellaops-migrate --database-url postgres://… status
//! stellaops-migrate --database-url postgres://… validate
//! stellaops-migrate manifest [--write]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection};
use stellaops_migrations::{
    Category, MANIFEST_FILE, Manifest, MigrationSet, MigrationState, Migrator,
};

const CONNECT_LIMIT: Duration = Duration::from_secs(10);

#[derive(Debug, Parser)]
#[command(
    name = "stellaops-migrate",
    about = "Apply and check the StellaOps PostgreSQL schemas"
)]
struct Cli {
    /// Admin URL of the database to migrate (apply, status, validate); read
    /// from `DATABASE_URL` when absent. Accepted before or after the
    /// subcommand, as sqlx-cli users type it.
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Folder holding modules.order and one folder per module.
    #[arg(long, default_value_os_t = stellaops_migrations::default_dir(), global = true)]
    dir: PathBuf,
    /// Longest wait for another runner's lock, in seconds.
    #[arg(long, default_value_t = 120, global = true)]
    lock_wait_secs: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply pending startup and seed migrations (and the categories included).
    Apply {
        /// Also apply this category (release, data); repeatable.
        #[arg(long = "include", value_name = "CATEGORY")]
        include: Vec<Category>,
    },
    /// List every migration and whether it is applied, pending or changed.
    Status,
    /// Fail if an applied migration changed or disappeared.
    Validate,
    /// Check the migrations against checksums.manifest (no database needed).
    Manifest {
        /// Record the migrations not in the manifest yet.
        #[arg(long)]
        write: bool,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("stellaops-migrate: {err}");
            let mut source = std::error::Error::source(err.as_ref());
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let set = MigrationSet::load(&cli.dir)?;
    if let Command::Manifest { write } = cli.command {
        let mut manifest = Manifest::load(&cli.dir)?;
        if write {
            for file in manifest.record_new(&set) {
                println!("recorded {file}");
            }
            manifest.write()?;
        }
        manifest.check(&set)?;
        println!(
            "ok: {} migrations match {MANIFEST_FILE}",
            set.migrations().len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let database_url = cli
        .database_url
        .ok_or("--database-url (or DATABASE_URL) is required for this command")?;
    // One plain connection first: a pool would hide why it cannot connect behind a timeout.
    let probe = tokio::time::timeout(CONNECT_LIMIT, PgConnection::connect(&database_url)).await;
    match probe {
        Err(_) => {
            return Err(
                format!("cannot connect to --database-url within {CONNECT_LIMIT:?}").into(),
            );
        }
        Ok(Err(e)) => return Err(format!("cannot connect to --database-url: {e}").into()),
        Ok(Ok(conn)) => conn.close().await?,
    }
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(CONNECT_LIMIT)
        .connect(&database_url)
        .await?;
    let mut migrator = Migrator::new(set).lock_wait(Duration::from_secs(cli.lock_wait_secs));
    let code = match cli.command {
        Command::Apply { include } => {
            for category in include {
                migrator = migrator.include(category);
            }
            let report = migrator.apply(&pool).await?;
            for m in &report.applied {
                println!(
                    "applied  {:<12} {:>4}  {:<8} {} ({} ms)",
                    m.module,
                    m.version,
                    m.category,
                    m.name,
                    m.duration.as_millis()
                );
            }
            for m in &report.held_back {
                println!(
                    "held     {:<12} {:>4}  {:<8} {} (pass --include {})",
                    m.module, m.version, m.category, m.name, m.category
                );
            }
            if report.applied.is_empty() {
                println!("nothing to apply");
            }
            ExitCode::SUCCESS
        }
        Command::Status => {
            let mut changed = false;
            println!(
                "{:<12} {:>7}  {:<8} {:<40} state",
                "module", "version", "category", "name"
            );
            for row in migrator.status(&pool).await? {
                let m = &row.migration;
                let state = match &row.state {
                    MigrationState::Applied { at } => format!("applied {at}"),
                    MigrationState::Pending => "pending".to_owned(),
                    MigrationState::Changed { .. } => {
                        changed = true;
                        "CHANGED since applied".to_owned()
                    }
                };
                println!(
                    "{:<12} {:>7}  {:<8} {:<40} {state}",
                    m.module, m.version, m.category, m.name
                );
            }
            if changed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Validate => {
            migrator.validate(&pool).await?;
            println!("ok: every applied migration matches its file");
            ExitCode::SUCCESS
        }
        Command::Manifest { .. } => ExitCode::SUCCESS,
    };
    pool.close().await;
    Ok(code)
}
