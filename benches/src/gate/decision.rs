//! The verdict of one path from its per-round ratios (candidate over base,
//! each measured side by side in one round): the median ratio with a
//! distribution-free confidence interval from the order statistics (the
//! sign test's interval for a median), at a confidence corrected for the
//! number of paths (Bonferroni), so twelve paths together still fail on
//! noise no more often than one would.

use serde::{Deserialize, Serialize};

/// What the gate decides for one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// No regression above the threshold.
    Pass,
    /// Slower by more than the threshold, and the interval excludes "no change".
    Regression,
    /// The interval is too wide to tell: more rounds, or a quieter machine.
    Noisy,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Regression => "regression",
            Verdict::Noisy => "noisy",
        }
    }
}

/// The gate's thresholds, with documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GateSettings {
    /// A path fails when its median ratio is above this (1.10: 10% slower).
    pub threshold: f64,
    /// The family-wide confidence of the intervals (0.95), split over the paths.
    pub confidence: f64,
    /// An interval wider than this (upper over lower bound, 1.25) cannot
    /// tell a pass from a regression: the verdict is noisy.
    pub max_spread: f64,
    /// Measured rounds (30), after one warm-up round. Each round gives one
    /// ratio per path; at 15 rounds a true 5% slowdown failed 9% of
    /// resampled gates and a true 15% one was caught in only 68% on one
    /// path (per-round ratios spread about ±6% here).
    pub rounds: usize,
    /// A round whose canary rate differs between the sides by more than
    /// this (0.15) is disturbed and left out of the decision. (The canary's
    /// ratio between two sides of one round varies by about 6% here with
    /// nothing wrong.)
    pub canary_tolerance: f64,
    /// More disturbed rounds than this share (0.25) make every verdict noisy.
    pub max_disturbed: f64,
    /// Work (buffers or rows per operation) that grows above this (1.10) is
    /// flagged beside the time verdict.
    pub work_threshold: f64,
}

impl Default for GateSettings {
    fn default() -> Self {
        GateSettings {
            threshold: 1.10,
            confidence: 0.95,
            max_spread: 1.25,
            rounds: 30,
            canary_tolerance: 0.15,
            max_disturbed: 0.25,
            work_threshold: 1.10,
        }
    }
}

/// One path's decision and the figures behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub verdict: Verdict,
    pub median: f64,
    pub lower: f64,
    pub upper: f64,
    pub rounds: usize,
    /// The confidence the interval has for this path (after the correction).
    pub confidence: f64,
    pub reason: String,
}

