//! The target tables of the conversion: their columns with a type each,
//! and a row's values in the two spellings the kit needs (COPY text for
//! the backfill, canonical JSON for the comparison and the content hash).

use std::fmt::Write as _;
use std::net::IpAddr;

use chrono::{DateTime, NaiveTime, SecondsFormat, Utc};
use serde_json::Value as Json;
use uuid::Uuid;

/// A column's PostgreSQL type, as far as the conversion needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Uuid,
    Int4,
    Int8,
    Bool,
    Time,
    TextArray,
    Jsonb,
    Inet,
    /// `time`: a wall-clock time of day, no date and no zone.
    Clock,
    /// `smallint[]`.
    SmallIntArray,
}

/// A table the conversion writes: `schema.name` with its columns in COPY order.
#[derive(Debug, PartialEq, Eq)]
pub struct Table {
    pub schema: &'static str,
    pub name: &'static str,
    pub columns: &'static [(&'static str, ColumnType)],
    /// Whether the first column is `tenant_id` (a tenant table).
    pub tenant_scoped: bool,
}

impl Table {
    /// `schema.name`, as SQL and messages spell it.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    /// The column list of COPY and SELECT, in order.
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The position of `column`; the converters name only their own table's columns.
    pub fn position(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|(name, _)| *name == column)
    }
}

/// One value of a converted row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Uuid(Uuid),
    Int(i64),
    Bool(bool),
    Time(DateTime<Utc>),
    TextArray(Vec<String>),
    Json(Json),
    Inet(IpAddr),
    Clock(NaiveTime),
    Ints(Vec<i64>),
}

