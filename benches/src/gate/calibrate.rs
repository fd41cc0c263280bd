//! The gate's self-test arithmetic: from the per-round ratios of one
//! measured run (A/A, or with a known slowdown injected), how often would
//! a gate of `rounds` rounds fail, pass or say noisy? Estimated by
//! resampling the measured rounds with replacement (a bootstrap of whole
//! rounds), each resample decided exactly as the gate decides.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::{GateSettings, Sequential, Verdict, decide, decide_sequential};

/// How often each verdict came out over the resamples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    pub regression: f64,
    pub pass: f64,
    pub noisy: f64,
    pub resamples: usize,
}

/// Resamples `measured` ratios `resamples` times into gates of `rounds`
/// rounds over `paths` paths; deterministic for a `seed`.
pub fn estimate(
    measured: &[f64],
    rounds: usize,
    paths: usize,
    settings: &GateSettings,
    resamples: usize,
    seed: u64,
) -> Rates {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut regression, mut pass, mut noisy) = (0usize, 0usize, 0usize);
    let mut sample = Vec::with_capacity(rounds);
    for _ in 0..resamples {
        sample.clear();
        for _ in 0..rounds {
            if measured.is_empty() {
                break;
            }
            sample.push(measured[rng.random_range(0..measured.len())]);
        }
        match decide(&sample, paths, settings).verdict {
            Verdict::Regression => regression += 1,
            Verdict::Pass => pass += 1,
            Verdict::Noisy => noisy += 1,
        }
    }
    let of = |count: usize| count as f64 / resamples.max(1) as f64;
    Rates {
        regression: of(regression),
        pass: of(pass),
        noisy: of(noisy),
        resamples,
    }
}

/// The rates of whole gates: per resample, every path decided on the same
/// resampled rounds (paths measured in one round move together).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateRates {
    /// Any path a regression / every path a pass / otherwise.
    pub gate: Rates,
    /// Each path's own rates, in the order of the columns.
    pub paths: Vec<Rates>,
}

/// Resamples whole rounds (`by_round[round][path]` ratios) into gates of
/// `rounds` rounds and decides them as the gate does.
pub fn estimate_gate(
    by_round: &[Vec<f64>],
    rounds: usize,
    settings: &GateSettings,
    resamples: usize,
    seed: u64,
) -> GateRates {
    let paths = by_round.first().map_or(0, Vec::len);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tally = Tally::new(paths, resamples);
    for _ in 0..resamples {
        let picks = resample(&mut rng, by_round.len(), rounds);
        let verdicts: Vec<Verdict> = (0..paths)
            .map(|p| {
                let sample: Vec<f64> = picks.iter().map(|&r| by_round[r][p]).collect();
                decide(&sample, paths, settings).verdict
            })
            .collect();
        tally.add(&verdicts);
    }
    tally.rates()
}

/// The rates of whole sequential gates and what they cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequentialRates {
    pub rates: GateRates,
    /// Path-rounds measured per gate (a path stops at the look that
    /// decides it): the median over the resampled gates, and what a fixed
    /// gate of the same rounds measures (rounds times paths).
    pub median_path_rounds: f64,
    pub fixed_path_rounds: f64,
    /// Rounds until the last path was decided, median over the gates.
    pub median_rounds: f64,
}

/// Resamples whole rounds (`by_round[round][path]` ratios) into sequential
/// gates of at most `rounds` rounds, each path decided at its looks as the
/// gate decides it (a path still open at the end is decided as the fixed
/// gate decides it, at the last look's confidence).
pub fn estimate_sequential_gate(
    by_round: &[Vec<f64>],
    rounds: usize,
    settings: &GateSettings,
    resamples: usize,
    seed: u64,
) -> SequentialRates {
    let paths = by_round.first().map_or(0, Vec::len);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tally = Tally::new(paths, resamples);
    let mut path_rounds = Vec::with_capacity(resamples);
    let mut gate_rounds = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let picks = resample(&mut rng, by_round.len(), rounds);
        let decisions: Vec<_> = (0..paths)
            .map(|p| {
                let sample: Vec<Option<f64>> =
                    picks.iter().map(|&r| Some(by_round[r][p])).collect();
                match decide_sequential(&sample, paths, settings) {
                    Sequential::Decided(d) | Sequential::Open(d) => d,
                }
            })
            .collect();
        let used: Vec<usize> = decisions
            .iter()
            .map(|d| d.decided_at.unwrap_or(rounds))
            .collect();
        let measured: usize = used.iter().sum();
        let longest = used.iter().copied().max().unwrap_or(0);
        let verdicts: Vec<Verdict> = decisions.iter().map(|d| d.verdict).collect();
        tally.add(&verdicts);
        path_rounds.push(measured as f64);
        gate_rounds.push(longest as f64);
    }
    let median_of = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        crate::rounds::median(&values)
    };
    SequentialRates {
        rates: tally.rates(),
        median_path_rounds: median_of(path_rounds),
        fixed_path_rounds: (rounds * paths) as f64,
        median_rounds: median_of(gate_rounds),
    }
}

/// `rounds` round indexes drawn with replacement from `0..measured`.
fn resample(rng: &mut StdRng, measured: usize, rounds: usize) -> Vec<usize> {
    if measured == 0 {
        return Vec::new();
    }
    (0..rounds).map(|_| rng.random_range(0..measured)).collect()
}

