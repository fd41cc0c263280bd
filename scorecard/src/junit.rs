//! The suites' results as nextest writes them (`[profile.ci.junit]`):
//! one `testsuite` per test binary, one `testcase` per test. The revision
//! a file describes is written beside it (`<file stem>.revision`, by
//! `.ci/run`); nextest does not record it.

use std::path::{Path, PathBuf};

use crate::error::ScorecardError;

/// How a test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    Skipped,
}

/// One test of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCase {
    /// The test binary, as nextest names it (`stellaops-suites::authority`).
    pub suite: String,
    /// The test's path in its binary (`isolation::tenants_never_see_each_other`).
    pub name: String,
    pub outcome: Outcome,
}

/// One JUnit file.
#[derive(Debug, Clone)]
pub struct JunitRun {
    pub file: PathBuf,
    /// From the file beside it; `None` when there is none.
    pub revision: Option<String>,
    /// When nextest ran (the `testsuites` timestamp).
    pub timestamp: Option<String>,
    pub cases: Vec<TestCase>,
}

impl JunitRun {
    /// Reads a nextest JUnit file and the revision beside it.
    pub fn read(file: &Path) -> Result<JunitRun, ScorecardError> {
        let bad = |detail: String| ScorecardError::Input {
            file: file.to_owned(),
            detail,
        };
        let text = std::fs::read_to_string(file).map_err(|e| bad(e.to_string()))?;
        let doc = roxmltree::Document::parse(&text)
            .map_err(|e| bad(format!("not a JUnit XML file: {e}")))?;
        let root = doc.root_element();
        if root.tag_name().name() != "testsuites" {
            return Err(bad(format!(
                "not a JUnit XML file: the root is <{}>, expected <testsuites>",
                root.tag_name().name()
            )));
        }
        let mut cases = Vec::new();
        for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
            let suite_name = suite.attribute("name").unwrap_or_default().to_owned();
            for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
                let failed = case
                    .children()
                    .any(|c| c.has_tag_name("failure") || c.has_tag_name("error"));
                let skipped = case.children().any(|c| c.has_tag_name("skipped"));
                cases.push(TestCase {
                    suite: suite_name.clone(),
                    name: case.attribute("name").unwrap_or_default().to_owned(),
                    outcome: if failed {
                        Outcome::Failed
                    } else if skipped {
                        Outcome::Skipped
                    } else {
                        Outcome::Passed
                    },
                });
            }
        }
        let revision = std::fs::read_to_string(revision_file(file))
            .ok()
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        Ok(JunitRun {
            file: file.to_owned(),
            revision,
            timestamp: root.attribute("timestamp").map(str::to_owned),
            cases,
        })
    }
}

/// Where the revision of a JUnit file is recorded: `junit-pg15-local.xml`
/// has `junit-pg15-local.revision`.
pub fn revision_file(junit: &Path) -> PathBuf {
    junit.with_extension("revision")
}

#[cfg(test)]
mod tests {
    use crate::*;

    #[test]
    fn reads_outcomes_per_binary_and_the_revision_beside_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("junit-row.xml");
        std::fs::write(
            &file,
            r#"<?xml version="1.0"?>
<testsuites name="nextest-run" tests="3" timestamp="2026-12-02T17:14:13+00:00">
  <testsuite name="stellaops-suites::authority" tests="3">
    <testcase name="isolation::a" classname="stellaops-suites::authority"/>
    <testcase name="crud::b" classname="stellaops-suites::authority"><failure message="boom"/></testcase>
    <testcase name="crud::c" classname="stellaops-suites::authority"><skipped/></testcase>
  </testsuite>
</testsuites>"#,
        )
        .unwrap();
        let run = JunitRun::read(&file).unwrap();
        assert_eq!(run.revision, None);
        let outcomes: Vec<_> = run
            .cases
            .iter()
            .map(|c| (c.name.as_str(), c.outcome))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("isolation::a", Outcome::Passed),
                ("crud::b", Outcome::Failed),
                ("crud::c", Outcome::Skipped)
            ]
        );
        std::fs::write(dir.path().join("junit-row.revision"), "abc123\n").unwrap();
        assert_eq!(
            JunitRun::read(&file).unwrap().revision.as_deref(),
            Some("abc123")
        );
    }

    #[test]
    fn other_files_are_refused_naming_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("gate.json");
        std::fs::write(&file, "{}").unwrap();
        let err = JunitRun::read(&file).unwrap_err().to_string();
        assert!(
            err.contains("gate.json") && err.contains("not a JUnit XML file"),
            "{err}"
        );
    }
}
