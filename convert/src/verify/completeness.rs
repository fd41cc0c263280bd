//! Whether the folder holds every export it must: each collection the
//! catalog requires of each module with converters (tier C may be absent:
//! it is not converted), with as many documents as the manifest counts.
//! A missing export is data lost, not a smaller pass.

use super::report::{CollectionCounts, Difference, DifferenceKind};
use crate::catalog::{COLLECTIONS, MODULES, Tier};
use crate::export::Exports;

/// What the folder lacks: differences (a failure), a row per missing
/// collection for the counts table, and warnings.
#[derive(Debug, Default)]
pub(super) struct Completeness {
    pub differences: Vec<Difference>,
    pub missing: Vec<CollectionCounts>,
    pub warnings: Vec<String>,
}

pub(super) fn check(exports: &Exports) -> Completeness {
    let mut found = Completeness::default();
    let required = COLLECTIONS
        .iter()
        .filter(|c| MODULES.contains(&c.module) && c.tier != Tier::C);
    for collection in required {
        let expected_file = format!("{}/{}.json", collection.module, collection.name);
        let Some(file) = exports.file(collection.module, collection.name) else {
            found.differences.push(difference(
                DifferenceKind::MissingExport,
                collection.name,
                &expected_file,
                format!(
                    "an export of {} (every {} export must have it)",
                    collection.name, collection.module
                ),
                "no file".to_owned(),
            ));
            found.missing.push(CollectionCounts {
                module: collection.module.to_owned(),
                collection: collection.name.to_owned(),
                tier: collection.tier.to_string(),
                rule: collection.rule.to_owned(),
                table: collection.table.map(|t| t.qualified()),
                export: format!("missing: {}", exports.dir.join(&expected_file).display()),
                documents: 0,
                converted: 0,
                skipped: 0,
                rejected: 0,
                rows_in_table: 0,
                rows_compared: 0,
            });
            continue;
        };
        let documents = file.docs.len();
        let path = file.path.display().to_string();
        match exports.manifest_count(collection.module, collection.name) {
            Some(counted) if counted != documents => {
                found.differences.push(difference(
                    DifferenceKind::CountMismatch,
                    collection.name,
                    &path,
                    format!("{counted} documents, as manifest.json counts them"),
                    format!("{documents} documents in the file"),
                ));
            }
            Some(_) => {}
            None if documents == 0 => found.warnings.push(format!(
                "warning: {path} holds no documents and the manifest does not say {} held 0: \
                 an empty export of a collection that must be exported may be a failed export",
                collection.name
            )),
            None => {}
        }
    }
    found
}

fn difference(
    kind: DifferenceKind,
    collection: &str,
    file: &str,
    expected: String,
    actual: String,
) -> Difference {
    Difference {
        kind,
        collection: collection.to_owned(),
        file: Some(file.to_owned()),
        table: None,
        tenant: None,
        line: None,
        source_id: None,
        row_id: None,
        column: None,
        expected: Some(expected),
        actual: Some(actual),
    }
}
