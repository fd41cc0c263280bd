//! Schema drift: the migrated schemas must match the committed, normalized
//! `pg_dump --schema-only` in `migrations/schema.sql`.
//!
//! After an intended schema change, regenerate it with
//! `STELLAOPS_BLESS=1 cargo nextest run -p stellaops-suites -E 'binary(schema_dump)'`
//! and review the diff like code.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use stellaops_suites::{TestDb, module_schemas};

/// pg_dump 15.14, 16.10 and 17.6 and later open their output with
/// `\restrict <random key>`: a fixed key keeps the dump comparable.
const RESTRICT_KEY: &str = "stellaopsschemadump";

fn committed_dump() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../migrations/schema.sql")
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
    // pg_dump refuses newer servers and prints differently across majors:
    // the harness must pick the server's own.
    let version = db.pg_dump(&["--version"]).await.unwrap();
    let server_major = db.server().major_version;
    assert!(
        version.contains(&format!("PostgreSQL) {server_major}.")),
        "pg_dump of another major ({}) for a PostgreSQL {server_major} server",
        version.trim()
    );
    let supports_key = db
        .pg_dump(&["--help"])
        .await
        .unwrap()
        .contains("--restrict-key");
    let key = format!("--restrict-key={RESTRICT_KEY}");
    let schemas: Vec<String> = module_schemas()
        .iter()
        .map(|schema| format!("--schema={schema}"))
        .collect();
    let mut args = vec!["--schema-only", "--no-comments"];
    if supports_key {
        args.push(&key);
    }
    args.extend(schemas.iter().map(String::as_str));
    let dump = db.pg_dump(&args).await.unwrap();
    let dump = normalize(&dump);

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
