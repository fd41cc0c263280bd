//! From measured rounds to a verdict per path: the per-round ratios of the
//! median latency (candidate over base), the rounds the canary says were
//! disturbed left out, the work measure and the plans compared beside.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::interleave::{Round, SideRound};
use super::{Decision, GateSettings, Sequential, Verdict, decide, decide_sequential};
use crate::rounds::median;

/// The canary in one round: both sides' rates and their ratio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanaryRound {
    pub round: usize,
    pub base_tps: f64,
    pub candidate_tps: f64,
    /// Candidate over base: above 1 the candidate's side had the faster machine.
    pub ratio: f64,
    pub disturbed: bool,
}

/// The canary over all rounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanarySummary {
    /// Why there is no canary, when there is none.
    pub unavailable: Option<String>,
    pub rounds: Vec<CanaryRound>,
    /// Lowest and highest rate seen, and their spread (highest over lowest).
    pub min_tps: f64,
    pub max_tps: f64,
    pub disturbed: usize,
    /// True when too many rounds were disturbed to decide at all.
    pub too_noisy: bool,
}

/// Work per operation, base against candidate (medians over the rounds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkChange {
    pub base_buffers: f64,
    pub candidate_buffers: f64,
    pub base_rows: f64,
    pub candidate_rows: f64,
    /// Candidate over base, buffers and rows.
    pub buffers_ratio: f64,
    pub rows_ratio: f64,
    /// Statements per operation (round trips): an extra one is named as such.
    #[serde(default)]
    pub base_statements: f64,
    #[serde(default)]
    pub candidate_statements: f64,
    /// Any of the three grew above the work threshold.
    pub grew: bool,
}

impl WorkChange {
    /// Statements per operation, when both sides differ by more than rounding.
    pub fn statements_changed(&self) -> bool {
        (self.candidate_statements - self.base_statements).abs() >= 0.05
    }

    /// The statements part of the work column: `statements 2.0 → 3.0`
    /// when they changed, nothing when not.
    pub fn statements_note(&self) -> String {
        if self.statements_changed() {
            format!(
                ", statements/op {:.1} → {:.1}",
                self.base_statements, self.candidate_statements
            )
        } else {
            String::new()
        }
    }
}

/// One statement whose plan differs between the sides (or that only one
/// side ran).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDiff {
    pub statement: String,
    pub base: Option<String>,
    pub candidate: Option<String>,
}

/// One path's verdict and what stands beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathVerdict {
    pub path: String,
    /// Median over the rounds of each side's median latency, µs.
    pub base_micros: f64,
    pub candidate_micros: f64,
    pub decision: Decision,
    pub work: Option<WorkChange>,
    /// `None` when no plans were recorded; otherwise the differing statements.
    pub plan_diffs: Option<Vec<PlanDiff>>,
}

impl PathVerdict {
    pub fn plan_changed(&self) -> Option<bool> {
        self.plan_diffs.as_ref().map(|d| !d.is_empty())
    }
}

impl CanarySummary {
    /// The indexes of the rounds the canary left out.
    pub fn disturbed_rounds(&self) -> Vec<usize> {
        self.rounds
            .iter()
            .filter(|r| r.disturbed)
            .map(|r| r.round)
            .collect()
    }
}

/// The canary's rounds, which are disturbed, and whether that is too many.
pub fn canary(
    rounds: &[Round],
    base: &str,
    candidate: &str,
    settings: &GateSettings,
) -> CanarySummary {
    let mut out = CanarySummary {
        unavailable: None,
        rounds: Vec::new(),
        min_tps: f64::INFINITY,
        max_tps: 0.0,
        disturbed: 0,
        too_noisy: false,
    };
    for round in rounds {
        let (Some(b), Some(c)) = (
            round.side(base).and_then(|s| s.canary_tps),
            round.side(candidate).and_then(|s| s.canary_tps),
        ) else {
            continue;
        };
        let ratio = c / b;
        let disturbed = (ratio.ln()).abs() > (1.0 + settings.canary_tolerance).ln();
        out.min_tps = out.min_tps.min(b.min(c));
        out.max_tps = out.max_tps.max(b.max(c));
        out.disturbed += usize::from(disturbed);
        out.rounds.push(CanaryRound {
            round: round.index,
            base_tps: b,
            candidate_tps: c,
            ratio,
            disturbed,
        });
    }
    if out.rounds.is_empty() {
        out.min_tps = f64::NAN;
        out.max_tps = f64::NAN;
    }
    out.too_noisy = !out.rounds.is_empty()
        && out.disturbed as f64 > settings.max_disturbed * out.rounds.len() as f64;
    out
}

