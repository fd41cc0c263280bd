//! Randomized interleaved rounds. In every round each side is a process of
//! its own build on a fresh clone of its own seeded template; the paths
//! come in a random order, and each path runs in blocks that alternate
//! between the sides in an order drawn anew per block. The machine here
//! changes speed from one second to the next, so sides taking turns every
//! few milliseconds see the same machine; the per-round ratio is what the
//! gate decides on. The canary runs right before each side's first block
//! of each path.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin};
use tokio::sync::mpsc;

use super::GateError;
use super::canary::Canary;
use super::progress::Progress;
use crate::load::serve::{Reply, Request, parse_reply};
use crate::load::{CriticalPath, PathStats, RunSize};

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
    /// Median canary rate over the side's turns in the round.
    pub canary_tps: Option<f64>,
    /// Time in this side's blocks.
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

/// One round: every side, every path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    pub index: usize,
    /// The order the paths ran in.
    pub order: Vec<String>,
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
    /// Blocks per path and side in a round.
    pub blocks: usize,
    /// Any one step of a side (opening its round, a block, a path's end)
    /// taking longer ends the run with an error.
    pub step_limit: Duration,
    pub seed: u64,
    pub canary: Option<&'a Canary>,
    /// pgbench transactions per canary turn.
    pub canary_transactions: u32,
    /// Where each side's log goes.
    pub dir: &'a Path,
    /// The gate's server: each side is handed the gate's state folder, so
    /// it finds the server the gate runs (never one of its own), and must
    /// report this identity when it says it is ready.
    pub server: &'a ServerHandoff,
    /// A sequential gate: which paths are still open after the rounds so
    /// far (the others are measured no more; none left ends the rounds).
    pub still_open: Option<StillOpen<'a>>,
    /// No round starts that would likely end past this (the time budget).
    pub deadline: Option<Instant>,
}

/// The paths a sequential gate must still measure, from the rounds so far.
pub type OpenPaths<'a> = dyn Fn(&[Round]) -> Vec<CriticalPath> + Sync + 'a;

/// [`OpenPaths`] in a plan.
#[derive(Clone, Copy)]
pub struct StillOpen<'a>(pub &'a OpenPaths<'a>);

impl std::fmt::Debug for StillOpen<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StillOpen(..)")
    }
}

/// How a side finds the gate's server, and what it must report.
#[derive(Debug, Clone)]
pub struct ServerHandoff {
    /// The harness state folder (`STELLAOPS_STATE_DIR`) of the gate's server.
    pub state_dir: PathBuf,
    /// [`crate::load::server_identity`] of the gate's server.
    pub identity: String,
}

/// Runs one unmeasured warm-up round (it seeds each side's template if
/// needed, warms the caches and records the plans), then `plan.rounds`
/// measured rounds. Returns the warm-up's sides and the rounds.
pub async fn run(
    plan: &Plan<'_>,
    sides: &[Side],
    progress: &mut Progress,
) -> Result<(Vec<SideRound>, Vec<Round>), GateError> {
    let mut seed = plan.seed | 1;
    progress.message("warm-up round (seeds each side's dataset the first time)");
    let warmup = run_round(plan, sides, plan.paths, 0, &mut seed).await?;
    progress.round_done(0, warmup.1);
    let mut rounds = Vec::new();
    let mut open: Vec<CriticalPath> = plan.paths.to_vec();
    let mut last_seconds = warmup.1;
    for index in 1..=plan.rounds {
        if let Some(deadline) = plan.deadline
            && Instant::now() + Duration::from_secs_f64(last_seconds) > deadline
        {
            progress.message(&format!(
                "time budget reached after {} rounds: {} paths still open",
                index - 1,
                open.len()
            ));
            break;
        }
        let (round, seconds) = run_round(plan, sides, &open, index, &mut seed).await?;
        progress.round_done(index, seconds);
        rounds.push(round);
        last_seconds = seconds;
        if let Some(StillOpen(still_open)) = plan.still_open {
            let now_open = still_open(&rounds);
            if now_open.len() < open.len() {
                let decided: Vec<&str> = open
                    .iter()
                    .filter(|p| !now_open.contains(p))
                    .map(|p| p.name())
                    .collect();
                progress.message(&format!(
                    "decided after round {index}: {}",
                    decided.join(", ")
                ));
            }
            open = now_open;
            if open.is_empty() {
                break;
            }
        }
    }
    Ok((warmup.0.sides, rounds))
}

