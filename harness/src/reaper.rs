//! Idle stop: a shared server stops itself once no test process has used it
//! for the idle period, so a run never leaves a server behind.
//!
//! Every process using the server touches an activity file while it lives; a
//! detached watchdog (a small shell loop, so it needs no binary of ours)
//! stops the server when the file is older than the idle period. It takes the
//! server lock first, so it never stops a server that a process is just
//! picking up, and it exits when the state file no longer names its server.

use std::fs::{self, File};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use crate::HarnessError;
use crate::state::{ServerState, StatePaths};

/// How often a live process marks the server as in use.
const HEARTBEAT: Duration = Duration::from_secs(10);

const WATCHDOG: &str = r#"
set -u
while :; do
  sleep "$CHECK_SECS"
  [ -f "$STATE_FILE" ] && grep -qF "$TOKEN" "$STATE_FILE" || exit 0
  now=$(date +%s); last=$(stat -c %Y "$ACTIVITY_FILE" 2>/dev/null || echo 0)
  [ $((now - last)) -ge "$IDLE_SECS" ] || continue
  (
    flock -w 30 9 || exit 1
    now=$(date +%s); last=$(stat -c %Y "$ACTIVITY_FILE" 2>/dev/null || echo 0)
    [ $((now - last)) -ge "$IDLE_SECS" ] || exit 1
    grep -qF "$TOKEN" "$STATE_FILE" 2>/dev/null || exit 0
    sh -c "$STOP_SCRIPT"
    rm -f "$STATE_FILE"
  ) 9>>"$LOCK_FILE" && exit 0
done
"#;

/// Starts the detached watchdog for the server `state` describes.
pub fn spawn_watchdog(
    paths: &StatePaths,
    state: &ServerState,
    idle: Duration,
) -> Result<(), HarnessError> {
    let check = (idle.as_secs() / 5).clamp(1, 30);
    Command::new("sh")
        .arg("-c")
        .arg(WATCHDOG)
        .env("CHECK_SECS", check.to_string())
        .env("IDLE_SECS", idle.as_secs().to_string())
        .env("STATE_FILE", &paths.state)
        .env("LOCK_FILE", &paths.lock)
        .env("ACTIVITY_FILE", &paths.activity)
        .env("TOKEN", &state.token)
        .env("STOP_SCRIPT", &state.stop_script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Out of the test's process group: the runner killing a test must not kill the watchdog.
        .process_group(0)
        .spawn()
        .map(drop)
        .map_err(HarnessError::io("starting the idle watchdog for", &paths.state))
}

/// Marks the server in use now.
pub fn touch(activity: &Path) -> Result<(), HarnessError> {
    let file = File::options()
        .create(true)
        .append(true)
        .open(activity)
        .map_err(HarnessError::io("touching", activity))?;
    file.set_modified(SystemTime::now())
        .map_err(HarnessError::io("touching", activity))
}

/// Keeps `activity` (a server's, or its pooler's) marked in use for as long
/// as this process lives. One heartbeat thread serves every file.
pub fn keep_alive_while_running(activity: &Path) {
    static FILES: OnceLock<std::sync::Mutex<Vec<std::path::PathBuf>>> = OnceLock::new();
    let mut started = false;
    let files = FILES.get_or_init(|| {
        started = true;
        std::sync::Mutex::new(Vec::new())
    });
    if let Ok(mut files) = files.lock()
        && !files.iter().any(|f| f == activity)
    {
        files.push(activity.to_path_buf());
    }
    if started {
        let _ = std::thread::Builder::new()
            .name("stellaops-pg-heartbeat".to_owned())
            .spawn(move || {
                loop {
                    let current = files.lock().map(|f| f.clone()).unwrap_or_default();
                    for file in &current {
                        let _ = touch(file);
                    }
                    std::thread::sleep(HEARTBEAT);
                }
            });
    }
}

/// Runs a state's stop script to completion (bounded).
pub fn run_stop_script(state: &ServerState) -> Result<(), HarnessError> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&state.stop_script)
        .stdin(Stdio::null())
        .spawn()
        .map_err(HarnessError::io(
            "running the stop script of",
            "server state",
        ))?;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return Ok(()),
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50))
            }
            _ => {
                let _ = child.kill();
                return Err(HarnessError::Timeout {
                    what: format!("stopping the {} server", state.backend),
                    waited: Duration::from_secs(60),
                });
            }
        }
    }
}

/// Removes a file if it is there.
pub fn remove_if_present(path: &Path) {
    let _ = fs::remove_file(path);
}