impl Value {
    /// The value in PostgreSQL's COPY text format (`\N` for NULL, with
    /// backslash, tab and line breaks escaped).
    pub fn copy_text(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("\\N"),
            Value::Text(text) => escape_copy(text, out),
            Value::Uuid(id) => {
                let _ = write!(out, "{id}");
            }
            Value::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Bool(b) => out.push(if *b { 't' } else { 'f' }),
            Value::Time(t) => out.push_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            Value::TextArray(items) => escape_copy(&array_literal(items), out),
            Value::Json(json) => escape_copy(&json.to_string(), out),
            Value::Inet(ip) => {
                let _ = write!(out, "{ip}");
            }
            Value::Clock(t) => out.push_str(&clock_text(t)),
            Value::Ints(items) => {
                let items: Vec<String> = items.iter().map(i64::to_string).collect();
                let _ = write!(out, "{{{}}}", items.join(","));
            }
        }
    }

    /// The value as canonical JSON: what the comparison and the content
    /// hash see on both sides (times in UTC to the microsecond, object
    /// keys sorted).
    pub fn canonical(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Text(text) => Json::String(text.clone()),
            Value::Uuid(id) => Json::String(id.to_string()),
            Value::Int(n) => Json::from(*n),
            Value::Bool(b) => Json::Bool(*b),
            Value::Time(t) => Json::String(t.to_rfc3339_opts(SecondsFormat::Micros, true)),
            Value::TextArray(items) => {
                Json::Array(items.iter().cloned().map(Json::String).collect())
            }
            // serde_json's map is ordered by key: equal documents print the same.
            Value::Json(json) => json.clone(),
            Value::Inet(ip) => Json::String(ip.to_string()),
            Value::Clock(t) => Json::String(clock_text(t)),
            Value::Ints(items) => Json::Array(items.iter().map(|n| Json::from(*n)).collect()),
        }
    }

    /// Reads back what `to_jsonb(row)` printed for a column of `kind`.
    pub fn from_row_json(kind: ColumnType, json: &Json) -> Result<Value, String> {
        if json.is_null() {
            return Ok(Value::Null);
        }
        let text = || {
            json.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("expected a string, found {json}"))
        };
        Ok(match kind {
            ColumnType::Text => Value::Text(text()?),
            ColumnType::Uuid => Value::Uuid(text()?.parse().map_err(|e| format!("uuid: {e}"))?),
            ColumnType::Int4 | ColumnType::Int8 => Value::Int(
                json.as_i64()
                    .ok_or_else(|| format!("expected an integer, found {json}"))?,
            ),
            ColumnType::Bool => Value::Bool(
                json.as_bool()
                    .ok_or_else(|| format!("expected a boolean, found {json}"))?,
            ),
            ColumnType::Time => Value::Time(parse_pg_time(&text()?)?),
            ColumnType::TextArray => Value::TextArray(
                json.as_array()
                    .ok_or_else(|| format!("expected an array, found {json}"))?
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| format!("expected strings, found {item}"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            ColumnType::Jsonb => Value::Json(json.clone()),
            ColumnType::Inet => {
                let text = text()?;
                // inet prints a host without its /32 (or /128); a prefix is not a host.
                Value::Inet(text.parse().map_err(|e| format!("inet {text:?}: {e}"))?)
            }
            ColumnType::Clock => {
                let text = text()?;
                Value::Clock(
                    NaiveTime::parse_from_str(&text, "%H:%M:%S%.f")
                        .map_err(|e| format!("time {text:?}: {e}"))?,
                )
            }
            ColumnType::SmallIntArray => Value::Ints(
                json.as_array()
                    .ok_or_else(|| format!("expected an array, found {json}"))?
                    .iter()
                    .map(|item| {
                        item.as_i64()
                            .ok_or_else(|| format!("expected integers, found {item}"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
        })
    }
}

/// A time of day to the microsecond, as PostgreSQL reads it.
fn clock_text(t: &NaiveTime) -> String {
    t.format("%H:%M:%S%.6f").to_string()
}

/// `to_jsonb` prints timestamptz as ISO 8601 with the session's offset;
/// the comparison session runs in UTC.
fn parse_pg_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%:z"))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("timestamp {text:?}: {e}"))
}

/// A PostgreSQL array literal of text elements, every element quoted.
fn array_literal(items: &[String]) -> String {
    let mut out = String::from("{");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in item.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    out.push('}');
    out
}

fn escape_copy(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_would_split_a_row_or_a_column() {
        let mut out = String::new();
        Value::Text("a\tb\nc\\d".into()).copy_text(&mut out);
        assert_eq!(out, "a\\tb\\nc\\\\d");
        let mut out = String::new();
        Value::TextArray(vec!["x\"y".into(), "z\\".into(), String::new()]).copy_text(&mut out);
        assert_eq!(out, r#"{"x\\"y","z\\\\",""}"#);
        let mut out = String::new();
        Value::Null.copy_text(&mut out);
        assert_eq!(out, "\\N");
    }

    #[test]
    fn times_read_back_from_to_jsonb_equal_what_was_written() {
        let t: DateTime<Utc> = "1969-07-20T20:17:40.123Z".parse().unwrap();
        let back = Value::from_row_json(
            ColumnType::Time,
            &Json::from("1969-07-20T20:17:40.123+00:00"),
        )
        .unwrap();
        assert_eq!(back, Value::Time(t));
        let far = Value::from_row_json(
            ColumnType::Time,
            &Json::from("9999-12-31T23:59:59.999+00:00"),
        )
        .unwrap();
        assert_eq!(far.canonical(), Json::from("9999-12-31T23:59:59.999000Z"));
    }

    #[test]
    fn times_of_day_and_small_int_arrays_read_back_as_written() {
        let clock = NaiveTime::from_hms_micro_opt(22, 30, 5, 250_000).unwrap();
        let mut out = String::new();
        Value::Clock(clock).copy_text(&mut out);
        assert_eq!(out, "22:30:05.250000");
        assert_eq!(
            Value::from_row_json(ColumnType::Clock, &Json::from("22:30:05.25")).unwrap(),
            Value::Clock(clock)
        );
        let mut out = String::new();
        Value::Ints(vec![1, 5, 7]).copy_text(&mut out);
        assert_eq!(out, "{1,5,7}");
        assert_eq!(
            Value::from_row_json(ColumnType::SmallIntArray, &serde_json::json!([1, 5, 7])).unwrap(),
            Value::Ints(vec![1, 5, 7])
        );
    }
}
