//! The revision a result describes (verification reports and the
//! scorecard record it): `git rev-parse HEAD`, marked `-dirty`
//! when tracked files differ from it.

use std::path::Path;
use std::process::{Command, Stdio};

/// The checkout's revision, or `None` outside a git checkout.
pub fn current_revision(dir: &Path) -> Option<String> {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let head = git(&["rev-parse", "HEAD"])?;
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty { format!("{head}-dirty") } else { head })
}
