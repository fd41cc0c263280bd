//! What a scorecard reads: JUnit files of the suites, the gate's last
//! `gate.json`, the conversion check's last `verify.json`; each with the
//! revision it describes. Defaults are the newest files of the usual
//! places under `target/`.

use std::path::{Path, PathBuf};

use stellaops_convert::verify::VerifyReport;

use crate::error::ScorecardError;
use crate::junit::JunitRun;
use stellaops_benches::gate::GateReport;

/// One input file and the revision it describes.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct SourceFile {
    pub kind: String,
    pub path: String,
    pub revision: Option<String>,
    /// Whether it describes the scorecard's revision.
    pub current: bool,
}

/// Everything read.
#[derive(Debug)]
pub struct Inputs {
    /// The revision the scorecard describes (`None` outside git).
    pub revision: Option<String>,
    pub junit: Vec<JunitRun>,
    pub gate: Option<(PathBuf, GateReport)>,
    pub verify: Option<(PathBuf, VerifyReport)>,
}

impl Inputs {
    /// Reads the given files; an empty `junit`, or `None` for the others,
    /// looks for the newest under `target`.
    pub fn read(
        revision: Option<String>,
        target: &Path,
        junit: &[PathBuf],
        gate: Option<&Path>,
        verify: Option<&Path>,
    ) -> Result<Inputs, ScorecardError> {
        let junit_files = if junit.is_empty() {
            default_junit(target)
        } else {
            junit.to_vec()
        };
        let junit = junit_files
            .iter()
            .map(|f| JunitRun::read(f))
            .collect::<Result<Vec<_>, _>>()?;
        let gate_file = gate
            .map(Path::to_owned)
            .or_else(|| newest(&target.join("stellaops-gate"), "gate-", "gate.json"));
        let gate = gate_file
            .map(|file| {
                GateReport::load(&file)
                    .map(|report| (file.clone(), report))
                    .map_err(|e| ScorecardError::Input {
                        file: file.clone(),
                        detail: e.to_string(),
                    })
            })
            .transpose()?;
        let verify_file = verify
            .map(Path::to_owned)
            .or_else(|| newest(&target.join("stellaops-convert"), "verify-", "verify.json"));
        let verify = verify_file
            .map(|file| {
                VerifyReport::read(&file)
                    .map(|report| (file.clone(), report))
                    .map_err(|e| ScorecardError::Input {
                        file: file.clone(),
                        detail: e.to_string(),
                    })
            })
            .transpose()?;
        Ok(Inputs {
            revision,
            junit,
            gate,
            verify,
        })
    }

    /// Whether `revision` describes this scorecard's revision (a `-dirty`
    /// mark on either side is ignored: the header says the checkout is dirty).
    pub fn is_current(&self, revision: Option<&str>) -> bool {
        let strip = |r: &str| r.trim_end_matches("-dirty").to_owned();
        match (&self.revision, revision) {
            (Some(ours), Some(theirs)) => strip(ours) == strip(theirs),
            _ => false,
        }
    }

    /// Every input with its revision.
    pub fn sources(&self) -> Vec<SourceFile> {
        let mut out: Vec<SourceFile> = self
            .junit
            .iter()
            .map(|run| SourceFile {
                kind: "junit".into(),
                path: run.file.display().to_string(),
                revision: run.revision.clone(),
                current: self.is_current(run.revision.as_deref()),
            })
            .collect();
        if let Some((file, report)) = &self.gate {
            out.push(SourceFile {
                kind: "gate".into(),
                path: file.display().to_string(),
                revision: Some(report.candidate.rev.clone()),
                current: self.is_current(Some(&report.candidate.rev)),
            });
        }
        if let Some((file, report)) = &self.verify {
            out.push(SourceFile {
                kind: "conversion".into(),
                path: file.display().to_string(),
                revision: report.revision.clone(),
                current: self.is_current(report.revision.as_deref()),
            });
        }
        out
    }
}

/// `junit-*.xml` of the CI profile (one per matrix row), else its `junit.xml`.
fn default_junit(target: &Path) -> Vec<PathBuf> {
    let dir = target.join("nextest").join("ci");
    let mut rows: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("junit-") && n.ends_with(".xml"))
        })
        .collect();
    rows.sort();
    if rows.is_empty() && dir.join("junit.xml").is_file() {
        rows.push(dir.join("junit.xml"));
    }
    rows
}

/// The newest `<dir>/<prefix>*/<file>` (folder names carry a UTC stamp).
fn newest(dir: &Path, prefix: &str, file: &str) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
                && p.join(file).is_file()
        })
        .collect();
    found.sort();
    found.pop().map(|p| p.join(file))
}
