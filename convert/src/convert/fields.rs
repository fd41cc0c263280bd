//! Typed reads of a document's fields for the converters: each read says
//! which field was wrong and how, and remembers the fields it consumed so
//! that the rest (fields the converter does not know) can be carried over.

use std::collections::BTreeSet;
use std::net::IpAddr;

use bson::{Bson, Document};
use chrono::{DateTime, Datelike, NaiveTime, Timelike, Utc};
use serde_json::{Map, Value as Json};
use uuid::Uuid;

use crate::ids::{row_id, type_name};
use crate::table::Value;

/// Why a document cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject(pub String);

impl Reject {
    pub fn field(field: &str, problem: impl std::fmt::Display) -> Reject {
        Reject(format!("field {field}: {problem}"))
    }
}

/// The fields of one document, read once each.
#[derive(Debug)]
pub struct Fields<'a> {
    doc: &'a Document,
    consumed: BTreeSet<String>,
}

impl<'a> Fields<'a> {
    pub fn new(doc: &'a Document) -> Fields<'a> {
        let mut consumed = BTreeSet::new();
        consumed.insert("_id".to_owned());
        Fields { doc, consumed }
    }

    /// The field, or `None` when it is missing or null (Mongo does not
    /// tell the two apart for optional fields).
    fn get(&mut self, key: &str) -> Option<&'a Bson> {
        self.consumed.insert(key.to_owned());
        match self.doc.get(key) {
            None | Some(Bson::Null) | Some(Bson::Undefined) => None,
            Some(value) => Some(value),
        }
    }

