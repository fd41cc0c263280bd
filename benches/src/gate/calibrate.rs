//! The gate's self-test arithmetic: from the per-round ratios of one
//! measured run (A/A, or with a known slowdown injected), how often would
//! a gate of `rounds` rounds fail, pass or say noisy? Estimated by
//! resampling the measured rounds with replacement (a bootstrap of whole
//! rounds), each resample decided exactly as the gate decides.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::{GateSettings, Verdict, decide};

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
    let mut gate = [0usize; 3];
    let mut per_path = vec![[0usize; 3]; paths];
    let slot = |v: Verdict| match v {
        Verdict::Regression => 0,
        Verdict::Pass => 1,
        Verdict::Noisy => 2,
    };
    for _ in 0..resamples {
        let picks: Vec<usize> = (0..rounds)
            .filter(|_| !by_round.is_empty())
            .map(|_| rng.random_range(0..by_round.len()))
            .collect();
        let verdicts: Vec<Verdict> = (0..paths)
            .map(|p| {
                let sample: Vec<f64> = picks.iter().map(|&r| by_round[r][p]).collect();
                decide(&sample, paths, settings).verdict
            })
            .collect();
        for (p, v) in verdicts.iter().enumerate() {
            per_path[p][slot(*v)] += 1;
        }
        let whole = if verdicts.contains(&Verdict::Regression) {
            Verdict::Regression
        } else if verdicts.iter().all(|v| *v == Verdict::Pass) {
            Verdict::Pass
        } else {
            Verdict::Noisy
        };
        gate[slot(whole)] += 1;
    }
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
        gate: rates(gate),
        paths: per_path.into_iter().map(rates).collect(),
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
