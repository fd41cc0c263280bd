//! The source check catches converter bugs the converter-based comparison
//! cannot see, because it derives each row from the export documents by
//! the declarations alone: bugs are planted in the conversion (the hidden
//! `--plant` test hook), and `verify` must fail naming the collection, the
//! document's `_id` and the field.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use stellaops_convert::verify::{Difference, DifferenceKind, VerifyReport};

/// `verify --plant <bug>` on the checked-in exports: exit code and report.
fn verify_planted(plant: &str) -> (Option<i32>, VerifyReport) {
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_stellaops-convert"))
        .args(["verify", "--quiet", "--plant", plant, "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    eprintln!("{}", String::from_utf8_lossy(&output.stdout));
    let report = VerifyReport::read(&out.path().join("verify.json")).unwrap();
    (output.status.code(), report)
}

fn of_kind(report: &VerifyReport, kind: DifferenceKind) -> Vec<&Difference> {
    report
        .differences
        .iter()
        .filter(|d| d.kind == kind)
        .collect()
}

#[test]
fn a_converter_writing_null_into_a_tier_a_field_is_caught() {
    let (code, report) = verify_planted("null:authority_users.email");
    assert_eq!(code, Some(1));
    // The converter-based comparison shares the bug: it sees nothing.
    assert!(of_kind(&report, DifferenceKind::Field).is_empty());
    let found: Vec<(&str, &str, &str, &str)> = of_kind(&report, DifferenceKind::Source)
        .iter()
        .map(|d| {
            (
                d.collection.as_str(),
                d.source_id.as_deref().unwrap(),
                d.column.as_deref().unwrap(),
                d.actual.as_deref().unwrap(),
            )
        })
        .collect();
    assert!(
        found.contains(&(
            "authority_users",
            "ObjectId(650100000000000000000001)",
            "email",
            "NULL"
        )),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .all(|(c, _, column, _)| *c == "authority_users" && *column == "email")
    );
}

#[test]
fn a_converter_cutting_dates_to_seconds_is_caught() {
    let (code, report) = verify_planted("seconds:authority_users.created_at");
    assert_eq!(code, Some(1));
    assert!(of_kind(&report, DifferenceKind::Field).is_empty());
    let source = of_kind(&report, DifferenceKind::Source);
    let first = source
        .iter()
        .find(|d| d.source_id.as_deref() == Some("ObjectId(650100000000000000000001)"))
        .expect("alice's creation time");
    assert_eq!(
        (
            first.collection.as_str(),
            first.column.as_deref(),
            first.expected.as_deref(),
            first.actual.as_deref()
        ),
        (
            "authority_users",
            Some("created_at"),
            Some("1969-07-20T20:17:40.123000Z"),
            Some("1969-07-20T20:17:40.000000Z")
        )
    );
}

#[test]
fn a_window_one_day_longer_is_caught_at_every_edge() {
    let (code, report) = verify_planted("window:+1d");
    assert_eq!(code, Some(1));
    let mut collections: Vec<&str> = of_kind(&report, DifferenceKind::Source)
        .iter()
        .map(|d| {
            assert!(
                d.expected
                    .as_deref()
                    .unwrap()
                    .contains("leaves this document out"),
                "{d:?}"
            );
            assert!(d.source_id.is_some() && d.line.is_some(), "{d:?}");
            d.collection.as_str()
        })
        .collect();
    collections.sort();
    assert_eq!(
        collections,
        [
            "authority_login_attempts",
            "deliveries",
            "digests",
            "escalation_states",
            "graph_jobs",
            "impact_snapshots",
            "inbox",
            "incidents",
            "policy_explanations",
            "policy_explanations",
            "policy_explanations",
            "policy_jobs",
            "policy_runs",
            "runs"
        ]
    );
}

#[test]
fn a_converter_losing_a_promoted_profiles_digest_is_caught() {
    // The repositories refuse a promoted profile without its digest as
    // tampered; the check computes the digest from the loaded content.
    let (code, report) = verify_planted("null:risk_profiles.digest");
    assert_eq!(code, Some(1));
    assert!(of_kind(&report, DifferenceKind::Field).is_empty());
    let mut found: Vec<(&str, &str, &str)> = of_kind(&report, DifferenceKind::Source)
        .iter()
        .map(|d| {
            (
                d.collection.as_str(),
                d.source_id.as_deref().unwrap(),
                d.column.as_deref().unwrap(),
            )
        })
        .collect();
    found.sort();
    // The repositories refuse to list each tenant's profiles.
    assert_eq!(of_kind(&report, DifferenceKind::Repository).len(), 3);
    // Four promoted profiles; the draft has no digest to lose.
    assert_eq!(
        found,
        [
            ("risk_profiles", "\"rp-globex\"", "digest"),
            (
                "risk_profiles",
                "ObjectId(652b00000000000000000001)",
                "digest"
            ),
            (
                "risk_profiles",
                "ObjectId(652b00000000000000000002)",
                "digest"
            ),
            (
                "risk_profiles",
                "binary(04, XhGgAAAAQACAAAAAAAAQzQ==)",
                "digest"
            ),
        ]
    );
}
