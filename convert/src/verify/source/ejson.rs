//! Extended JSON v2 read into typed values, by the rules of the
//! specification alone (canonical and relaxed alike), for the source check:
//! the same value written either way, or stored in jsonb and printed by
//! PostgreSQL, reads as the same typed value. Integers compare by value
//! (relaxed mode does not keep int32 and int64 apart), doubles by their
//! bits (so `-0.0` is not `0.0`, and a double is never an integer),
//! dates by the millisecond.

use std::collections::BTreeMap;

use base64::Engine as _;
use chrono::DateTime;

use super::json::Json;

/// A typed Extended JSON value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Typed {
    Null,
    Bool(bool),
    Int(i128),
    /// A double's IEEE 754 bits (every NaN as one).
    Double(u64),
    Decimal(String),
    String(String),
    /// Milliseconds since 1970.
    Date(i64),
    ObjectId(String),
    Binary {
        subtype: u8,
        bytes: Vec<u8>,
    },
    Array(Vec<Typed>),
    Document(BTreeMap<String, Typed>),
    /// Another wrapper (`$timestamp`, `$regularExpression`, ...), as written.
    Other(String),
}

impl Typed {
    /// A short spelling for reports.
    pub fn show(&self) -> String {
        match self {
            Typed::Null => "null".into(),
            Typed::Bool(b) => b.to_string(),
            Typed::Int(n) => n.to_string(),
            Typed::Double(bits) => format!("double {:e}", f64::from_bits(*bits)),
            Typed::Decimal(d) => format!("decimal {d}"),
            Typed::String(s) => format!("{s:?}"),
            Typed::Date(ms) => DateTime::from_timestamp_millis(*ms)
                .map_or(format!("date {ms} ms"), |t| {
                    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                }),
            Typed::ObjectId(oid) => format!("ObjectId({oid})"),
            Typed::Binary { subtype, bytes } => format!(
                "binary({subtype:02x}, {})",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            ),
            Typed::Array(items) => format!(
                "[{}]",
                items.iter().map(Typed::show).collect::<Vec<_>>().join(", ")
            ),
            Typed::Document(fields) => format!(
                "{{{}}}",
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.show()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Typed::Other(text) => text.clone(),
        }
    }
}

/// `json` read as Extended JSON.
pub fn typed(json: &Json) -> Result<Typed, String> {
    Ok(match json {
        Json::Null => Typed::Null,
        Json::Bool(b) => Typed::Bool(*b),
        Json::Number(text) => number(text)?,
        Json::String(s) => Typed::String(s.clone()),
        Json::Array(items) => Typed::Array(items.iter().map(typed).collect::<Result<_, _>>()?),
        Json::Object(fields) => match fields.first() {
            Some((key, value)) if key.starts_with('$') => wrapper(key, value, json)?,
            _ => Typed::Document(
                fields
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), typed(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
        },
    })
}

/// A JSON number: an integer when written without a point or an exponent,
/// else a double (correctly rounded from its text).
fn number(text: &str) -> Result<Typed, String> {
    if text.contains(['.', 'e', 'E']) {
        double(text)
    } else {
        text.parse::<i128>()
            .map(Typed::Int)
            .map_err(|e| format!("integer {text}: {e}"))
    }
}

fn double(text: &str) -> Result<Typed, String> {
    let value = match text {
        "Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        _ => text
            .parse::<f64>()
            .map_err(|e| format!("double {text}: {e}"))?,
    };
    Ok(Typed::Double(if value.is_nan() {
        f64::NAN.to_bits()
    } else {
        value.to_bits()
    }))
}

fn string_of<'a>(value: &'a Json, what: &str) -> Result<&'a str, String> {
    match value {
        Json::String(s) => Ok(s),
        other => Err(format!("{what} must be a string, found {other:?}")),
    }
}