    fn required(&mut self, key: &str) -> Result<&'a Bson, Reject> {
        self.get(key)
            .ok_or_else(|| Reject::field(key, "is missing"))
    }

    /// `_id` as it is.
    pub fn id(&self) -> Result<&'a Bson, Reject> {
        self.doc
            .get("_id")
            .ok_or_else(|| Reject("the document has no _id".into()))
    }

    /// This document's row id (see [`row_id`]).
    pub fn row_id(&self, collection: &str) -> Result<Uuid, Reject> {
        row_id(collection, self.id()?).map_err(|e| Reject::field("_id", e))
    }

    pub fn text(&mut self, key: &str) -> Result<String, Reject> {
        let value = self.required(key)?;
        as_text(key, value)
    }

    /// A text that must not be empty (the schema's `CHECK (x <> '')`).
    pub fn nonempty_text(&mut self, key: &str) -> Result<String, Reject> {
        let text = self.text(key)?;
        if text.is_empty() {
            return Err(Reject::field(key, "is empty"));
        }
        Ok(text)
    }

    pub fn opt_text(&mut self, key: &str) -> Result<Option<String>, Reject> {
        self.get(key).map(|v| as_text(key, v)).transpose()
    }

    /// A text, or binary data (`$binary`) as base64: hashes and secrets
    /// come both ways.
    pub fn opt_text_or_binary(&mut self, key: &str) -> Result<Option<String>, Reject> {
        match self.get(key) {
            None => Ok(None),
            Some(Bson::Binary(binary)) => Ok(Some(base64_standard(&binary.bytes))),
            Some(other) => as_text(key, other).map(Some),
        }
    }

    /// One of `allowed` (the schema's CHECK list). Mongo documents written
    /// by .NET spell enums in PascalCase: `AnalysisOnly` reads as `analysis_only`.
    pub fn one_of(&mut self, key: &str, allowed: &[&str]) -> Result<String, Reject> {
        let text = self.text(key)?;
        enum_value(key, &text, allowed)
    }

    pub fn opt_one_of(&mut self, key: &str, allowed: &[&str]) -> Result<Option<String>, Reject> {
        self.opt_text(key)?
            .map(|text| enum_value(key, &text, allowed))
            .transpose()
    }

    /// One of `allowed`, a single lowercase word, in any case (`PagerDuty`
    /// reads as `pagerduty`, as the channel types are spelled).
    pub fn word_of(&mut self, key: &str, allowed: &[&str]) -> Result<String, Reject> {
        let text = self.text(key)?;
        let word = text.to_lowercase();
        if allowed.contains(&word.as_str()) {
            return Ok(word);
        }
        Err(Reject::field(
            key,
            format!("{text:?} is not one of {}", allowed.join(", ")),
        ))
    }

    /// A wall-clock time of day, `HH:MM`, `HH:MM:SS` or with a fraction
    /// of at most microseconds (PostgreSQL's `time`).
    pub fn clock(&mut self, key: &str) -> Result<NaiveTime, Reject> {
        let text = self.text(key)?;
        // chrono would take `7:5`; two digits a part, as `time` prints them.
        let bytes = text.as_bytes();
        let two_digit_parts = bytes.len() >= 5
            && bytes[2] == b':'
            && (bytes.len() == 5 || (bytes.len() >= 8 && bytes[5] == b':'))
            && (bytes.len() <= 8 || (bytes[8] == b'.' && (10..=15).contains(&bytes.len())));
        if !two_digit_parts {
            return Err(Reject::field(
                key,
                format!("{text:?} is not a time of day (HH:MM[:SS[.ffffff]])"),
            ));
        }
        let parsed = NaiveTime::parse_from_str(&text, "%H:%M:%S%.f")
            .or_else(|_| NaiveTime::parse_from_str(&text, "%H:%M"))
            .map_err(|_| {
                Reject::field(
                    key,
                    format!("{text:?} is not a time of day (HH:MM[:SS[.ffffff]])"),
                )
            })?;
        if parsed.nanosecond() >= 1_000_000_000 {
            return Err(Reject::field(key, format!("{text:?} is a leap second")));
        }
        if parsed.nanosecond() % 1000 != 0 {
            return Err(Reject::field(
                key,
                format!("{text:?} is finer than the microsecond a time column keeps"),
            ));
        }
        Ok(parsed)
    }

    /// ISO days of the week (1 = Monday), as numbers or English day names,
    /// sorted (a set, as the repository keeps it); missing means every
    /// day. A day twice or out of range is refused.
    pub fn days_of_week(&mut self, key: &str) -> Result<Vec<i64>, Reject> {
        const NAMES: [&str; 7] = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        let Some(value) = self.get(key) else {
            return Ok((1..=7).collect());
        };
        let Bson::Array(items) = value else {
            return Err(wrong_type(key, "an array of days", value));
        };
        let mut days = Vec::with_capacity(items.len());
        for item in items {
            let day = match item {
                Bson::Int32(n) => i64::from(*n),
                Bson::Int64(n) => *n,
                Bson::Double(d) if d.fract() == 0.0 && d.abs() < 1e9 => *d as i64,
                Bson::String(name) => NAMES
                    .iter()
                    .position(|n| n.eq_ignore_ascii_case(name))
                    .map(|i| i as i64 + 1)
                    .ok_or_else(|| {
                        Reject::field(key, format!("{name:?} is not a day of the week"))
                    })?,
                other => return Err(wrong_type(key, "an array of days", other)),
            };
            if !(1..=7).contains(&day) {
                return Err(Reject::field(
                    key,
                    format!("day {day} is not an ISO weekday (1 = Monday to 7 = Sunday)"),
                ));
            }
            if days.contains(&day) {
                return Err(Reject::field(key, format!("day {day} is listed twice")));
            }
            days.push(day);
        }
        days.sort_unstable();
        Ok(days)
    }

    pub fn bool_or(&mut self, key: &str, default: bool) -> Result<bool, Reject> {
        match self.get(key) {
            None => Ok(default),
            Some(Bson::Boolean(b)) => Ok(*b),
            Some(other) => Err(wrong_type(key, "a boolean", other)),
        }
    }

    /// An integer that fits `i32` (an int32, a `$numberLong` or a whole double).
    pub fn opt_int32(&mut self, key: &str) -> Result<Option<i64>, Reject> {
        let Some(value) = self.opt_int64(key)? else {
            return Ok(None);
        };
        if i32::try_from(value).is_err() {
            return Err(Reject::field(
                key,
                format!("{value} does not fit a 32-bit integer column"),
            ));
        }
        Ok(Some(value))
    }

    pub fn opt_int64(&mut self, key: &str) -> Result<Option<i64>, Reject> {
        match self.get(key) {
            None => Ok(None),
            Some(Bson::Int32(n)) => Ok(Some(i64::from(*n))),
            Some(Bson::Int64(n)) => Ok(Some(*n)),
            Some(Bson::Double(d)) if d.fract() == 0.0 && d.abs() < 9.0e15 => Ok(Some(*d as i64)),
            Some(other) => Err(wrong_type(key, "an integer", other)),
        }
    }

    pub fn time(&mut self, key: &str) -> Result<DateTime<Utc>, Reject> {
        let value = self.required(key)?;
        as_time(key, value)
    }

    pub fn opt_time(&mut self, key: &str) -> Result<Option<DateTime<Utc>>, Reject> {
        self.get(key).map(|v| as_time(key, v)).transpose()
    }

    /// A UUID field (binary subtype 4, `$uuid` or its text).
    pub fn uuid(&mut self, key: &str) -> Result<Uuid, Reject> {
        let value = self.required(key)?;
        crate::ids::as_uuid(value).ok_or_else(|| wrong_type(key, "a UUID", value))
    }

    pub fn opt_uuid(&mut self, key: &str) -> Result<Option<Uuid>, Reject> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => crate::ids::as_uuid(value)
                .map(Some)
                .ok_or_else(|| wrong_type(key, "a UUID", value)),
        }
    }

    /// A reference to a document of `collection`, as that document's row id.
    pub fn opt_reference(&mut self, key: &str, collection: &str) -> Result<Option<Uuid>, Reject> {
        self.get(key)
            .map(|value| row_id(collection, value).map_err(|e| Reject::field(key, e)))
            .transpose()
    }

    /// An array of strings; missing means empty.
    pub fn strings(&mut self, key: &str) -> Result<Vec<String>, Reject> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Bson::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Bson::String(s) => Ok(s.clone()),
                    other => Err(wrong_type(key, "an array of strings", other)),
                })
                .collect(),
            Some(other) => Err(wrong_type(key, "an array of strings", other)),
        }
    }

    /// An embedded document as jsonb (relaxed Extended JSON, so dates,
    /// decimals and binaries keep their type; see [`super::extjson`] for
    /// the doubles written canonically); missing means `{}`.
    pub fn document(&mut self, key: &str) -> Result<Map<String, Json>, Reject> {
        match self.get(key) {
            None => Ok(Map::new()),
            Some(value @ Bson::Document(_)) => match super::extjson::to_jsonb(value.clone()) {
                Json::Object(map) => Ok(map),
                _ => Err(wrong_type(key, "a document", value)),
            },
            Some(other) => Err(wrong_type(key, "a document", other)),
        }
    }

    pub fn opt_document(&mut self, key: &str) -> Result<Option<Map<String, Json>>, Reject> {
        if self.doc.get(key).is_none_or(|v| matches!(v, Bson::Null)) {
            self.consumed.insert(key.to_owned());
            return Ok(None);
        }
        self.document(key).map(Some)
    }

    /// An embedded array as jsonb; missing means `[]`.
    pub fn array(&mut self, key: &str) -> Result<Vec<Json>, Reject> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(value @ Bson::Array(_)) => match super::extjson::to_jsonb(value.clone()) {
                Json::Array(items) => Ok(items),
                _ => Err(wrong_type(key, "an array", value)),
            },
            Some(other) => Err(wrong_type(key, "an array", other)),
        }
    }

    pub fn opt_ip(&mut self, key: &str) -> Result<Option<IpAddr>, Reject> {
        self.opt_text(key)?
            .map(|text| {
                text.parse::<IpAddr>()
                    .map_err(|_| Reject::field(key, format!("{text:?} is not an IP address")))
            })
            .transpose()
    }

    /// Leaves a field out on purpose (the declaration's `dropped` says
    /// why), whatever its type.
    pub fn drop(&mut self, key: &str) {
        self.consumed.insert(key.to_owned());
    }

    /// The fields no read asked for, as relaxed Extended JSON.
    pub fn rest(&self) -> Map<String, Json> {
        self.doc
            .iter()
            .filter(|(key, _)| !self.consumed.contains(key.as_str()))
            .map(|(key, value)| (key.clone(), super::extjson::to_jsonb(value.clone())))
            .collect()
    }

    /// Carries the unread fields into `extras` under `_mongo`, so nothing
    /// of the document is lost; a document that already has `_mongo` there
    /// is refused rather than overwritten.
    pub fn carry_rest_into(&self, key: &str, extras: &mut Map<String, Json>) -> Result<(), Reject> {
        let rest = self.rest();
        if rest.is_empty() {
            return Ok(());
        }
        if extras.contains_key(MONGO_EXTRAS) {
            return Err(Reject::field(
                key,
                format!("already has a {MONGO_EXTRAS:?} key"),
            ));
        }
        extras.insert(MONGO_EXTRAS.to_owned(), Json::Object(rest));
        Ok(())
    }

    /// Refuses a document with fields the target table has no place for.
    pub fn no_rest(&self, table: &str) -> Result<(), Reject> {
        let rest = self.rest();
        if rest.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = rest.keys().map(String::as_str).collect();
        Err(Reject(format!(
            "field(s) {} have no column in {table} and it has no jsonb column to keep them",
            names.join(", ")
        )))
    }
}

