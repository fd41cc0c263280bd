//! `stellaops-load calibrate`, the gate's self-test: the running build
//! against itself (A/A), and against itself with 5% and 15% injected by
//! the slowdown knob, all four sides interleaved in the same rounds. Each
//! comparison is decided as the gate decides it, and resampling its rounds
//! estimates how often a gate would fail, pass or be noisy.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::calibrate::{
    GateRates, Rates, SequentialRates, estimate_gate, estimate_sequential_gate,
};
use super::interleave::Side;
use super::report::{SideInfo, write_atomically, write_json};
use super::run::{GateOptions, measure, report};
use super::{GateError, Verdict};

/// The format of calibration results.
pub const CALIBRATION_FORMAT: &str = "stellaops-calibrate/1";

/// Resampled gates per comparison.
pub const RESAMPLES: usize = 2_000;

/// One comparison of the self-test and what it must show.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Check {
    name: &'static str,
    /// The knob on the candidate side (`None`: A/A).
    factor: Option<f64>,
    /// The verdict the measured comparison must reach.
    expect: Verdict,
    /// The highest false-fail rate allowed, or the lowest detection rate.
    limit: f64,
}

const CHECKS: [Check; 3] = [
    Check {
        name: "a-a",
        factor: None,
        expect: Verdict::Pass,
        limit: 0.01,
    },
    Check {
        name: "slower-5",
        factor: Some(1.05),
        expect: Verdict::Pass,
        limit: 0.05,
    },
    Check {
        name: "slower-15",
        factor: Some(1.15),
        expect: Verdict::Regression,
        limit: 0.95,
    },
];

/// One comparison's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckOutcome {
    pub name: String,
    pub injected: Option<f64>,
    /// The verdict of the measured rounds, decided as the gate decides.
    pub measured: Verdict,
    pub expected: Verdict,
    pub rates: GateRates,
    /// The rate the requirement is about: the false-fail rate (any path
    /// a regression) for A/A and 5%, the lowest per-path detection rate
    /// for 15%.
    pub rate: f64,
    pub requirement: String,
    pub ok: bool,
    /// The same resampled rounds decided by the sequential rule
    /// ([`super::decide_sequential`]), beside the fixed gate's rates above.
    #[serde(default)]
    pub sequential: Option<SequentialOutcome>,
}

/// The sequential rule's side of a comparison, and the time both rules
/// spend measuring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequentialOutcome {
    pub rates: SequentialRates,
    /// The rate the requirement is about, as for the fixed gate.
    pub rate: f64,
    pub ok: bool,
    /// Measuring time of a two-sided gate, from the median seconds both
    /// sides spent on one path in one round: the fixed gate's rounds times
    /// paths, and the sequential gate's median path-rounds.
    pub fixed_minutes: f64,
    pub sequential_minutes: f64,
}

/// The whole self-test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub format: String,
    pub started_at: String,
    pub server: String,
    pub measured_rounds: usize,
    pub gate_rounds: usize,
    /// The sequential rule's first look and the rounds between looks.
    #[serde(default)]
    pub min_rounds: usize,
    #[serde(default)]
    pub look_every: usize,
    pub resamples: usize,
    pub paths: Vec<String>,
    pub checks: Vec<CheckOutcome>,
    pub ok: bool,
    pub minutes: f64,
}

