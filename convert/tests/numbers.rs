//! Numbers exactly as exported: doubles written by two real Extended JSON
//! writers (pymongo's `bson.json_util`, checked in under
//! `fixtures/pymongo/`, and the `bson` crate's, drawn by proptest), in
//! relaxed and canonical mode, go through convert, backfill and verify
//! and are in PostgreSQL bit for bit, still doubles. The check reads the
//! stored jsonb on a path of its own: the source's IEEE 754 bits beside
//! each value, against the text PostgreSQL prints.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bson::{Bson, doc, oid::ObjectId};
use proptest::prelude::*;
use stellaops_harness::TestDb;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn run(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_stellaops-convert"))
        .args(args)
        .output()
        .unwrap();
    if !output.status.success() {
        eprintln!(
            "$ stellaops-convert {}\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output
}

/// The checked-in exports with `lines` (users, NDJSON) added to
/// `authority_users.json`, and the manifest's count raised to match.
fn exports_with_users(lines: &[String]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = fixtures().join("mongo");
    for module in stellaops_convert::catalog::MODULES.iter() {
        std::fs::create_dir_all(dir.path().join(module)).unwrap();
        for entry in std::fs::read_dir(source.join(module)).unwrap() {
            let path = entry.unwrap().path();
            let target = dir.path().join(module).join(path.file_name().unwrap());
            std::fs::copy(&path, target).unwrap();
        }
    }
    let users = dir.path().join("authority/authority_users.json");
    let mut text = std::fs::read_to_string(&users).unwrap();
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(&users, text).unwrap();
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(source.join("manifest.json")).unwrap())
            .unwrap();
    let counted = manifest["documents"]["authority"]["authority_users"]
        .as_u64()
        .unwrap();
    manifest["documents"]["authority"]["authority_users"] = (counted + lines.len() as u64).into();
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).unwrap();
    dir
}

/// A double as PostgreSQL printed it in jsonb, read without the kit's
/// parsers: a JSON number that is still a double (a decimal point or an
/// exponent), or the canonical `{"$numberDouble": "..."}`.
fn stored_double(text: &str) -> Result<f64, String> {
    if text.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let repr = value["$numberDouble"]
            .as_str()
            .ok_or_else(|| format!("not a $numberDouble: {text}"))?;
        return repr.parse().map_err(|e| format!("{repr}: {e}"));
    }
    if !text.contains(['.', 'e', 'E']) {
        return Err(format!("{text} reads back as an integer, not a double"));
    }
    text.parse().map_err(|e| format!("{text}: {e}"))
}

/// Backfills `dir` into a fresh database, then compares every user whose
/// name starts with `prefix` with the bits it carries; then verifies.
fn arrive_bit_for_bit(dir: &Path, prefix: &str, expected: usize) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = TestDb::new().await.unwrap();
        let url = db.url();
        let exports = dir.to_str().unwrap();
        let backfill = run(&[
            "backfill",
            "--quiet",
            "--exports",
            exports,
            "--database-url",
            &url,
        ]);
        if !backfill.status.success() {
            return Err("the backfill failed".to_owned());
        }
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT username, (attributes->'d')::text, attributes->>'bits'
               FROM authority.users WHERE starts_with(username, $1) ORDER BY username",
        )
        .bind(prefix)
        .fetch_all(db.admin())
        .await
        .map_err(|e| e.to_string())?;
        if rows.len() != expected {
            return Err(format!("{} of {expected} users arrived", rows.len()));
        }
        let mut wrong = Vec::new();
        for (user, text, bits) in rows {
            let bits: i64 = bits
                .parse()
                .map_err(|e| format!("{user} bits {bits}: {e}"))?;
            let source = f64::from_bits(bits as u64);
            match stored_double(&text) {
                Ok(stored) if stored.to_bits() == source.to_bits() => {}
                Ok(stored) => wrong.push(format!(
                    "{user}: source {source:e}, stored {stored:e} ({text})"
                )),
                Err(why) => wrong.push(format!("{user}: source {source:e}: {why}")),
            }
        }
        if !wrong.is_empty() {
            return Err(format!("{} doubles changed: {wrong:#?}", wrong.len()));
        }
        let out = tempfile::tempdir().unwrap();
        let verify = run(&[
            "verify",
            "--quiet",
            "--exports",
            exports,
            "--database-url",
            &url,
            "--out",
            out.path().to_str().unwrap(),
        ]);
        match verify.status.code() {
            Some(0) => Ok(()),
            code => Err(format!(
                "verify exited {code:?} on exact data: {}",
                String::from_utf8_lossy(&verify.stdout)
            )),
        }
    })
}

#[test]
fn doubles_written_by_pymongo_arrive_bit_for_bit() {
    for mode in ["relaxed", "canonical"] {
        let file = fixtures().join(format!("pymongo/users_doubles_{mode}.ndjson"));
        let lines: Vec<String> = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert!(lines.len() > 500, "{}", file.display());
        let dir = exports_with_users(&lines);
        if let Err(why) = arrive_bit_for_bit(dir.path(), "double-", lines.len()) {
            panic!("{mode} mode: {why}");
        }
    }
}

/// Finite doubles of every class: any bit pattern, subnormals, whole
/// numbers past 2^53, the zeros.
fn finite_double() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>()
            .prop_map(f64::from_bits)
            .prop_filter("finite", |d| d.is_finite()),
        (1u64..(1 << 52)).prop_map(f64::from_bits),
        ((1i64 << 53)..i64::MAX, any::<bool>()).prop_map(|(n, negative)| if negative {
            -(n as f64)
        } else {
            n as f64
        }),
        Just(0.0),
        Just(-0.0),
    ]
}

fn user_line(i: usize, d: f64, canonical: bool) -> String {
    let user = doc! {
        "_id": ObjectId::from_bytes([0x77, 0, 0, 0, 0, 0, 0, 0, (i >> 24) as u8, (i >> 16) as u8, (i >> 8) as u8, i as u8]),
        "tenantId": "acme",
        "subjectId": bson::Binary::from_uuid(bson::Uuid::from_bytes(*uuid::Uuid::from_u128(0x77 << 64 | i as u128).as_bytes())),
        "username": format!("prop-{i:04}"),
        "createdAt": bson::DateTime::from_millis(1_793_491_200_000),
        "attributes": { "d": d, "bits": d.to_bits() as i64 },
    };
    let json = if canonical {
        Bson::Document(user).into_canonical_extjson()
    } else {
        Bson::Document(user).into_relaxed_extjson()
    };
    json.to_string()
}

/// Cases of the property (each a database, a backfill and a verify):
/// `STELLAOPS_NUMBER_CASES`, default 3.
fn cases() -> u32 {
    std::env::var("STELLAOPS_NUMBER_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn doubles_written_by_the_bson_crate_arrive_bit_for_bit(
        doubles in prop::collection::vec(finite_double(), 80)
    ) {
        // Every double twice: once in each mode.
        let lines: Vec<String> = doubles
            .iter()
            .enumerate()
            .flat_map(|(i, d)| [user_line(2 * i, *d, false), user_line(2 * i + 1, *d, true)])
            .collect();
        let dir = exports_with_users(&lines);
        let outcome = arrive_bit_for_bit(dir.path(), "prop-", lines.len());
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
    }
}
