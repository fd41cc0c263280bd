//! What a test pays for its database, measured as whole test processes,
//! side by side in one run.
//!
//! nextest runs every test in a process of its own, so the cost that counts
//! is a process: start, login, hand-out, the test's query, teardown. This
//! bench spawns the probe test binary (`benches/tests/probe.rs`) once per
//! sample, exactly as nextest does (`<binary> --exact <test> --ignored`),
//! and times each process's wall clock. Paths, interleaved in a random
//! order every round so that machine drift hits them alike:
//!
//! | path | what the process does |
//! |---|---|
//! | `floor` | one login and one query on a ready database: no harness |
//! | `testdb_pooled` | `TestDb::new()` + the query + teardown, keeper on (the default) |
//! | `testdb_no_keeper` | the same with `STELLAOPS_PG_KEEPER=off`: hand-out, refill and drop in the process |
//! | `testdb_cloning` | the same with the pool off: a clone on the test's path |
//! | `sqlx_test` | the same test under `#[sqlx::test]`, on a flattened copy of the same migrations |
//! | `cold_server` | a process that finds no server: starts one, builds the template, clones (fewer rounds) |
//!
//! Then the load: 16 `testdb_pooled` processes at once, per-process p50 and
//! p95. Then the wall of `cargo nextest run` over 100 trivial tests each way
//! (`probe.rs`'s `harness_way` and `sqlx_way`).
//!
//! Run: `cargo bench -p stellaops-benches --bench provisioning`
//! (`STELLAOPS_BENCH_ROUNDS`, default 25; `STELLAOPS_BENCH_NEXTEST=0` skips
//! the nextest walls).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stellaops_benches::rounds;
use stellaops_harness::{Server, TestDb};
use stellaops_migrations::MigrationSet;

const PROBE_TEST: &str = "probe";
/// Processes started at once for the load figures.
const CONCURRENT: usize = 16;
/// Rounds of the load figures.
const LOAD_ROUNDS: usize = 5;
/// A cold server costs about a second: sampled once every this many rounds.
const COLD_EVERY: usize = 5;
/// Trivial tests per way in the nextest wall comparison.
const TRIVIAL_TESTS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Probe {
    Floor,
    TestDbPooled,
    TestDbNoKeeper,
    TestDbCloning,
    SqlxTest,
    ColdServer,
}

impl Probe {
    const WARM: [Probe; 5] = [
        Probe::Floor,
        Probe::TestDbPooled,
        Probe::TestDbNoKeeper,
        Probe::TestDbCloning,
        Probe::SqlxTest,
    ];

    fn name(self) -> &'static str {
        match self {
            Probe::Floor => "floor",
            Probe::TestDbPooled => "testdb_pooled",
            Probe::TestDbNoKeeper => "testdb_no_keeper",
            Probe::TestDbCloning => "testdb_cloning",
            Probe::SqlxTest => "sqlx_test",
            Probe::ColdServer => "cold_server",
        }
    }

    fn test(self) -> &'static str {
        match self {
            Probe::Floor => "floor",
            Probe::SqlxTest => "sqlx_test",
            _ => "testdb",
        }
    }
}

struct Bench {
    probe: PathBuf,
    admin_url: String,
    floor_url: String,
    flat_dir: tempfile::TempDir,
}

impl Bench {
    fn command(&self, path: Probe, test: &str) -> Command {
        let mut command = Command::new(&self.probe);
        command
            .args(["--exact", test, "--ignored"])
            .env("STELLAOPS_PROBE_URL", &self.floor_url)
            .env("DATABASE_URL", &self.admin_url)
            .env("STELLAOPS_FLAT_MIGRATIONS", self.flat_dir.path())
            .env("STELLAOPS_PG_HARNESS_BIN", pg_harness())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match path {
            Probe::TestDbNoKeeper => {
                command.env("STELLAOPS_PG_KEEPER", "off");
            }
            Probe::TestDbCloning => {
                command.env("STELLAOPS_PG_POOL_SIZE", "0");
            }
            _ => {}
        }
        command
    }