/// Where unknown fields go in a table's jsonb extras column.
pub const MONGO_EXTRAS: &str = "_mongo";

/// `Value::Json` of a map.
pub fn json(map: Map<String, Json>) -> Value {
    Value::Json(Json::Object(map))
}

fn as_text(key: &str, value: &Bson) -> Result<String, Reject> {
    match value {
        Bson::String(s) => Ok(s.clone()),
        other => Err(wrong_type(key, "a string", other)),
    }
}

fn as_time(key: &str, value: &Bson) -> Result<DateTime<Utc>, Reject> {
    match value {
        Bson::DateTime(date) => DateTime::<Utc>::from_timestamp_millis(date.timestamp_millis())
            .filter(|t| (1..=9999).contains(&t.year()))
            .ok_or_else(|| {
                Reject::field(
                    key,
                    format!(
                        "date of {} ms since 1970 is outside the years 1 to 9999, which \
                         timestamptz columns take here (BSON carries it; PostgreSQL would not \
                         read it back the same)",
                        date.timestamp_millis()
                    ),
                )
            }),
        other => Err(wrong_type(key, "a date ($date)", other)),
    }
}

fn wrong_type(key: &str, expected: &str, found: &Bson) -> Reject {
    Reject::field(
        key,
        format!("expected {expected}, found {}", type_name(found)),
    )
}

