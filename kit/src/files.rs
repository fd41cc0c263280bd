//! Report files are written whole or not at all.

use std::path::Path;

/// Writes `text` to `file` through a temporary file beside it and a
/// rename, so a reader never sees half a file.
pub fn write_atomically(file: &Path, text: &str) -> std::io::Result<()> {
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, file)
}