    /// One process of `path`; its wall time.
    fn sample(&self, path: Probe) -> Duration {
        let mut command = self.command(path, path.test());
        let cold_dir = (path == Probe::ColdServer).then(|| tempfile::tempdir().expect("tempdir"));
        if let Some(dir) = &cold_dir {
            command
                .env("STELLAOPS_STATE_DIR", dir.path())
                .env("STELLAOPS_PG_KEEPER", "off");
        }
        let started = Instant::now();
        let output = command.output().expect("spawning the probe");
        let wall = started.elapsed();
        if let Some(dir) = &cold_dir {
            pg_harness_down(dir.path());
        }
        assert!(
            output.status.success(),
            "probe {} failed:\n{}{}",
            path.name(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        wall
    }
}

fn pg_harness_down(state_dir: &Path) {
    let _ = Command::new(pg_harness())
        .arg("down")
        .env("STELLAOPS_STATE_DIR", state_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The `pg-harness` binary the probes launch their keeper with.
fn pg_harness() -> PathBuf {
    static BINARY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BINARY
        .get_or_init(|| {
            let built = cargo_build_executable(&[
                "build",
                "-p",
                "stellaops-harness",
                "--bin",
                "pg-harness",
            ]);
            built.expect("pg-harness's executable in cargo's messages")
        })
        .clone()
}

/// Runs a cargo build command with JSON messages; the last executable it names.
fn cargo_build_executable(args: &[&str]) -> Option<PathBuf> {
    let output = Command::new(env!("CARGO"))
        .args(args)
        .arg("--message-format=json")
        .stderr(Stdio::inherit())
        .output()
        .expect("running cargo");
    assert!(output.status.success(), "cargo {} failed", args.join(" "));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
}

/// Builds the probe test binary (dev profile, as nextest would) and returns its path.
fn build_probe() -> PathBuf {
    cargo_build_executable(&[
        "test",
        "-p",
        "stellaops-benches",
        "--test",
        PROBE_TEST,
        "--no-run",
    ])
    .expect("the probe's executable in cargo's messages")
}

/// The shipped migrations, in order, as sqlx's flat `<version>_<name>.sql` files.
fn flatten_migrations(dir: &Path) {
    let set = MigrationSet::load(stellaops_migrations::default_dir()).expect("migrations");
    for (index, migration) in set.migrations().iter().enumerate() {
        let mut sql = String::new();
        if migration.no_transaction {
            sql.push_str("-- no-transaction\n");
        }
        sql.push_str(&migration.sql);
        // The modules switch to the owner role for their DDL; sqlx records a
        // migration in the same transaction, as the role it connected with.
        sql.push_str("\nRESET ROLE;\n");
        let file = dir.join(format!(
            "{:04}_{}_{}.sql",
            index + 1,
            migration.module,
            migration.name
        ));
        std::fs::write(file, sql).expect("writing a flattened migration");
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    rounds::percentile(sorted, p).unwrap_or(Duration::ZERO)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn nextest_wall(bench: &Bench, way: &str) -> Option<Duration> {
    let started = Instant::now();
    let status = Command::new(env!("CARGO"))
        .env("DATABASE_URL", &bench.admin_url)
        .env("STELLAOPS_FLAT_MIGRATIONS", bench.flat_dir.path())
        .env("STELLAOPS_PG_HARNESS_BIN", pg_harness())
        .args([
            "nextest",
            "run",
            "-p",
            "stellaops-benches",
            "--test",
            PROBE_TEST,
            "--run-ignored",
            "only",
            "--no-fail-fast",
            "-E",
            &format!("test(/^{way}::/)"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| started.elapsed())
}

fn main() {
    // `cargo bench` passes `--bench`; this bench takes no arguments of its own.
    let rounds: usize = std::env::var("STELLAOPS_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25);
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let server = runtime
        .block_on(Server::shared())
        .expect("a PostgreSQL server for the benchmark");
    eprintln!("building the probe test binary …");
    let probe = build_probe();
    let flat_dir = tempfile::tempdir().expect("tempdir");
    flatten_migrations(flat_dir.path());

    // A ready, warm database for the floor's one login and query.
    let floor_db = runtime
        .block_on(TestDb::new())
        .expect("the floor's database");
    let bench = Bench {
        probe,
        admin_url: server.admin_url().to_owned(),
        floor_url: floor_db.url(),
        flat_dir,
    };
    // Warm every path once, untimed: template built, keeper started, pool filled.
    for path in Probe::WARM {
        bench.sample(path);
    }
    std::thread::sleep(Duration::from_secs(2));

    let mut samples: BTreeMap<Probe, Vec<Duration>> = BTreeMap::new();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64 ^ u64::from(std::process::id());
    for round in 0..rounds {
        let mut order = Probe::WARM.to_vec();
        if round % COLD_EVERY == 0 && server.kind != stellaops_harness::BackendKind::External {
            order.push(Probe::ColdServer);
        }
        rounds::shuffle(&mut order, &mut seed);
        for path in order {
            let wall = bench.sample(path);
            samples.entry(path).or_default().push(wall);
        }
        rounds::progress("round", round + 1, rounds);
    }

    eprintln!("load: {CONCURRENT} processes at once, {LOAD_ROUNDS} rounds …");
    let mut load: BTreeMap<Probe, Vec<Duration>> = BTreeMap::new();
    let mut load_failures: BTreeMap<Probe, Vec<String>> = BTreeMap::new();
    for _ in 0..LOAD_ROUNDS {
        for path in [Probe::TestDbPooled, Probe::SqlxTest] {
            // Distinct tests, as a real run has: `#[sqlx::test]` names its
            // database after the test, so one test run 16 times at once collides.
            let way = if path == Probe::SqlxTest {
                "sqlx_way"
            } else {
                "harness_way"
            };
            let children: Vec<_> = (0..CONCURRENT)
                .map(|i| {
                    let started = Instant::now();
                    let child = bench
                        .command(path, &format!("{way}::t{i:03}"))
                        .spawn()
                        .expect("spawning a probe");
                    (started, child)
                })
                .collect();
            for (started, child) in children {
                let output = child.wait_with_output().expect("probe");
                let wall = started.elapsed();
                if output.status.success() {
                    load.entry(path).or_default().push(wall);
                } else {
                    // The harness must not fail under load; a peer that does is reported.
                    assert!(
                        path != Probe::TestDbPooled,
                        "{} under load failed:\n{}{}",
                        path.name(),
                        String::from_utf8_lossy(&output.stdout),
                        String::from_utf8_lossy(&output.stderr)
                    );
                    let text = String::from_utf8_lossy(&output.stdout);
                    // libtest prints the panic's message on the line after "panicked at".
                    let reason = text
                        .lines()
                        .skip_while(|l| !l.contains("panicked at"))
                        .nth(1)
                        .unwrap_or("no message")
                        .chars()
                        .take(200)
                        .collect::<String>();
                    load_failures.entry(path).or_default().push(reason);
                }
            }
        }
        // Let the keeper refill between bursts, as between a run's batches.
        std::thread::sleep(Duration::from_millis(500));
    }

    let pooled_p50 = {
        let mut s = samples[&Probe::TestDbPooled].clone();
        s.sort();
        percentile(&s, 0.5)
    };
    println!(
        "\nOne test process each (local machine, {rounds} interleaved rounds; PostgreSQL {} on the {} backend)\n",
        server.major_version, server.kind
    );
    println!("| path | samples | p50 | p95 | p50 / testdb_pooled |");
    println!("|---|---:|---:|---:|---:|");
    for (path, walls) in &mut samples {
        walls.sort();
        let p50 = percentile(walls, 0.5);
        println!(
            "| {} | {} | {:.1} ms | {:.1} ms | {:.2}x |",
            path.name(),
            walls.len(),
            ms(p50),
            ms(percentile(walls, 0.95)),
            p50.as_secs_f64() / pooled_p50.as_secs_f64()
        );
    }
    println!("\n{CONCURRENT} processes at once ({LOAD_ROUNDS} bursts), per process\n");
    println!("| path | passed | failed | p50 | p95 |");
    println!("|---|---:|---:|---:|---:|");
    for (path, walls) in &mut load {
        walls.sort();
        println!(
            "| {} | {} | {} | {:.1} ms | {:.1} ms |",
            path.name(),
            walls.len(),
            load_failures.get(path).map_or(0, Vec::len),
            ms(percentile(walls, 0.5)),
            ms(percentile(walls, 0.95))
        );
    }
    for (path, reasons) in &load_failures {
        let mut distinct = reasons.clone();
        distinct.sort();
        distinct.dedup();
        println!("\n{} failures under load: {distinct:?}", path.name());
    }

    if std::env::var("STELLAOPS_BENCH_NEXTEST").as_deref() != Ok("0") {
        eprintln!("cargo nextest run over {TRIVIAL_TESTS} trivial tests each way …");
        let mut walls: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
        for _ in 0..2 {
            for way in ["harness_way", "sqlx_way"] {
                if let Some(wall) = nextest_wall(&bench, way) {
                    walls.entry(way).or_default().push(wall);
                }
            }
        }
        println!("\n`cargo nextest run` over {TRIVIAL_TESTS} trivial tests (best of 2)\n");
        println!("| way | wall |");
        println!("|---|---:|");
        for (way, runs) in &walls {
            if let Some(best) = runs.iter().min() {
                println!("| {way} | {:.1} s |", best.as_secs_f64());
            }
        }
        if let (Some(h), Some(s)) = (
            walls.get("harness_way").and_then(|r| r.iter().min()),
            walls.get("sqlx_way").and_then(|r| r.iter().min()),
        ) {
            println!(
                "\nsqlx_way / harness_way: {:.2}x",
                s.as_secs_f64() / h.as_secs_f64()
            );
        }
    }
    drop(floor_db);
}