/// The verdict of each of `paths` for `candidate` against `base`.
pub fn judge(
    rounds: &[Round],
    warmups: &[SideRound],
    paths: &[String],
    base: &str,
    candidate: &str,
    canary: &CanarySummary,
    settings: &GateSettings,
) -> Vec<PathVerdict> {
    let disturbed = canary.disturbed_rounds();
    let plans_of = |side: &str, path: &str| {
        warmups
            .iter()
            .find(|w| w.side == side)
            .and_then(|w| w.path(path))
            .and_then(|p| p.work.as_ref())
            .map(|w| w.plans.clone())
            .filter(|plans| !plans.is_empty())
    };
    paths
        .iter()
        .map(|path| {
            let mut by_round = Vec::new();
            let (mut base_micros, mut candidate_micros) = (Vec::new(), Vec::new());
            let (mut work_base, mut work_candidate) = (Vec::new(), Vec::new());
            for round in rounds {
                let (Some(b), Some(c)) = (
                    round.side(base).and_then(|s| s.path(path)),
                    round.side(candidate).and_then(|s| s.path(path)),
                ) else {
                    continue;
                };
                base_micros.push(b.p50_micros);
                candidate_micros.push(c.p50_micros);
                if let (Some(wb), Some(wc)) = (&b.work, &c.work) {
                    work_base.push((wb.buffers_per_op, wb.rows_per_op, wb.calls_per_op));
                    work_candidate.push((wc.buffers_per_op, wc.rows_per_op, wc.calls_per_op));
                }
                by_round.push(
                    (!disturbed.contains(&round.index)).then(|| c.p50_micros / b.p50_micros),
                );
            }
            let mut decision = path_decision(&by_round, paths.len(), settings);
            let left_out = by_round.iter().filter(|r| r.is_none()).count();
            if too_disturbed(&by_round, settings) {
                decision.verdict = Verdict::Noisy;
                decision.reason = format!(
                    "the canary moved more than {:.0}% between the sides in {left_out} of the {} rounds that measured this path: the machine was too noisy to decide",
                    settings.canary_tolerance * 100.0,
                    by_round.len()
                );
            } else if left_out > 0 {
                decision.reason = format!("{} ({left_out} disturbed rounds left out)", decision.reason);
            }
            let work = (!work_base.is_empty()).then(|| {
                type Work = (f64, f64, f64);
                let median_of = |values: &[Work], pick: fn(&Work) -> f64| {
                    median(&values.iter().map(pick).collect::<Vec<_>>())
                };
                let base_buffers = median_of(&work_base, |w| w.0);
                let candidate_buffers = median_of(&work_candidate, |w| w.0);
                let base_rows = median_of(&work_base, |w| w.1);
                let candidate_rows = median_of(&work_candidate, |w| w.1);
                let base_statements = median_of(&work_base, |w| w.2);
                let candidate_statements = median_of(&work_candidate, |w| w.2);
                let buffers_ratio = ratio_of(candidate_buffers, base_buffers);
                let rows_ratio = ratio_of(candidate_rows, base_rows);
                let statements_ratio = ratio_of(candidate_statements, base_statements);
                WorkChange {
                    base_buffers,
                    candidate_buffers,
                    base_rows,
                    candidate_rows,
                    buffers_ratio,
                    rows_ratio,
                    base_statements,
                    candidate_statements,
                    grew: buffers_ratio > settings.work_threshold
                        || rows_ratio > settings.work_threshold
                        || statements_ratio > settings.work_threshold,
                }
            });
            let plan_diffs = match (plans_of(base, path), plans_of(candidate, path)) {
                (Some(b), Some(c)) => Some(diff_plans(&b, &c)),
                _ => None,
            };
            PathVerdict {
                path: path.clone(),
                base_micros: median(&base_micros),
                candidate_micros: median(&candidate_micros),
                decision,
                work,
                plan_diffs,
            }
        })
        .collect()
}

