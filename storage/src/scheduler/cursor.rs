//! Keyset cursors of the scheduler's lists: a cursor names the last row a
//! page showed by its whole sort key, so ties never lose or repeat a row.

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
pub(crate) use crate::page::{parse_time_key as parse_run_key, time_key as run_key};

fn parse_id(text: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(text)
        .map_err(|e| StorageError::invalid("page cursor", format!("has a bad id: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

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
