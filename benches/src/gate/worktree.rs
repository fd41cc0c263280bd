//! The base side of the gate: the git ref resolved to a commit, checked out
//! in a worktree kept under the target folder (re-pointed, not re-created,
//! so unchanged files keep their times and cargo rebuilds only what
//! changed), and built into a target folder of its own, seeded once with a
//! copy of the candidate's compiled dependencies.
//!
//! Not the candidate's target folder itself: cargo names a workspace
//! crate's artifacts without its path, so the worktree's build would
//! overwrite the candidate's and leave fingerprints pointing at the
//! worktree, and the next `cargo build` of the checkout would call the
//! base's binary up to date.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::GateError;

/// A built side: the commit and a copy of its `stellaops-load` binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltSide {
    /// What the user named it (a ref, or "working tree").
    pub reference: String,
    /// The full commit id (or "working tree").
    pub rev: String,
    pub binary: PathBuf,
}

impl BuiltSide {
    pub fn short(&self) -> &str {
        &self.rev[..self.rev.len().min(12)]
    }
}

/// Runs git in `dir`; stdout trimmed, or stderr as the error.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running git: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

/// The top of the git checkout the gate runs in.
pub fn repository_root() -> Result<PathBuf, GateError> {
    let dir = std::env::current_dir().map_err(|e| GateError::Git {
        doing: "finding the current folder".into(),
        reason: e.to_string(),
    })?;
    git(&dir, &["rev-parse", "--show-toplevel"])
        .map(PathBuf::from)
        .map_err(|reason| GateError::Git {
            doing: "finding the repository (run the gate inside the checkout)".into(),
            reason,
        })
}

/// The commit `reference` names, or a clear error.
pub fn resolve(root: &Path, reference: &str) -> Result<String, GateError> {
    if reference.trim().is_empty() || reference.starts_with('-') {
        return Err(GateError::UnknownRef {
            reference: reference.to_owned(),
            reason: "not a ref".into(),
        });
    }
    git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{reference}^{{commit}}"),
        ],
    )
    .ok()
    .filter(|rev| !rev.is_empty())
    .ok_or_else(|| GateError::UnknownRef {
        reference: reference.to_owned(),
        reason: "no such branch, tag or commit here (fetch it first?)".into(),
    })
}

/// The candidate: the running binary, copied aside before the base build
/// replaces the target folder's `release/stellaops-load`.
pub fn stash_candidate(root: &Path, work: &Path) -> Result<BuiltSide, GateError> {
    let current = std::env::current_exe().map_err(|e| GateError::File {
        what: "finding",
        file: "the running binary".into(),
        reason: e.to_string(),
    })?;
    let binary = work.join("candidate-stellaops-load");
    copy_binary(&current, &binary)?;
    let rev = git(root, &["rev-parse", "HEAD"]).unwrap_or_else(|_| "unknown".into());
    let dirty = git(root, &["status", "--porcelain", "--untracked-files=no"])
        .map(|s| !s.is_empty())
        .unwrap_or(false);
    Ok(BuiltSide {
        reference: if dirty {
            "working tree (uncommitted changes)".into()
        } else {
            "HEAD".into()
        },
        rev,
        binary,
    })
}

/// Checks `rev` out in the gate's worktree and builds its
/// `stellaops-load` in release mode into `target_dir`; the build's output
/// goes to `log` and, when it fails, its tail into the error.
pub fn build_base(
    root: &Path,
    target_dir: &Path,
    work: &Path,
    reference: &str,
    rev: &str,
    log: &mut dyn FnMut(&str),
) -> Result<BuiltSide, GateError> {
    let worktree = work.join("base-worktree");
    let git_error = |doing: &str| {
        let doing = doing.to_owned();
        move |reason| GateError::Git { doing, reason }
    };
    let registered = git(root, &["worktree", "list", "--porcelain"])
        .map_err(git_error("listing worktrees"))?
        .lines()
        .any(|line| line.strip_prefix("worktree ").map(Path::new) == Some(worktree.as_path()));
    if registered && worktree.join(".git").exists() {
        git(
            &worktree,
            &["checkout", "--quiet", "--force", "--detach", rev],
        )
        .map_err(git_error("checking the base out in the gate's worktree"))?;
    } else {
        let _ = git(root, &["worktree", "prune"]);
        if worktree.exists() {
            std::fs::remove_dir_all(&worktree).map_err(GateError::io("clearing", &worktree))?;
        }
        let path = worktree.display().to_string();
        git(
            root,
            &[
                "worktree", "add", "--quiet", "--force", "--detach", &path, rev,
            ],
        )
        .map_err(git_error("adding the gate's worktree"))?;
    }
    log(&format!(
        "building the base {reference} ({}) in {}",
        &rev[..rev.len().min(12)],
        worktree.display()
    ));
    let base_target = work.join("target");
    seed_target(target_dir, &base_target, log)?;
    let build_log = work.join("base-build.log");
    let log_file =
        std::fs::File::create(&build_log).map_err(GateError::io("creating", &build_log))?;
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "stellaops-benches",
            "--bin",
            "stellaops-load",
            "--manifest-path",
        ])
        .arg(worktree.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&base_target)
        .stdin(Stdio::null())
        .stdout(
            log_file
                .try_clone()
                .map_err(GateError::io("opening", &build_log))?,
        )
        .stderr(log_file)
        .status()
        .map_err(|e| GateError::BaseBuild {
            reference: reference.to_owned(),
            rev: rev.to_owned(),
            log: format!("cargo could not be started: {e}"),
        })?;
    if !status.success() {
        let text = std::fs::read_to_string(&build_log).unwrap_or_default();
        return Err(GateError::BaseBuild {
            reference: reference.to_owned(),
            rev: rev.to_owned(),
            log: tail(&text, 40),
        });
    }
    let built = base_target.join("release").join("stellaops-load");
    let binary = work.join(format!("base-{}-stellaops-load", &rev[..rev.len().min(12)]));
    copy_binary(&built, &binary)?;
    Ok(BuiltSide {
        reference: reference.to_owned(),
        rev: rev.to_owned(),
        binary,
    })
}

