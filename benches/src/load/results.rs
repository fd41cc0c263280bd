//! Saved results: one JSON file per run (raw per-path figures, the size,
//! the dataset and where it ran), and the tables people read.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::files::write_atomically;

use super::LoadError;
use super::dataset::Volume;
use super::recorder::PathStats;
use super::runner::RunSize;

/// The format of results files; a file of another format is refused.
pub const FORMAT: &str = "stellaops-load/1";

/// Where [`RunResults::save`] put the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub json: PathBuf,
    pub markdown: PathBuf,
    pub html: PathBuf,
}

/// Everything one `run` measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    pub format: String,
    pub revision: String,
    pub started_at: String,
    pub server: String,
    pub volume: Volume,
    pub dataset: String,
    pub size: RunSize,
    /// The slowdown knob, when it was set.
    pub slowdown: Option<String>,
    pub paths: Vec<PathStats>,
    /// Why the paths have no work measure, when they were to have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_unavailable: Option<String>,
    /// Where it ran, for saved baselines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<crate::gate::Fingerprint>,
}

impl RunResults {
    /// Writes `results.json`, `report.md` and `report.html` into `dir`
    /// (created), each through a temporary file and a rename, so no
    /// half-written file is left behind.
    pub fn save(&self, dir: &Path) -> Result<Saved, LoadError> {
        let io = |file: &Path, e: std::io::Error| LoadError::File {
            what: "writing",
            file: file.display().to_string(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let json = dir.join("results.json");
        let text = serde_json::to_string_pretty(self).map_err(|e| LoadError::File {
            what: "serializing",
            file: json.display().to_string(),
            reason: e.to_string(),
        })?;
        write_atomically(&json, &text).map_err(|e| io(&json, e))?;
        let (markdown, html) = self.write_reports(dir)?;
        Ok(Saved {
            json,
            markdown,
            html,
        })
    }

    /// Writes `report.md` and `report.html` into `dir` (an existing folder).
    pub fn write_reports(&self, dir: &Path) -> Result<(PathBuf, PathBuf), LoadError> {
        let io = |file: &Path, e: std::io::Error| LoadError::File {
            what: "writing",
            file: file.display().to_string(),
            reason: e.to_string(),
        };
        let markdown = dir.join("report.md");
        write_atomically(&markdown, &self.markdown()).map_err(|e| io(&markdown, e))?;
        let html = dir.join("report.html");
        write_atomically(&html, &super::html::render(self)).map_err(|e| io(&html, e))?;
        Ok((markdown, html))
    }

    /// Reads a results file; a corrupt one or one of another format is an
    /// error naming the file.
    pub fn load(file: &Path) -> Result<RunResults, LoadError> {
        crate::files::read_versioned(file, FORMAT, "stellaops-load results").map_err(|reason| {
            LoadError::File {
                what: "reading",
                file: file.display().to_string(),
                reason,
            }
        })
    }

    /// One row per path: operations, errors, latency percentiles, throughput.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Load run {}\n\nrevision `{}`, server {}, dataset `{}` ({}), {} users x {} iterations per path ({} claim workers){}\n",
            self.started_at,
            self.revision,
            self.server,
            self.dataset,
            self.volume.describe(),
            self.size.users,
            self.size.iterations,
            self.size.claim_workers,
            match &self.slowdown {
                Some(knob) => format!(", slowdown knob `{knob}`"),
                None => String::new(),
            }
        );
        out.push_str(&self.table());
        out
    }

    /// The per-path table (Markdown, readable as plain text too).
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| path | ops | errors | p50 µs | p95 µs | p99 µs | max µs | ops/s |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for p in &self.paths {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
                p.path,
                p.operations,
                p.errors,
                p.p50_micros,
                p.p95_micros,
                p.p99_micros,
                p.max_micros,
                p.throughput
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results() -> RunResults {
        RunResults {
            format: FORMAT.into(),
            revision: "abc".into(),
            started_at: "2026-12-02T10:00:00Z".into(),
            server: "PostgreSQL 15".into(),
            volume: Volume::default(),
            dataset: "0123".into(),
            size: RunSize::default(),
            slowdown: None,
            paths: vec![PathStats {
                path: "scheduler.due_poll".into(),
                operations: 3,
                errors: 0,
                mean_micros: 300.0,
                p50_micros: 250.0,
                p95_micros: 400.0,
                p99_micros: 1200.0,
                max_micros: 1200.0,
                throughput: 3000.0,
                busy_secs: 0.001,
                work: None,
            }],
            work_unavailable: None,
            environment: None,
        }
    }

    #[test]
    fn results_round_trip_and_bad_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let saved = results().save(dir.path()).unwrap();
        assert_eq!(RunResults::load(&saved.json).unwrap(), results());
        let markdown = std::fs::read_to_string(&saved.markdown).unwrap();
        assert!(
            markdown.contains("| scheduler.due_poll | 3 |"),
            "{markdown}"
        );
        let html = std::fs::read_to_string(&saved.html).unwrap();
        assert!(
            html.starts_with("<!DOCTYPE html>") && html.contains("<svg"),
            "{html}"
        );

        let corrupt = dir.path().join("corrupt.json");
        std::fs::write(&corrupt, "{\"format\": \"stellaops-load/1\", \"paths\": [").unwrap();
        let err = RunResults::load(&corrupt).unwrap_err().to_string();
        assert!(
            err.contains("corrupt.json") && err.contains("not JSON"),
            "{err}"
        );

        let other = dir.path().join("other.json");
        std::fs::write(&other, "{\"format\": \"stellaops-load/0\"}").unwrap();
        let err = RunResults::load(&other).unwrap_err().to_string();
        assert!(err.contains("format \"stellaops-load/0\""), "{err}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 5, "no temporary file left behind");
    }
}
