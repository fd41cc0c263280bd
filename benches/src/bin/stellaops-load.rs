//! `stellaops-load`: the load scenarios of the critical paths.
//!
//! ```sh
//! cargo run --release -p stellaops-benches --bin stellaops-load -- run
//! ```
//!
//! `run` measures the current build on the embedded default server (or
//! `STELLAOPS_PG_URL`), prints a table per path and the paths of its
//! reports; `gate --base <ref>` decides whether this build made a critical
//! path slower than the base; `calibrate` is the gate's self-test;
//! `report` renders saved results again; `baseline save` and `compare`
//! keep runs for reviews.
//!
//! Exit codes: 0 pass (or done), 1 regression (calibrate: not calibrated),
//! 2 usage or setup error, 3 noisy.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use stellaops_benches::gate::{
    self, Canary, Fingerprint, GATE_FORMAT, GateError, GateOptions, GateReport, GateSettings,
    Verdict, baseline,
};
use stellaops_benches::load::{
    CriticalPath, FORMAT, LoadError, RunResults, RunSize, Volume, WorkMode, run_round,
    seeded_template, server_version, slowdown,
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

/// The size of each path's run.
#[derive(Debug, Clone, Args)]
struct SizeArgs {
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
}

impl SizeArgs {
    fn parse(&self) -> Result<(Vec<CriticalPath>, RunSize), LoadError> {
        let paths = match &self.paths {
            Some(list) => CriticalPath::parse_list(list)?,
            None => CriticalPath::ALL.to_vec(),
        };
        for (field, value) in [
            ("users", self.users),
            ("claim workers", self.claim_workers),
            ("iterations", self.iterations),
        ] {
            if !(1..=10_000).contains(&value) {
                return Err(LoadError::Invalid {
                    field,
                    reason: format!("{value} is outside 1 to 10000"),
                });
            }
        }
        Ok((
            paths,
            RunSize {
                users: self.users,
                claim_workers: self.claim_workers,
                iterations: self.iterations,
            },
        ))
    }
}

/// How the gate and its self-test run and decide (defaults documented in
/// the README and on `GateSettings`).
#[derive(Debug, Clone, Args)]
struct GateArgs {
    #[command(flatten)]
    size: SizeArgs,
    /// Measured rounds at most; each runs every side once, in a random
    /// order.
    #[arg(long, default_value_t = GateSettings::default().rounds)]
    rounds: usize,
    /// Every path every round, no early decisions (the gate otherwise
    /// stops measuring a path at the look that decides it).
    #[arg(long)]
    fixed_rounds: bool,
    /// The gate's wall-time budget in minutes, the base's build included:
    /// when it runs out, the paths still open are noisy.
    #[arg(long, default_value_t = GateSettings::default().budget_minutes)]
    budget_minutes: f64,
    /// A path fails above this median ratio (candidate over base).
    #[arg(long, default_value_t = GateSettings::default().threshold)]
    threshold: f64,
    /// Blocks per path and side in a round: the sides take turns block by block.
    #[arg(long, default_value_t = 10)]
    blocks: usize,
    /// pgbench select-only transactions of the canary before each side's
    /// first block of a path (0: no canary).
    #[arg(long, default_value_t = 1000)]
    canary_transactions: u32,
    /// A side's step (opening a round, a block, a path's end) taking
    /// longer ends the run with an error.
    #[arg(long, default_value_t = 120)]
    step_limit_secs: u64,
    /// Seed of the sides' order in each round (default: from the clock).
    #[arg(long)]
    seed: Option<u64>,
    /// Where the reports go (default: target/stellaops-gate/<kind>-<time>).
    #[arg(long)]
    out: Option<PathBuf>,
}

impl GateArgs {
    fn options(&self, kind: &str) -> Result<GateOptions, GateError> {
        let (paths, size) = self.size.parse()?;
        if !(3..=200).contains(&self.rounds) {
            return Err(GateError::Invalid {
                field: "rounds",
                reason: format!("{} is outside 3 to 200", self.rounds),
            });
        }
        if !(self.threshold > 1.0 && self.threshold < 3.0) {
            return Err(GateError::Invalid {
                field: "threshold",
                reason: format!("{} is not between 1 and 3", self.threshold),
            });
        }
        if !(1..=100).contains(&self.blocks) || self.blocks > self.size.iterations {
            return Err(GateError::Invalid {
                field: "blocks",
                reason: format!(
                    "{} is outside 1 to 100 or above the iterations ({})",
                    self.blocks, self.size.iterations
                ),
            });
        }
        if !(self.budget_minutes > 0.0 && self.budget_minutes <= 24.0 * 60.0) {
            return Err(GateError::Invalid {
                field: "budget-minutes",
                reason: format!("{} is outside 0 to a day", self.budget_minutes),
            });
        }
        let settings = GateSettings {
            rounds: self.rounds,
            threshold: self.threshold,
            sequential: !self.fixed_rounds,
            budget_minutes: self.budget_minutes,
            ..GateSettings::default()
        };
        Ok(GateOptions {
            paths,
            size,
            settings,
            blocks: self.blocks,
            step_limit: Duration::from_secs(self.step_limit_secs.max(5)),
            canary_transactions: self.canary_transactions.min(100_000),
            out: self.out.clone().unwrap_or_else(|| gate::default_out(kind)),
            seed: self.seed.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            }),
        })
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the scenarios on the current build and prints a table per path.
    Run {
        #[command(flatten)]
        size: SizeArgs,
        /// Where results go (default: target/stellaops-load/<time>).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Decides whether this build made any critical path slower than the
    /// base: exit 0 pass, 1 regression, 2 setup error, 3 noisy.
    Gate {
        /// The base: a branch, tag or commit of this repository.
        #[arg(long)]
        base: String,
        #[command(flatten)]
        args: GateArgs,
    },
    /// The gate's self-test: A/A, +5% and +15% injected; exit 0 only when
    /// the gate is calibrated.
    Calibrate {
        #[command(flatten)]
        args: GateArgs,
    },
    /// Lists the critical paths this build knows, one per line (the gate
    /// asks its base).
    Paths,
    /// Renders saved results (of `run`, `gate` or `calibrate`) again.
    Report {
        #[arg(required = true)]
        results: Vec<PathBuf>,
    },
    /// Saved baselines for reviews.
    Baseline {
        #[command(subcommand)]
        command: BaselineCommand,
    },
    /// Compares two saved baselines (names under baselines/ or results
    /// files); less trustworthy than the gate, and says so.
    Compare {
        a: String,
        b: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// One side of a gate round (internal): a fresh clone, then paths in
    /// blocks as the gate asks on stdin.
    #[command(hide = true)]
    Serve {
        #[command(flatten)]
        size: SizeArgs,
        #[arg(long, default_value = "gate")]
        label: String,
        /// Also record every statement's plan.
        #[arg(long)]
        plans: bool,
        /// The tiny dataset of the protocol's tests instead of the real one.
        #[arg(long, hide = true)]
        tiny: bool,
    },
}

#[derive(Debug, Subcommand)]
enum BaselineCommand {
    /// Runs the scenarios now (or takes --from results) and stores them
    /// with the environment's fingerprint under baselines/<name>/.
    Save {
        name: String,
        /// A results.json of an earlier `run` instead of a new run.
        #[arg(long)]
        from: Option<PathBuf>,
        /// Overwrite a baseline of that name.
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        size: SizeArgs,
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
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("stellaops-load: {e}");
            ExitCode::from(2)
        }
    }
}

async fn dispatch(command: Command) -> Result<u8, GateError> {
    match command {
        Command::Run { size, out } => {
            let (paths, size) = size.parse()?;
            let out = out.unwrap_or_else(|| {
                PathBuf::from("target/stellaops-load")
                    .join(chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string())
            });
            let (results, _) = run(paths, size, &out, true).await?;
            drop(results);
            Ok(0)
        }
        Command::Gate { base, args } => {
            let options = args.options("gate")?;
            let report = gate::gate(&base, &options).await?;
            let files = report.save(&options.out)?;
            println!("{}", report.markdown());
            println!("results:  {}", files.json.display());
            println!("markdown: {}", files.markdown.display());
            println!("report:   {}", files.html.display());
            Ok(exit_code(report.overall))
        }
        Command::Calibrate { args } => {
            let options = args.options("calibrate")?;
            let (calibration, file) = gate::calibrate(&options).await?;
            println!("{}", calibration.markdown());
            println!("results: {}", file.display());
            println!("report:  {}", options.out.join("calibrate.html").display());
            Ok(if calibration.ok { 0 } else { 1 })
        }
        Command::Paths => {
            for path in CriticalPath::ALL {
                println!("{path}");
            }
            Ok(0)
        }
        Command::Report { results } => {
            for file in results {
                report(&file)?;
            }
            Ok(0)
        }
        Command::Baseline {
            command:
                BaselineCommand::Save {
                    name,
                    from,
                    replace,
                    size,
                },
        } => {
            baseline::check_name(&name)?;
            let root = gate::repository_root()?;
            let results = match from {
                Some(file) => RunResults::load(&file)?,
                None => {
                    let (paths, size) = size.parse()?;
                    let scratch = root.join("target/stellaops-load/baseline").join(&name);
                    run(paths, size, &scratch, false).await?.0
                }
            };
            let saved = baseline::save(&root, &name, &results, replace)?;
            println!("baseline {name}: {}", saved.display());
            Ok(0)
        }
        Command::Compare { a, b, out } => {
            let root = gate::repository_root()?;
            let (ra, rb) = (baseline::load(&root, &a)?, baseline::load(&root, &b)?);
            let markdown = baseline::compare_markdown(&a, &ra, &b, &rb);
            let dir = out.unwrap_or_else(|| gate::default_out("compare"));
            let html = baseline::write_compare(&dir, &markdown)?;
            println!("{markdown}");
            println!("report: {}", html.display());
            Ok(0)
        }
        Command::Serve {
            size,
            label,
            plans,
            tiny,
        } => {
            let (_, size) = size.parse()?;
            let volume = if tiny {
                Volume::TINY
            } else {
                Volume::default()
            };
            serve(size, volume, &label, plans).await?;
            Ok(0)
        }
    }
}

fn exit_code(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Pass => 0,
        Verdict::Regression => 1,
        Verdict::Noisy => 3,
    }
}