/// `text` as one of `allowed`, also when spelled in PascalCase or camelCase.
fn enum_value(key: &str, text: &str, allowed: &[&str]) -> Result<String, Reject> {
    if allowed.contains(&text) {
        return Ok(text.to_owned());
    }
    let mut snake = String::new();
    for (i, c) in text.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        } else {
            snake.push(c);
        }
    }
    if allowed.contains(&snake.as_str()) {
        return Ok(snake);
    }
    Err(Reject::field(
        key,
        format!("{text:?} is not one of {}", allowed.join(", ")),
    ))
}

fn base64_standard(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn pascal_case_enums_read_as_the_schema_spells_them() {
        assert_eq!(
            enum_value("mode", "AnalysisOnly", &["analysis_only"]).unwrap(),
            "analysis_only"
        );
        assert_eq!(enum_value("s", "active", &["active"]).unwrap(), "active");
        let err = enum_value("status", "Paused", &["active", "disabled"]).unwrap_err();
        assert_eq!(
            err.0,
            "field status: \"Paused\" is not one of active, disabled"
        );
    }

    #[test]
    fn times_of_day_read_as_postgresql_keeps_them_and_nothing_else() {
        let doc = doc! {
            "_id": 1, "short": "22:00", "long": "07:30:15.250001",
            "loose": "7:30", "late": "24:00", "fine": "12:00:00.0000001",
            "leap": "23:59:60", "dot": "12:00:00.",
        };
        let mut fields = Fields::new(&doc);
        assert_eq!(fields.clock("short").unwrap().to_string(), "22:00:00");
        assert_eq!(fields.clock("long").unwrap().to_string(), "07:30:15.250001");
        for key in ["loose", "late", "fine", "leap", "dot"] {
            let err = fields.clock(key).unwrap_err().0;
            assert!(err.starts_with(&format!("field {key}: ")), "{err}");
        }
    }

    #[test]
    fn weekdays_are_a_sorted_set_of_iso_numbers() {
        let doc = doc! {
            "_id": 1, "names": ["Sunday", "monday", "WEDNESDAY"], "numbers": [7, 1_i64, 3.0],
            "twice": [1, "Monday"], "zero": [0], "sunday_first": ["Sun"],
        };
        let mut fields = Fields::new(&doc);
        assert_eq!(fields.days_of_week("names").unwrap(), [1, 3, 7]);
        assert_eq!(fields.days_of_week("numbers").unwrap(), [1, 3, 7]);
        assert_eq!(
            fields.days_of_week("missing").unwrap(),
            [1, 2, 3, 4, 5, 6, 7]
        );
        assert_eq!(
            fields.days_of_week("twice").unwrap_err().0,
            "field twice: day 1 is listed twice"
        );
        assert_eq!(
            fields.days_of_week("zero").unwrap_err().0,
            "field zero: day 0 is not an ISO weekday (1 = Monday to 7 = Sunday)"
        );
        assert_eq!(
            fields.days_of_week("sunday_first").unwrap_err().0,
            "field sunday_first: \"Sun\" is not a day of the week"
        );
    }

    #[test]
    fn one_word_types_read_in_any_case() {
        let doc = doc! { "_id": 1, "a": "PagerDuty", "b": "pager_duty" };
        let mut fields = Fields::new(&doc);
        assert_eq!(fields.word_of("a", &["pagerduty"]).unwrap(), "pagerduty");
        assert_eq!(
            fields.word_of("b", &["pagerduty"]).unwrap_err().0,
            "field b: \"pager_duty\" is not one of pagerduty"
        );
    }

    #[test]
    fn wrong_types_name_the_field_and_both_types() {
        let doc = doc! { "_id": 1, "n": "seven", "when": "2024-01-01" };
        let mut fields = Fields::new(&doc);
        assert_eq!(
            fields.opt_int32("n").unwrap_err().0,
            "field n: expected an integer, found a string"
        );
        assert_eq!(
            fields.time("when").unwrap_err().0,
            "field when: expected a date ($date), found a string"
        );
        assert_eq!(
            fields.time("missing").unwrap_err().0,
            "field missing: is missing"
        );
    }

    #[test]
    fn dates_postgresql_would_not_read_back_are_refused_saying_so() {
        let year_10000 = 253_402_300_800_000_i64;
        let doc = doc! {
            "_id": 1,
            "last": bson::DateTime::from_millis(year_10000 - 1),
            "late": bson::DateTime::from_millis(year_10000),
            "early": bson::DateTime::from_millis(-62_135_596_800_001),
        };
        let mut fields = Fields::new(&doc);
        assert_eq!(
            fields.time("last").unwrap().to_rfc3339(),
            "9999-12-31T23:59:59.999+00:00"
        );
        assert_eq!(
            fields.time("late").unwrap_err().0,
            "field late: date of 253402300800000 ms since 1970 is outside the years 1 to 9999, \
             which timestamptz columns take here (BSON carries it; PostgreSQL would not read it \
             back the same)"
        );
        assert!(
            fields
                .time("early")
                .unwrap_err()
                .0
                .contains("outside the years 1 to 9999")
        );
    }

    #[test]
    fn unknown_fields_are_carried_not_dropped() {
        let doc = doc! { "_id": 1, "name": "x", "legacyFlag": true, "extra": { "n": 5_i64 } };
        let mut fields = Fields::new(&doc);
        fields.text("name").unwrap();
        let mut extras = Map::new();
        fields.carry_rest_into("attributes", &mut extras).unwrap();
        assert_eq!(
            Json::Object(extras),
            serde_json::json!({ "_mongo": { "legacyFlag": true, "extra": { "n": 5 } } })
        );
        assert!(fields.no_rest("t").unwrap_err().0.contains("legacyFlag"));
    }
}
