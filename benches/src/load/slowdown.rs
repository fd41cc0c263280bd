//! The slowdown knob: `STELLAOPS_LOAD_SLOWDOWN=scheduler.due_poll=1.15,…`
//! (or `*=1.05` for every path) makes the named paths slower by the factor
//! as the scenarios record them: each operation's time is its own time
//! times the factor (see [`stretch`] for why it is counted, not waited).
//! The gate's self-test injects known regressions with it. Off (unset), it
//! costs one load of a `OnceLock` per operation.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{CriticalPath, LoadError};

/// The environment variable of the knob.
pub const VAR: &str = "STELLAOPS_LOAD_SLOWDOWN";

/// Factors per path; `None` for every path not named.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Slowdown {
    all: Option<f64>,
    paths: BTreeMap<CriticalPath, f64>,
}

impl Slowdown {
    /// Parses `path=factor` pairs separated by commas; `*` names every
    /// path. Factors are from 1 to 10.
    pub fn parse(text: &str) -> Result<Slowdown, LoadError> {
        let mut slowdown = Slowdown::default();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, factor) = pair.split_once('=').ok_or_else(|| LoadError::Invalid {
                field: "slowdown",
                reason: format!("{pair:?} is not path=factor"),
            })?;
            let factor: f64 = factor.trim().parse().map_err(|_| LoadError::Invalid {
                field: "slowdown",
                reason: format!("{factor:?} is not a number"),
            })?;
            if !(1.0..=10.0).contains(&factor) {
                return Err(LoadError::Invalid {
                    field: "slowdown",
                    reason: format!("factor {factor} is outside 1 to 10"),
                });
            }
            match name.trim() {
                "*" => slowdown.all = Some(factor),
                name => {
                    slowdown.paths.insert(name.parse()?, factor);
                }
            }
        }
        Ok(slowdown)
    }

    pub fn factor(&self, path: CriticalPath) -> Option<f64> {
        self.paths.get(&path).copied().or(self.all)
    }
}

static KNOB: OnceLock<Option<Slowdown>> = OnceLock::new();

/// Reads the knob once; a bad value is an error before any load runs.
pub fn init() -> Result<Option<&'static Slowdown>, LoadError> {
    if let Some(knob) = KNOB.get() {
        return Ok(knob.as_ref());
    }
    let parsed = match std::env::var(VAR) {
        Ok(text) if !text.trim().is_empty() => Some(Slowdown::parse(&text)?),
        _ => None,
    };
    Ok(KNOB.get_or_init(|| parsed).as_ref())
}

/// The time of the operation started at `started`, as the knob makes
/// it: its own time times the factor when the knob names `path`.
///
/// The stretch is counted, not waited. Waiting was tried both ways on this
/// 2-core machine, and neither gave the factor: a spinning wait takes a
/// core from the server and from the other users (a 5% knob measured 8 to
/// 21% slower, 15% measured 21 to 37%), and sleeping on a thread with 1 ns
/// timer slack overruns a stretch of tens of microseconds by about a
/// hundred (15% measured 0 to 8%). Counting lengthens exactly the
/// operations named, under the machine's real noise, which is what the
/// gate's self-test needs to know: whether a known slowdown is told apart
/// from that noise.
pub fn stretch(path: CriticalPath, started: Instant) -> Duration {
    let took = started.elapsed();
    match KNOB.get() {
        Some(Some(knob)) => match knob.factor(path) {
            Some(factor) => took.mul_f64(factor),
            None => took,
        },
        _ => took,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths_and_refuses_nonsense() {
        let knob = Slowdown::parse("scheduler.due_poll=1.15, *=1.05").unwrap();
        assert_eq!(knob.factor(CriticalPath::DuePoll), Some(1.15));
        assert_eq!(knob.factor(CriticalPath::UserPage), Some(1.05));
        let only = Slowdown::parse("authority.user_page=1.5").unwrap();
        assert_eq!(only.factor(CriticalPath::DuePoll), None);
        assert!(Slowdown::parse("scheduler.due_pol=1.1").is_err());
        assert!(Slowdown::parse("scheduler.due_poll=fast").is_err());
        assert!(Slowdown::parse("scheduler.due_poll=0.5").is_err());
        assert!(Slowdown::parse("scheduler.due_poll").is_err());
    }

    #[test]
    fn a_stretched_operation_counts_its_factor_and_others_their_own_time() {
        KNOB.get_or_init(|| Some(Slowdown::parse("scheduler.due_poll=1.5").unwrap()));
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(2) {
            std::hint::spin_loop();
        }
        let stretched = stretch(CriticalPath::DuePoll, started);
        let plain = stretch(CriticalPath::UserPage, started);
        assert!(stretched >= Duration::from_millis(3), "{stretched:?}");
        assert!(
            plain >= Duration::from_millis(2) && plain < stretched,
            "{plain:?}"
        );
    }
}