/// A path's decision from its rounds in order (`None`: disturbed): the
/// fixed gate's, or the sequential one's, where a path the rounds left
/// open (the budget ended the gate) is noisy.
fn path_decision(by_round: &[Option<f64>], paths: usize, settings: &GateSettings) -> Decision {
    if !settings.sequential {
        let ratios: Vec<f64> = by_round.iter().flatten().copied().collect();
        return decide(&ratios, paths, settings);
    }
    match decide_sequential(by_round, paths, settings) {
        Sequential::Decided(decision) => decision,
        Sequential::Open(mut decision) => {
            decision.verdict = Verdict::Noisy;
            decision.reason = format!(
                "undecided when the time budget ({} min) ended the gate after {} rounds: {}",
                settings.budget_minutes,
                by_round.len(),
                decision.reason
            );
            decision
        }
    }
}

/// Whether more than the settings' share of the rounds that measured a
/// path were disturbed. Counted per path: a sequential gate's last rounds
/// measure few paths, and their canaries (one turn a side) move more than
/// a full round's median of a turn per path.
fn too_disturbed(by_round: &[Option<f64>], settings: &GateSettings) -> bool {
    let left_out = by_round.iter().filter(|r| r.is_none()).count();
    !by_round.is_empty() && left_out as f64 > settings.max_disturbed * by_round.len() as f64
}

/// The paths a sequential gate must still measure after `rounds`: those
/// no look has decided yet (all of them for a fixed gate).
pub fn open_paths(
    rounds: &[Round],
    paths: &[String],
    base: &str,
    candidate: &str,
    settings: &GateSettings,
) -> Vec<String> {
    if !settings.sequential {
        return paths.to_vec();
    }
    let canary = canary(rounds, base, candidate, settings);
    let disturbed = canary.disturbed_rounds();
    paths
        .iter()
        .filter(|path| {
            let by_round: Vec<Option<f64>> = rounds
                .iter()
                .filter_map(|round| {
                    let b = round.side(base)?.path(path)?;
                    let c = round.side(candidate)?.path(path)?;
                    Some((!disturbed.contains(&round.index)).then(|| c.p50_micros / b.p50_micros))
                })
                .collect();
            // A path measured through too many disturbed rounds is not
            // decided yet, whatever its interval says.
            too_disturbed(&by_round, settings)
                || matches!(
                    decide_sequential(&by_round, paths.len(), settings),
                    Sequential::Open(_)
                )
        })
        .cloned()
        .collect()
}

/// The worst verdict: any regression, else any noisy, else pass.
pub fn overall(verdicts: &[PathVerdict]) -> Verdict {
    let any = |v| verdicts.iter().any(|p| p.decision.verdict == v);
    if any(Verdict::Regression) {
        Verdict::Regression
    } else if any(Verdict::Noisy) || verdicts.is_empty() {
        Verdict::Noisy
    } else {
        Verdict::Pass
    }
}

/// Statements whose plans differ, or that one side ran and the other not.
pub fn diff_plans(
    base: &BTreeMap<String, String>,
    candidate: &BTreeMap<String, String>,
) -> Vec<PlanDiff> {
    let statements: std::collections::BTreeSet<&String> =
        base.keys().chain(candidate.keys()).collect();
    statements
        .into_iter()
        .filter_map(|statement| {
            let (b, c) = (base.get(statement), candidate.get(statement));
            (b != c).then(|| PlanDiff {
                statement: statement.clone(),
                base: b.cloned(),
                candidate: c.cloned(),
            })
        })
        .collect()
}

