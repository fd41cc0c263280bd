//! The verdict of one path from its per-round ratios (candidate over base,
//! each measured side by side in one round): the median ratio with a
//! distribution-free confidence interval from the order statistics (the
//! sign test's interval for a median), at a confidence corrected for the
//! number of paths (Bonferroni), so twelve paths together still fail on
//! noise no more often than one would.
//!
//! Sequentially ([`decide_sequential`]), the same interval is looked at
//! after `min_rounds` rounds and every `look_every` rounds after, up to
//! `rounds`: a path whose interval already lies within the threshold
//! stops as a pass, one whose lower bound is above it stops as a
//! regression, the others go on. Looking more than once spends the error
//! rate once per look, so each look gets its own share of it (alpha
//! spending, Bonferroni over the looks: half the rate split evenly over
//! the early looks, the other half kept for the last); whatever the data,
//! the chance that any look of any path errs stays within the family-wide
//! rate. A path still open after the last look is decided as the fixed
//! gate decides it; one still open when the time budget ends the gate is
//! noisy, never a silent pass.

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
    /// Decide paths as the rounds come ([`decide_sequential`]): a decided
    /// path stops being measured. Off: every path runs every round.
    #[serde(default = "default_sequential")]
    pub sequential: bool,
    /// The first look (15 rounds): with four paths or more, ten rounds
    /// cannot give an early look's confidence at all (2^-10 is above the
    /// tail it may spend), so a look there would only spend the rate.
    #[serde(default = "default_min_rounds")]
    pub min_rounds: usize,
    /// Rounds between looks after the first (5).
    #[serde(default = "default_look_every")]
    pub look_every: usize,
    /// The gate's wall-time budget in minutes (20), the base's build
    /// included: when it runs out, the rounds stop and the paths still
    /// open are noisy.
    #[serde(default = "default_budget_minutes")]
    pub budget_minutes: f64,
}

fn default_sequential() -> bool {
    true
}

fn default_min_rounds() -> usize {
    15
}

fn default_look_every() -> usize {
    5
}

fn default_budget_minutes() -> f64 {
    20.0
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
            sequential: default_sequential(),
            min_rounds: default_min_rounds(),
            look_every: default_look_every(),
            budget_minutes: default_budget_minutes(),
        }
    }
}

impl GateSettings {
    /// The rounds after which a sequential gate looks: `min_rounds`, then
    /// every `look_every`, and always `rounds` last.
    pub fn looks(&self) -> Vec<usize> {
        let last = self.rounds.max(1);
        let mut looks: Vec<usize> = (self.min_rounds.max(1)..last)
            .step_by(self.look_every.max(1))
            .collect();
        looks.push(last);
        looks
    }

