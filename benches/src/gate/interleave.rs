//! Randomized interleaved rounds: in every round each side runs once, in
//! an order drawn anew, each as its own process of its own build on a
//! fresh clone of its own seeded template, with the canary measured right
//! before it. Both sides see the same machine within a round, so the
//! per-round ratio cancels what drifts slowly (other load, thermal state).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::GateError;
use super::canary::Canary;
use super::progress::Progress;
use crate::load::{CriticalPath, PathStats, RunResults, RunSize};

/// One side of a comparison: a binary and the slowdown knob it runs with
/// (the knob of the caller's environment never leaks into a side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub name: String,
    pub binary: PathBuf,
    pub slowdown: Option<String>,
}

/// What one side measured in one round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideRound {
    pub side: String,
    /// Its place in the round's order (0 first).
    pub position: usize,
    pub canary_tps: Option<f64>,
    pub seconds: f64,
    pub paths: Vec<PathStats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_unavailable: Option<String>,
}

impl SideRound {
    pub fn path(&self, name: &str) -> Option<&PathStats> {
        self.paths.iter().find(|p| p.path == name)
    }
}

/// One round: every side once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    pub index: usize,
    pub sides: Vec<SideRound>,
}

impl Round {
    pub fn side(&self, name: &str) -> Option<&SideRound> {
        self.sides.iter().find(|s| s.side == name)
    }
}

/// How the rounds run.
#[derive(Debug)]
pub struct Plan<'a> {
    pub rounds: usize,
    pub paths: &'a [CriticalPath],
    pub size: &'a RunSize,
    /// A side-round that takes longer is killed and the run ends with an error.
    pub side_limit: Duration,
    pub seed: u64,
    pub canary: Option<&'a Canary>,
    /// Where each side-round's results and log go.
    pub dir: &'a Path,
}

/// Runs one unmeasured warm-up per side (it seeds the side's template if
/// needed, warms the caches and records the plans), then `plan.rounds`
/// measured rounds. Returns the warm-ups and the rounds.
pub async fn run(
    plan: &Plan<'_>,
    sides: &[Side],
    progress: &mut Progress,
) -> Result<(Vec<SideRound>, Vec<Round>), GateError> {
    let mut warmups = Vec::new();
    for (position, side) in sides.iter().enumerate() {
        progress.message(&format!(
            "warm-up of {} (seeds its dataset the first time)",
            side.name
        ));
        let measured = run_side(plan, side, 0, position, true).await?;
        progress.side_done(&side.name, 0, measured.seconds);
        warmups.push(measured);
    }
    let mut rounds = Vec::new();
    let mut seed = plan.seed | 1;
    for index in 1..=plan.rounds {
        let mut order: Vec<usize> = (0..sides.len()).collect();
        crate::rounds::shuffle(&mut order, &mut seed);
        let mut measured = Vec::new();
        for (position, &which) in order.iter().enumerate() {
            let side = &sides[which];
            let result = run_side(plan, side, index, position, false).await?;
            progress.side_done(&side.name, index, result.seconds);
            measured.push(result);
        }
        measured.sort_by_key(|s| sides.iter().position(|side| side.name == s.side));
        rounds.push(Round {
            index,
            sides: measured,
        });
    }
    Ok((warmups, rounds))
}

/// One side-round: the canary, then the side's `round` as a process,
/// bounded by `plan.side_limit`.
async fn run_side(
    plan: &Plan<'_>,
    side: &Side,
    round: usize,
    position: usize,
    warmup: bool,
) -> Result<SideRound, GateError> {
    let failed = |reason: String| GateError::Side {
        round,
        side: side.name.clone(),
        reason,
    };
    let canary_tps = match plan.canary {
        Some(canary) => Some(canary.measure()?),
        None => None,
    };
    let stem = format!(
        "round-{round:02}-{}",
        side.name.replace(['/', ' ', '%'], "_")
    );
    let out = plan.dir.join(format!("{stem}.json"));
    let log_path = plan.dir.join(format!("{stem}.log"));
    let log = std::fs::File::create(&log_path).map_err(GateError::io("creating", &log_path))?;
    let names: Vec<&str> = plan.paths.iter().map(|p| p.name()).collect();
    let mut command = tokio::process::Command::new(&side.binary);
    command
        .arg("round")
        .arg("--out")
        .arg(&out)
        .args(["--label", &format!("r{round}{}", position)])
        .args(["--paths", &names.join(",")])
        .args(["--users", &plan.size.users.to_string()])
        .args(["--claim-workers", &plan.size.claim_workers.to_string()])
        .args(["--iterations", &plan.size.iterations.to_string()])
        .env_remove(crate::load::slowdown::VAR)
        .stdin(Stdio::null())
        .stdout(
            log.try_clone()
                .map_err(GateError::io("opening", &log_path))?,
        )
        .stderr(log)
        .kill_on_drop(true);
    if let Some(knob) = &side.slowdown {
        command.env(crate::load::slowdown::VAR, knob);
    }
    if warmup {
        command.arg("--plans");
    }
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| failed(format!("starting {}: {e}", side.binary.display())))?;
    let status = match tokio::time::timeout(plan.side_limit, child.wait()).await {
        Ok(status) => status.map_err(|e| failed(format!("waiting for it: {e}")))?,
        Err(_) => {
            let _ = child.kill().await;
            return Err(failed(format!(
                "did not finish within {} s (the server stopped answering?); its log: {}\n{}",
                plan.side_limit.as_secs(),
                log_path.display(),
                log_tail(&log_path)
            )));
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(failed(format!(
            "exited with {status}; its log ({}) ends:\n{}",
            log_path.display(),
            log_tail(&log_path)
        )));
    }
    let results = RunResults::load(&out).map_err(|e| failed(e.to_string()))?;
    Ok(SideRound {
        side: side.name.clone(),
        position,
        canary_tps,
        seconds,
        paths: results.paths,
        work_unavailable: results.work_unavailable,
    })
}

fn log_tail(path: &Path) -> String {
    super::worktree::tail(&std::fs::read_to_string(path).unwrap_or_default(), 15)
}
