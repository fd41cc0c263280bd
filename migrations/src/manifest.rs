//! The checksum manifest: every migration's SHA-256 as first merged, so a
//! changed file is caught.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::{MigrateError, MigrationSet};

/// The committed record of every migration's checksum as first merged.
pub const MANIFEST_FILE: &str = "checksums.manifest";

const HEADER: &str = "\
# Checksums (SHA-256) of the migrations as they were first merged, one per line.
# A test fails when a file listed here changes: never edit a merged migration,
# add a new one. New migrations are appended with
#   cargo run -p stellaops-migrations --bin stellaops-migrate -- manifest --write
";

/// `file -> checksum` for every migration recorded in the manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    path: PathBuf,
    entries: BTreeMap<String, String>,
}

impl Manifest {
    /// Reads `checksums.manifest` beside `modules.order` (empty when absent).
    pub fn load(dir: &Path) -> Result<Self, MigrateError> {
        let path = dir.join(MANIFEST_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(MigrateError::Io { path, source }),
        };
        let mut entries = BTreeMap::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (file, checksum) =
                line.split_once(' ')
                    .ok_or_else(|| MigrateError::BadManifest {
                        path: path.clone(),
                        line: number + 1,
                    })?;
            entries.insert(file.to_owned(), checksum.trim().to_owned());
        }
        Ok(Manifest { path, entries })
    }

    /// Fails on the first recorded migration whose file changed or vanished,
    /// then on the first migration not recorded yet.
    pub fn check(&self, set: &MigrationSet) -> Result<(), MigrateError> {
        let current: BTreeMap<&str, &str> = set
            .migrations()
            .iter()
            .map(|m| (m.file.as_str(), m.checksum.as_str()))
            .collect();
        for (file, recorded) in &self.entries {
            match current.get(file.as_str()) {
                Some(now) if now == recorded => {}
                Some(now) => {
                    return Err(MigrateError::ManifestChanged {
                        file: file.clone(),
                        recorded: recorded.clone(),
                        current: (*now).to_owned(),
                    });
                }
                None => return Err(MigrateError::ManifestMissingFile { file: file.clone() }),
            }
        }
        match set
            .migrations()
            .iter()
            .find(|m| !self.entries.contains_key(&m.file))
        {
            Some(m) => Err(MigrateError::ManifestUnrecorded {
                file: m.file.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Records the migrations not in the manifest yet; recorded ones are never
    /// rewritten (a changed one still fails [`check`](Self::check)).
    pub fn record_new(&mut self, set: &MigrationSet) -> Vec<String> {
        let mut added = Vec::new();
        for m in set.migrations() {
            if !self.entries.contains_key(&m.file) {
                self.entries.insert(m.file.clone(), m.checksum.clone());
                added.push(m.file.clone());
            }
        }
        added
    }

    pub fn write(&self) -> Result<(), MigrateError> {
        let mut text = HEADER.to_owned();
        for (file, checksum) in &self.entries {
            text.push_str(&format!("{file} {checksum}\n"));
        }
        fs::write(&self.path, text).map_err(|source| MigrateError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::default_dir;

    #[test]
    fn shipped_migrations_match_the_committed_manifest() {
        let dir = default_dir();
        let set = MigrationSet::load(&dir).unwrap();
        if let Err(e) = Manifest::load(&dir).unwrap().check(&set) {
            panic!("{e}");
        }
    }

    #[test]
    fn a_changed_recorded_file_and_an_unrecorded_one_are_named() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("modules.order"), "alpha\n").unwrap();
        fs::create_dir(dir.path().join("alpha")).unwrap();
        fs::write(dir.path().join("alpha/0001_init.sql"), "select 1;").unwrap();
        let set = MigrationSet::load(dir.path()).unwrap();
        let mut manifest = Manifest::load(dir.path()).unwrap();
        assert!(matches!(
            manifest.check(&set),
            Err(MigrateError::ManifestUnrecorded { .. })
        ));
        assert_eq!(
            manifest.record_new(&set),
            vec!["alpha/0001_init.sql".to_owned()]
        );
        manifest.write().unwrap();
        Manifest::load(dir.path()).unwrap().check(&set).unwrap();

        fs::write(dir.path().join("alpha/0001_init.sql"), "select 2;").unwrap();
        let changed = MigrationSet::load(dir.path()).unwrap();
        let err = Manifest::load(dir.path())
            .unwrap()
            .check(&changed)
            .unwrap_err();
        assert!(err.to_string().contains("alpha/0001_init.sql"), "{err}");
        let mut again = Manifest::load(dir.path()).unwrap();
        assert!(
            again.record_new(&changed).is_empty(),
            "a recorded checksum is never rewritten"
        );
    }
}
