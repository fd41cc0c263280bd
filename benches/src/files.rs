//! Result files: written whole or not at all, read back only when they are
//! what they say they are (a `format` field naming kind and version).

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Written through a temporary file and a rename: a reader never sees half a file.
pub use stellaops_kit::files::write_atomically;

/// `value` as pretty JSON, written atomically; the reason when it fails.
pub fn write_json<T: Serialize>(file: &Path, value: &T) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| format!("serializing: {e}"))?;
    write_atomically(file, &text).map_err(|e| e.to_string())
}

/// Reads a file of `format` (`kind` names such files in messages); the
/// reason when it is missing, corrupt, of another format or malformed.
pub fn read_versioned<T: DeserializeOwned>(
    file: &Path,
    format: &str,
    kind: &str,
) -> Result<T, String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(found) if found == format => {}
        Some(other) => return Err(format!("format {other:?}, expected {format:?}")),
        None => return Err(format!("no format field: not a {kind} file")),
    }
    serde_json::from_value(value).map_err(|e| format!("malformed {kind}: {e}"))
}
