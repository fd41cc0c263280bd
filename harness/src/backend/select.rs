use std::fmt;
use std::path::PathBuf;

use crate::HarnessError;
use crate::backend::{docker, local};
use crate::config::{BackendChoice, Settings};

/// The backend in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    External,
    Docker,
    Local,
}

impl BackendKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::External => "external",
            BackendKind::Docker => "docker",
            BackendKind::Local => "local",
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The backend picked and why.
#[derive(Debug, Clone)]
pub struct Selection {
    pub kind: BackendKind,
    /// One line a person can read: what was picked and what was passed over.
    pub reason: String,
    /// Binaries of the local backend.
    pub bin_dir: Option<PathBuf>,
}

/// Picks the backend `settings` ask for; `auto` tries external, then Docker,
/// then local binaries, and fails with every attempt listed.
pub async fn select(settings: &Settings) -> Result<Selection, HarnessError> {
    let mut attempts = Vec::new();
    let choice = settings.backend;

    if matches!(choice, BackendChoice::Auto | BackendChoice::External) {
        if settings.url.is_some() {
            return Ok(Selection {
                kind: BackendKind::External,
                reason: "STELLAOPS_PG_URL is set".to_owned(),
                bin_dir: None,
            });
        }
        attempts.push("external: STELLAOPS_PG_URL is not set".to_owned());
    }

    if matches!(choice, BackendChoice::Auto | BackendChoice::Docker) {
        match docker::engine_reachable().await {
            Ok(version) if choice == BackendChoice::Docker => {
                return Ok(Selection {
                    kind: BackendKind::Docker,
                    reason: format!(
                        "asked for; Docker engine {version}, image {}",
                        settings.image
                    ),
                    bin_dir: None,
                });
            }
            Ok(version) => {
                if docker::image_present(&settings.image).await {
                    return Ok(Selection {
                        kind: BackendKind::Docker,
                        reason: format!(
                            "Docker engine {version} reachable and image {} present",
                            settings.image
                        ),
                        bin_dir: None,
                    });
                }
                attempts.push(format!(
                    "docker: engine {version} reachable, but image {} is not present locally \
                     (auto never pulls; STELLAOPS_PG_BACKEND=docker would)",
                    settings.image
                ));
            }
            Err(reason) => attempts.push(format!("docker: {reason}")),
        }
    }

    if matches!(choice, BackendChoice::Auto | BackendChoice::Local) {
        match local::find_bin_dir(settings) {
            Ok(dir) => {
                let passed_over = if attempts.is_empty() {
                    String::new()
                } else {
                    format!("; passed over: {}", attempts.join("; "))
                };
                return Ok(Selection {
                    kind: BackendKind::Local,
                    reason: format!("PostgreSQL binaries in {}{passed_over}", dir.display()),
                    bin_dir: Some(dir),
                });
            }
            Err(reason) => attempts.push(format!("local: {reason}")),
        }
    }

    Err(HarnessError::NoServer { attempts })
}