/// Seeds the base's target folder, the first time, with a copy of the
/// candidate's compiled dependencies (not the workspace's own crates, which
/// the base compiles from its own sources).
fn seed_target(
    target_dir: &Path,
    base_target: &Path,
    log: &mut dyn FnMut(&str),
) -> Result<(), GateError> {
    let from = target_dir.join("release");
    let to = base_target.join("release");
    if to.exists() || !from.join("deps").is_dir() {
        return Ok(());
    }
    log(&format!(
        "seeding {} with the compiled dependencies of {} (once)",
        base_target.display(),
        from.display()
    ));
    let partial = base_target.join("release.partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(GateError::io("clearing", &partial))?;
    }
    std::fs::create_dir_all(&partial).map_err(GateError::io("creating", &partial))?;
    for dir in ["deps", "build", ".fingerprint"] {
        if !from.join(dir).is_dir() {
            continue;
        }
        let status = Command::new("cp")
            .arg("-a")
            .arg(from.join(dir))
            .arg(&partial)
            .status()
            .map_err(GateError::io("copying", &from.join(dir)))?;
        if !status.success() {
            return Err(GateError::File {
                what: "copying",
                file: from.join(dir).display().to_string(),
                reason: format!("cp exited with {status}"),
            });
        }
        for entry in
            std::fs::read_dir(partial.join(dir)).map_err(GateError::io("reading", &partial))?
        {
            let entry = entry.map_err(GateError::io("reading", &partial))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("stellaops") || name.starts_with("libstellaops") {
                let path = entry.path();
                let removed = if path.is_dir() {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
                removed.map_err(GateError::io("removing", &path))?;
            }
        }
    }
    std::fs::rename(&partial, &to).map_err(GateError::io("placing", &to))
}

/// Checks that a side's binary speaks the gate's protocol (`serve`).
pub fn check_protocol(side: &BuiltSide) -> Result<(), GateError> {
    let ok = Command::new(&side.binary)
        .args(["serve", "--help"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(GateError::BaseTooOld {
            reference: side.reference.clone(),
            rev: side.short().to_owned(),
        })
    }
}

/// The critical paths the side's binary knows: `paths` lists them; a base
/// older than that subcommand names them in its refusal of an unknown path
/// (`unknown critical path "…"; known: a, b, c`).
pub fn known_paths(side: &BuiltSide) -> Result<Vec<String>, GateError> {
    let listed = Command::new(&side.binary)
        .arg("paths")
        .stdin(Stdio::null())
        .output()
        .map_err(GateError::io("running", &side.binary))?;
    if listed.status.success() {
        return Ok(String::from_utf8_lossy(&listed.stdout)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect());
    }
    let probe = Command::new(&side.binary)
        .args(["run", "--paths", "stellaops-gate.probe"])
        .stdin(Stdio::null())
        .output()
        .map_err(GateError::io("running", &side.binary))?;
    let stderr = String::from_utf8_lossy(&probe.stderr);
    stderr
        .split_once("; known: ")
        .map(|(_, known)| {
            let line = known.lines().next().unwrap_or_default();
            line.split(',')
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect()
        })
        .ok_or_else(|| GateError::BaseTooOld {
            reference: side.reference.clone(),
            rev: side.short().to_owned(),
        })
}

/// Copies through a temporary name and a rename: cargo hard-links its
/// outputs, so writing into an existing file could change another.
fn copy_binary(from: &Path, to: &Path) -> Result<(), GateError> {
    let partial = to.with_extension("partial");
    std::fs::copy(from, &partial).map_err(GateError::io("copying", from))?;
    std::fs::rename(&partial, to).map_err(GateError::io("placing", to))?;
    Ok(())
}

/// The last `lines` lines of `text`.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in binary: a shell script that answers as `body` says.
    fn fake(dir: &Path, body: &str) -> BuiltSide {
        use std::os::unix::fs::PermissionsExt;
        let binary = dir.join("stellaops-load");
        std::fs::write(&binary, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
        BuiltSide {
            reference: "main".into(),
            rev: "0123456789abcdef".into(),
            binary,
        }
    }

    #[test]
    fn a_base_names_its_paths_by_listing_them_or_in_its_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let new = fake(
            dir.path(),
            r#"[ "$1" = paths ] && printf 'a.one\nb.two\n' && exit 0; exit 2"#,
        );
        assert_eq!(known_paths(&new).unwrap(), ["a.one", "b.two"]);
        let old = fake(
            dir.path(),
            r#"[ "$1" = run ] && echo 'stellaops-load: unknown critical path "x"; known: a.one, b.two' >&2; exit 2"#,
        );
        assert_eq!(known_paths(&old).unwrap(), ["a.one", "b.two"]);
        let mute = fake(dir.path(), "exit 2");
        assert!(matches!(
            known_paths(&mute),
            Err(GateError::BaseTooOld { .. })
        ));
    }
}