/// A running side process and its channel of replies.
struct SideProcess {
    name: String,
    child: Child,
    stdin: ChildStdin,
    replies: mpsc::UnboundedReceiver<Result<Reply, String>>,
    log: PathBuf,
    round: usize,
}

impl SideProcess {
    async fn spawn(plan: &Plan<'_>, side: &Side, round: usize) -> Result<SideProcess, GateError> {
        let log_path = plan.dir.join(format!(
            "round-{round:02}-{}.log",
            side.name.replace(['/', ' ', '%'], "_")
        ));
        let log = std::fs::File::create(&log_path).map_err(GateError::io("creating", &log_path))?;
        let names: Vec<&str> = plan.paths.iter().map(|p| p.name()).collect();
        let mut command = tokio::process::Command::new(&side.binary);
        command
            .arg("serve")
            .args(["--label", &format!("r{round}")])
            .args(["--paths", &names.join(",")])
            .args(["--users", &plan.size.users.to_string()])
            .args(["--claim-workers", &plan.size.claim_workers.to_string()])
            .args(["--iterations", &plan.size.iterations.to_string()])
            .env_remove(crate::load::slowdown::VAR)
            // A base built in its own worktree would otherwise look for a
            // server of that worktree and start a second one.
            .env("STELLAOPS_STATE_DIR", &plan.server.state_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(
                log.try_clone()
                    .map_err(GateError::io("opening", &log_path))?,
            )
            .kill_on_drop(true);
        if let Some(knob) = &side.slowdown {
            command.env(crate::load::slowdown::VAR, knob);
        }
        if round == 0 {
            command.arg("--plans");
        }
        let failed = |reason: String| GateError::Side {
            round,
            side: side.name.clone(),
            reason,
        };
        let mut child = command
            .spawn()
            .map_err(|e| failed(format!("starting {}: {e}", side.binary.display())))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(failed("no pipes to the side's process".into()));
        };
        let (send, replies) = mpsc::unbounded_channel();
        // Protocol lines become replies; everything else goes to the log.
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            let mut log = log;
            while let Ok(Some(line)) = lines.next_line().await {
                match parse_reply(&line) {
                    Some(reply) => {
                        if send.send(reply).is_err() {
                            break;
                        }
                    }
                    None => {
                        use std::io::Write as _;
                        let _ = writeln!(log, "{line}");
                    }
                }
            }
        });
        Ok(SideProcess {
            name: side.name.clone(),
            child,
            stdin,
            replies,
            log: log_path,
            round,
        })
    }

    fn failed(&self, reason: String) -> GateError {
        GateError::Side {
            round: self.round,
            side: self.name.clone(),
            reason: format!(
                "{reason}; its log ({}) ends:\n{}",
                self.log.display(),
                super::worktree::tail(&std::fs::read_to_string(&self.log).unwrap_or_default(), 15)
            ),
        }
    }

    async fn send(&mut self, request: &Request) -> Result<(), GateError> {
        let mut line = serde_json::to_string(request)
            .map_err(|e| self.failed(format!("serializing a request: {e}")))?;
        line.push('\n');
        if let Err(e) = self.stdin.write_all(line.as_bytes()).await {
            return Err(self.failed(format!("it stopped listening: {e}")));
        }
        self.stdin
            .flush()
            .await
            .map_err(|e| self.failed(format!("it stopped listening: {e}")))
    }

    /// The next reply, within `limit`.
    async fn reply(&mut self, limit: Duration) -> Result<Reply, GateError> {
        match tokio::time::timeout(limit, self.replies.recv()).await {
            Err(_) => {
                let _ = self.child.start_kill();
                Err(self.failed(format!(
                    "no answer within {} s (the server stopped answering?)",
                    limit.as_secs()
                )))
            }
            Ok(None) => {
                let status = self.child.wait().await.ok();
                Err(self.failed(format!(
                    "it ended ({})",
                    status.map_or("unknown status".into(), |s| s.to_string())
                )))
            }
            Ok(Some(Err(e))) => Err(self.failed(format!("unreadable reply {e}"))),
            Ok(Some(Ok(Reply::Error { message }))) => Err(self.failed(message)),
            Ok(Some(Ok(reply))) => Ok(reply),
        }
    }

    async fn ask(&mut self, request: &Request, limit: Duration) -> Result<Reply, GateError> {
        self.send(request).await?;
        self.reply(limit).await
    }
}