/// Runs the self-test and writes its reports (and each comparison's own
/// gate report) under `options.out`.
pub async fn calibrate(options: &GateOptions) -> Result<(Calibration, PathBuf), GateError> {
    let started_at = chrono::Utc::now();
    let clock = Instant::now();
    let binary = std::env::current_exe().map_err(|e| GateError::File {
        what: "finding",
        file: "the running binary".into(),
        reason: e.to_string(),
    })?;
    let mut sides = vec![Side {
        name: "base".into(),
        binary: binary.clone(),
        slowdown: None,
    }];
    for check in CHECKS {
        sides.push(Side {
            name: check.name.into(),
            binary: binary.clone(),
            slowdown: check.factor.map(|f| format!("*={f}")),
        });
    }
    // Every path every round: the resampling below needs them all.
    let measured = measure(options, &sides, None).await?;
    let rev = revision();
    let base = SideInfo {
        name: "base".into(),
        reference: "this build".into(),
        rev: rev.clone(),
    };
    let mut checks = Vec::new();
    for check in CHECKS {
        let candidate = SideInfo {
            name: check.name.into(),
            reference: match check.factor {
                Some(f) => format!("this build, slowdown knob *={f}"),
                None => "this build again (A/A)".into(),
            },
            rev: rev.clone(),
        };
        let gate = report(
            started_at,
            clock,
            options,
            &measured,
            base.clone(),
            candidate,
        );
        gate.save(&options.out.join(check.name))?;
        let by_round: Vec<Vec<f64>> = gate
            .rounds
            .iter()
            .filter(|r| {
                !gate
                    .canary
                    .rounds
                    .iter()
                    .any(|c| c.round == r.index && c.disturbed)
            })
            .filter_map(|r| {
                let b = r.side("base")?;
                let c = r.side(check.name)?;
                gate.verdicts
                    .iter()
                    .map(|v| Some(c.path(&v.path)?.p50_micros / b.path(&v.path)?.p50_micros))
                    .collect()
            })
            .collect();
        let rates = estimate_gate(
            &by_round,
            options.settings.rounds,
            &options.settings,
            RESAMPLES,
            options.seed ^ 0xca1b,
        );
        let sequential_rates = estimate_sequential_gate(
            &by_round,
            options.settings.rounds,
            &options.settings,
            RESAMPLES,
            options.seed ^ 0xca1b,
        );
        let path_round_secs = {
            let mut per: Vec<f64> = gate
                .rounds
                .iter()
                .filter_map(|r| {
                    let b = r.side("base")?;
                    let c = r.side(check.name)?;
                    Some((b.seconds + c.seconds) / b.paths.len().max(1) as f64)
                })
                .collect();
            per.sort_by(f64::total_cmp);
            crate::rounds::median(&per)
        };
        let rate_of = |rates: &GateRates| {
            if check.expect == Verdict::Regression {
                let lowest = rates
                    .paths
                    .iter()
                    .map(|r| r.regression)
                    .fold(f64::INFINITY, f64::min);
                if lowest.is_finite() { lowest } else { 0.0 }
            } else {
                rates.gate.regression
            }
        };
        let meets = |rate: f64| {
            if check.expect == Verdict::Regression {
                rate >= check.limit
            } else {
                rate <= check.limit
            }
        };
        let sequential_rate = rate_of(&sequential_rates.rates);
        let sequential = SequentialOutcome {
            rate: sequential_rate,
            ok: meets(sequential_rate),
            fixed_minutes: sequential_rates.fixed_path_rounds * path_round_secs / 60.0,
            sequential_minutes: sequential_rates.median_path_rounds * path_round_secs / 60.0,
            rates: sequential_rates,
        };
        let (rate, requirement, rate_ok) = if check.expect == Verdict::Regression {
            let lowest = rates
                .paths
                .iter()
                .map(|r| r.regression)
                .fold(f64::INFINITY, f64::min);
            let lowest = if lowest.is_finite() { lowest } else { 0.0 };
            (
                lowest,
                format!(
                    "fails; every path detected in ≥ {:.0}% of gates",
                    check.limit * 100.0
                ),
                lowest >= check.limit,
            )
        } else {
            (
                rates.gate.regression,
                format!("passes; false-fail ≤ {:.0}% of gates", check.limit * 100.0),
                rates.gate.regression <= check.limit,
            )
        };
        // The rule the gate runs must meet the requirement.
        let rule_ok = if options.settings.sequential {
            sequential.ok
        } else {
            rate_ok
        };
        checks.push(CheckOutcome {
            name: check.name.into(),
            injected: check.factor,
            measured: gate.overall,
            expected: check.expect,
            ok: rule_ok && gate.overall == check.expect,
            rates,
            rate,
            requirement,
            sequential: Some(sequential),
        });
    }
    let calibration = Calibration {
        format: CALIBRATION_FORMAT.into(),
        started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        server: measured.server.clone(),
        measured_rounds: measured.rounds.len(),
        gate_rounds: options.settings.rounds,
        min_rounds: options.settings.min_rounds,
        look_every: options.settings.look_every,
        resamples: RESAMPLES,
        paths: options.paths.iter().map(|p| p.name().to_owned()).collect(),
        ok: checks.iter().all(|c| c.ok),
        checks,
        minutes: clock.elapsed().as_secs_f64() / 60.0,
    };
    let file = calibration.save(&options.out)?;
    Ok((calibration, file))
}

impl CheckOutcome {
    /// Whether the fixed gate's rate meets the requirement.
    fn rate_ok(&self) -> bool {
        if self.expected == Verdict::Regression {
            self.rate >= limit_of(&self.name)
        } else {
            self.rate <= limit_of(&self.name)
        }
    }
}

/// The limit of the check `name`.
fn limit_of(name: &str) -> f64 {
    CHECKS
        .iter()
        .find(|c| c.name == name)
        .map_or(f64::NAN, |c| c.limit)
}