    /// The family-wide error rate a look may spend: half of it split over
    /// the early looks, the other half (all of it, with one look) at the
    /// last.
    fn spent_at(&self, look: usize, looks: usize) -> f64 {
        let alpha = 1.0 - self.confidence;
        if looks <= 1 {
            alpha
        } else if look + 1 == looks {
            alpha / 2.0
        } else {
            alpha / 2.0 / (looks - 1) as f64
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
    /// The round a sequential gate decided this path at, before its last
    /// look (it was not measured after).
    #[serde(default)]
    pub decided_at: Option<usize>,
}

impl Decision {
    /// The rounds behind the decision, and the round a sequential gate
    /// stopped the path at: `15 (decided at round 15)`.
    pub fn rounds_text(&self) -> String {
        match self.decided_at {
            Some(at) => format!("{} (decided at round {at})", self.rounds),
            None => self.rounds.to_string(),
        }
    }
}

/// Where a sequential decision stands after the rounds so far.
#[derive(Debug, Clone, PartialEq)]
pub enum Sequential {
    /// Decided at a look: measure it no more.
    Decided(Decision),
    /// Not decided yet: the decision the rounds so far would give, for the
    /// report if the budget ends the gate now.
    Open(Decision),
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
    decide_at(ratios, paths, confidence, settings)
}

/// One of `paths` paths after its measured rounds in order (`None`: a
/// round the canary left out), looked at as a sequential gate looks.
pub fn decide_sequential(
    by_round: &[Option<f64>],
    paths: usize,
    settings: &GateSettings,
) -> Sequential {
    let looks = settings.looks();
    let ratios_until = |n: usize| -> Vec<f64> { by_round[..n].iter().flatten().copied().collect() };
    let confidence_at =
        |look: usize| 1.0 - settings.spent_at(look, looks.len()) / paths.max(1) as f64;
    for (i, &at) in looks.iter().enumerate() {
        if at > by_round.len() {
            break;
        }
        let mut decision = decide_at(&ratios_until(at), paths, confidence_at(i), settings);
        if i + 1 == looks.len() {
            return Sequential::Decided(decision);
        }
        let t = settings.threshold;
        let early = match decision.verdict {
            Verdict::Regression if decision.lower > t => true,
            Verdict::Pass if decision.upper <= t => true,
            _ => false,
        };
        if early {
            decision.decided_at = Some(at);
            decision.reason = format!("decided at round {at}: {}", decision.reason);
            return Sequential::Decided(decision);
        }
    }
    // Open: what the last look reached (or the rounds so far) would say.
    let reached = looks.iter().rposition(|&at| at <= by_round.len());
    let confidence = confidence_at(reached.unwrap_or(0));
    Sequential::Open(decide_at(
        &ratios_until(by_round.len()),
        paths,
        confidence,
        settings,
    ))
}

fn decide_at(ratios: &[f64], paths: usize, confidence: f64, settings: &GateSettings) -> Decision {
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
            decided_at: None,
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
        decided_at: None,
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
    fn looks_spend_the_error_rate_once_in_all() {
        let settings = GateSettings::default();
        assert_eq!(settings.looks(), [15, 20, 25, 30]);
        let looks = settings.looks().len();
        let spent: f64 = (0..looks).map(|i| settings.spent_at(i, looks)).sum();
        assert!(
            (spent - (1.0 - settings.confidence)).abs() < 1e-12,
            "{spent}"
        );
        let one = GateSettings {
            rounds: 8,
            ..GateSettings::default()
        };
        assert_eq!(one.looks(), [8]);
        assert!((one.spent_at(0, 1) - 0.05).abs() < 1e-12);
    }

    #[test]
    fn a_clear_path_stops_at_a_look_and_a_doubtful_one_goes_on() {
        let settings = GateSettings::default();
        let same: Vec<Option<f64>> = rounds(1.0, 0.02, 30).into_iter().map(Some).collect();
        // Before the first look nothing is decided.
        assert!(matches!(
            decide_sequential(&same[..14], 3, &settings),
            Sequential::Open(_)
        ));
        match decide_sequential(&same, 3, &settings) {
            Sequential::Decided(d) => {
                assert_eq!(
                    (d.verdict, d.decided_at),
                    (Verdict::Pass, Some(15)),
                    "{d:?}"
                );
                assert!(d.reason.starts_with("decided at round 15"), "{}", d.reason);
            }
            open => panic!("{open:?}"),
        }
        let slower: Vec<Option<f64>> = rounds(1.4, 0.02, 30).into_iter().map(Some).collect();
        match decide_sequential(&slower, 3, &settings) {
            Sequential::Decided(d) => {
                assert_eq!((d.verdict, d.decided_at), (Verdict::Regression, Some(15)))
            }
            open => panic!("{open:?}"),
        }
        // Around the threshold: no look decides early; the last one does,
        // as the fixed gate would, and says nothing of an early stop.
        let near: Vec<Option<f64>> = rounds(1.1, 0.05, 30).into_iter().map(Some).collect();
        assert!(matches!(
            decide_sequential(&near[..29], 3, &settings),
            Sequential::Open(_)
        ));
        match decide_sequential(&near, 3, &settings) {
            Sequential::Decided(d) => assert_eq!(d.decided_at, None, "{d:?}"),
            open => panic!("{open:?}"),
        }
        // A disturbed round counts as a round but gives no ratio: the look
        // at round 15 decides on 14 ratios.
        let mut gaps = same.clone();
        gaps[3] = None;
        match decide_sequential(&gaps, 3, &settings) {
            Sequential::Decided(d) => assert_eq!((d.rounds, d.decided_at), (14, Some(15)), "{d:?}"),
            open => panic!("{open:?}"),
        }
    }

    #[test]
    fn ten_rounds_cannot_decide_four_paths_early() {
        let early = GateSettings {
            min_rounds: 10,
            ..GateSettings::default()
        };
        let same: Vec<Option<f64>> = rounds(1.0, 0.02, 30).into_iter().map(Some).collect();
        assert!(matches!(
            decide_sequential(&same[..14], 4, &early),
            Sequential::Open(_)
        ));
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
