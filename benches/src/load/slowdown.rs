//! The slowdown knob: `STELLAOPS_LOAD_SLOWDOWN=scheduler.due_poll=1.15,…`
//! (or `*=1.05` for every path) makes the named paths really slower by the
//! factor: after the operation, the calling task sleeps until the
//! operation's time times the factor has passed (on average), as if the
//! operation had awaited longer. The gate's self-test injects known regressions with it.
//! Off (unset), it costs one load of a `OnceLock` per operation.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// What a sleep overran what it was asked, on average (nanoseconds, a
/// moving average): the next sleep asks that much less.
static OVERRUN_NANOS: AtomicU64 = AtomicU64::new(20_000);

/// Waits until the operation started at `started` has taken its factor
/// times its own time; nothing when the knob is off or names another path.
///
/// The wait neither spins nor holds a runtime thread: a spinning thread
/// takes a core from the server on a small machine and holds up the other
/// users' tasks, and a 5% stretch measured 8 to 21% slower that way. It
/// sleeps on a blocking thread with the timer slack at 1 ns (tokio's timer
/// has millisecond resolution, a stretch is tens of microseconds), asking
/// for the average overrun less, so the stretch is right on average.
pub async fn stretch(path: CriticalPath, started: Instant) {
    let Some(Some(knob)) = KNOB.get() else {
        return;
    };
    let Some(factor) = knob.factor(path) else {
        return;
    };
    let target = started.elapsed().mul_f64(factor);
    let lead = Duration::from_nanos(OVERRUN_NANOS.load(Ordering::Relaxed));
    let ask = target.saturating_sub(started.elapsed()).saturating_sub(lead);
    if ask.is_zero() {
        return;
    }
    let asked = Instant::now();
    let _ = tokio::task::spawn_blocking(move || {
        #[cfg(target_os = "linux")]
        let _ = nix::sys::prctl::set_timerslack(1);
        std::thread::sleep(ask);
    })
    .await;
    let overrun = asked.elapsed().saturating_sub(ask).as_nanos() as u64;
    let average = OVERRUN_NANOS.load(Ordering::Relaxed);
    OVERRUN_NANOS.store((average * 7 + overrun) / 8, Ordering::Relaxed);
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

    #[tokio::test]
    async fn a_stretched_operation_takes_its_factor() {
        KNOB.get_or_init(|| Some(Slowdown::parse("scheduler.due_poll=1.5").unwrap()));
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(4) {
            std::hint::spin_loop();
        }
        let before = started.elapsed();
        stretch(CriticalPath::DuePoll, started).await;
        // Right on average, not on every call: at least most of the stretch.
        assert!(started.elapsed() >= before.mul_f64(1.4), "{:?}", started.elapsed());
    }
}