/// Verdicts counted per path and per whole gate (any path a regression,
/// every path a pass, otherwise noisy).
struct Tally {
    gate: [usize; 3],
    per_path: Vec<[usize; 3]>,
    resamples: usize,
}

impl Tally {
    fn new(paths: usize, resamples: usize) -> Tally {
        Tally {
            gate: [0; 3],
            per_path: vec![[0; 3]; paths],
            resamples,
        }
    }

    fn slot(verdict: Verdict) -> usize {
        match verdict {
            Verdict::Regression => 0,
            Verdict::Pass => 1,
            Verdict::Noisy => 2,
        }
    }

    fn add(&mut self, verdicts: &[Verdict]) {
        for (p, v) in verdicts.iter().enumerate() {
            self.per_path[p][Tally::slot(*v)] += 1;
        }
        let whole = if verdicts.contains(&Verdict::Regression) {
            Verdict::Regression
        } else if verdicts.iter().all(|v| *v == Verdict::Pass) {
            Verdict::Pass
        } else {
            Verdict::Noisy
        };
        self.gate[Tally::slot(whole)] += 1;
    }

    fn rates(self) -> GateRates {
        let resamples = self.resamples;
        let rates = |counts: [usize; 3]| {
            let of = |c: usize| c as f64 / resamples.max(1) as f64;
            Rates {
                regression: of(counts[0]),
                pass: of(counts[1]),
                noisy: of(counts[2]),
                resamples,
            }
        };
        GateRates {
            gate: rates(self.gate),
            paths: self.per_path.into_iter().map(rates).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lognormal-ish noise around `center`, deterministic.
    fn measured(center: f64, spread: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..n)
            .map(|_| center * (1.0 + spread * (rng.random::<f64>() - 0.5) * 2.0))
            .collect()
    }

    #[test]
    fn rates_tell_the_three_calibration_runs_apart() {
        let settings = GateSettings::default();
        let aa = estimate(&measured(1.0, 0.05, 60, 1), 21, 12, &settings, 400, 7);
        assert!(aa.regression <= 0.01, "{aa:?}");
        let five = estimate(&measured(1.05, 0.05, 60, 2), 21, 12, &settings, 400, 7);
        assert!(five.regression <= 0.05, "{five:?}");
        let fifteen = estimate(&measured(1.15, 0.05, 60, 3), 21, 12, &settings, 400, 7);
        assert!(fifteen.regression >= 0.95, "{fifteen:?}");
        assert_eq!(
            estimate(&measured(1.0, 0.05, 60, 1), 21, 12, &settings, 400, 7),
            aa
        );
    }

    /// `rounds` rounds of `paths` paths, each ratio `center` times noise
    /// of ±`spread` (uniform, deterministic).
    fn measured_rounds(
        center: f64,
        spread: f64,
        rounds: usize,
        paths: usize,
        seed: u64,
    ) -> Vec<Vec<f64>> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..rounds)
            .map(|_| {
                (0..paths)
                    .map(|_| center * (1.0 + spread * (rng.random::<f64>() - 0.5) * 2.0))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_sequential_rule_keeps_the_error_rates_and_measures_less() {
        // 32 paths (six modules' worth), ±6% per-round noise as measured here.
        let settings = GateSettings::default();
        let run = |center: f64, seed: u64| {
            let rounds = measured_rounds(center, 0.06, 40, 32, seed);
            let fixed = estimate_gate(&rounds, settings.rounds, &settings, 300, 11);
            let sequential = estimate_sequential_gate(&rounds, settings.rounds, &settings, 300, 11);
            (fixed, sequential)
        };
        let (fixed, aa) = run(1.0, 1);
        assert!(aa.rates.gate.regression <= 0.01, "{aa:?}");
        assert!(fixed.gate.regression <= 0.01, "{fixed:?}");
        // Most paths stop early: far fewer path-rounds than the fixed gate's
        // (480 of 960 here: every path decided at round 15).
        assert!(aa.median_path_rounds < 0.7 * aa.fixed_path_rounds, "{aa:?}");
        let (_, five) = run(1.05, 2);
        assert!(five.rates.gate.regression <= 0.05, "{five:?}");
        let (_, fifteen) = run(1.15, 3);
        let lowest = fifteen
            .rates
            .paths
            .iter()
            .map(|r| r.regression)
            .fold(1.0, f64::min);
        assert!(lowest >= 0.95, "{lowest} {fifteen:?}");
        assert!(
            fifteen.median_path_rounds < fifteen.fixed_path_rounds,
            "{fifteen:?}"
        );
    }

    #[test]
    fn whole_gates_fail_when_any_path_does() {
        let settings = GateSettings::default();
        // Three paths; only the last one is 20% slower.
        let by_round: Vec<Vec<f64>> = (0..30)
            .map(|i| {
                let noise = 1.0 + ((i * 13) % 9) as f64 / 300.0;
                vec![noise, noise, 1.2 * noise]
            })
            .collect();
        let rates = estimate_gate(&by_round, 15, &settings, 300, 3);
        assert_eq!(rates.gate.regression, 1.0, "{rates:?}");
        assert_eq!(rates.paths[0].regression, 0.0);
        assert_eq!(rates.paths[2].regression, 1.0);
    }
}
