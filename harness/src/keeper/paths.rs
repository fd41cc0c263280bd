//! Where a server's keeper lives: files in the state folder named after the
//! server's admin URL, so a replaced server gets a keeper of its own.

use std::path::{Path, PathBuf};

/// The longest socket path the kernel takes (`sun_path` is 108 bytes).
const SOCKET_PATH_MAX: usize = 100;

/// The files of one server's keeper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeeperPaths {
    /// Held (flock) by the running keeper for its whole life.
    pub lock: PathBuf,
    pub socket: PathBuf,
    /// The running keeper's pid, for `pg-harness down` and status.
    pub pid: PathBuf,
    pub log: PathBuf,
    /// Touched before a launch, so processes starting at once launch one keeper.
    pub launch: PathBuf,
}

impl KeeperPaths {
    pub fn new(state_dir: &Path, admin_url: &str) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("stellaops-keeper\0{admin_url}").as_bytes());
        let key: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let file = |ext: &str| state_dir.join(format!("keeper-{key}.{ext}"));
        let mut socket = file("sock");
        if socket.as_os_str().len() > SOCKET_PATH_MAX {
            // A deep workspace: the socket goes where a path is short.
            socket = std::env::temp_dir().join(format!("stellaops-keeper-{key}.sock"));
        }
        KeeperPaths {
            lock: file("lock"),
            socket,
            pid: file("pid"),
            log: file("log"),
            launch: file("launch"),
        }
    }

    /// Every keeper's pid file in a state folder.
    pub fn pid_files(state_dir: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(state_dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("keeper-") && n.ends_with(".pid"))
            })
            .collect()
    }
}
