//! `stellaops-load gate` and `calibrate`: the sides built or chosen, the
//! canary prepared, the interleaved rounds run, and the verdicts written.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use stellaops_harness::Server;

use super::canary::Canary;
use super::interleave::{self, Plan, Round, ServerHandoff, Side, SideRound, StillOpen};
use super::progress::Progress;
use super::report::{GateReport, SideInfo};
use super::verdicts;
use super::worktree::{self, BuiltSide};
use super::{GateError, GateSettings};
use crate::load::{CriticalPath, RunSize, Volume};

/// What a gate or calibration run is asked to do.
#[derive(Debug, Clone)]
pub struct GateOptions {
    pub paths: Vec<CriticalPath>,
    pub size: RunSize,
    pub settings: GateSettings,
    /// Blocks per path and side in a round (sides alternate block by block).
    pub blocks: usize,
    /// A side's step (opening a round, a block, a path's end) longer than
    /// this ends the run with an error.
    pub step_limit: Duration,
    /// pgbench transactions before each side's first block of a path (0: no canary).
    pub canary_transactions: u32,
    /// Where the reports and the raw rounds go.
    pub out: PathBuf,
    /// The order of the sides in each round is drawn from this.
    pub seed: u64,
}

/// Everything the rounds produced, before any verdict.
#[derive(Debug)]
pub struct Measured {
    pub server: String,
    pub warmups: Vec<SideRound>,
    pub rounds: Vec<Round>,
    pub canary_unavailable: Option<String>,
    pub work_unavailable: Option<String>,
    pub minutes: f64,
}

