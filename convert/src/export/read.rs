//! Reading one `mongoexport` file: NDJSON (one document a line, or
//! documents one after the other) or a JSON array (`--jsonArray`), each
//! document with the line it starts on. The JSON is read by serde_json and
//! its Extended JSON (canonical or relaxed) by the bson crate.

use std::path::Path;

use serde_json::value::RawValue;

use super::error::ExportError;

/// One document of an export, as read.
#[derive(Debug, Clone)]
pub struct SourceDoc {
    /// The line the document starts on (1-based).
    pub line: usize,
    /// The document, or why its Extended JSON could not be read (the
    /// document is then rejected alone, with its line and `_id`).
    pub parsed: Result<bson::Document, String>,
    /// `_id` as the report shows it (from the raw JSON when the document did not parse).
    pub id: String,
}

/// How an export file lays out its documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One document after the other (`mongoexport` default).
    Ndjson,
    /// A JSON array of documents (`mongoexport --jsonArray`).
    Array,
}

/// Reads every document of `file`. A file that is not UTF-8, is cut
/// short, or is not JSON fails whole, naming the file and the line.
pub fn read_documents(file: &Path) -> Result<(Layout, Vec<SourceDoc>), ExportError> {
    let bytes = std::fs::read(file).map_err(|source| ExportError::Io {
        file: file.to_owned(),
        source,
    })?;
    parse_documents(file, &bytes)
}

/// The documents of `bytes`, the content of `file` (named in errors).
pub fn parse_documents(file: &Path, bytes: &[u8]) -> Result<(Layout, Vec<SourceDoc>), ExportError> {
    let text = decode(file, bytes)?;
    let start = text.trim_start();
    if start.starts_with('[') {
        let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
        let mut lines = Lines::new(text);
        let docs = items
            .into_iter()
            .map(|raw| document(file, &mut lines, raw))
            .collect::<Result<_, _>>()?;
        return Ok((Layout::Array, docs));
    }
    let mut docs = Vec::new();
    let mut lines = Lines::new(text);
    let stream = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
    for raw in stream {
        let raw = raw.map_err(|e| json_error(file, &e))?;
        docs.push(document(file, &mut lines, raw)?);
    }
    Ok((Layout::Ndjson, docs))
}

/// UTF-8 only (a UTF-8 byte order mark is skipped); anything else names
/// the line of the first byte that is not.
fn decode<'a>(file: &Path, bytes: &'a [u8]) -> Result<&'a str, ExportError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ExportError::Encoding {
            file: file.to_owned(),
            line: 1,
            detail: "the file starts with a UTF-16 byte order mark; exports are UTF-8".into(),
        });
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        ExportError::Encoding {
            file: file.to_owned(),
            line: line_of(bytes, at),
            detail: format!(
                "byte 0x{:02X} at offset {at} is not UTF-8; exports are UTF-8",
                bytes[at]
            ),
        }
    })
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

fn json_error(file: &Path, error: &serde_json::Error) -> ExportError {
    if error.is_eof() {
        ExportError::Truncated {
            file: file.to_owned(),
            line: error.line(),
            detail: error.to_string(),
        }
    } else {
        ExportError::Syntax {
            file: file.to_owned(),
            line: error.line(),
            detail: error.to_string(),
        }
    }
}

/// Lines of a text counted forward: documents come in order, so each
/// count starts where the last one stopped (counting from the start each
/// time made a 30 MB export take minutes).
struct Lines<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The line of `raw`, a value borrowed from the text (its address gives its offset).
    fn of(&mut self, raw: &RawValue) -> usize {
        let offset = raw.get().as_ptr() as usize - self.text.as_ptr() as usize;
        if offset < self.offset {
            *self = Lines::new(self.text);
        }
        self.line += self.text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

fn document(file: &Path, lines: &mut Lines<'_>, raw: &RawValue) -> Result<SourceDoc, ExportError> {
    let line = lines.of(raw);
    let json: serde_json::Value =
        serde_json::from_str(raw.get()).map_err(|e| ExportError::Syntax {
            file: file.to_owned(),
            line,
            detail: e.to_string(),
        })?;
    let serde_json::Value::Object(fields) = json else {
        return Err(ExportError::NotADocument {
            file: file.to_owned(),
            line,
            found: kind_of(&json),
        });
    };
    let id = fields
        .get("_id")
        .map(raw_id)
        .unwrap_or_else(|| "(no _id)".to_owned());
    let parsed = bson::Document::try_from(fields).map_err(|e| {
        // Read again, on this rare path only, to name the field at fault.
        let again = serde_json::from_str(raw.get()).ok();
        match again.as_ref().and_then(bad_extended_json_at) {
            Some(path) => format!("extended JSON of field {path}: {e}"),
            None => format!("extended JSON: {e}"),
        }
    });
    let id = match &parsed {
        Ok(doc) => doc.get("_id").map(crate::ids::display).unwrap_or(id),
        Err(_) => id,
    };
    Ok(SourceDoc { line, parsed, id })
}

/// The path of the innermost field whose value is not valid Extended JSON
/// (`attributes.rate`, `tags[2]`), for a document that is not.
fn bad_extended_json_at(value: &serde_json::Value) -> Option<String> {
    let valid = |v: &serde_json::Value| bson::Bson::try_from(v.clone()).is_ok();
    match value {
        serde_json::Value::Object(map) if !map.keys().any(|k| k.starts_with('$')) => {
            let (key, v) = map.iter().find(|(_, v)| !valid(v))?;
            Some(match bad_extended_json_at(v) {
                Some(inner) if inner.starts_with('[') => format!("{key}{inner}"),
                Some(inner) => format!("{key}.{inner}"),
                None => key.clone(),
            })
        }
        serde_json::Value::Array(items) => {
            let (i, v) = items.iter().enumerate().find(|(_, v)| !valid(v))?;
            Some(match bad_extended_json_at(v) {
                Some(inner) if inner.starts_with('[') => format!("[{i}]{inner}"),
                Some(inner) => format!("[{i}].{inner}"),
                None => format!("[{i}]"),
            })
        }
        _ => None,
    }
}

fn raw_id(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(map) => match map.get("$oid").and_then(|v| v.as_str()) {
            Some(oid) => oid.to_owned(),
            None => value.to_string(),
        },
        other => other.to_string(),
    }
}

fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8]) -> Result<(Layout, Vec<SourceDoc>), ExportError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("authority_users.json");
        std::fs::write(&file, text).unwrap();
        read_documents(&file)
    }

    #[test]
    fn ndjson_and_arrays_give_each_document_its_line() {
        let (layout, docs) = read(b"{\"_id\":{\"$oid\":\"650000000000000000000001\"}}\n\n{\"_id\":\"b\",\n \"x\":1}\n{\"_id\":\"c\"}").unwrap();
        assert_eq!(layout, Layout::Ndjson);
        let lines: Vec<_> = docs.iter().map(|d| (d.line, d.id.as_str())).collect();
        assert_eq!(lines, [(1, "650000000000000000000001"), (3, "b"), (5, "c")]);
        let (layout, docs) = read(b"[\n {\"_id\": 1},\n {\"_id\": 2}\n]\n").unwrap();
        assert_eq!(layout, Layout::Array);
        assert_eq!(docs.iter().map(|d| d.line).collect::<Vec<_>>(), [2, 3]);
    }

    #[test]
    fn a_file_cut_short_names_its_last_line() {
        let err = read(b"{\"_id\":\"a\"}\n{\"_id\":\"b\", \"user").unwrap_err();
        assert!(
            matches!(err, ExportError::Truncated { line: 2, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("authority_users.json"), "{err}");
        let err = read(b"[{\"_id\":\"a\"},\n{\"_id\":\"b\"}").unwrap_err();
        assert!(
            matches!(err, ExportError::Truncated { line: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn other_encodings_are_refused_with_the_line() {
        let err = read(b"{\"_id\":\"a\"}\n{\"_id\":\"caf\xe9\"}\n").unwrap_err();
        assert!(
            matches!(err, ExportError::Encoding { line: 2, .. }),
            "{err}"
        );
        let err = read(b"\xff\xfe{\x00").unwrap_err();
        assert!(err.to_string().contains("UTF-16"), "{err}");
    }

    #[test]
    fn bad_extended_json_rejects_the_document_alone() {
        let (_, docs) =
            read(b"{\"_id\":\"a\",\"n\":{\"$numberLong\":5}}\n{\"_id\":\"b\"}\n").unwrap();
        assert!(docs[0].parsed.is_err());
        assert_eq!(docs[0].id, "a");
        assert!(docs[1].parsed.is_ok());
    }

    #[test]
    fn bad_extended_json_names_the_field() {
        let (_, docs) = read(
            b"{\"_id\":\"a\",\"n\":{\"$numberLong\":5}}\n\
              {\"_id\":\"b\",\"attributes\":{\"ok\":1,\"rate\":{\"$numberDouble\":1}}}\n\
              {\"_id\":\"c\",\"tags\":[\"x\",{\"at\":{\"$date\":true}}]}\n",
        )
        .unwrap();
        let errors: Vec<String> = docs
            .iter()
            .map(|d| d.parsed.as_ref().unwrap_err().clone())
            .collect();
        assert!(
            errors[0].starts_with("extended JSON of field n: "),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].starts_with("extended JSON of field attributes.rate: "),
            "{}",
            errors[1]
        );
        assert!(
            errors[2].starts_with("extended JSON of field tags[1].at: "),
            "{}",
            errors[2]
        );
    }
}