impl Calibration {
    /// The table of the three rates, then each path's rates.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "## Gate self-test: **{}**\n\n{} measured rounds (all four sides interleaved in each), resampled into {} gates of {} rounds each; {}; {:.1} min\n",
            if self.ok {
                "calibrated"
            } else {
                "NOT calibrated"
            },
            self.measured_rounds,
            self.resamples,
            self.gate_rounds,
            self.server,
            self.minutes
        );
        out.push_str(
            "| comparison | injected | measured verdict | gates failing | gates passing | gates noisy | requirement | rate | result |\n\
             |---|---|---|---:|---:|---:|---|---:|---|\n",
        );
        for c in &self.checks {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                c.name,
                c.injected
                    .map_or("none".into(), |f| format!("+{:.0}%", (f - 1.0) * 100.0)),
                c.measured.name(),
                percent(c.rates.gate.regression),
                percent(c.rates.gate.pass),
                percent(c.rates.gate.noisy),
                c.requirement,
                percent(c.rate),
                if c.ok { "ok" } else { "**FAILED**" }
            );
        }
        let _ = writeln!(
            out,
            "\nThe same resampled rounds, decided fixed (every path every round) and sequentially (a path stops at the look that decides it; looks after {} rounds and every {} after), with the measuring time of a two-sided gate:\n",
            self.min_rounds, self.look_every
        );
        out.push_str(
            "| comparison | rule | gates failing | gates passing | gates noisy | rate | path-rounds (median) | rounds until the last path (median) | minutes measuring (est.) | result |\n\
             |---|---|---:|---:|---:|---:|---:|---:|---:|---|\n",
        );
        for c in &self.checks {
            let Some(s) = &c.sequential else { continue };
            let _ = writeln!(
                out,
                "| {} | fixed | {} | {} | {} | {} | {:.0} | {} | {:.1} | {} |",
                c.name,
                percent(c.rates.gate.regression),
                percent(c.rates.gate.pass),
                percent(c.rates.gate.noisy),
                percent(c.rate),
                s.rates.fixed_path_rounds,
                self.gate_rounds,
                s.fixed_minutes,
                if c.rate_ok() { "ok" } else { "**FAILED**" }
            );
            let _ = writeln!(
                out,
                "| {} | sequential | {} | {} | {} | {} | {:.0} | {:.0} | {:.1} | {} |",
                c.name,
                percent(s.rates.rates.gate.regression),
                percent(s.rates.rates.gate.pass),
                percent(s.rates.rates.gate.noisy),
                percent(s.rate),
                s.rates.median_path_rounds,
                s.rates.median_rounds,
                s.sequential_minutes,
                if s.ok { "ok" } else { "**FAILED**" }
            );
        }
        let _ = writeln!(
            out,
            "\nPer path, the share of resampled gates that flag it as a regression:\n"
        );
        let _ = write!(out, "| path |");
        for c in &self.checks {
            let _ = write!(out, " {} |", c.name);
        }
        let _ = write!(out, "\n|---|");
        for _ in &self.checks {
            let _ = write!(out, "---:|");
        }
        let _ = writeln!(out);
        for (i, path) in self.paths.iter().enumerate() {
            let _ = write!(out, "| `{path}` |");
            for c in &self.checks {
                let rate = c
                    .rates
                    .paths
                    .get(i)
                    .map_or(f64::NAN, |r: &Rates| r.regression);
                let _ = write!(out, " {} |", percent(rate));
            }
            let _ = writeln!(out);
        }
        out
    }

    /// Reads a calibration results file; corrupt or of another format is an error.
    pub fn load(file: &Path) -> Result<Calibration, GateError> {
        crate::files::read_versioned(file, CALIBRATION_FORMAT, "calibration results").map_err(
            |reason| GateError::File {
                what: "reading",
                file: file.display().to_string(),
                reason,
            },
        )
    }

    /// Writes `calibrate.json`, `.md` and `.html` into `dir`; the JSON's path.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, GateError> {
        std::fs::create_dir_all(dir).map_err(GateError::io("creating", dir))?;
        let json = dir.join("calibrate.json");
        write_json(&json, self)?;
        write_atomically(&dir.join("calibrate.md"), &self.markdown())?;
        let mut links = String::new();
        for c in &self.checks {
            let _ = write!(
                links,
                "<li><a href=\"{0}/gate.html\">{0}</a>: the gate's own report of this comparison</li>",
                c.name
            );
        }
        let html = crate::load::html::page(
            "Gate self-test",
            &format!(
                "{}<ul>{links}</ul>",
                crate::load::html::markdown_to_html(&self.markdown())
            ),
        );
        write_atomically(&dir.join("calibrate.html"), &html)?;
        Ok(json)
    }
}

fn percent(rate: f64) -> String {
    if rate.is_finite() {
        format!("{:.1}%", rate * 100.0)
    } else {
        "—".into()
    }
}

/// The checkout's revision, or "unknown" outside git.
pub fn revision() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}
