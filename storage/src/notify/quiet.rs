//! When quiet hours hold: wall-clock windows in an IANA time zone turned
//! into instants, across both DST changes.
//!
//! A window of a listed ISO weekday runs from `starts_at` on that local
//! date to `ends_at` on the same date, or on the next one when `ends_at` is
//! not after `starts_at` (an overnight window). It is one interval of
//! instants:
//!
//! - it begins at the first instant the zone shows `starts_at`; a start
//!   the zone skips (a spring-forward gap) begins when the gap ends;
//! - it ends at the last instant the zone shows `ends_at`, so a window
//!   across the fall-back hour holds through both passes of it; an end the
//!   zone skips ends when the gap ends.
//!
//! Windows that overlap or touch chain: quiet lasts until the last of them
//! ends.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike, Utc,
};
use chrono_tz::Tz;

/// One quiet-hours rule as the arithmetic needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuietRule {
    pub zone: Tz,
    /// ISO weekdays, 1 = Monday.
    pub days_of_week: Vec<i16>,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
}

/// The most windows one answer chains through; a rule set quiet around
/// the clock answers with the end of the last of them.
pub const MAX_CHAINED_WINDOWS: usize = 16;

/// The longest a zone skips at once; real gaps are an hour or less.
const MAX_GAP_MINUTES: i64 = 24 * 60;

/// The first instant the zone shows `local`, or the end of the gap that
/// skips it.
pub(crate) fn first_instant(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at.with_timezone(&Utc)),
        LocalResult::None => gap_end(zone, local),
    }
}

/// The last instant the zone shows `local`, or the end of the gap that
/// skips it.
fn last_instant(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(_, at) => Some(at.with_timezone(&Utc)),
        LocalResult::None => gap_end(zone, local),
    }
}

/// The instant a gap skipping `local` ends: the first whole local minute
/// after it that exists (tz transitions fall on whole minutes).
fn gap_end(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let minute = local.with_second(0)?.with_nanosecond(0)?;
    (1..=MAX_GAP_MINUTES).find_map(|k| {
        match zone.from_local_datetime(&(minute + Duration::minutes(k))) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at.with_timezone(&Utc)),
            LocalResult::None => None,
        }
    })
}

impl QuietRule {
    /// The window starting on local date `date`, if that weekday is listed.
    pub fn window_on(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let weekday = date.weekday().number_from_monday() as i16;
        if !self.days_of_week.contains(&weekday) {
            return None;
        }
        let end_date = if self.ends_at > self.starts_at {
            date
        } else {
            date.succ_opt()?
        };
        let start = first_instant(self.zone, date.and_time(self.starts_at))?;
        let end = last_instant(self.zone, end_date.and_time(self.ends_at))?;
        (end > start).then_some((start, end))
    }

    /// The end of this rule's window holding `at`, if one does.
    pub fn window_holding(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = at.with_timezone(&self.zone).date_naive();
        // A window holding `at` started today or, overnight, yesterday.
        [today.pred_opt(), Some(today)]
            .into_iter()
            .flatten()
            .filter_map(|date| self.window_on(date))
            .filter(|(start, end)| *start <= at && at < *end)
            .map(|(_, end)| end)
            .max()
    }
}

/// When the quiet `rules` hold at `at` end (chaining windows that overlap
/// or touch), or `None` when none holds.
pub fn quiet_until(rules: &[QuietRule], at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut until = None;
    let mut probe = at;
    for _ in 0..MAX_CHAINED_WINDOWS {
        match rules.iter().filter_map(|r| r.window_holding(probe)).max() {
            Some(end) if end > probe => {
                until = Some(end);
                probe = end;
            }
            _ => break,
        }
    }
    until
}
