//! The conversion check end to end: the real binary on the checked-in
//! fixtures and on broken copies of them, against harness databases.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use stellaops_convert::backfill::PAUSE_SIGNAL;
use stellaops_convert::export::Exports;
use stellaops_convert::verify::{DifferenceKind, VerifyReport};
use stellaops_harness::TestDb;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stellaops-convert"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/mongo")
}

fn run(args: &[&str]) -> Output {
    let output = binary().args(args).output().unwrap();
    eprintln!(
        "$ stellaops-convert {}\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A copy of the fixtures to break.
fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for module in stellaops_convert::catalog::MODULES.iter() {
        std::fs::create_dir_all(dir.path().join(module)).unwrap();
        for entry in std::fs::read_dir(fixtures().join(module)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(
                &path,
                dir.path().join(module).join(path.file_name().unwrap()),
            )
            .unwrap();
        }
    }
    std::fs::copy(
        fixtures().join("manifest.json"),
        dir.path().join("manifest.json"),
    )
    .unwrap();
    dir
}

async fn count(db: &TestDb, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(db.admin())
        .await
        .unwrap()
}

#[test]
fn the_fixtures_are_what_the_generator_writes() {
    let dir = tempfile::tempdir().unwrap();
    let written = stellaops_convert::generate::write(dir.path(), 0).unwrap();
    assert!(written.len() >= 15, "{written:?}");
    for file in written {
        let relative = file.strip_prefix(dir.path()).unwrap();
        let checked_in = std::fs::read(fixtures().join(relative))
            .unwrap_or_else(|e| panic!("fixtures/mongo/{}: {e}", relative.display()));
        assert!(
            checked_in == std::fs::read(&file).unwrap(),
            "fixtures/mongo/{} differs from the generator's output: run `stellaops-convert generate --out fixtures/mongo`",
            relative.display()
        );
    }
}

#[test]
fn the_fixtures_carry_the_cases_real_exports_have() {
    let exports = Exports::read(&fixtures()).unwrap();
    let text: String = exports
        .files
        .iter()
        .map(|f| std::fs::read_to_string(&f.path).unwrap())
        .collect();
    for needle in [
        "\"$oid\"",
        "\"$date\"",
        "\"$numberLong\"",
        "\"$numberDecimal\"",
        "\"$binary\"",
        "\"subType\":\"04\"",
        "253402300799999",
        "\"-14182939877\"",
        "legacyLdapDn",
        "\"Alice\"",
        "\"Web-Portal\"",
        "zo\u{eb}",
        "zoe\u{308}",
        "acme-eu",
        "globex",
    ] {
        assert!(text.contains(needle), "no {needle} in the fixtures");
    }
    let layouts: std::collections::BTreeSet<_> = exports.files.iter().map(|f| f.layout).collect();
    assert_eq!(layouts.len(), 2, "both NDJSON and JSON arrays");
}

#[tokio::test]
async fn verify_on_the_fixtures_finds_nothing_lost() {
    let out = tempfile::tempdir().unwrap();
    let output = run(&["verify", "--quiet", "--out", out.path().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = VerifyReport::read(&out.path().join("verify.json")).unwrap();
    assert!(report.differences.is_empty(), "{:?}", report.differences);
    let compared: usize = report.collections.iter().map(|c| c.rows_compared).sum();
    let converted: usize = report.collections.iter().map(|c| c.converted).sum();
    assert_eq!(compared, converted, "every record compared at fixture size");
    assert!(converted >= 35, "{converted}");
    // Tier rules applied: the expired and the revoked token, the old login
    // attempt, the old run, and the locks (tier C) are left out by rule; at
    // each window's edge the edge and 1 ms inside are kept, 1 ms outside is
    // not (a token expiring at the clock is expired).
    let tokens = report
        .collections
        .iter()
        .find(|c| c.collection == "authority_tokens")
        .unwrap();
    assert_eq!((tokens.converted, tokens.skipped), (3, 4));
    let locks = report
        .collections
        .iter()
        .find(|c| c.collection == "locks")
        .unwrap();
    assert_eq!((locks.converted, locks.skipped), (0, 2));
    assert!(report.repositories.iter().all(|r| r.matches) && report.repositories.len() >= 8);
    assert!(
        std::fs::read_to_string(out.path().join("verify.html"))
            .unwrap()
            .contains("<svg")
    );
}

#[tokio::test]
async fn a_second_backfill_writes_no_duplicates() {
    let db = TestDb::new().await.unwrap();
    let url = db.url();
    let first = run(&["backfill", "--quiet", "--database-url", &url]);
    assert!(first.status.success());
    let users = count(&db, "authority.users").await;
    assert_eq!(users, 8);
    let second = run(&["backfill", "--quiet", "--database-url", &url]);
    assert!(second.status.success());
    let line = stdout(&second)
        .lines()
        .find(|l| l.starts_with("authority_users "))
        .unwrap()
        .split_whitespace()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    // documents converted skipped rejected resumed batches written present
    assert_eq!(
        line[5..],
        ["8", "0", "0", "0"],
        "the second run resumes after all 8 and writes nothing"
    );
    assert_eq!(count(&db, "authority.users").await, users);
    let out = tempfile::tempdir().unwrap();
    let verify = run(&[
        "verify",
        "--database-url",
        &url,
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(verify.status.success());
}

#[tokio::test]
async fn a_killed_backfill_resumes_after_its_last_committed_batch() {
    let db = TestDb::new().await.unwrap();
    let url = db.url();
    // Batches of 2 documents: tenants take 2 batches (2 + 1), users 4.
    // Killed after 4 batches: 3 tenants and 4 users are committed.
    let mut child = binary()
        .args([
            "backfill",
            "--quiet",
            "--batch-size",
            "2",
            "--pause-after-batches",
            "4",
            "--database-url",
            &url,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let started = Instant::now();
    loop {
        let line = lines
            .next()
            .expect("the backfill ended before pausing")
            .unwrap();
        if line.starts_with(PAUSE_SIGNAL) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no pause signal"
        );
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    child.wait().unwrap();
    assert_eq!(count(&db, "authority.tenants").await, 3);
    assert_eq!(
        count(&db, "authority.users").await,
        4,
        "two committed batches of users, no more"
    );

    let resumed = run(&["backfill", "--database-url", &url, "--batch-size", "2"]);
    assert!(resumed.status.success());
    assert!(
        stderr(&resumed).contains(
            "authority_users: resuming after document 4 of 8 (2 batches committed earlier)"
        ),
        "{}",
        stderr(&resumed)
    );
    assert!(
        !stderr(&resumed).contains("authority_tenants: resuming"),
        "tenants were done: nothing to resume"
    );
    assert_eq!(count(&db, "authority.users").await, 8);
    let out = tempfile::tempdir().unwrap();
    let verify = run(&[
        "verify",
        "--database-url",
        &url,
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(verify.status.success(), "nothing lost, nothing twice");
}

#[tokio::test]
async fn changed_and_lost_rows_are_listed_with_their_ids() {
    let db = TestDb::new().await.unwrap();
    let url = db.url();
    assert!(
        run(&["backfill", "--quiet", "--database-url", &url])
            .status
            .success()
    );
    sqlx::query("UPDATE authority.users SET email = 'changed@acme.test' WHERE tenant_id = 'acme' AND username = 'alice'")
        .execute(db.admin())
        .await
        .unwrap();
    sqlx::query("DELETE FROM authority.login_attempts WHERE client_ip = '203.0.113.7'")
        .execute(db.admin())
        .await
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let verify = run(&[
        "verify",
        "--database-url",
        &url,
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(verify.status.code(), Some(1));
    let report = VerifyReport::read(&out.path().join("verify.json")).unwrap();
    let field = report
        .differences
        .iter()
        .find(|d| d.kind == DifferenceKind::Field)
        .unwrap();
    assert_eq!(field.column.as_deref(), Some("email"));
    assert_eq!(field.source_id.as_deref(), Some("650100000000000000000001"));
    assert_eq!(field.line, Some(1));
    assert_eq!(field.actual.as_deref(), Some("\"changed@acme.test\""));
    let missing = report
        .differences
        .iter()
        .find(|d| d.kind == DifferenceKind::Missing)
        .unwrap();
    assert_eq!(
        missing.source_id.as_deref(),
        Some("650700000000000000000001")
    );
    assert!(
        report
            .differences
            .iter()
            .any(|d| d.kind == DifferenceKind::Hash && d.tenant.as_deref() == Some("acme"))
    );
    assert!(
        report
            .differences
            .iter()
            .any(|d| d.kind == DifferenceKind::Repository && d.collection == "authority_users")
    );
    let markdown = std::fs::read_to_string(out.path().join("verify.md")).unwrap();
    assert!(markdown.contains("650100000000000000000001") && markdown.contains("**FAIL**"));
}

#[tokio::test]
async fn a_document_with_a_wrong_type_is_rejected_alone_and_named() {
    let dir = fixture_copy();
    let users = dir.path().join("authority/authority_users.json");
    let text = std::fs::read_to_string(&users).unwrap();
    let broken = text.replacen("\"failedLoginCount\":5", "\"failedLoginCount\":\"five\"", 1);
    assert_ne!(text, broken);
    std::fs::write(&users, broken).unwrap();
    let out = tempfile::tempdir().unwrap();
    let verify = run(&[
        "verify",
        "--quiet",
        "--exports",
        dir.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(
        verify.status.code(),
        Some(1),
        "a rejected document is data lost"
    );
    let report = VerifyReport::read(&out.path().join("verify.json")).unwrap();
    let rejected: Vec<_> = report
        .differences
        .iter()
        .filter(|d| d.kind == DifferenceKind::NotConverted)
        .collect();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].collection, "authority_users");
    assert!(
        rejected[0]
            .file
            .as_deref()
            .unwrap()
            .ends_with("authority/authority_users.json")
    );
    assert_eq!(rejected[0].line, Some(5));
    assert_eq!(
        rejected[0].source_id.as_deref(),
        Some("650100000000000000000005")
    );
    assert_eq!(
        rejected[0].expected.as_deref(),
        Some("field failedLoginCount: expected an integer, found a string")
    );
    let users = report
        .collections
        .iter()
        .find(|c| c.collection == "authority_users")
        .unwrap();
    assert_eq!(
        (users.converted, users.rows_in_table),
        (7, 7),
        "the others went in"
    );
}

/// Breaks a copy of the fixtures.
type Breaks = fn(&Path);

/// Runs `verify` on `dir`: its exit code, what it printed, its report.
fn verify_folder(dir: &Path) -> (Option<i32>, String, VerifyReport) {
    let out = tempfile::tempdir().unwrap();
    let verify = run(&[
        "verify",
        "--quiet",
        "--exports",
        dir.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let report = VerifyReport::read(&out.path().join("verify.json")).unwrap();
    (verify.status.code(), stdout(&verify), report)
}

fn of_kind(report: &VerifyReport, kind: DifferenceKind) -> Vec<(String, String, String)> {
    report
        .differences
        .iter()
        .filter(|d| d.kind == kind)
        .map(|d| {
            (
                d.collection.clone(),
                d.expected.clone().unwrap_or_default(),
                d.actual.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn set_manifest_count(dir: &Path, module: &str, collection: &str, count: Option<usize>) {
    let file = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let counts = manifest["documents"][module].as_object_mut().unwrap();
    match count {
        Some(n) => counts.insert(collection.to_owned(), n.into()),
        None => counts.remove(collection),
    };
    std::fs::write(&file, manifest.to_string()).unwrap();
}

#[test]
fn a_missing_collection_fails_naming_it() {
    let dir = fixture_copy();
    std::fs::remove_file(dir.path().join("authority/authority_clients.json")).unwrap();
    let (code, printed, report) = verify_folder(dir.path());
    assert_eq!(code, Some(1), "a missing export is data lost");
    assert_eq!(
        of_kind(&report, DifferenceKind::MissingExport),
        [(
            "authority_clients".to_owned(),
            "an export of authority_clients (every authority export must have it)".to_owned(),
            "no file".to_owned()
        )]
    );
    assert!(
        printed.contains("export missing: authority_clients, authority/authority_clients.json"),
        "{printed}"
    );
    let row = report
        .collections
        .iter()
        .find(|c| c.collection == "authority_clients")
        .expect("a row for the missing collection");
    assert!(row.export.starts_with("missing: "), "{}", row.export);
}

#[test]
fn a_missing_module_fails_naming_each_collection() {
    let dir = fixture_copy();
    std::fs::remove_dir_all(dir.path().join("scheduler")).unwrap();
    let (code, _, report) = verify_folder(dir.path());
    assert_eq!(code, Some(1));
    let missing: Vec<String> = of_kind(&report, DifferenceKind::MissingExport)
        .into_iter()
        .map(|(collection, _, _)| collection)
        .collect();
    // Locks are tier C (not converted): their export may be absent.
    assert_eq!(
        missing,
        [
            "schedules",
            "runs",
            "graph_jobs",
            "policy_jobs",
            "impact_snapshots"
        ]
    );
}

#[test]
fn an_export_short_of_the_manifest_fails_an_empty_one_warns() {
    let dir = fixture_copy();
    let snapshots = dir.path().join("scheduler/impact_snapshots.json");
    let documents = Exports::read(dir.path())
        .unwrap()
        .file("scheduler", "impact_snapshots")
        .unwrap()
        .docs
        .len();
    assert!(documents > 0);
    std::fs::write(&snapshots, "[]").unwrap();
    let (code, _, report) = verify_folder(dir.path());
    assert_eq!(code, Some(1), "fewer documents than the manifest counts");
    assert_eq!(
        of_kind(&report, DifferenceKind::CountMismatch),
        [(
            "impact_snapshots".to_owned(),
            format!("{documents} documents, as manifest.json counts them"),
            "0 documents in the file".to_owned()
        )]
    );

    // Without a count in the manifest, an empty file is a warning, not a failure.
    std::fs::write(&snapshots, "").unwrap();
    set_manifest_count(dir.path(), "scheduler", "impact_snapshots", None);
    let (code, printed, report) = verify_folder(dir.path());
    assert_eq!(code, Some(0), "{printed}");
    assert!(
        printed.contains("impact_snapshots.json holds no documents"),
        "{printed}"
    );
    assert!(report.notes.iter().any(|n| n.starts_with("warning:")));

    // A manifest that says it held 0: no warning.
    set_manifest_count(dir.path(), "scheduler", "impact_snapshots", Some(0));
    let (code, printed, _) = verify_folder(dir.path());
    assert_eq!(code, Some(0));
    assert!(!printed.contains("warning:"), "{printed}");
}

#[test]
fn unreadable_exports_fail_whole_naming_the_file_and_the_line() {
    let cases: [(&str, Breaks); 4] = [
        ("the file is cut short", |dir| {
            let file = dir.join("authority/authority_clients.json");
            let text = std::fs::read_to_string(&file).unwrap();
            std::fs::write(&file, &text[..text.len() / 2]).unwrap();
        }),
        ("wrong encoding", |dir| {
            let file = dir.join("scheduler/runs.json");
            let mut bytes = std::fs::read(&file).unwrap();
            let second_line = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
            bytes.insert(second_line + 3, 0xE9);
            std::fs::write(&file, bytes).unwrap();
        }),
        ("unknown collection \"authority_sessions\"", |dir| {
            std::fs::write(
                dir.join("authority/authority_sessions.json"),
                "{\"_id\":1}\n",
            )
            .unwrap();
        }),
        ("expected a document, found a number", |dir| {
            let file = dir.join("authority/authority_scopes.json");
            let mut text = std::fs::read_to_string(&file).unwrap();
            text.push_str("42\n");
            std::fs::write(&file, text).unwrap();
        }),
    ];
    for (expected, breaks) in cases {
        let dir = fixture_copy();
        breaks(dir.path());
        let output = run(&["verify", "--exports", dir.path().to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{expected}");
        let message = stderr(&output);
        assert!(message.contains(expected), "{expected}: {message}");
        assert!(
            message.contains(", line "),
            "{expected}: no line in {message}"
        );
        assert!(
            message.contains(dir.path().to_str().unwrap()),
            "{expected}: no file in {message}"
        );
    }
}

#[test]
fn orphans_under_a_foreign_key_are_rejected_and_legal_ones_kept() {
    let dir = fixture_copy();
    let tokens = dir.path().join("authority/authority_tokens.json");
    let text = std::fs::read_to_string(&tokens).unwrap();
    // The first token's user becomes one the export does not have.
    let broken = text.replacen("650100000000000000000001", "6501000000000000000fffff", 1);
    assert_ne!(text, broken);
    std::fs::write(&tokens, broken).unwrap();
    let exports = Exports::read(dir.path()).unwrap();
    let plan = stellaops_convert::plan::plan(&exports, exports.exported_at.unwrap());
    let rejected: Vec<_> = plan
        .collections
        .iter()
        .flat_map(|c| {
            c.result
                .rejected
                .iter()
                .map(move |r| (c.collection().name, r))
        })
        .collect();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    let (collection, orphan) = rejected[0];
    assert_eq!(
        (collection, orphan.line, orphan.source_id.as_str()),
        ("authority_tokens", 1, "650500000000000000000001")
    );
    assert!(
        orphan.reason.starts_with("field userId: orphan reference"),
        "{}",
        orphan.reason
    );
    // A login attempt of a user who is gone, and a revocation of an unknown
    // token, are kept: their columns have no foreign key.
    let kept = |name: &str| {
        plan.collections
            .iter()
            .find(|c| c.collection().name == name)
            .unwrap()
            .result
            .rows
            .len()
    };
    // (and the two edge attempts inside the window)
    assert_eq!(kept("authority_login_attempts"), 5);
    assert_eq!(kept("authority_revocations"), 2);
    // A policy job whose run is outside the window keeps the job, loses the
    // run (ON DELETE SET NULL), and says so.
    let jobs = plan
        .collections
        .iter()
        .find(|c| c.collection().name == "policy_jobs")
        .unwrap();
    assert!(
        jobs.result
            .rows
            .iter()
            .any(|r| r.notes.iter().any(|n| n.contains("runId cleared")))
    );
}
