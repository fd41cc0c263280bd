//! `stellaops-migrate` against a real, empty database.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use stellaops_harness::TestDb;

const MIGRATE: &str = env!("CARGO_BIN_EXE_stellaops-migrate");

fn migrate(url: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(MIGRATE)
        .arg("--database-url")
        .arg(url)
        .arg("--dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn status_apply_validate_and_a_changed_file() {
    let db = TestDb::builder().empty().build().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("modules.order"), "demo\n").unwrap();
    fs::create_dir(dir.path().join("demo")).unwrap();
    fs::write(dir.path().join("demo/0001_init.sql"), "CREATE SCHEMA demo;").unwrap();
    fs::write(
        dir.path().join("demo/0002_more.release.sql"),
        "CREATE TABLE demo.t (id int PRIMARY KEY);",
    )
    .unwrap();

    let status = migrate(&db.url(), dir.path(), &["status"]);
    assert!(status.status.success(), "{}", text(&status));
    assert_eq!(
        text(&status).matches("pending").count(),
        2,
        "{}",
        text(&status)
    );

    let apply = migrate(&db.url(), dir.path(), &["apply"]);
    assert!(apply.status.success(), "{}", text(&apply));
    assert!(text(&apply).contains("applied  demo"), "{}", text(&apply));
    assert!(
        text(&apply).contains("--include release"),
        "{}",
        text(&apply)
    );

    let release = migrate(&db.url(), dir.path(), &["apply", "--include", "release"]);
    assert!(text(&release).contains("0002_more"), "{}", text(&release));
    let again = migrate(&db.url(), dir.path(), &["apply", "--include", "release"]);
    assert!(
        text(&again).contains("nothing to apply"),
        "{}",
        text(&again)
    );

    let valid = migrate(&db.url(), dir.path(), &["validate"]);
    assert!(valid.status.success(), "{}", text(&valid));

    fs::write(
        dir.path().join("demo/0001_init.sql"),
        "CREATE SCHEMA demo; -- edited",
    )
    .unwrap();
    for command in ["validate", "apply", "status"] {
        let out = migrate(&db.url(), dir.path(), &[command]);
        assert!(
            !out.status.success(),
            "{command} must fail on a changed file"
        );
    }
    let invalid = text(&migrate(&db.url(), dir.path(), &["validate"]));
    assert!(
        invalid.contains("module demo, version 1") && invalid.contains("demo/0001_init.sql"),
        "{invalid}"
    );
}

#[test]
fn an_unreachable_database_is_named_as_the_problem() {
    let out = migrate(
        "postgres://nobody:secret@127.0.0.1:1/none",
        &stellaops_migrations::default_dir(),
        &["status"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("cannot connect to --database-url"),
        "{}",
        text(&out)
    );
    assert!(
        !text(&out).contains("secret"),
        "the password must not be printed"
    );
}

/// sqlx-cli users type the flag after the subcommand; scripts set `DATABASE_URL`.
#[tokio::test]
async fn the_database_url_is_taken_on_either_side_of_the_subcommand_or_from_the_environment() {
    let db = TestDb::builder().empty().build().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("modules.order"), "demo\n").unwrap();
    fs::create_dir(dir.path().join("demo")).unwrap();
    fs::write(dir.path().join("demo/0001_init.sql"), "CREATE SCHEMA demo;").unwrap();
    let run = |args: &[&str], env_url: Option<&str>| {
        let mut command = Command::new(MIGRATE);
        command.env_remove("DATABASE_URL").args(args);
        if let Some(url) = env_url {
            command.env("DATABASE_URL", url);
        }
        command.output().unwrap()
    };
    let dir_arg = dir.path().to_str().unwrap();
    let url = db.url();

    let after = run(&["status", "--database-url", &url, "--dir", dir_arg], None);
    assert!(after.status.success(), "{}", text(&after));
    assert!(text(&after).contains("pending"), "{}", text(&after));

    let applied = run(&["apply", "--dir", dir_arg, "--database-url", &url], None);
    assert!(applied.status.success(), "{}", text(&applied));
    assert!(
        text(&applied).contains("applied  demo"),
        "{}",
        text(&applied)
    );

    let from_env = run(&["status", "--dir", dir_arg], Some(&url));
    assert!(from_env.status.success(), "{}", text(&from_env));
    assert!(text(&from_env).contains("applied"), "{}", text(&from_env));

    // The flag wins over the environment.
    let both = run(
        &["validate", "--dir", dir_arg, "--database-url", &url],
        Some("postgres://nobody:secret@127.0.0.1:1/none"),
    );
    assert!(both.status.success(), "{}", text(&both));

    let neither = run(&["status", "--dir", dir_arg], None);
    assert!(!neither.status.success());
    assert!(
        text(&neither).contains("DATABASE_URL") || text(&neither).contains("--database-url"),
        "{}",
        text(&neither)
    );
}
