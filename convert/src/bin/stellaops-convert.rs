//! `stellaops-convert`: MongoDB exports into PostgreSQL and the proof that
//! nothing was lost.
//!
//! Exit status: 0 verified (nothing lost, nothing different), 1 something
//! was lost or differs, 2 the command could not run (bad input, no server).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use stellaops_convert::backfill::{BackfillOptions, BackfillSummary, backfill};
use stellaops_convert::export::Exports;
use stellaops_convert::plan::{Plan, planted};
use stellaops_convert::plant::Plant;
use stellaops_convert::progress::Progress;
use stellaops_convert::verify::{Verdict, VerifyContext, VerifyReport, verify};
use stellaops_harness::TestDb;
use stellaops_storage::DataSource;

#[derive(Debug, Parser)]
#[command(
    name = "stellaops-convert",
    about = "Convert MongoDB exports into PostgreSQL and verify that nothing was lost"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Args)]
struct Source {
    /// Folder of exports: `<module>/<collection>.json` (NDJSON or JSON
    /// array, Extended JSON canonical or relaxed). Default: the checked-in
    /// fixtures.
    #[arg(long)]
    exports: Option<PathBuf>,
    /// The clock of the tier windows (RFC 3339). Default: the exports'
    /// manifest.json `exported_at`, else now.
    #[arg(long)]
    now: Option<String>,
    /// Test hook: a bug planted in the conversion (`null:<collection>.<column>`,
    /// `seconds:<collection>.<column>`, `window:+<days>d`).
    #[arg(long, hide = true)]
    plant: Option<Plant>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Converts the exports and writes them with COPY, a transaction and a
    /// checkpoint per batch; a second run writes no duplicates, a killed
    /// run resumes after its last committed batch.
    Backfill {
        #[command(flatten)]
        source: Source,
        /// Admin URL of a migrated database (rows are written as stellaops_system).
        #[arg(long, env = "STELLAOPS_CONVERT_URL")]
        database_url: String,
        /// Documents per batch (one transaction each).
        #[arg(long, default_value_t = 500)]
        batch_size: usize,
        /// Test hook: stop after this many batches and wait to be killed.
        #[arg(long, hide = true)]
        pause_after_batches: Option<usize>,
        /// No progress output.
        #[arg(long)]
        quiet: bool,
    },
    /// Compares the exports with the database: counts per collection and
    /// table, records field by field, a content hash per tenant, and the
    /// repositories' lists per tenant. Without --database-url, backfills a
    /// fresh harness database first (and drops it after).
    Verify {
        #[command(flatten)]
        source: Source,
        /// Admin URL of a database a backfill of these exports wrote.
        #[arg(long, env = "STELLAOPS_CONVERT_URL")]
        database_url: Option<String>,
        /// Compare this many records per table field by field (default: all).
        #[arg(long)]
        sample: Option<usize>,
        /// Where the report goes (default: target/stellaops-convert/verify-<time>).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, default_value_t = 500)]
        batch_size: usize,
        #[arg(long)]
        quiet: bool,
    },
    /// Renders a verification report (verify.json) again as Markdown and HTML.
    Report {
        file: PathBuf,
        /// Where the pages go (default: beside the file).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Writes a deterministic export set (scale 0 is the checked-in fixtures).
    Generate {
        #[arg(long)]
        out: PathBuf,
        /// Adds N hundred ordinary documents per collection and tenant.
        #[arg(long, default_value_t = 0)]
        scale: usize,
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
            eprintln!("stellaops-convert: starting the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("stellaops-convert: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Backfill {
            source,
            database_url,
            batch_size,
            pause_after_batches,
            quiet,
        } => {
            let exports = read_exports(&source)?;
            let (now, clock_source) = clock(&source, &exports)?;
            let plan = plan_of(&source, &exports, now)?;
            let mut conn = admin_connection(&database_url).await?;
            let options = BackfillOptions {
                batch_size,
                pause_after_batches,
                ..BackfillOptions::default()
            };
            let summary = run_backfill(&mut conn, &plan, &options, quiet).await?;
            print_backfill(&summary, &plan, &clock_source);
            let lost = plan.rejected() + summary.refused();
            Ok(if lost == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Verify {
            source,
            database_url,
            sample,
            out,
            batch_size,
            quiet,
        } => {
            let exports = read_exports(&source)?;
            let (now, clock_source) = clock(&source, &exports)?;
            let plan = plan_of(&source, &exports, now)?;
            let out = out.unwrap_or_else(default_out);
            let report = match database_url {
                Some(url) => {
                    let mut conn = admin_connection(&url).await?;
                    let data = role_source(&url).await?;
                    let context = VerifyContext {
                        revision: revision(),
                        clock_source,
                        database: redact(&url),
                        sample,
                        backfill: None,
                    };
                    let report = verify(&mut conn, &data, &plan, &context)
                        .await
                        .map_err(|e| e.to_string())?;
                    data.close().await;
                    report
                }
                None => {
                    let db = TestDb::new()
                        .await
                        .map_err(|e| format!("harness database: {e}"))?;
                    let mut conn = admin_connection(&db.url()).await?;
                    let options = BackfillOptions {
                        batch_size,
                        ..BackfillOptions::default()
                    };
                    let summary = run_backfill(&mut conn, &plan, &options, quiet).await?;
                    let data = DataSource::from_pools(
                        db.app_without_tenant().await.map_err(|e| e.to_string())?,
                        Some(db.system().await.map_err(|e| e.to_string())?),
                        Duration::from_secs(30),
                    )
                    .with_prepared_statements(db.server().pooler_port.is_none());
                    let context = VerifyContext {
                        revision: revision(),
                        clock_source,
                        database: format!(
                            "fresh harness database {} (backfilled by this run, dropped after)",
                            db.name()
                        ),
                        sample,
                        backfill: Some(&summary),
                    };
                    let report = verify(&mut conn, &data, &plan, &context)
                        .await
                        .map_err(|e| e.to_string())?;
                    data.close().await;
                    drop(conn);
                    db.close().await.map_err(|e| e.to_string())?;
                    report
                }
            };
            finish(&report, &out)
        }
        Command::Report { file, out } => {
            let report = VerifyReport::read(&file).map_err(|e| e.to_string())?;
            let dir = out.unwrap_or_else(|| file.parent().map(Path::to_owned).unwrap_or_default());
            finish(&report, &dir)
        }
        Command::Generate { out, scale } => {
            let written = stellaops_convert::generate::write(&out, scale)
                .map_err(|e| format!("writing exports into {}: {e}", out.display()))?;
            for file in written {
                println!("{}", file.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Differences printed on the console; the report lists every one.
const CONSOLE_DIFFERENCES: usize = 20;

fn finish(report: &VerifyReport, out: &Path) -> Result<ExitCode, String> {
    let files = report.write(out).map_err(|e| e.to_string())?;
    let lost = report.differences.len();
    match report.verdict {
        Verdict::Pass => println!(
            "verified: no data lost; {} collections, {} tenants' content hashes equal",
            report.collections.len(),
            report.tenants.len()
        ),
        Verdict::Fail => {
            println!("verification FAILED: {lost} differences (every one listed in the report)");
            for line in report.console_lines(CONSOLE_DIFFERENCES) {
                println!("  {line}");
            }
        }
    }
    for warning in report.notes.iter().filter(|n| n.starts_with("warning:")) {
        println!("  {warning}");
    }
    for file in files {
        println!("  {}", file.display());
    }
    Ok(match report.verdict {
        Verdict::Pass => ExitCode::SUCCESS,
        Verdict::Fail => ExitCode::from(1),
    })
}

/// The conversion of `exports`, with the source's planted bug if it has one.
fn plan_of<'a>(
    source: &Source,
    exports: &'a Exports,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Plan<'a>, String> {
    let mut plan = planted(exports, now, source.plant.as_ref());
    if let Some(plant) = &source.plant {
        plant.apply(&mut plan)?;
        eprintln!(
            "stellaops-convert: planted bug {plant:?} (a test hook: this conversion is wrong on purpose)"
        );
    }
    Ok(plan)
}

fn read_exports(source: &Source) -> Result<Exports, String> {
    let dir = source.exports.clone().unwrap_or_else(default_exports);
    Exports::read(&dir).map_err(|e| e.to_string())
}

fn clock(source: &Source, exports: &Exports) -> Result<(DateTime<Utc>, String), String> {
    if let Some(now) = &source.now {
        let at = DateTime::parse_from_rfc3339(now)
            .map_err(|e| format!("--now {now:?} is not an RFC 3339 time: {e}"))?;
        return Ok((at.with_timezone(&Utc), "--now".into()));
    }
    Ok(match exports.exported_at {
        Some(at) => (at, "exports manifest.json exported_at".into()),
        None => (
            Utc::now(),
            "the current time (no --now, no manifest)".into(),
        ),
    })
}

async fn run_backfill(
    conn: &mut PgConnection,
    plan: &Plan<'_>,
    options: &BackfillOptions,
    quiet: bool,
) -> Result<BackfillSummary, String> {
    let total = plan.collections.iter().map(|c| c.result.documents).sum();
    let mut progress = Progress::new(total, quiet);
    backfill(conn, plan, options, &mut progress)
        .await
        .map_err(|e| e.to_string())
}

fn print_backfill(summary: &BackfillSummary, plan: &Plan<'_>, clock_source: &str) {
    println!(
        "backfill, windows measured from {} ({clock_source})",
        plan.now
    );
    println!(
        "{:<28} {:>9} {:>9} {:>8} {:>8} {:>9} {:>8} {:>8} {:>8}",
        "collection",
        "documents",
        "converted",
        "skipped",
        "rejected",
        "resumed",
        "batches",
        "written",
        "present"
    );
    for c in &summary.collections {
        println!(
            "{:<28} {:>9} {:>9} {:>8} {:>8} {:>9} {:>8} {:>8} {:>8}",
            c.collection,
            c.documents,
            c.converted,
            c.skipped,
            c.rejected,
            c.resumed_after,
            c.batches,
            c.written,
            c.already_present
        );
    }
    for planned in &plan.collections {
        for left in &planned.result.rejected {
            println!(
                "rejected: {} line {} ({}, _id {}): {}",
                planned.file.path.display(),
                left.line,
                planned.collection().name,
                left.source_id,
                left.reason
            );
        }
    }
    for c in &summary.collections {
        for refused in &c.refused {
            println!(
                "refused: {} line {} _id {}: {}",
                c.collection, refused.line, refused.source_id, refused.reason
            );
        }
    }
}

async fn admin_connection(url: &str) -> Result<PgConnection, String> {
    let options: PgConnectOptions = url
        .parse()
        .map_err(|e| format!("database URL {}: {e}", redact(url)))?;
    tokio::time::timeout(
        Duration::from_secs(30),
        PgConnection::connect_with(&options),
    )
    .await
    .map_err(|_| format!("connecting to {}: no answer within 30 s", redact(url)))?
    .map_err(|e| format!("connecting to {}: {e}", redact(url)))
}

/// The repositories' data source on a given admin URL: the app and system
/// roles by `SET ROLE` (row-level security applies to the role set).
async fn role_source(url: &str) -> Result<DataSource, String> {
    let pool = |role: &'static str| {
        let url = url.to_owned();
        async move {
            let options: PgConnectOptions =
                url.parse().map_err(|e| format!("database URL: {e}"))?;
            PgPoolOptions::new()
                .max_connections(2)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(move |conn, _| {
                    Box::pin(async move {
                        sqlx::query(sqlx::AssertSqlSafe(format!("SET ROLE {role}")))
                            .execute(conn)
                            .await
                            .map(|_| ())
                    })
                })
                .connect_with(options)
                .await
                .map_err(|e| format!("connecting as {role}: {e}"))
        }
    };
    let app: PgPool = pool("stellaops_app").await?;
    let system: PgPool = pool("stellaops_system").await?;
    Ok(DataSource::from_pools(
        app,
        Some(system),
        Duration::from_secs(30),
    ))
}

/// The checkout's revision (`-dirty` with uncommitted changes to tracked files).
fn revision() -> Option<String> {
    stellaops_convert::revision::current_revision(&workspace_dir())
}

fn redact(url: &str) -> String {
    stellaops_harness::redact(url)
}

fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default()
}

fn default_exports() -> PathBuf {
    workspace_dir().join("fixtures").join("mongo")
}

fn default_out() -> PathBuf {
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    workspace_dir()
        .join("target")
        .join("stellaops-convert")
        .join(format!("verify-{stamp}"))
}
