use std::process::Output;
use std::time::Duration;

use tokio::process::Command;

use crate::HarnessError;

/// Runs `cmd` to completion within `limit`; kills it when the limit passes.
/// A non-zero exit becomes an error carrying the program's own output.
pub async fn run_bounded(
    mut cmd: Command,
    what: &str,
    limit: Duration,
) -> Result<Output, HarnessError> {
    cmd.kill_on_drop(true).stdin(std::process::Stdio::null());
    let program = format!("{what} ({})", cmd.as_std().get_program().to_string_lossy());
    let output = tokio::time::timeout(limit, cmd.output())
        .await
        .map_err(|_| HarnessError::Timeout {
            what: program.clone(),
            waited: limit,
        })?
        .map_err(|e| HarnessError::Command {
            program: program.clone(),
            status: "could not start".to_owned(),
            output: e.to_string(),
        })?;
    if !output.status.success() {
        let mut text = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !stdout.trim().is_empty() {
            text.push('\n');
            text.push_str(stdout.trim());
        }
        return Err(HarnessError::Command {
            program,
            status: output.status.to_string(),
            output: text,
        });
    }
    Ok(output)
}