/// Renders a saved run's or gate's results again, beside the file.
fn report(file: &Path) -> Result<(), GateError> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let text = std::fs::read_to_string(file).map_err(GateError::io("reading", file))?;
    let format = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("format")?.as_str().map(str::to_owned))
        .unwrap_or_default();
    if format == gate::CALIBRATION_FORMAT {
        let loaded = gate::Calibration::load(file)?;
        loaded.save(dir)?;
        println!("{}", loaded.markdown());
        println!("report: {}", dir.join("calibrate.html").display());
    } else if format == GATE_FORMAT {
        let loaded = GateReport::load(file)?;
        let files = loaded.save(dir)?;
        println!("{}", loaded.markdown());
        println!("report: {}", files.html.display());
    } else {
        let loaded = RunResults::load(file)?;
        let (_, html) = loaded.write_reports(dir)?;
        println!("{}", loaded.markdown());
        println!("report: {}", html.display());
    }
    Ok(())
}

/// One side of a gate round: seeds the template if needed, then serves
/// the gate's requests on a fresh clone.
async fn serve(size: RunSize, volume: Volume, label: &str, plans: bool) -> Result<(), GateError> {
    slowdown::init()?;
    let server = Server::shared().await.map_err(LoadError::from)?;
    let seeded = seeded_template(&server, &volume).await?;
    let work = if plans {
        WorkMode::CountsAndPlans
    } else {
        WorkMode::Counts
    };
    stellaops_benches::load::serve::serve(&server, &seeded, label, volume, &size, work).await?;
    Ok(())
}

