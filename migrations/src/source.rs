//! Where migrations come from: the shipped folder, `modules.order`, and the
//! files of each module.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::migration::sha256_hex;
use crate::{Category, MigrateError, Migration};

/// The migrations shipped with this crate: the folder holding `modules.order`.
pub fn default_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The name of the file that lists the modules in the order they apply.
const ORDER_FILE: &str = "modules.order";

/// Every migration of every module, in apply order (module order, then version).
#[derive(Debug, Clone)]
pub struct MigrationSet {
    dir: PathBuf,
    modules: Vec<String>,
    migrations: Vec<Migration>,
}

impl MigrationSet {
    /// Reads `modules.order` and each module's `*.sql` files below `dir`.
    ///
    /// Refuses a module folder that is not listed, a listed module without a
    /// folder, a file name without a leading version, and a version used twice.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, MigrateError> {
        let dir = dir.as_ref().to_path_buf();
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| MigrateError::Io { path, source }
        };
        let order_path = dir.join(ORDER_FILE);
        let order = fs::read_to_string(&order_path).map_err(io(&order_path))?;
        let modules: Vec<String> = order
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(str::to_owned)
            .collect();

        for entry in fs::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_dir() && has_sql_files(&entry.path()) && !modules.contains(&name) {
                return Err(MigrateError::UnlistedModule { dir, module: name });
            }
        }

        let mut migrations = Vec::new();
        for module in &modules {
            let module_dir = dir.join(module);
            if !module_dir.is_dir() {
                return Err(MigrateError::MissingModule {
                    dir,
                    module: module.clone(),
                });
            }
            let mut module_migrations = Vec::new();
            for entry in fs::read_dir(&module_dir).map_err(io(&module_dir))? {
                let path = entry.map_err(io(&module_dir))?.path();
                if path.extension().is_some_and(|ext| ext == "sql") {
                    module_migrations.push(read_migration(module, &path)?);
                }
            }
            module_migrations.sort_by_key(|m| m.version);
            let mut seen: HashMap<i64, &Migration> = HashMap::new();
            for m in &module_migrations {
                if let Some(first) = seen.insert(m.version, m) {
                    return Err(MigrateError::DuplicateVersion {
                        module: module.clone(),
                        version: m.version,
                        first: first.file.clone(),
                        second: m.file.clone(),
                    });
                }
            }
            migrations.extend(module_migrations);
        }
        Ok(MigrationSet {
            dir,
            modules,
            migrations,
        })
    }

    /// The folder the set was read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Module names in apply order.
    pub fn modules(&self) -> &[String] {
        &self.modules
    }

    /// Every migration in apply order.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// A hex SHA-256 over every migration's identity and checksum: equal sets
    /// give equal fingerprints, and any changed, added or removed file changes it.
    pub fn fingerprint(&self) -> String {
        let mut canonical = String::new();
        for m in &self.migrations {
            canonical.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                m.module, m.version, m.category, m.checksum
            ));
        }
        sha256_hex(canonical.as_bytes())
    }
}

fn has_sql_files(dir: &Path) -> bool {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.path().extension().is_some_and(|ext| ext == "sql"))
        })
        .unwrap_or(false)
}

fn read_migration(module: &str, path: &Path) -> Result<Migration, MigrateError> {
    let bad = |reason: &str| MigrateError::BadFileName {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    };
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| bad("file name is not UTF-8"))?;
    let stem = file_name.strip_suffix(".sql").unwrap_or(file_name);
    let (category, name) = Category::from_file_stem(stem);
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || !name[digits.len()..].starts_with('_') || name.len() == digits.len() + 1
    {
        return Err(bad(
            "expected NNNN_name.sql (optionally .release/.seed/.data before .sql)",
        ));
    }
    let version: i64 = digits
        .parse()
        .map_err(|_| bad("version does not fit in 64 bits"))?;
    let sql = fs::read_to_string(path).map_err(|source| MigrateError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(Migration::new(
        module,
        version,
        name,
        category,
        format!("{module}/{file_name}"),
        sql,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, body: &str) {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, body).unwrap();
    }

    #[test]
    fn shipped_set_loads_in_module_order() {
        let set = MigrationSet::load(default_dir()).unwrap();
        assert_eq!(set.modules()[0], "roles");
        assert!(set.modules().iter().any(|m| m == "authority"));
        let first = &set.migrations()[0];
        assert_eq!((first.module.as_str(), first.version), ("roles", 1));
    }

    #[test]
    fn categories_versions_and_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "modules.order", "# comment\nalpha\n");
        write(dir.path(), "alpha/0002_more.release.sql", "select 2;");
        write(dir.path(), "alpha/0001_init.sql", "select 1;");
        let set = MigrationSet::load(dir.path()).unwrap();
        let got: Vec<_> = set
            .migrations()
            .iter()
            .map(|m| (m.version, m.category))
            .collect();
        assert_eq!(got, vec![(1, Category::Startup), (2, Category::Release)]);
        let before = set.fingerprint();
        write(dir.path(), "alpha/0001_init.sql", "select 10;");
        assert_ne!(
            MigrationSet::load(dir.path()).unwrap().fingerprint(),
            before
        );
    }

    #[test]
    fn refuses_unlisted_module_and_duplicate_version_and_bad_name() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "modules.order", "alpha\n");
        write(dir.path(), "alpha/0001_init.sql", "select 1;");
        write(dir.path(), "beta/0001_init.sql", "select 1;");
        let err = MigrationSet::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("`beta` is not listed"), "{err}");

        fs::remove_dir_all(dir.path().join("beta")).unwrap();
        write(dir.path(), "alpha/0001_again.seed.sql", "select 1;");
        let err = MigrationSet::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("module alpha: version 1 is used by both"),
            "{err}"
        );

        fs::remove_file(dir.path().join("alpha/0001_again.seed.sql")).unwrap();
        write(dir.path(), "alpha/init.sql", "select 1;");
        let err = MigrationSet::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("alpha/init.sql") && err.contains("NNNN_name.sql"),
            "{err}"
        );
    }

    #[test]
    fn listed_module_without_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "modules.order", "ghost\n");
        let err = MigrationSet::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("`ghost` is listed"), "{err}");
    }
}
