//! Cron expressions in IANA time zones: validation and the next fire time,
//! DST-safe.

use std::fmt;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::errors::CronError;
use croner::parser::{CronParser, Seconds};

use crate::{StorageError, input};

/// A schedule's cron expression in its time zone: when it fires next.
///
/// Parsing and evaluation are croner's (POSIX/Vixie fields, an optional
/// leading seconds field, `L`, `#`, `W`), which follows the Open Cron
/// Pattern Specification across DST changes: a fixed-time job whose wall
/// time falls in a spring-forward gap runs at the first instant after the
/// gap, and one in a fall-back overlap runs once. Time zones are IANA names
/// from chrono-tz.
///
/// ```
/// use stellaops_storage::scheduler::CronSpec;
/// let spec = CronSpec::parse("30 2 * * *", "Europe/Berlin").unwrap();
/// let after = "2026-03-28T12:00:00Z".parse().unwrap();
/// // 29 March 2026: Berlin jumps from 02:00 to 03:00; the 02:30 job runs at 03:00 CEST.
/// assert_eq!(spec.next_after(after).unwrap().to_rfc3339(), "2026-03-29T01:00:00+00:00");
/// assert!(CronSpec::parse("0 0 30 2 *", "UTC").unwrap().next_after(after).is_none());
/// ```
#[derive(Clone)]
pub struct CronSpec {
    expression: String,
    zone: Tz,
    cron: Cron,
}

impl fmt::Debug for CronSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CronSpec")
            .field("expression", &self.expression)
            .field("zone", &self.zone.name())
            .finish()
    }
}

impl CronSpec {
    /// Parses an expression and an IANA time zone; either refused is an
    /// invalid-input error naming the field and croner's or chrono-tz's reason.
    pub fn parse(expression: &str, zone: &str) -> Result<Self, StorageError> {
        input::key("cron expression", expression)?;
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .build()
            .parse(expression)
            .map_err(|e| {
                StorageError::invalid("cron expression", format!("{expression:?}: {e}"))
            })?;
        let zone = input::time_zone("time zone", zone)?;
        Ok(CronSpec {
            expression: expression.to_owned(),
            zone,
            cron,
        })
    }

    /// The first fire time strictly after `instant`, or `None` when the
    /// expression never fires again (30 February, a year in the past).
    pub fn next_after(&self, instant: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = instant.with_timezone(&self.zone);
        match self.cron.find_next_occurrence(&local, false) {
            Ok(next) => Some(crate::clock::to_micros(next.with_timezone(&Utc))),
            Err(CronError::TimeSearchLimitExceeded | CronError::InvalidDate) => None,
            // croner's other errors concern parsing, which already passed.
            Err(_) => None,
        }
    }

    pub fn expression(&self) -> &str {
        &self.expression
    }

    pub fn zone(&self) -> &str {
        self.zone.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn fires(expression: &str, zone: &str, from: &str, count: usize) -> Vec<String> {
        let spec = CronSpec::parse(expression, zone).unwrap();
        let mut now = at(from);
        let mut out = Vec::new();
        for _ in 0..count {
            now = spec.next_after(now).unwrap();
            out.push(now.to_rfc3339());
        }
        out
    }

    #[test]
    fn fixed_time_in_spring_gap_runs_once_right_after_it() {
        // New York, 8 March 2026: 02:00 EST becomes 03:00 EDT.
        assert_eq!(
            fires("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 3),
            [
                "2026-03-08T07:00:00+00:00", // 03:00 EDT, first instant after the gap
                "2026-03-09T06:30:00+00:00", // 02:30 EDT
                "2026-03-10T06:30:00+00:00",
            ]
        );
    }

    #[test]
    fn fixed_time_in_fall_overlap_runs_once() {
        // New York, 1 November 2026: 02:00 EDT becomes 01:00 EST; 01:30 happens twice.
        assert_eq!(
            fires("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 3),
            [
                "2026-11-01T05:30:00+00:00", // 01:30 EDT, the first of the two
                "2026-11-02T06:30:00+00:00", // 01:30 EST
                "2026-11-03T06:30:00+00:00",
            ]
        );
    }

    #[test]
    fn hourly_job_across_fall_back_keeps_real_hours() {
        let times = fires("0 * * * *", "Europe/Berlin", "2026-10-24T23:30:00Z", 4);
        // Every real hour, none twice and none skipped, across 03:00 CEST -> 02:00 CET.
        assert_eq!(
            times,
            [
                "2026-10-25T00:00:00+00:00",
                "2026-10-25T01:00:00+00:00",
                "2026-10-25T02:00:00+00:00",
                "2026-10-25T03:00:00+00:00",
            ]
        );
    }

    #[test]
    fn expressions_that_never_fire_have_no_next_time() {
        let from = at("2026-01-01T00:00:00Z");
        for expression in ["0 0 30 2 *", "0 0 31 4 *", "0 0 31 6,9,11 *"] {
            let spec = CronSpec::parse(expression, "UTC").unwrap();
            assert_eq!(spec.next_after(from), None, "{expression}");
        }
        // 29 February fires, in the next leap year.
        let leap = CronSpec::parse("0 0 29 2 *", "UTC").unwrap();
        assert_eq!(
            leap.next_after(from).unwrap().to_rfc3339(),
            "2028-02-29T00:00:00+00:00"
        );
    }

    #[test]
    fn next_is_strictly_after_and_truncated_to_microseconds() {
        let spec = CronSpec::parse("*/15 * * * *", "UTC").unwrap();
        let on_tick = at("2026-01-01T00:15:00Z");
        assert_eq!(
            spec.next_after(on_tick).unwrap().to_rfc3339(),
            "2026-01-01T00:30:00+00:00"
        );
        let seconds = CronSpec::parse("*/20 * * * * *", "UTC").unwrap();
        assert_eq!(
            seconds
                .next_after(at("2026-01-01T00:00:00.5Z"))
                .unwrap()
                .to_rfc3339(),
            "2026-01-01T00:00:20+00:00"
        );
    }

    #[test]
    fn refusals_name_the_field() {
        let err = CronSpec::parse("61 * * * *", "UTC").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid cron expression: \"61 * * * *\""),
            "{err}"
        );
        let err = CronSpec::parse("* * *", "UTC").unwrap_err();
        assert!(
            err.to_string().starts_with("invalid cron expression"),
            "{err}"
        );
        let err = CronSpec::parse("0 * * * *", "Mars/Olympus_Mons").unwrap_err();
        assert!(
            err.to_string()
                .contains("\"Mars/Olympus_Mons\" is not an IANA"),
            "{err}"
        );
        let err = CronSpec::parse("", "UTC").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid cron expression: must not be empty"
        );
    }
}