/// While it lives, this process's stdout goes to a file: goose prints its
/// own lines there as it runs ("N users launched."), which would break up
/// the progress and the table on the user's terminal. Dropped, stdout is
/// the terminal (or pipe) it was again.
struct StdoutToFile {
    saved: std::os::fd::OwnedFd,
}

impl StdoutToFile {
    fn start(file: &Path) -> Result<StdoutToFile, LoadError> {
        use std::io::Write as _;
        let failed = |reason: String| LoadError::File {
            what: "sending goose's output to",
            file: file.display().to_string(),
            reason,
        };
        let _ = std::io::stdout().flush();
        let saved = nix::unistd::dup(std::io::stdout()).map_err(|e| failed(e.to_string()))?;
        let log = std::fs::File::create(file).map_err(|e| failed(e.to_string()))?;
        nix::unistd::dup2_stdout(&log).map_err(|e| failed(e.to_string()))?;
        Ok(StdoutToFile { saved })
    }
}

impl Drop for StdoutToFile {
    fn drop(&mut self) {
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let _ = nix::unistd::dup2_stdout(&self.saved);
    }
}

/// `run`: seeds if needed, runs every path once, measures the canary and
/// the environment, saves the results (and prints the table when `print`).
async fn run(
    paths: Vec<CriticalPath>,
    size: RunSize,
    dir: &Path,
    print: bool,
) -> Result<(RunResults, PathBuf), GateError> {
    let knob = slowdown::init()?;
    let started_at = chrono::Utc::now();
    let server = Server::shared().await.map_err(LoadError::from)?;
    let volume = Volume::default();
    eprintln!("dataset: {}", volume.describe());
    let clock = Instant::now();
    let seeded = seeded_template(&server, &volume).await?;
    eprintln!(
        "seeded template {seeded} ready in {:.1} s",
        clock.elapsed().as_secs_f64()
    );
    let clock = Instant::now();
    std::fs::create_dir_all(dir).map_err(|e| LoadError::File {
        what: "creating",
        file: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    let goose_log = dir.join("goose.log");
    let quiet = StdoutToFile::start(&goose_log)?;
    let outcome = run_round(
        &server,
        &seeded,
        "run",
        volume,
        &paths,
        &size,
        WorkMode::Counts,
    )
    .await;
    drop(quiet);
    let outcome = outcome?;
    eprintln!(
        "{} paths in {:.1} s",
        paths.len(),
        clock.elapsed().as_secs_f64()
    );
    // The canary after the run: a baseline compared later is put on the
    // other run's scale by it.
    let canary_tps = match Canary::prepare(&server, 2).await {
        Ok(canary) => {
            let tps = canary.measure();
            canary.drop_now(&server).await?;
            Some(tps?)
        }
        Err(e) => {
            eprintln!("canary unavailable: {e}");
            None
        }
    };
    let revision = gate::revision();
    let environment = Fingerprint::collect(&server, &revision, &volume.hash(), canary_tps).await?;
    let results = RunResults {
        format: FORMAT.to_owned(),
        revision,
        started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        server: server_version(&server).await?,
        volume,
        dataset: volume.hash(),
        size,
        slowdown: knob.map(|_| std::env::var(slowdown::VAR).unwrap_or_default()),
        paths: outcome.paths,
        work_unavailable: outcome.work_unavailable,
        environment: Some(environment),
    };
    let saved = results.save(dir)?;
    if print {
        println!();
        println!("{}", results.table());
        println!("results:  {}", saved.json.display());
        println!("markdown: {}", saved.markdown.display());
        println!("report:   {}", saved.html.display());
        println!("goose:    {}", dir.join("goose.log").display());
    }
    Ok((results, saved.json))
}
