//! The injectable clock: the system clock, and a manual one tests move by
//! hand.

use std::fmt;
use std::sync::Mutex;

use chrono::{DateTime, Duration, DurationRound, Utc};

/// Where every time-dependent query gets "now": bound as a parameter, never
/// the server's `now()`, so tests can stub it and both backends agree.
/// Times are truncated to microseconds, PostgreSQL's precision.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        to_micros(Utc::now())
    }
}

/// A clock that moves only when told: for tests.
///
/// ```
/// use stellaops_storage::{Clock, ManualClock};
/// let clock = ManualClock::at("2026-01-01T00:00:00Z".parse().unwrap());
/// clock.advance(chrono::Duration::minutes(5));
/// assert_eq!(clock.now().to_rfc3339(), "2026-01-01T00:05:00+00:00");
/// ```
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    pub fn at(now: DateTime<Utc>) -> Self {
        ManualClock {
            now: Mutex::new(to_micros(now)),
        }
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.lock() = to_micros(now);
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.lock();
        *now = to_micros(*now + by);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        // A poisoned clock still holds a valid time.
        self.now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.lock()
    }
}

/// Truncates to PostgreSQL's precision, so a time written and read back is equal.
pub fn to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    time.duration_trunc(Duration::microseconds(1))
        .unwrap_or(time)
}
