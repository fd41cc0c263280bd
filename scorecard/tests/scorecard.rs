//! The scorecard binary end to end: results of another revision, pages
//! well formed, and an input that is not what it claims refused by name.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_stellaops-scorecard");

fn scorecard(args: &[&str], dir: &Path) -> (i32, String) {
    let output = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_scorecard_of_another_revisions_results_says_so_and_passes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit-row.xml");
    std::fs::write(
        &junit,
        r#"<?xml version="1.0"?><testsuites name="nextest-run" tests="3">
  <testsuite name="stellaops-suites::authority" tests="2" failures="1">
    <testcase name="isolation::tenants_never_meet" classname="stellaops-suites::authority"/>
    <testcase name="isolation::a_leak" classname="stellaops-suites::authority"><failure message="boom"/></testcase>
  </testsuite>
  <testsuite name="stellaops-suites::contract" tests="1">
    <testcase name="authority.users::invisible_to_other_tenant" classname="stellaops-suites::contract"/>
  </testsuite>
</testsuites>"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("junit-row.revision"),
        "0000000000000000000000000000000000000000\n",
    )
    .unwrap();
    let out = dir.path().join("card");
    let run = Command::new(BIN)
        .args(["--junit", junit.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        // No gate or conversion results to find by default.
        .env("CARGO_TARGET_DIR", dir.path().join("target"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let output = String::from_utf8_lossy(&run.stdout).into_owned();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        summary.contains("describes revision 0000000000000000000000000000000000000000"),
        "{summary}"
    );
    assert!(
        !summary.contains("| pass |"),
        "nothing of another revision passes: {summary}"
    );
    assert!(summary.contains("stale (another revision)") && summary.contains("not yet measured"));
    assert!(
        !summary.contains("| FAIL |"),
        "a failure of another revision is stale, not a FAIL: {summary}"
    );
    for module in ["authority", "scheduler", "notify", "policy", "vuln", "vex"] {
        assert!(
            out.join(format!("{module}.html")).is_file()
                && out.join(format!("{module}.md")).is_file()
        );
        well_formed_page(&out.join(format!("{module}.html")));
        assert!(
            output.contains(&format!("{module}.html")),
            "the paths are printed: {output}"
        );
    }

    well_formed_page(&out.join("summary.html"));

    let (code, output) = scorecard(
        &[
            "--junit",
            out.join("scorecard.json").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(code, 2, "{output}");
    assert!(
        output.contains("scorecard.json") && output.contains("not a JUnit XML file"),
        "{output}"
    );
}

/// A rendered page: its title a heading (no Markdown left as text), and
/// every table row with one cell per header.
fn well_formed_page(page: &std::path::Path) {
    let html = std::fs::read_to_string(page).unwrap();
    let name = page.display();
    assert!(html.contains("<h1>"), "{name}: no title heading");
    assert!(
        !html.contains("<p>#") && !html.contains("<p>|"),
        "{name}: Markdown shown as text"
    );
    let rows =
        stellaops_kit::html::check_tables(&html).unwrap_or_else(|why| panic!("{name}: {why}"));
    assert!(rows > 0, "{name}: no table rows");
}
