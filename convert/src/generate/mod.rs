//! Deterministic `mongoexport` files of the Authority, Scheduler, Notify
//! and Policy collections: the checked-in fixtures (`fixtures/mongo`, scale 0) and
//! larger sets (`--scale N` adds N hundred ordinary documents per
//! collection and tenant). The same scale gives the same bytes.
//!
//! The fixtures carry what real exports carry: ObjectIds, UUIDs as
//! `$binary` subtype 4, dates before 1970 and at 9999-12-31, `$numberLong`,
//! `$numberDecimal`, `$binary` secrets, missing optional fields, unknown
//! extra fields, Unicode usernames (NFC and NFD spellings), usernames and
//! client ids that differ only in case, orphan references (where the
//! schema keeps them), several tenants, PascalCase enums, both layouts
//! (NDJSON and `--jsonArray`) and both modes (canonical and relaxed).

mod authority;
mod notify;
mod policy;
mod scheduler;
mod support;

use std::path::Path;

use bson::Document;
use chrono::{DateTime, Utc};

use crate::export::{Layout, MANIFEST};

pub use support::Mode;

/// The export time of the generated sets: the clock of the tier windows.
pub fn exported_at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-30T00:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// One generated export file.
#[derive(Debug)]
pub struct Generated {
    pub module: &'static str,
    pub collection: &'static str,
    pub layout: Layout,
    pub mode: Mode,
    pub docs: Vec<Document>,
}

/// Every export of a set of `scale`.
pub fn exports(scale: usize) -> Vec<Generated> {
    let now = exported_at();
    let mut out = authority::exports(now, scale);
    out.extend(scheduler::exports(now, scale));
    out.extend(notify::exports(now, scale));
    out.extend(policy::exports(now, scale));
    out
}

/// Writes the set of `scale` under `dir` (`<module>/<collection>.json`
/// and `manifest.json`); the files written.
pub fn write(dir: &Path, scale: usize) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut written = Vec::new();
    let mut documents = crate::export::DocumentCounts::new();
    for export in exports(scale) {
        documents
            .entry(export.module.to_owned())
            .or_default()
            .insert(export.collection.to_owned(), export.docs.len());
        let module_dir = dir.join(export.module);
        std::fs::create_dir_all(&module_dir)?;
        let file = module_dir.join(format!("{}.json", export.collection));
        std::fs::write(&file, support::render(&export))?;
        written.push(file);
    }
    let manifest = serde_json::json!({
        "exported_at": exported_at().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "generator": "stellaops-convert generate",
        "scale": scale,
        "documents": documents,
    });
    let file = dir.join(MANIFEST);
    let text = serde_json::to_string_pretty(&manifest).map_err(std::io::Error::other)?;
    std::fs::write(&file, text + "\n")?;
    written.push(file);
    Ok(written)
}