/// One round: both sides opened, every path in a random order in
/// alternating blocks, both closed. Returns the round and its wall time.
async fn run_round(
    plan: &Plan<'_>,
    sides: &[Side],
    paths: &[CriticalPath],
    index: usize,
    seed: &mut u64,
) -> Result<(Round, f64), GateError> {
    let started = Instant::now();
    let mut processes = Vec::new();
    for side in sides {
        processes.push(SideProcess::spawn(plan, side, index).await?);
    }
    let mut work_unavailable = vec![None; sides.len()];
    for (i, process) in processes.iter_mut().enumerate() {
        match process.reply(plan.step_limit).await? {
            Reply::Ready {
                work_unavailable: why,
                server,
            } => {
                if let Some(server) = server
                    && server != plan.server.identity
                {
                    return Err(process.failed(format!(
                        "it runs on the server {server}, not the gate's ({}): both sides must share one server",
                        plan.server.identity
                    )));
                }
                work_unavailable[i] = why;
            }
            other => return Err(process.failed(format!("expected ready, got {other:?}"))),
        }
    }
    let mut order: Vec<CriticalPath> = paths.to_vec();
    crate::rounds::shuffle(&mut order, seed);
    let mut stats: Vec<Vec<PathStats>> = vec![Vec::new(); sides.len()];
    let mut canaries: Vec<Vec<f64>> = vec![Vec::new(); sides.len()];
    let mut busy = vec![0.0f64; sides.len()];
    for path in &order {
        let start = Request::Start {
            path: path.name().to_owned(),
            blocks: plan.blocks,
        };
        for process in processes.iter_mut() {
            expect(
                process.ask(&start, plan.step_limit).await?,
                process,
                "started",
            )?;
        }
        // Block 0 warms connections and statements and is not counted.
        for block in 0..=plan.blocks {
            let mut turn: Vec<usize> = (0..sides.len()).collect();
            crate::rounds::shuffle(&mut turn, seed);
            for &which in &turn {
                if block == 1
                    && let Some(canary) = plan.canary
                {
                    canaries[which].push(canary.measure_short(plan.canary_transactions)?);
                }
                let process = &mut processes[which];
                match process.ask(&Request::Block, plan.step_limit).await? {
                    Reply::Block { micros } if block > 0 => busy[which] += micros / 1e6,
                    Reply::Block { .. } => {}
                    other => return Err(process.failed(format!("expected a block, got {other:?}"))),
                }
            }
        }
        for (i, process) in processes.iter_mut().enumerate() {
            match process.ask(&Request::Finish, plan.step_limit).await? {
                Reply::Finished { stats: path_stats } => stats[i].push(path_stats),
                other => return Err(process.failed(format!("expected finished, got {other:?}"))),
            }
        }
    }
    for process in processes.iter_mut() {
        expect(
            process.ask(&Request::Close, plan.step_limit).await?,
            process,
            "closed",
        )?;
        let _ = tokio::time::timeout(plan.step_limit, process.child.wait()).await;
    }
    let sides = sides
        .iter()
        .enumerate()
        .map(|(i, side)| SideRound {
            side: side.name.clone(),
            canary_tps: (!canaries[i].is_empty()).then(|| crate::rounds::median(&canaries[i])),
            seconds: busy[i],
            paths: std::mem::take(&mut stats[i]),
            work_unavailable: work_unavailable[i].take(),
        })
        .collect();
    Ok((
        Round {
            index,
            order: order.iter().map(|p| p.name().to_owned()).collect(),
            sides,
        },
        started.elapsed().as_secs_f64(),
    ))
}

fn expect(reply: Reply, process: &SideProcess, what: &str) -> Result<(), GateError> {
    let ok = matches!(
        (&reply, what),
        (Reply::Started, "started") | (Reply::Closed, "closed")
    );
    if ok {
        Ok(())
    } else {
        Err(process.failed(format!("expected {what}, got {reply:?}")))
    }
}