/// `gate --base <reference>`: builds the base, then runs it and the
/// running build side by side and decides per path.
pub async fn gate(reference: &str, options: &GateOptions) -> Result<GateReport, GateError> {
    let started_at = chrono::Utc::now();
    let clock = Instant::now();
    let root = worktree::repository_root()?;
    let rev = worktree::resolve(&root, reference)?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let work = target_dir.join("stellaops-gate");
    std::fs::create_dir_all(&work).map_err(GateError::io("creating", &work))?;
    let candidate = worktree::stash_candidate(&root, &work)?;
    let build_clock = Instant::now();
    let base = worktree::build_base(&root, &target_dir, &work, reference, &rev, &mut |line| {
        eprintln!("{line}")
    })?;
    eprintln!(
        "base built in {:.1} min",
        build_clock.elapsed().as_secs_f64() / 60.0
    );
    worktree::check_protocol(&base)?;
    // A path the base does not have has no baseline: it is not gated (the
    // candidate's own load run measures it), and the report says so.
    let known = worktree::known_paths(&base)?;
    let (gated, new_paths): (Vec<CriticalPath>, Vec<CriticalPath>) = options
        .paths
        .iter()
        .partition(|p| known.iter().any(|k| k == p.name()));
    if gated.is_empty() {
        return Err(GateError::Invalid {
            field: "paths",
            reason: format!("the base {reference} has none of the paths asked"),
        });
    }
    if !new_paths.is_empty() {
        eprintln!(
            "not gated (the base has no such path): {}",
            new_paths
                .iter()
                .map(|p| p.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let options = &GateOptions {
        paths: gated,
        ..options.clone()
    };
    let sides = [
        side("base", &base, None),
        side(
            "candidate",
            &candidate,
            std::env::var(crate::load::slowdown::VAR).ok(),
        ),
    ];
    // The budget counts from the start, the base's build included.
    let budget = Duration::from_secs_f64(options.settings.budget_minutes.max(0.0) * 60.0);
    let sequential = Sequential {
        base: "base",
        candidate: "candidate",
        deadline: clock + budget,
    };
    let measured = measure(options, &sides, Some(&sequential)).await?;
    let mut report = report(
        started_at,
        clock,
        options,
        &measured,
        info("base", &base),
        info("candidate", &candidate),
    );
    report.new_paths = new_paths.iter().map(|p| p.name().to_owned()).collect();
    Ok(report)
}

fn side(name: &str, built: &BuiltSide, slowdown: Option<String>) -> Side {
    Side {
        name: name.to_owned(),
        binary: built.binary.clone(),
        slowdown: slowdown.filter(|k| !k.trim().is_empty()),
    }
}

fn info(name: &str, built: &BuiltSide) -> SideInfo {
    SideInfo {
        name: name.to_owned(),
        reference: built.reference.clone(),
        rev: built.rev.clone(),
    }
}

/// A two-sided gate decided as its rounds come: its sides and its deadline.
#[derive(Debug, Clone, Copy)]
pub struct Sequential<'a> {
    pub base: &'a str,
    pub candidate: &'a str,
    pub deadline: Instant,
}

/// Runs the warm-ups and rounds of `sides` on the shared server with the
/// canary, which is dropped whatever happened. With `sequential` (and the
/// settings' `sequential` on), a path decided at a look is measured no
/// more, and no round starts past the deadline; without, every path runs
/// every round (the self-test, which needs them all).
pub async fn measure(
    options: &GateOptions,
    sides: &[Side],
    sequential: Option<&Sequential<'_>>,
) -> Result<Measured, GateError> {
    let clock = Instant::now();
    let server = Server::shared()
        .await
        .map_err(crate::load::LoadError::from)?;
    let server_version = crate::load::server_version(&server).await?;
    let handoff = ServerHandoff {
        state_dir: server.settings.state_dir.clone(),
        identity: crate::load::server_identity(&server).await?,
    };
    // Seeded once, here, before any side starts: sides that start together
    // on a fresh server would otherwise each seed.
    crate::load::seeded_template(&server, &Volume::default()).await?;
    let (canary, canary_unavailable) = if options.canary_transactions == 0 {
        (
            None,
            Some("turned off (--canary-transactions 0)".to_owned()),
        )
    } else {
        match Canary::prepare(&server, 1).await {
            Ok(canary) => (Some(canary), None),
            Err(e) => (None, Some(e.to_string())),
        }
    };
    let dir = options.out.join("logs");
    let names: Vec<String> = options.paths.iter().map(|p| p.name().to_owned()).collect();
    let open_paths = |rounds: &[Round]| -> Vec<CriticalPath> {
        let Some(sequential) = sequential else {
            return options.paths.clone();
        };
        let open = verdicts::open_paths(
            rounds,
            &names,
            sequential.base,
            sequential.candidate,
            &options.settings,
        );
        options
            .paths
            .iter()
            .filter(|p| open.iter().any(|o| o == p.name()))
            .copied()
            .collect()
    };
    let sequential = sequential.filter(|_| options.settings.sequential);
    let result = match std::fs::create_dir_all(&dir) {
        Ok(()) => {
            let plan = Plan {
                rounds: options.settings.rounds,
                paths: &options.paths,
                size: &options.size,
                blocks: options.blocks,
                step_limit: options.step_limit,
                seed: options.seed,
                canary: canary.as_ref(),
                canary_transactions: options.canary_transactions,
                dir: &dir,
                server: &handoff,
                still_open: sequential.map(|_| StillOpen(&open_paths)),
                deadline: sequential.map(|s| s.deadline),
            };
            let mut progress = Progress::new(options.settings.rounds);
            let result = interleave::run(&plan, sides, &mut progress).await;
            progress.finish();
            result
        }
        Err(e) => Err(GateError::io("creating", &dir)(e)),
    };
    if let Some(canary) = canary
        && let Err(e) = canary.drop_now(&server).await
    {
        eprintln!("stellaops-load: dropping the canary's database: {e}");
    }
    let (warmups, rounds) = result?;
    let work_unavailable = warmups.iter().find_map(|w| w.work_unavailable.clone());
    Ok(Measured {
        server: server_version,
        warmups,
        rounds,
        canary_unavailable,
        work_unavailable,
        minutes: clock.elapsed().as_secs_f64() / 60.0,
    })
}

/// The verdicts of `candidate` against `base` from measured rounds.
pub fn report(
    started_at: chrono::DateTime<chrono::Utc>,
    clock: Instant,
    options: &GateOptions,
    measured: &Measured,
    base: SideInfo,
    candidate: SideInfo,
) -> GateReport {
    let settings = &options.settings;
    let mut canary = verdicts::canary(&measured.rounds, &base.name, &candidate.name, settings);
    canary.unavailable = measured.canary_unavailable.clone();
    let names: Vec<String> = options.paths.iter().map(|p| p.name().to_owned()).collect();
    let verdicts = verdicts::judge(
        &measured.rounds,
        &measured.warmups,
        &names,
        &base.name,
        &candidate.name,
        &canary,
        settings,
    );
    let keep = |side: &SideRound| side.side == base.name || side.side == candidate.name;
    GateReport {
        format: super::report::GATE_FORMAT.to_owned(),
        started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        overall: verdicts::overall(&verdicts),
        server: measured.server.clone(),
        volume: Volume::default(),
        size: options.size.clone(),
        settings: *settings,
        seed: options.seed,
        minutes: clock.elapsed().as_secs_f64() / 60.0,
        verdicts,
        canary,
        work_unavailable: measured.work_unavailable.clone(),
        new_paths: Vec::new(),
        warmups: measured
            .warmups
            .iter()
            .filter(|w| keep(w))
            .cloned()
            .collect(),
        rounds: measured
            .rounds
            .iter()
            .map(|r| Round {
                index: r.index,
                order: r.order.clone(),
                sides: r.sides.iter().filter(|s| keep(s)).cloned().collect(),
            })
            .collect(),
        base,
        candidate,
    }
}

/// The default folder of a run's reports: `<target>/stellaops-gate/<kind>-<time>`.
pub fn default_out(kind: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new("target").to_path_buf());
    target.join("stellaops-gate").join(format!(
        "{kind}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
    ))
}
