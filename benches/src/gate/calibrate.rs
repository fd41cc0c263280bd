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
}
