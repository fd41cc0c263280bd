//! A test hook: a bug planted in the conversion (the hidden `--plant`
//! option of `backfill` and `verify`), so a test can show that the
//! verification catches a converter that gets a field wrong, cuts times,
//! or keeps a window too long. Never for real use: with a plant the
//! conversion is wrong on purpose.

use std::str::FromStr;

use chrono::{Duration, DurationRound, Utc};

use crate::plan::Plan;
use crate::table::Value;

/// One planted bug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plant {
    /// Every converted row of the collection gets NULL in the column.
    Null { collection: String, column: String },
    /// The column's times are cut to whole seconds.
    WholeSeconds { collection: String, column: String },
    /// Every tier window keeps this many days more than the plan says.
    WiderWindows { days: i64 },
}

impl FromStr for Plant {
    type Err = String;

    /// `null:<collection>.<column>`, `seconds:<collection>.<column>`,
    /// `window:+<days>d`.
    fn from_str(text: &str) -> Result<Self, String> {
        let usage = || {
            format!(
                "plant {text:?}: expected null:<collection>.<column>, \
                 seconds:<collection>.<column> or window:+<days>d"
            )
        };
        let (bug, target) = text.split_once(':').ok_or_else(usage)?;
        let split = || {
            target
                .split_once('.')
                .map(|(c, k)| (c.to_owned(), k.to_owned()))
                .ok_or_else(usage)
        };
        match bug {
            "null" => split().map(|(collection, column)| Plant::Null { collection, column }),
            "seconds" => {
                split().map(|(collection, column)| Plant::WholeSeconds { collection, column })
            }
            "window" => target
                .strip_prefix('+')
                .and_then(|t| t.strip_suffix('d'))
                .and_then(|d| d.parse().ok())
                .map(|days| Plant::WiderWindows { days })
                .ok_or_else(usage),
            _ => Err(usage()),
        }
    }
}

impl Plant {
    /// How much longer every window is.
    pub fn wider_windows(&self) -> Duration {
        match self {
            Plant::WiderWindows { days } => Duration::days(*days),
            _ => Duration::zero(),
        }
    }

    /// Breaks the converted rows of `plan` as the plant says.
    pub fn apply(&self, plan: &mut Plan<'_>) -> Result<(), String> {
        let (Plant::Null { collection, column } | Plant::WholeSeconds { collection, column }) =
            self
        else {
            return Ok(());
        };
        let planned = plan
            .collections
            .iter_mut()
            .find(|c| c.collection().name == collection)
            .ok_or_else(|| format!("plant: no export of {collection}"))?;
        let position = planned
            .collection()
            .table
            .and_then(|t| t.position(column))
            .ok_or_else(|| format!("plant: {collection} has no column {column}"))?;
        for row in &mut planned.result.rows {
            let value = &mut row.values[position];
            *value = match (self, &*value) {
                (Plant::Null { .. }, _) => Value::Null,
                (_, Value::Time(t)) => Value::Time(
                    t.duration_trunc(Duration::seconds(1))
                        .unwrap_or_else(|_| Utc::now()),
                ),
                (_, other) => other.clone(),
            };
        }
        Ok(())
    }
}
