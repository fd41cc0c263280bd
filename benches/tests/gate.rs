//! The gate's machinery and its bad input, through the real binary: the
//! side protocol on a tiny dataset (and its clone gone afterwards), a side
//! that dies or hangs ending the run within its bound, and every refused
//! input exiting 2 with a message naming the thing, leaving no file.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stellaops_benches::gate::{GateError, GateOptions, GateSettings, Side, measure};
use stellaops_benches::load::serve::{Reply, parse_reply};
use stellaops_benches::load::{CriticalPath, RunSize, SEEDED_PREFIX};
use stellaops_harness::Server;

const BIN: &str = env!("CARGO_BIN_EXE_stellaops-load");

fn load(args: &[&str], dir: &Path) -> (i32, String) {
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

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_in(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

#[test]
fn bad_input_exits_2_naming_the_thing_and_writes_nothing() {
    let repo = env!("CARGO_MANIFEST_DIR");
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "gate",
                "--base",
                "no-such-branch-anywhere",
                "--out",
                out_arg,
            ],
            "does not name a commit",
        ),
        (vec!["gate", "--base", "--", "--out", out_arg], "--"),
        (
            vec![
                "gate",
                "--base",
                "HEAD",
                "--paths",
                "scheduler.due_pol",
                "--out",
                out_arg,
            ],
            "unknown critical path \"scheduler.due_pol\"; known: authority.token_issue",
        ),
        (
            vec!["gate", "--base", "HEAD", "--rounds", "1", "--out", out_arg],
            "invalid rounds: 1 is outside 3 to 200",
        ),
        (
            vec!["calibrate", "--blocks", "0", "--out", out_arg],
            "invalid blocks",
        ),
        (
            vec!["run", "--iterations", "0", "--out", out_arg],
            "invalid iterations: 0 is outside 1 to 10000",
        ),
        (
            vec!["baseline", "save", "../escape"],
            "invalid baseline name",
        ),
        (
            vec!["compare", "no-such-baseline", "another-missing"],
            "no such baseline",
        ),
    ];
    for (args, expected) in cases {
        let (code, stderr) = load(&args, Path::new(repo));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    assert!(!out.exists(), "a refused command wrote {out:?}");

    // Corrupt results, another format, and a missing file: named, exit 2.
    let corrupt = scratch.path().join("corrupt.json");
    std::fs::write(&corrupt, "{\"format\": \"stellaops-load/1\", \"paths\": [").unwrap();
    let other = scratch.path().join("other.json");
    std::fs::write(&other, "{\"format\": \"stellaops-load/0\"}").unwrap();
    let gate_other = scratch.path().join("gate.json");
    std::fs::write(
        &gate_other,
        "{\"format\": \"stellaops-gate/1\", \"rounds\": 3}",
    )
    .unwrap();
    let before = files_in(scratch.path());
    for (file, expected) in [
        (&corrupt, "not JSON"),
        (
            &other,
            "format \"stellaops-load/0\", expected \"stellaops-load/1\"",
        ),
        (&gate_other, "malformed gate results"),
    ] {
        let (code, stderr) = load(&["report", file.to_str().unwrap()], scratch.path());
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(stderr.contains(file.to_str().unwrap()), "{stderr}");
    }
    assert_eq!(
        files_in(scratch.path()),
        before,
        "a refused report wrote files"
    );
}

/// Talks to a `serve` process: requests on stdin, replies on stdout.
struct Serving {
    child: std::process::Child,
    replies: std::sync::mpsc::Receiver<Reply>,
}

impl Serving {
    fn start() -> Serving {
        let mut child = Command::new(BIN)
            .args(["serve", "--tiny", "--iterations", "6", "--users", "2"])
            .args(["--claim-workers", "2", "--label", "protocol"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, replies) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if let Some(Ok(reply)) = parse_reply(&line.unwrap()) {
                    let _ = send.send(reply);
                }
            }
        });
        Serving { child, replies }
    }

    fn ask(&mut self, request: &str) -> Reply {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{request}").unwrap();
        self.next()
    }

    fn next(&mut self) -> Reply {
        self.replies.recv_timeout(Duration::from_secs(120)).unwrap()
    }
}

