//! What a test process needs to know of the workspace's server without
//! asking anyone: the handle a verified start leaves behind.
//!
//! Finding the server the slow way costs a test process a Docker API call,
//! a `pg_config` spawn, the server lock and three logins. Once one process
//! has done it, it writes a handle (backend, admin URL, major version, the
//! server instance's token) keyed by the settings that chose the backend;
//! every later process reads that file and goes straight to the keeper.
//! A handle is trusted only while the server's state file still carries
//! its token; anything it gets wrong is caught by the keeper or the login
//! that follows, and sends the process down the verified path.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::HarnessError;
use crate::backend::BackendKind;
use crate::config::Settings;
use crate::naming::short_hash;
use crate::state::{ServerState, StatePaths};

/// Bumped when the handle's fields change: an old file is then ignored.
const HANDLE_VERSION: u32 = 1;

/// A verified server, as recorded for the processes that come after.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ServerHandle {
    pub version: u32,
    /// `local`, `docker` or `external`.
    pub backend: String,
    /// Why that backend was picked (printed once per process).
    pub reason: String,
    /// Superuser URL: the file is readable by its owner only.
    pub admin_url: String,
    pub major_version: u32,
    /// The server instance's token (servers the harness started).
    pub token: Option<String>,
}

impl ServerHandle {
    pub fn new(
        kind: BackendKind,
        reason: &str,
        admin_url: &str,
        major_version: u32,
        state: Option<&ServerState>,
    ) -> Self {
        ServerHandle {
            version: HANDLE_VERSION,
            backend: kind.as_str().to_owned(),
            reason: reason.to_owned(),
            admin_url: admin_url.to_owned(),
            major_version,
            token: state.map(|s| s.token.clone()),
        }
    }

    pub fn kind(&self) -> Option<BackendKind> {
        match self.backend.as_str() {
            "local" => Some(BackendKind::Local),
            "docker" => Some(BackendKind::Docker),
            "external" => Some(BackendKind::External),
            _ => None,
        }
    }

    /// The handle for `settings`, if one was written and its server is still
    /// the one the state folder records. Reads at most two small files.
    pub fn read_current(settings: &Settings) -> Option<(ServerHandle, Option<ServerState>)> {
        let text = fs::read_to_string(handle_path(settings)).ok()?;
        let handle: ServerHandle = serde_json::from_str(&text).ok()?;
        if handle.version != HANDLE_VERSION {
            return None;
        }
        let kind = handle.kind()?;
        match kind {
            BackendKind::External => {
                // The URL comes from the environment; the handle only saves the version query.
                (settings.url.as_deref() == Some(handle.admin_url.as_str()))
                    .then_some((handle, None))
            }
            _ => {
                let paths = StatePaths::new(&settings.state_dir, kind.as_str());
                let state = ServerState::read(&paths.state).ok().flatten()?;
                (handle.token.as_deref() == Some(state.token.as_str())
                    && state.admin_url == handle.admin_url)
                    .then_some((handle, Some(state)))
            }
        }
    }

    /// Writes the handle for `settings` (through a temporary file and a rename).
    pub fn write(&self, settings: &Settings) -> Result<(), HarnessError> {
        let path = handle_path(settings);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let text = serde_json::to_string_pretty(self).map_err(|e| HarnessError::State {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let write = || -> std::io::Result<()> {
            use std::os::unix::fs::OpenOptionsExt;
            fs::create_dir_all(&settings.state_dir)?;
            let mut file = fs::File::options()
                .create(true)
                .truncate(true)
                .write(true)
                .mode(0o600)
                .open(&tmp)?;
            file.write_all(text.as_bytes())?;
            fs::rename(&tmp, &path)
        };
        write().map_err(HarnessError::io("writing the server handle", &path))
    }

    /// Forgets the handle for `settings` (its server is gone or was replaced).
    pub fn remove(settings: &Settings) {
        let _ = fs::remove_file(handle_path(settings));
    }
}

/// `handle-<key>.json` in the state folder, keyed by every setting that
/// decides which server a process uses.
pub fn handle_path(settings: &Settings) -> PathBuf {
    let key = format!(
        "{:?}\0{}\0{}\0{}",
        settings.backend,
        settings.url.as_deref().unwrap_or(""),
        settings.image,
        settings
            .pg_bin
            .as_deref()
            .map(Path::to_string_lossy)
            .unwrap_or_default(),
    );
    settings
        .state_dir
        .join(format!("handle-{}.json", short_hash(&key, 8)))
}

/// The fingerprint of the migration set in `dir`, without reading and
/// hashing every migration when nothing changed: a cache in the state
/// folder keyed by each file's path, size and modification time (what
/// cargo trusts too). Any difference recomputes it from the files.
pub fn migrations_fingerprint(settings: &Settings, dir: &Path) -> Result<String, HarnessError> {
    let key = migration_files_key(dir);
    let cache = settings.state_dir.join("fingerprint-shipped.json");
    if let Some(key) = &key
        && let Ok(text) = fs::read_to_string(&cache)
        && let Ok((cached_key, fingerprint)) = serde_json::from_str::<(String, String)>(&text)
        && &cached_key == key
    {
        return Ok(fingerprint);
    }
    let fingerprint = stellaops_migrations::MigrationSet::load(dir)?.fingerprint();
    if let Some(key) = key
        && let Ok(text) = serde_json::to_string(&(key, &fingerprint))
    {
        let tmp = cache.with_extension(format!("tmp{}", std::process::id()));
        if fs::create_dir_all(&settings.state_dir).is_ok() && fs::write(&tmp, text).is_ok() {
            let _ = fs::rename(&tmp, &cache);
        }
    }
    Ok(fingerprint)
}

/// Path, size and modification time of every file of a migration folder.
fn migration_files_key(dir: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let mut entries = Vec::new();
    let mut visit = |path: &Path| -> Option<()> {
        let meta = fs::metadata(path).ok()?;
        entries.push(format!(
            "{}\t{}\t{}.{}",
            path.display(),
            meta.len(),
            meta.mtime(),
            meta.mtime_nsec()
        ));
        Some(())
    };
    visit(&dir.join("modules.order"))?;
    for module in fs::read_dir(dir).ok()? {
        let module = module.ok()?.path();
        if !module.is_dir() {
            continue;
        }
        visit(&module)?;
        for file in fs::read_dir(&module).ok()? {
            visit(&file.ok()?.path())?;
        }
    }
    entries.sort();
    Some(short_hash(&entries.join("\n"), 12))
}
