//! Where a server's keeper lives: files in the state folder named after the
//! server's admin URL, so a replaced server gets a keeper of its own.

use std::path::{Path, PathBuf};

use crate::naming::short_hash;

/// The longest socket path the kernel takes (`sun_path` is 108 bytes).
const SOCKET_PATH_MAX: usize = 100;
const PREFIX: &str = "keeper-";

/// The files of one server's keeper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeeperPaths {
    /// Held (flock) by the running keeper for its whole life.
    pub lock: PathBuf,
    pub socket: PathBuf,
    /// The running keeper's pid, for `pg-harness down` and status.
    pub pid: PathBuf,
    pub log: PathBuf,
    /// Written before a launch, so processes starting at once launch one keeper.
    pub launch: PathBuf,
}

impl KeeperPaths {
    pub fn new(state_dir: &Path, admin_url: &str) -> Self {
        Self::of_key(
            state_dir,
            &short_hash(&format!("stellaops-keeper\0{admin_url}"), 8),
        )
    }

    fn of_key(state_dir: &Path, key: &str) -> Self {
        let file = |ext: &str| state_dir.join(format!("{PREFIX}{key}.{ext}"));
        let mut socket = file("sock");
        if socket.as_os_str().len() > SOCKET_PATH_MAX {
            // A deep workspace: the socket goes where a path is short.
            socket = std::env::temp_dir().join(format!("stellaops-{PREFIX}{key}.sock"));
        }
        KeeperPaths {
            lock: file("lock"),
            socket,
            pid: file("pid"),
            log: file("log"),
            launch: file("launch"),
        }
    }

    /// Every keeper that left files in a state folder, running or not.
    pub fn all(state_dir: &Path) -> Vec<KeeperPaths> {
        let mut keys: Vec<String> = std::fs::read_dir(state_dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let (key, _ext) = name.strip_prefix(PREFIX)?.split_once('.')?;
                Some(key.to_owned())
            })
            .collect();
        keys.sort();
        keys.dedup();
        keys.iter()
            .map(|key| Self::of_key(state_dir, key))
            .collect()
    }
}