/// The median of `ratios` and an interval that holds the true median with
/// at least `confidence`: the `k`-th smallest and `k`-th largest ratios,
/// with `k` the largest for which P(Binomial(n, ½) < k) ≤ (1 − confidence)/2.
/// `None` when there are too few rounds for that confidence.
///
/// ```
/// use stellaops_benches::gate::median_interval;
/// let ratios = [0.98, 1.01, 1.0, 0.99, 1.02, 1.0, 1.03, 0.97, 1.01, 1.0, 0.99];
/// let (median, lower, upper) = median_interval(&ratios, 0.95).unwrap();
/// assert_eq!(median, 1.0);
/// assert!(lower <= 1.0 && upper >= 1.0);
/// assert!(median_interval(&ratios[..4], 0.95).is_none());
/// ```
pub fn median_interval(ratios: &[f64], confidence: f64) -> Option<(f64, f64, f64)> {
    let mut sorted: Vec<f64> = ratios.iter().copied().filter(|r| r.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let median = crate::rounds::median(&sorted);
    let tail = (1.0 - confidence) / 2.0;
    // P(X < k) for X ~ Binomial(n, 1/2), growing k while it stays within the tail.
    let mut k = 0usize;
    let mut below = 0.0f64;
    loop {
        let next = below + binomial_half(n, k);
        if next > tail {
            break;
        }
        below = next;
        k += 1;
    }
    if k == 0 {
        return None;
    }
    Some((median, sorted[k - 1], sorted[n - k]))
}

/// P(X = k) for X ~ Binomial(n, 1/2), in logs to stay finite for large n.
fn binomial_half(n: usize, k: usize) -> f64 {
    if k > n {
        return 0.0;
    }
    let ln_choose: f64 = (1..=k)
        .map(|i| ((n - k + i) as f64).ln() - (i as f64).ln())
        .sum::<f64>();
    (ln_choose - n as f64 * std::f64::consts::LN_2).exp()
}

/// Decides one of `paths` paths from its per-round ratios.
pub fn decide(ratios: &[f64], paths: usize, settings: &GateSettings) -> Decision {
    let confidence = 1.0 - (1.0 - settings.confidence) / paths.max(1) as f64;
    let rounds = ratios.len();
    let Some((median, lower, upper)) = median_interval(ratios, confidence) else {
        return Decision {
            verdict: Verdict::Noisy,
            median: f64::NAN,
            lower: f64::NAN,
            upper: f64::NAN,
            rounds,
            confidence,
            reason: format!(
                "{rounds} rounds cannot give a {:.2}% interval for {paths} paths; run more rounds",
                confidence * 100.0
            ),
        };
    };
    let t = settings.threshold;
    let (verdict, reason) = if lower > t {
        (
            Verdict::Regression,
            format!("even the interval's lower bound {lower:.3} is above {t:.2}"),
        )
    } else if upper / lower > settings.max_spread {
        (
            Verdict::Noisy,
            format!(
                "interval {lower:.3}–{upper:.3} spans more than {:.0}%: cannot tell",
                (settings.max_spread - 1.0) * 100.0
            ),
        )
    } else if median > t && lower > 1.0 {
        (
            Verdict::Regression,
            format!("median {median:.3} above {t:.2}, interval excludes no change"),
        )
    } else {
        (
            Verdict::Pass,
            format!("median {median:.3}, interval {lower:.3}–{upper:.3}"),
        )
    };
    Decision {
        verdict,
        median,
        lower,
        upper,
        rounds,
        confidence,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ratios around `center` with a deterministic spread of ±`spread`.
    fn rounds(center: f64, spread: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| center * (1.0 + spread * (((i * 7919) % 101) as f64 / 50.0 - 1.0)))
            .collect()
    }

    #[test]
    fn interval_follows_the_sign_test() {
        // n = 9 at 95%: P(X <= 1) = 10/512 < 0.025 <= P(X <= 2): k = 2.
        let ratios: Vec<f64> = (1..=9).map(f64::from).collect();
        assert_eq!(median_interval(&ratios, 0.95), Some((5.0, 2.0, 8.0)));
        // Five rounds cannot give 95%: P(X = 0) = 1/32 > 0.025.
        assert_eq!(median_interval(&ratios[..5], 0.95), None);
        assert_eq!(median_interval(&[], 0.95), None);
    }

    #[test]
    fn a_a_passes_fifteen_percent_fails_five_percent_passes() {
        let settings = GateSettings::default();
        let same = decide(&rounds(1.0, 0.04, 21), 12, &settings);
        assert_eq!(same.verdict, Verdict::Pass, "{same:?}");
        let slower = decide(&rounds(1.15, 0.04, 21), 12, &settings);
        assert_eq!(slower.verdict, Verdict::Regression, "{slower:?}");
        let slight = decide(&rounds(1.05, 0.04, 21), 12, &settings);
        assert_eq!(slight.verdict, Verdict::Pass, "{slight:?}");
    }

    #[test]
    fn too_wide_or_too_few_is_noisy_not_a_failure() {
        let settings = GateSettings::default();
        let wide = decide(&rounds(1.05, 0.30, 21), 12, &settings);
        assert_eq!(wide.verdict, Verdict::Noisy, "{wide:?}");
        let few = decide(&rounds(1.5, 0.01, 6), 12, &settings);
        assert_eq!(few.verdict, Verdict::Noisy, "{few:?}");
        assert!(few.reason.contains("run more rounds"), "{}", few.reason);
        // A slowdown far beyond the noise fails even when the interval is wide.
        let clear = decide(&rounds(2.0, 0.2, 21), 12, &settings);
        assert_eq!(clear.verdict, Verdict::Regression, "{clear:?}");
    }

    #[test]
    fn the_correction_widens_the_interval_with_more_paths() {
        let ratios = rounds(1.0, 0.05, 21);
        let one = decide(&ratios, 1, &GateSettings::default());
        let twelve = decide(&ratios, 12, &GateSettings::default());
        assert!(twelve.confidence > one.confidence);
        assert!(twelve.upper - twelve.lower >= one.upper - one.lower);
    }
}
