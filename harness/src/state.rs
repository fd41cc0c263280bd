use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::HarnessError;

/// What a started server leaves in the state folder, so that every other test
/// process of the workspace finds and reuses it, and `pg-harness down` or the
/// idle reaper can stop it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ServerState {
    /// Random id of this server instance: a reaper only stops the instance it was started for.
    pub token: String,
    /// `local` or `docker`.
    pub backend: String,
    /// Superuser URL on 127.0.0.1.
    pub admin_url: String,
    /// Postmaster pid (local backend).
    pub pid: Option<u32>,
    /// Folder holding the cluster (local backend); removed on stop.
    pub data_root: Option<PathBuf>,
    /// Container id (docker backend).
    pub container_id: Option<String>,
    /// Seconds since the epoch.
    pub started_at: u64,
    /// Shell commands that stop the server and remove what it left.
    pub stop_script: String,
}

impl ServerState {
    pub fn read(path: &Path) -> Result<Option<Self>, HarnessError> {
        match fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| HarnessError::State {
                    path: path.to_path_buf(),
                    reason: format!("unreadable ({e}); delete it or run `pg-harness down`"),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(HarnessError::io("reading server state", path)(e)),
        }
    }

    /// Writes through a temporary file and a rename, so a reader never sees half a file.
    pub fn write(&self, path: &Path) -> Result<(), HarnessError> {
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self).map_err(|e| HarnessError::State {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let mut file =
            fs::File::create(&tmp).map_err(HarnessError::io("writing server state", &tmp))?;
        set_owner_only(&file, &tmp)?;
        file.write_all(text.as_bytes())
            .map_err(HarnessError::io("writing server state", &tmp))?;
        fs::rename(&tmp, path).map_err(HarnessError::io("writing server state", path))
    }
}

/// The state file holds a superuser password: only its owner may read it.
fn set_owner_only(file: &fs::File, path: &Path) -> Result<(), HarnessError> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(HarnessError::io("restricting server state", path))
}

/// Files of one backend's shared server inside the state folder.
#[derive(Debug, Clone)]
pub struct StatePaths {
    pub dir: PathBuf,
    pub state: PathBuf,
    pub lock: PathBuf,
    pub activity: PathBuf,
}

impl StatePaths {
    pub fn new(dir: &Path, backend: &str) -> Self {
        StatePaths {
            dir: dir.to_path_buf(),
            state: dir.join(format!("server-{backend}.json")),
            lock: dir.join(format!("server-{backend}.lock")),
            activity: dir.join(format!("server-{backend}.activity")),
        }
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// 32 hex characters from the kernel's random source.
pub fn random_hex() -> Result<String, HarnessError> {
    let mut bytes = [0u8; 16];
    let mut urandom =
        fs::File::open("/dev/urandom").map_err(HarnessError::io("opening", "/dev/urandom"))?;
    std::io::Read::read_exact(&mut urandom, &mut bytes)
        .map_err(HarnessError::io("reading", "/dev/urandom"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
