//! A folder of exports: `<dir>/<module>/<collection>.json` (or `.ndjson`,
//! `.jsonl`), and an optional `<dir>/manifest.json` that records when the
//! export was taken (the clock of the tier windows).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::error::ExportError;
use super::read::{Layout, SourceDoc, parse_documents};
use crate::catalog::{self, Collection, MODULES};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";

/// Every export file of a folder, read.
#[derive(Debug)]
pub struct Exports {
    pub dir: PathBuf,
    /// When the export was taken, from the manifest.
    pub exported_at: Option<DateTime<Utc>>,
    /// Documents per module and collection as the manifest counts them
    /// (`"documents": {"authority": {"authority_users": 8}}`), if it does.
    pub manifest_documents: Option<DocumentCounts>,
    /// In conversion order.
    pub files: Vec<ExportFile>,
}

/// Documents per module, then per collection.
pub type DocumentCounts = BTreeMap<String, BTreeMap<String, usize>>;

/// One collection's export.
#[derive(Debug)]
pub struct ExportFile {
    pub collection: &'static Collection,
    pub path: PathBuf,
    pub layout: Layout,
    /// SHA-256 of the file: a resumed backfill continues only the same file.
    pub sha256: String,
    pub docs: Vec<SourceDoc>,
}

impl Exports {
    /// Reads `dir`. Unknown module folders and unknown collections are
    /// errors (naming the file); files of other extensions are ignored.
    pub fn read(dir: &Path) -> Result<Exports, ExportError> {
        let (exported_at, manifest_documents) = read_manifest(dir)?;
        let mut files: Vec<ExportFile> = Vec::new();
        for module_dir in sorted_entries(dir)? {
            if !module_dir.is_dir() {
                continue;
            }
            let module = file_name(&module_dir);
            for path in sorted_entries(&module_dir)? {
                let Some(collection_name) = export_stem(&path) else {
                    continue;
                };
                if !MODULES.contains(&module.as_str()) {
                    return Err(ExportError::UnknownModule {
                        file: path,
                        module,
                        known: MODULES.join(", "),
                    });
                }
                let collection = catalog::find(&module, &collection_name).ok_or_else(|| {
                    ExportError::UnknownCollection {
                        file: path.clone(),
                        module: module.clone(),
                        collection: collection_name.clone(),
                        known: catalog::names_of(&module),
                    }
                })?;
                if let Some(first) = files
                    .iter()
                    .find(|f| std::ptr::eq(f.collection, collection))
                {
                    return Err(ExportError::Twice {
                        dir: dir.to_owned(),
                        collection: collection.name.to_owned(),
                        first: first.path.clone(),
                        second: path,
                    });
                }
                let bytes = std::fs::read(&path).map_err(|source| ExportError::Io {
                    file: path.clone(),
                    source,
                })?;
                let sha256 = format!("{:x}", Sha256::digest(&bytes));
                // Read once: the hash and the documents come from the same bytes.
                let (layout, docs) = parse_documents(&path, &bytes)?;
                files.push(ExportFile {
                    collection,
                    path,
                    layout,
                    sha256,
                    docs,
                });
            }
        }
        if files.is_empty() {
            return Err(ExportError::Empty {
                dir: dir.to_owned(),
            });
        }
        let order = |f: &ExportFile| {
            catalog::COLLECTIONS
                .iter()
                .position(|c| std::ptr::eq(c, f.collection))
        };
        files.sort_by_key(order);
        Ok(Exports {
            dir: dir.to_owned(),
            exported_at,
            manifest_documents,
            files,
        })
    }

    /// How many documents the manifest says `module`'s `collection` held.
    pub fn manifest_count(&self, module: &str, collection: &str) -> Option<usize> {
        self.manifest_documents
            .as_ref()?
            .get(module)?
            .get(collection)
            .copied()
    }

    /// The export of `module`'s `collection`, if the folder has one.
    pub fn file(&self, module: &str, collection: &str) -> Option<&ExportFile> {
        self.files
            .iter()
            .find(|f| f.collection.module == module && f.collection.name == collection)
    }
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    let io = |source| ExportError::Io {
        file: dir.to_owned(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)?;
    entries.sort();
    Ok(entries)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The collection a file exports: its name without `.json`, `.ndjson` or `.jsonl`.
fn export_stem(path: &Path) -> Option<String> {
    let name = file_name(path);
    [".ndjson", ".jsonl", ".json"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext).map(str::to_owned))
}

fn read_manifest(
    dir: &Path,
) -> Result<(Option<DateTime<Utc>>, Option<DocumentCounts>), ExportError> {
    let file = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((None, None)),
        Err(source) => return Err(ExportError::Io { file, source }),
    };
    let bad = |detail: String| ExportError::Manifest {
        file: file.clone(),
        detail,
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
    let exported_at = match value.get("exported_at") {
        None => None,
        Some(at) => {
            let at = at
                .as_str()
                .ok_or_else(|| bad("exported_at is not a string".into()))?;
            let parsed = DateTime::parse_from_rfc3339(at)
                .map_err(|e| bad(format!("exported_at {at:?}: {e}")))?;
            Some(parsed.with_timezone(&Utc))
        }
    };
    let documents = match value.get("documents") {
        None => None,
        Some(documents) => Some(
            serde_json::from_value::<DocumentCounts>(documents.clone()).map_err(|e| {
                bad(format!(
                    "documents must map each module to its collections' document counts: {e}"
                ))
            })?,
        ),
    };
    Ok((exported_at, documents))
}