async fn round_clones(server: &Server) -> Vec<String> {
    let mut admin = server.connect_admin().await.unwrap();
    // Label `protocol`: other tests make round clones of their own.
    sqlx::query_scalar(
        "SELECT datname FROM pg_database \
         WHERE starts_with(datname, $1 || 'round_') AND right(datname, 9) = '_protocol'",
    )
    .bind(SEEDED_PREFIX)
    .fetch_all(&mut admin)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_side_runs_paths_block_by_block_and_drops_its_clone() {
    let server = Server::shared().await.unwrap();
    let mut side = Serving::start();
    assert!(matches!(side.next(), Reply::Ready { .. }));
    assert_eq!(round_clones(&server).await.len(), 1, "the round's clone");
    for path in ["scheduler.run_claim", "authority.user_page"] {
        let start = format!("{{\"start\":{{\"path\":\"{path}\",\"blocks\":3}}}}");
        assert_eq!(side.ask(&start), Reply::Started);
        // One warm-up block, then three measured ones.
        for _ in 0..4 {
            assert!(matches!(side.ask("\"block\""), Reply::Block { micros } if micros > 0.0));
        }
        let Reply::Finished { stats } = side.ask("\"finish\"") else {
            panic!("no stats for {path}");
        };
        assert_eq!(stats.path, path);
        // 2 users x 3 blocks x 2 operations each: the warm-up is not counted.
        assert_eq!(stats.operations, 12, "{stats:?}");
        // The harness's own servers load pg_stat_statements; only a given
        // server may lack it.
        match &stats.work {
            Some(work) => assert!(work.calls_per_op >= 1.0, "{work:?}"),
            None => assert_eq!(server.kind, stellaops_harness::BackendKind::External),
        }
    }
    assert_eq!(side.ask("\"close\""), Reply::Closed);
    assert!(side.child.wait().unwrap().success());
    assert!(round_clones(&server).await.is_empty());

    // A request out of order is an error reply, the process ends, the clone goes.
    let mut side = Serving::start();
    assert!(matches!(side.next(), Reply::Ready { .. }));
    let Reply::Error { message } = side.ask("\"block\"") else {
        panic!("a block without a path was accepted");
    };
    assert!(
        message.contains("block without a started path"),
        "{message}"
    );
    assert!(!side.child.wait().unwrap().success());
    assert!(round_clones(&server).await.is_empty());

    // The gate dying (stdin closed) ends the side and drops its clone.
    let mut side = Serving::start();
    assert!(matches!(side.next(), Reply::Ready { .. }));
    drop(side.child.stdin.take());
    assert!(side.child.wait().unwrap().success());
    assert!(round_clones(&server).await.is_empty());
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn options(out: &Path, step_limit: Duration) -> GateOptions {
    GateOptions {
        paths: vec![CriticalPath::DuePoll],
        size: RunSize::default(),
        settings: GateSettings {
            rounds: 3,
            ..GateSettings::default()
        },
        blocks: 2,
        step_limit,
        canary_transactions: 0,
        out: out.to_path_buf(),
        seed: 7,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_side_that_dies_or_hangs_ends_the_run_within_its_bound() {
    let scratch = tempfile::tempdir().unwrap();
    let dies = script(
        scratch.path(),
        "dies",
        "echo 'side: the server went away' >&2; exit 3",
    );
    let hangs = script(scratch.path(), "hangs", "exec sleep 600");
    let side = |name: &str, binary: &PathBuf| Side {
        name: name.into(),
        binary: binary.clone(),
        slowdown: None,
    };

    let err = measure(
        &options(scratch.path(), Duration::from_secs(60)),
        &[side("base", &dies), side("candidate", &dies)],
        None,
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, GateError::Side { round: 0, .. }), "{text}");
    assert!(
        text.contains("base side: it ended (exit status: 3)"),
        "{text}"
    );
    assert!(text.contains("the server went away"), "{text}");

    let started = Instant::now();
    let err = measure(
        &options(scratch.path(), Duration::from_secs(2)),
        &[side("base", &hangs), side("candidate", &hangs)],
        None,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("no answer within 2 s"), "{err}");
    // Bounded by the step limit, not by the hanging side.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

/// Both sides run on the gate's server: a side that says it runs on
/// another (as a base built in its own worktree did, finding no server of
/// its own workspace and starting one) ends the run, naming both servers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_side_on_another_server_ends_the_run() {
    let scratch = tempfile::tempdir().unwrap();
    let elsewhere = script(
        scratch.path(),
        "elsewhere",
        r#"echo '@stellaops-gate {"ready":{"work_unavailable":null,"server":"127.0.0.1:1, up since never"}}'; exec sleep 600"#,
    );
    let side = Side {
        name: "base".into(),
        binary: elsewhere,
        slowdown: None,
    };
    let err = measure(
        &options(scratch.path(), Duration::from_secs(60)),
        &[
            side.clone(),
            Side {
                name: "candidate".into(),
                ..side
            },
        ],
        None,
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("it runs on the server 127.0.0.1:1, up since never, not the gate's"),
        "{text}"
    );
    assert!(text.contains("both sides must share one server"), "{text}");
}

/// A side that measures nothing and reports a fixed median per path: the
/// base 1000 µs everywhere; the candidate the same on `due_poll`, 30%
/// slower on `run_claim`, and 20% faster or 40% slower by turns on
/// `heartbeat` (by the round's parity).
fn fake_side(dir: &Path, name: &str, candidate: bool) -> Side {
    let medians = if candidate {
        r#"case "$path" in
      scheduler.run_claim) p=1300 ;;
      scheduler.heartbeat) if [ $((n % 2)) -eq 0 ]; then p=1400; else p=800; fi ;;
      *) p=1000 ;;
    esac"#
    } else {
        "p=1000"
    };
    let body = format!(
        r#"prev=""; n=0
for a in "$@"; do [ "$prev" = "--label" ] && n="${{a#r}}"; prev="$a"; done
echo '@stellaops-gate {{"ready":{{"work_unavailable":"a fake side","server":null}}}}'
while read -r line; do
  case "$line" in
    *'"start"'*)
      path=$(echo "$line" | sed 's/.*"path":"\([^"]*\)".*/\1/')
      echo '@stellaops-gate "started"' ;;
    '"block"') echo '@stellaops-gate {{"block":{{"micros":1000.0}}}}' ;;
    '"finish"')
      {medians}
      echo "@stellaops-gate {{\"finished\":{{\"stats\":{{\"path\":\"$path\",\"operations\":10,\"errors\":0,\"mean_micros\":$p,\"p50_micros\":$p,\"p95_micros\":$p,\"p99_micros\":$p,\"max_micros\":$p,\"throughput\":1.0,\"busy_secs\":0.01}}}}}}" ;;
    '"close"') echo '@stellaops-gate "closed"'; exit 0 ;;
  esac
