//! Schema drift: the migrated schemas must match the committed, normalized
//! `pg_dump --schema-only` in `migrations/schema.sql`.
//!
//! After an intended schema change, regenerate it with
//! `STELLAOPS_BLESS=1 cargo nextest run -p stellaops-suites -E 'binary(schema_dump)'`
//! and review the diff like code.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

use stellaops_suites::{TestDb, module_schemas};

/// pg_dump 15.14, 16.10 and 17.6 and later open their output with
/// `\restrict <random key>`: a fixed key keeps the dump comparable.
const RESTRICT_KEY: &str = "stellaopsschemadump";

fn committed_dump() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../migrations/schema.sql")
}

fn pg_dump() -> PathBuf {
    let settings = stellaops_harness::Settings::from_env().unwrap();
    stellaops_harness::backend::local::find_bin_dir(&settings)
        .map(|dir| dir.join("pg_dump"))
        .ok()
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("pg_dump"))
}

/// Drops what differs between runs and minor versions but not between schemas.
fn normalize(dump: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in dump.lines() {
        let skip = line.starts_with("-- Dumped from database version")
            || line.starts_with("-- Dumped by pg_dump version")
            || line.starts_with("SET ")
            || line.starts_with("SELECT pg_catalog.set_config");
        if skip {
            continue;
        }
        if line.trim().is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
            continue;
        }
        blank = false;
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[tokio::test]
async fn migrated_schemas_match_the_committed_dump() {
    let db = TestDb::new().await.unwrap();
    let pg_dump = pg_dump();
    let supports_key = Command::new(&pg_dump)
        .arg("--help")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("--restrict-key"))
        .unwrap_or(false);
    let mut cmd = Command::new(&pg_dump);
    cmd.args(["--schema-only", "--no-comments"]);
    if supports_key {
        cmd.arg(format!("--restrict-key={RESTRICT_KEY}"));
    }
    for schema in module_schemas() {
        cmd.arg(format!("--schema={schema}"));
    }
    let output = cmd
        .arg(format!("--dbname={}", db.url()))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; install PostgreSQL's client tools",
                pg_dump.display()
            )
        });
    assert!(
        output.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dump = normalize(&String::from_utf8_lossy(&output.stdout));

    let path = committed_dump();
    if std::env::var_os("STELLAOPS_BLESS").is_some() {
        std::fs::write(&path, &dump).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != dump {
        let first = committed
            .lines()
            .zip(dump.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(dump.lines().count()));
        panic!(
            "the migrated schemas drifted from {} at line {}:\n  committed: {:?}\n  migrated:  {:?}\n\
             If the change is intended, regenerate with \
             STELLAOPS_BLESS=1 cargo nextest run -p stellaops-suites -E 'binary(schema_dump)'",
            path.display(),
            first + 1,
            committed.lines().nth(first).unwrap_or("<end of file>"),
            dump.lines().nth(first).unwrap_or("<end of file>"),
        );
    }
}