fn wrapper(key: &str, value: &Json, whole: &Json) -> Result<Typed, String> {
    let Json::Object(fields) = whole else {
        return Err("not an object".into());
    };
    Ok(match (key, fields.len()) {
        ("$numberInt" | "$numberLong", 1) => {
            let text = string_of(value, key)?;
            Typed::Int(text.parse().map_err(|e| format!("{key} {text}: {e}"))?)
        }
        ("$numberDouble", 1) => double(string_of(value, key)?)?,
        ("$numberDecimal", 1) => Typed::Decimal(string_of(value, key)?.to_owned()),
        ("$oid", 1) => Typed::ObjectId(string_of(value, key)?.to_ascii_lowercase()),
        ("$date", 1) => Typed::Date(date(value)?),
        ("$uuid", 1) => {
            let text = string_of(value, key)?.replace('-', "");
            let bytes = (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(text.get(i..i + 2).unwrap_or("zz"), 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|e| format!("$uuid: {e}"))?;
            Typed::Binary { subtype: 4, bytes }
        }
        ("$binary", 1) => {
            let base64 = value
                .get("base64")
                .map(|v| string_of(v, "base64"))
                .transpose()?;
            let subtype = value
                .get("subType")
                .map(|v| string_of(v, "subType"))
                .transpose()?;
            let (Some(base64), Some(subtype)) = (base64, subtype) else {
                return Err("$binary needs base64 and subType".into());
            };
            binary(base64, subtype)?
        }
        // The legacy form: {"$binary": "...", "$type": "00"}.
        ("$binary", 2) => match whole.get("$type") {
            Some(Json::String(subtype)) => binary(string_of(value, "$binary")?, subtype)?,
            _ => Typed::Other(render(whole)),
        },
        _ => Typed::Other(render(whole)),
    })
}

fn binary(base64: &str, subtype: &str) -> Result<Typed, String> {
    Ok(Typed::Binary {
        subtype: u8::from_str_radix(subtype, 16).map_err(|e| format!("subType {subtype}: {e}"))?,
        bytes: base64::engine::general_purpose::STANDARD
            .decode(base64)
            .map_err(|e| format!("base64: {e}"))?,
    })
}

/// A `$date`: ISO 8601 (relaxed), `{"$numberLong": ms}` (canonical), or
/// plain milliseconds (legacy).
fn date(value: &Json) -> Result<i64, String> {
    match value {
        Json::String(iso) => DateTime::parse_from_rfc3339(iso)
            .map(|t| t.timestamp_millis())
            .map_err(|e| format!("$date {iso}: {e}")),
        Json::Number(ms) => ms.parse().map_err(|e| format!("$date {ms}: {e}")),
        object => match object.get("$numberLong") {
            Some(Json::String(ms)) => ms.parse().map_err(|e| format!("$date {ms}: {e}")),
            _ => Err(format!("$date: {object:?}")),
        },
    }
}

/// A JSON value written back compactly, keys in their order.
pub fn render(json: &Json) -> String {
    match json {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.clone(),
        Json::String(s) => format!("{s:?}"),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(render).collect::<Vec<_>>().join(",")
        ),
        Json::Object(fields) => format!(
            "{{{}}}",
            fields
                .iter()
                .map(|(k, v)| format!("{k:?}:{}", render(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::json::parse;
    use super::*;

    fn read(text: &str) -> Typed {
        typed(&parse(text).unwrap()).unwrap()
    }

    #[test]
    fn both_modes_read_as_the_same_value() {
        for (relaxed, canonical) in [
            ("5", r#"{"$numberLong": "5"}"#),
            ("5", r#"{"$numberInt": "5"}"#),
            ("1.5", r#"{"$numberDouble": "1.5"}"#),
            ("1e+16", r#"{"$numberDouble": "1e16"}"#),
            ("-0.0", r#"{"$numberDouble": "-0.0"}"#),
            (
                r#"{"$date": "2026-11-28T00:00:00.123Z"}"#,
                r#"{"$date": {"$numberLong": "1795824000123"}}"#,
            ),
            (
                r#"{"$uuid": "00000000-0000-5eed-0000-000000000001"}"#,
                r#"{"$binary": {"base64": "AAAAAAAAXu0AAAAAAAAAAQ==", "subType": "04"}}"#,
            ),
        ] {
            assert_eq!(
                read(relaxed),
                read(canonical),
                "{relaxed} against {canonical}"
            );
        }
        assert_ne!(read("-0.0"), read("0.0"));
        assert_ne!(read("1e16"), read("10000000000000000"));
        assert_ne!(read("1.0"), read("1"));
        assert_ne!(
            read(r#"{"$date": "2026-11-28T00:00:00.123Z"}"#),
            read(r#"{"$date": "2026-11-28T00:00:00Z"}"#)
        );
    }
}
