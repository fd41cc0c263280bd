//! Checks run before any SQL: a request that fails one never reaches the
//! database, so nothing of it is written.

use serde_json::Value;

use crate::StorageError;

/// Longest key-like text (usernames, client ids, names): 256 characters.
pub const MAX_KEY_LEN: usize = 256;
/// Longest free text (descriptions, reasons, user agents): 4096 characters.
pub const MAX_TEXT_LEN: usize = 4096;
/// Largest JSON document, serialized: 64 KiB.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// A required key: not empty, at most [`MAX_KEY_LEN`] characters, no NUL,
/// no control characters.
pub fn key(field: &'static str, value: &str) -> Result<(), StorageError> {
    if value.is_empty() {
        return Err(StorageError::invalid(field, "must not be empty"));
    }
    bounded(field, value, MAX_KEY_LEN)?;
    if let Some(position) = value.chars().position(char::is_control) {
        return Err(StorageError::invalid(
            field,
            format!("has a control character at position {position}"),
        ));
    }
    Ok(())
}

/// Free text of at most `max` characters with no NUL byte (PostgreSQL text
/// cannot hold one).
pub fn bounded(field: &'static str, value: &str, max: usize) -> Result<(), StorageError> {
    let len = value.chars().count();
    if len > max {
        return Err(StorageError::invalid(
            field,
            format!("is {len} characters long; at most {max} are allowed"),
        ));
    }
    if let Some(position) = value.find('\0') {
        return Err(StorageError::invalid(
            field,
            format!("has a NUL byte at byte {position}"),
        ));
    }
    Ok(())
}

pub fn text(field: &'static str, value: &str) -> Result<(), StorageError> {
    bounded(field, value, MAX_TEXT_LEN)
}

pub fn optional_text(field: &'static str, value: Option<&str>) -> Result<(), StorageError> {
    value.map_or(Ok(()), |v| text(field, v))
}

/// A span that must be positive (a stale-after, a back-off).
pub fn positive(field: &'static str, span: chrono::Duration) -> Result<(), StorageError> {
    if span <= chrono::Duration::zero() {
        return Err(StorageError::invalid(
            field,
            format!("{span} is not positive"),
        ));
    }
    Ok(())
}

/// An IANA time zone name (`Europe/Berlin`), parsed.
pub fn time_zone(field: &'static str, zone: &str) -> Result<chrono_tz::Tz, StorageError> {
    key(field, zone)?;
    zone.parse().map_err(|_| {
        StorageError::invalid(
            field,
            format!("{zone:?} is not an IANA time zone name (such as \"Europe/Berlin\")"),
        )
    })
}

pub fn keys(field: &'static str, values: &[String]) -> Result<(), StorageError> {
    values.iter().try_for_each(|v| key(field, v))
}

/// A JSON object of at most [`MAX_JSON_BYTES`], with no `\u0000` anywhere
/// (jsonb refuses it).
pub fn json_object(field: &'static str, value: &Value) -> Result<(), StorageError> {
    if !value.is_object() {
        return Err(StorageError::invalid(field, "must be a JSON object"));
    }
    let size = value.to_string().len();
    if size > MAX_JSON_BYTES {
        return Err(StorageError::invalid(
            field,
            format!("is {size} bytes of JSON; at most {MAX_JSON_BYTES} are allowed"),
        ));
    }
    if has_nul(value) {
        return Err(StorageError::invalid(field, "holds a NUL character"));
    }
    Ok(())
}

/// Parses text as a JSON object, for callers that hold raw JSON.
///
/// ```
/// use stellaops_storage::input::parse_json_object;
/// assert!(parse_json_object("attributes", r#"{"team":"blue"}"#).is_ok());
/// assert!(parse_json_object("attributes", "{team: blue}").is_err());
/// ```
pub fn parse_json_object(field: &'static str, text: &str) -> Result<Value, StorageError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| StorageError::invalid(field, format!("is not valid JSON: {e}")))?;
    json_object(field, &value)?;
    Ok(value)
}

/// A count the caller asks for (a LIMIT): 1 to `max`; zero, a negative or
/// an absurd count is refused with the range that is allowed.
///
/// ```
/// use stellaops_storage::input::limit;
/// assert_eq!(limit("limit", 10, 500).unwrap(), 10);
/// assert!(limit("limit", -1, 500).is_err());
/// ```
pub fn limit(field: &'static str, value: i64, max: i64) -> Result<i64, StorageError> {
    if (1..=max).contains(&value) {
        Ok(value)
    } else {
        Err(StorageError::invalid(
            field,
            format!("{value} is not allowed; ask for 1 to {max}"),
        ))
    }
}

fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_field_and_the_reason() {
        let err = key("username", "").unwrap_err();
        assert_eq!(err.to_string(), "invalid username: must not be empty");
        let err = key("username", "al\0ice").unwrap_err();
        assert!(err.to_string().contains("NUL byte"), "{err}");
        let err = key("username", &"x".repeat(MAX_KEY_LEN + 1)).unwrap_err();
        assert!(err.to_string().contains("257 characters"), "{err}");
        let err = json_object("attributes", &serde_json::json!([1])).unwrap_err();
        assert!(err.to_string().contains("JSON object"), "{err}");
        let err = json_object("attributes", &serde_json::json!({"a": "x\u{0}"})).unwrap_err();
        assert!(err.to_string().contains("NUL"), "{err}");
    }
}