/// `a / b`, 1 when both are zero (no work on either side is no change).
fn ratio_of(a: f64, b: f64) -> f64 {
    if a == 0.0 && b == 0.0 { 1.0 } else { a / b }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{PathStats, PathWork};

    fn stats(path: &str, p50: f64, buffers: f64) -> PathStats {
        PathStats {
            path: path.into(),
            operations: 100,
            errors: 0,
            mean_micros: p50,
            p50_micros: p50,
            p95_micros: p50,
            p99_micros: p50,
            max_micros: p50,
            throughput: 1.0,
            busy_secs: 1.0,
            work: Some(PathWork {
                buffers_per_op: buffers,
                rows_per_op: 1.0,
                calls_per_op: 3.0,
                plans: BTreeMap::new(),
            }),
        }
    }

    fn side(name: &str, canary: f64, p50: f64, buffers: f64) -> SideRound {
        SideRound {
            side: name.into(),
            canary_tps: Some(canary),
            seconds: 1.0,
            paths: vec![stats("scheduler.due_poll", p50, buffers)],
            work_unavailable: None,
        }
    }

    fn rounds(factor: f64, disturbed_every: usize, buffers: f64) -> Vec<Round> {
        (1..=15)
            .map(|index| {
                let noise = 1.0 + ((index * 37) % 7) as f64 / 200.0;
                let canary = if disturbed_every > 0 && index % disturbed_every == 0 {
                    0.7
                } else {
                    1.0
                };
                Round {
                    index,
                    order: vec!["scheduler.due_poll".into()],
                    sides: vec![
                        side("base", 10_000.0, 100.0 * noise, 10.0),
                        side(
                            "candidate",
                            10_000.0 * canary,
                            100.0 * noise * factor,
                            buffers,
                        ),
                    ],
                }
            })
            .collect()
    }

    fn verdict_of(rounds: &[Round]) -> (PathVerdict, CanarySummary) {
        let settings = GateSettings::default();
        let canary = canary(rounds, "base", "candidate", &settings);
        let paths = vec!["scheduler.due_poll".to_owned()];
        let v = judge(rounds, &[], &paths, "base", "candidate", &canary, &settings);
        (v[0].clone(), canary)
    }

    #[test]
    fn an_extra_round_trip_is_named_as_statements_per_operation() {
        let mut extra = rounds(1.0, 0, 10.0);
        for round in &mut extra {
            for side in round.sides.iter_mut().filter(|s| s.side == "candidate") {
                if let Some(work) = side.paths[0].work.as_mut() {
                    work.calls_per_op = 4.0;
                }
            }
        }
        let (v, _) = verdict_of(&extra);
        let work = v.work.unwrap();
        assert!(work.grew, "{work:?}");
        assert_eq!(work.statements_note(), ", statements/op 3.0 → 4.0");
        let (same, _) = verdict_of(&rounds(1.0, 0, 10.0));
        assert_eq!(same.work.unwrap().statements_note(), "");
    }

    #[test]
    fn a_slower_candidate_fails_and_work_growth_is_flagged() {
        let (same, _) = verdict_of(&rounds(1.0, 0, 10.0));
        assert_eq!(same.decision.verdict, Verdict::Pass, "{same:?}");
        assert!(!same.work.as_ref().unwrap().grew);
        let (slower, _) = verdict_of(&rounds(1.2, 0, 25.0));
        assert_eq!(slower.decision.verdict, Verdict::Regression, "{slower:?}");
        let work = slower.work.unwrap();
        assert!(
            work.grew && (work.buffers_ratio - 2.5).abs() < 1e-9,
            "{work:?}"
        );
    }

    #[test]
    fn a_moving_canary_leaves_rounds_out_then_makes_it_noisy() {
        let (few, canary) = verdict_of(&rounds(1.0, 8, 10.0));
        assert_eq!(canary.disturbed, 1);
        assert!(
            few.decision.reason.contains("1 disturbed rounds left out"),
            "{}",
            few.decision.reason
        );
        let (many, canary) = verdict_of(&rounds(1.2, 2, 10.0));
        assert!(canary.too_noisy, "{canary:?}");
        assert_eq!(many.decision.verdict, Verdict::Noisy);
        assert!(
            many.decision.reason.contains("canary moved"),
            "{}",
            many.decision.reason
        );
    }

    #[test]
    fn plans_that_differ_or_appear_on_one_side_are_listed() {
        let base: BTreeMap<String, String> = [
            ("SELECT a".to_owned(), "Index Scan".to_owned()),
            ("SELECT b".to_owned(), "Seq Scan".to_owned()),
        ]
        .into();
        let mut candidate = base.clone();
        assert!(diff_plans(&base, &candidate).is_empty());
        candidate.insert("SELECT a".into(), "Seq Scan".into());
        candidate.remove("SELECT b");
        let diffs = diff_plans(&base, &candidate);
        assert_eq!(diffs.len(), 2);
        assert_eq!(diffs[0].candidate.as_deref(), Some("Seq Scan"));
        assert_eq!(diffs[1].candidate, None);
    }
}
