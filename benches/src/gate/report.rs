//! The gate's results: the raw rounds as JSON, a Markdown table for the
//! pull request, and the HTML report with its charts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::interleave::{Round, SideRound};
use super::verdicts::{CanarySummary, PathVerdict};
use super::{GateError, GateSettings, Verdict};
use crate::load::{RunSize, Volume};

/// The format of gate results files.
pub const GATE_FORMAT: &str = "stellaops-gate/1";

/// A side as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideInfo {
    pub name: String,
    pub reference: String,
    pub rev: String,
}

/// Everything one gate run measured and decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateReport {
    pub format: String,
    pub started_at: String,
    pub base: SideInfo,
    pub candidate: SideInfo,
    pub server: String,
    pub volume: Volume,
    pub size: RunSize,
    pub settings: GateSettings,
    pub seed: u64,
    pub minutes: f64,
    pub overall: Verdict,
    pub verdicts: Vec<PathVerdict>,
    pub canary: CanarySummary,
    pub work_unavailable: Option<String>,
    /// Paths the candidate has and the base does not: not gated.
    #[serde(default)]
    pub new_paths: Vec<String>,
    pub warmups: Vec<SideRound>,
    pub rounds: Vec<Round>,
}

/// Where the files went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateFiles {
    pub json: PathBuf,
    pub markdown: PathBuf,
    pub html: PathBuf,
}

impl GateReport {
    /// Writes `gate.json`, `gate.md` and `gate.html` into `dir`, each
    /// whole or not at all.
    pub fn save(&self, dir: &Path) -> Result<GateFiles, GateError> {
        std::fs::create_dir_all(dir).map_err(GateError::io("creating", dir))?;
        let json = dir.join("gate.json");
        write_json(&json, self)?;
        let markdown = dir.join("gate.md");
        write_atomically(&markdown, &self.markdown())?;
        let html = dir.join("gate.html");
        write_atomically(&html, &super::html::render(self))?;
        Ok(GateFiles {
            json,
            markdown,
            html,
        })
    }

    /// Reads a gate results file; corrupt or of another format is an error.
    pub fn load(file: &Path) -> Result<GateReport, GateError> {
        crate::files::read_versioned(file, GATE_FORMAT, "gate results").map_err(|reason| {
            GateError::File {
                what: "reading",
                file: file.display().to_string(),
                reason,
            }
        })
    }

    /// The pull request's summary: the overall verdict, one row per path,
    /// and what the canary and the work measure said.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "## Performance gate: **{}**\n\nbase `{}` ({}) vs candidate `{}` ({}), {} rounds interleaved in random order, {} users x {} iterations per path, {} on {}; {:.1} min\n",
            self.overall.name(),
            short(&self.base.rev),
            self.base.reference,
            short(&self.candidate.rev),
            self.candidate.reference,
            self.rounds.len(),
            self.size.users,
            self.size.iterations,
            self.server,
            self.volume_text(),
            self.minutes
        );
        out.push_str(
            "| path | base p50 µs | candidate p50 µs | ratio | interval | rounds | work change | plan changed | verdict |\n\
             |---|---:|---:|---:|---|---:|---|---|---|\n",
        );
        for v in &self.verdicts {
            let d = &v.decision;
            let interval = if d.lower.is_finite() {
                format!("{:.3}–{:.3}", d.lower, d.upper)
            } else {
                "—".into()
            };
            let work = match &v.work {
                Some(w) => format!(
                    "buffers {:+.0}%, rows {:+.0}%{}{}",
                    (w.buffers_ratio - 1.0) * 100.0,
                    (w.rows_ratio - 1.0) * 100.0,
                    w.statements_note(),
                    if w.grew { " ⚠" } else { "" }
                ),
                None => "n/a".into(),
            };
            let plan = match v.plan_changed() {
                Some(true) => format!("yes ({})", v.plan_diffs.as_ref().map_or(0, Vec::len)),
                Some(false) => "no".into(),
                None => "n/a".into(),
            };
            let _ = writeln!(
                out,
                "| `{}` | {:.0} | {:.0} | {:.3} | {} | {} | {} | {} | {} |",
                v.path,
                v.base_micros,
                v.candidate_micros,
                d.median,
                interval,
                d.rounds_text(),
                work,
                plan,
                match d.verdict {
                    Verdict::Pass => "pass".to_owned(),
                    other => format!("**{}**: {}", other.name(), d.reason),
                }
            );
        }
        if !self.new_paths.is_empty() {
            let _ = writeln!(
                out,
                "\nNot gated, new in the candidate (the base has no such path; the candidate's load run measures them): {}.",
                self.new_paths
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = writeln!(out);
        match &self.canary.unavailable {
            Some(reason) => {
                let _ = writeln!(out, "Canary: unavailable ({reason}).");
            }
            None => {
                let _ = writeln!(
                    out,
                    "Canary (pgbench select-only before each side): {:.0}–{:.0} tps, spread {:.1}%; moved more than {:.0}% between the sides in {} of {} rounds{}.",
                    self.canary.min_tps,
                    self.canary.max_tps,
                    (self.canary.max_tps / self.canary.min_tps - 1.0) * 100.0,
                    self.settings.canary_tolerance * 100.0,
                    self.canary.disturbed,
                    self.canary.rounds.len(),
                    if self.canary.too_noisy {
                        ": too noisy to decide"
                    } else {
                        " (left out)"
                    }
                );
            }
        }
        if let Some(reason) = &self.work_unavailable {
            let _ = writeln!(out, "\nWork measure: unavailable ({reason}).");
        }
        let looks = if self.settings.sequential {
            format!(
                " and over the looks (after {} rounds and every {} after: a path stops at the look whose interval lies within {:.2} or above it)",
                self.settings.min_rounds, self.settings.look_every, self.settings.threshold
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "\nRatio: candidate over base of each round's median latency; the gate fails a path when the median ratio is above {:.2} and its {:.0}% interval (Bonferroni-corrected over {} paths{looks}) excludes 1; an interval wider than {:.0}% is noisy.",
            self.settings.threshold,
            self.settings.confidence * 100.0,
            self.verdicts.len(),
            (self.settings.max_spread - 1.0) * 100.0
        );
        out
    }

    fn volume_text(&self) -> String {
        self.volume.describe()
    }
}

pub fn short(rev: &str) -> &str {
    &rev[..rev.len().min(12)]
}

/// Writes `text` whole or not at all.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), GateError> {
    crate::files::write_atomically(path, text).map_err(GateError::io("writing", path))
}

/// Writes `value` as JSON, whole or not at all.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), GateError> {
    crate::files::write_json(path, value).map_err(|reason| GateError::File {
        what: "writing",
        file: path.display().to_string(),
        reason,
    })
}