done"#
    );
    Side {
        name: name.into(),
        binary: script(dir, &format!("{name}.sh"), &body),
        slowdown: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sequential_gate_stops_measuring_decided_paths() {
    use stellaops_benches::gate::{SequentialGate, SideInfo, Verdict, report};
    let scratch = tempfile::tempdir().unwrap();
    let mut options = options(scratch.path(), Duration::from_secs(60));
    options.paths = vec![
        CriticalPath::DuePoll,
        CriticalPath::RunClaim,
        CriticalPath::Heartbeat,
    ];
    options.settings = GateSettings {
        rounds: 16,
        min_rounds: 10,
        look_every: 2,
        ..GateSettings::default()
    };
    let sides = [
        fake_side(scratch.path(), "base", false),
        fake_side(scratch.path(), "candidate", true),
    ];
    let sequential = SequentialGate {
        base: "base",
        candidate: "candidate",
        deadline: Instant::now() + Duration::from_secs(600),
    };
    let measured = measure(&options, &sides, Some(&sequential)).await.unwrap();
    let rounds_of = |path: &str| {
        measured
            .rounds
            .iter()
            .filter(|r| r.side("candidate").unwrap().path(path).is_some())
            .count()
    };
    // The clear pass and the clear regression stop at the first look; the
    // path that cannot be told runs every round.
    assert_eq!(rounds_of("scheduler.due_poll"), 10);
    assert_eq!(rounds_of("scheduler.run_claim"), 10);
    assert_eq!(rounds_of("scheduler.heartbeat"), 16);
    let info = |name: &str| SideInfo {
        name: name.into(),
        reference: name.into(),
        rev: "fake".into(),
    };
    let judged = |measured: &stellaops_benches::gate::Measured| {
        report(
            chrono::Utc::now(),
            Instant::now(),
            &options,
            measured,
            info("base"),
            info("candidate"),
        )
    };
    let gate = judged(&measured);
    let verdict = |path: &str| {
        let v = gate.verdicts.iter().find(|v| v.path == path).unwrap();
        (v.decision.verdict, v.decision.decided_at)
    };
    assert_eq!(verdict("scheduler.due_poll"), (Verdict::Pass, Some(10)));
    assert_eq!(
        verdict("scheduler.run_claim"),
        (Verdict::Regression, Some(10))
    );
    assert_eq!(verdict("scheduler.heartbeat"), (Verdict::Noisy, None));

    // A budget that ends before the first look leaves every path open:
    // noisy, never a silent pass.
    let hurried = SequentialGate {
        deadline: Instant::now(),
        ..sequential
    };
    let measured = measure(&options, &sides, Some(&hurried)).await.unwrap();
    assert!(measured.rounds.len() < 10, "{}", measured.rounds.len());
    let gate = judged(&measured);
    for v in &gate.verdicts {
        assert_eq!(v.decision.verdict, Verdict::Noisy, "{v:?}");
        assert!(
            v.decision.reason.contains("time budget"),
            "{}",
            v.decision.reason
        );
    }
}
