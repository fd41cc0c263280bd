//! What every side-by-side bench shares: the order of a round, the
//! statistic of a sample, and the progress line.

/// Shuffles `items` in place (xorshift64 on `seed`): only the order of a
/// round, not a statistic, so a small generator is enough.
pub fn shuffle<T>(items: &mut [T], seed: &mut u64) {
    for i in (1..items.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let j = (*seed % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// The nearest-rank percentile `p` (0 to 1) of sorted samples; `None` when empty.
///
/// ```
/// use stellaops_benches::rounds::percentile;
/// assert_eq!(percentile(&[1, 2, 3, 4], 0.5), Some(2));
/// assert_eq!(percentile::<u32>(&[], 0.5), None);
/// ```
pub fn percentile<T: Copy>(sorted: &[T], p: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// The median of the finite values (the mean of the middle two for an
/// even count); NaN when there is none.
///
/// ```
/// use stellaops_benches::rounds::median;
/// assert_eq!(median(&[3.0, 1.0, f64::NAN, 2.0]), 2.0);
/// assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
/// assert!(median(&[]).is_nan());
/// ```
pub fn median(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Rounds done, on one line in a terminal, a line every fifth elsewhere.
pub fn progress(what: &str, done: usize, of: usize) {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        eprint!("\r{what} {done}/{of}");
        if done == of {
            eprintln!();
        }
    } else if done.is_multiple_of(5) || done == of {
        eprintln!("{what} {done}/{of}");
    }
}
