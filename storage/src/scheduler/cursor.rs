//! Keyset cursors of the scheduler's lists: a cursor names the last row a
//! page showed by its whole sort key, so ties never lose or repeat a row.

use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

use crate::StorageError;

/// Schedules page by (name, id): soft-deleted schedules share live names.
/// Names hold no control characters (checked on write), so a newline
/// separates the two parts.
pub(crate) fn schedule_key(name: &str, id: Uuid) -> String {
    format!("{name}\n{id}")
}

pub(crate) fn parse_schedule_key(text: &str) -> Result<(String, Uuid), StorageError> {
    let (name, id) = text
        .rsplit_once('\n')
        .ok_or_else(|| StorageError::invalid("page cursor", "is not a schedule cursor"))?;
    Ok((name.to_owned(), parse_id(id)?))
}

/// Runs page by (created_at, id).
pub(crate) fn run_key(created_at: DateTime<Utc>, id: Uuid) -> String {
    format!(
        "{}/{id}",
        created_at.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

pub(crate) fn parse_run_key(text: &str) -> Result<(DateTime<Utc>, Uuid), StorageError> {
    let (at, id) = text
        .split_once('/')
        .ok_or_else(|| StorageError::invalid("page cursor", "is not a run cursor"))?;
    let at = DateTime::parse_from_rfc3339(at)
        .map_err(|e| StorageError::invalid("page cursor", format!("has a bad time: {e}")))?;
    Ok((at.with_timezone(&Utc), parse_id(id)?))
}

fn parse_id(text: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(text)
        .map_err(|e| StorageError::invalid("page cursor", format!("has a bad id: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let id = Uuid::new_v4();
        let at: DateTime<Utc> = "2026-03-01T12:00:00.000001Z".parse().unwrap();
        assert_eq!(parse_run_key(&run_key(at, id)).unwrap(), (at, id));
        let key = schedule_key("nightly / scan", id);
        assert_eq!(
            parse_schedule_key(&key).unwrap(),
            ("nightly / scan".to_owned(), id)
        );
        assert!(parse_run_key("yesterday").is_err());
        assert!(parse_schedule_key("nightly").is_err());
    }
}
