//! Starting a keeper: detached, out of the test's process group, its output
//! in a log file, never waited for.

use std::fs::{self, File};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use super::paths::KeeperPaths;

/// Processes that find no keeper within this long of a launch whose process
/// still runs leave it to that one: a burst of test processes starts one keeper.
const LAUNCH_GRACE: Duration = Duration::from_secs(3);

/// What [`launch`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    Started(PathBuf),
    /// One runs or is starting (its lock is held, or another process just launched it).
    AlreadyStarting,
    /// No `pg-harness` binary was found: this process works without a keeper.
    NoBinary(String),
    Failed(String),
}

/// The `pg-harness` binary to run a keeper with: `STELLAOPS_PG_HARNESS_BIN`,
/// else beside the running executable (test binaries live in
/// `target/<profile>/deps`), else in the workspace's `target/{debug,release}`.
pub fn find_binary() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("STELLAOPS_PG_HARNESS_BIN") {
        let path = PathBuf::from(path);
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(format!(
                "STELLAOPS_PG_HARNESS_BIN={} is not an executable",
                path.display()
            ))
        };
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        candidates.push(dir.join("pg-harness"));
        if let Some(profile_dir) = dir.parent() {
            candidates.push(profile_dir.join("pg-harness"));
        }
    }
    let target = crate::config::default_state_dir()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"));
    for profile in ["debug", "release"] {
        candidates.push(target.join(profile).join("pg-harness"));
    }
    candidates
        .iter()
        .find(|p| is_executable(p))
        .cloned()
        .ok_or_else(|| {
            format!(
                "no pg-harness binary (looked at {}); `cargo build -p stellaops-harness` builds it",
                candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Starts a keeper for the server of `handle_file` unless one runs or is
/// starting; it fills the pool of `template` at once rather than waiting
/// for the first hand-out to ask.
pub fn launch(paths: &KeeperPaths, handle_file: &Path, template: Option<&str>) -> Launch {
    if keeper_lock_held(paths) || launched_recently(paths) {
        return Launch::AlreadyStarting;
    }
    let binary = match find_binary() {
        Ok(binary) => binary,
        Err(why) => return Launch::NoBinary(why),
    };
    // Claimed first with our own pid, then with the keeper's.
    mark_launch(paths, std::process::id());
    let log = match File::options().create(true).append(true).open(&paths.log) {
        Ok(log) => log,
        Err(e) => return Launch::Failed(format!("opening {}: {e}", paths.log.display())),
    };
    let (out, err) = match (log.try_clone(), log.try_clone()) {
        (Ok(out), Ok(err)) => (out, err),
        _ => return Launch::Failed("duplicating the keeper log handle".to_owned()),
    };
    // Niced: its refills and drops are background work, and the test
    // processes it serves should win the CPU whenever they want it.
    let spawned = Command::new("nice")
        .args(["-n", "10"])
        .arg(&binary)
        .arg("keeper")
        .arg("--handle")
        .arg(handle_file)
        .args(template.map(|t| ["--template", t]).into_iter().flatten())
        .stdin(Stdio::null())
        // Never the test's own pipes: a runner would wait for them to close.
        .stdout(out)
        .stderr(err)
        // Out of the test's process group: a runner ending a test must not end the keeper.
        .process_group(0)
        .spawn();
    match spawned {
        // Not waited for: it outlives this process, and init reaps it.
        Ok(child) => {
            mark_launch(paths, child.id());
            Launch::Started(binary)
        }
        Err(e) => Launch::Failed(format!("starting {}: {e}", binary.display())),
    }
}

/// Whether a keeper holds its lock (it runs, or is starting up).
pub fn keeper_lock_held(paths: &KeeperPaths) -> bool {
    let Ok(file) = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&paths.lock)
    else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(_) => true,
    }
}

fn mark_launch(paths: &KeeperPaths, pid: u32) {
    let _ = fs::write(&paths.launch, pid.to_string());
}

/// A launch within the grace period by a process that still runs.
fn launched_recently(paths: &KeeperPaths) -> bool {
    let recent = fs::metadata(&paths.launch)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age < LAUNCH_GRACE);
    let launcher_alive = fs::read_to_string(&paths.launch)
        .ok()
        .and_then(|t| t.trim().parse::<i32>().ok())
        .is_some_and(|pid| {
            matches!(
                nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None),
                Ok(()) | Err(nix::errno::Errno::EPERM)
            )
        });
    recent && launcher_alive
}
