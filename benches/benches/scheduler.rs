//! Scheduler repositories against the same work written by hand in sqlx,
//! side by side in one run, on a realistic volume: 10k schedules and 10k
//! queued runs in 50 tenants.
//!
//! | bench | what one iteration does |
//! |---|---|
//! | `due_poll` | a system transaction that reads up to 100 due schedules among 10k (about 2% due) |
//! | `run_claim` | one of 4 workers claims one run among 10k queued, while the other 3 claim and finish runs in the background (the interleaved rounds; criterion's own figures are without them) |
//! | `heartbeat` | an attempt-fenced heartbeat of one of 256 held claims |
//!
//! Both sides send the same statements in the same transaction shape:
//! `BEGIN` with the session settings, the statement, `COMMIT`. Seeding,
//! pools and the queue's reset between batches are outside the timed part.
//!
//! Run: `cargo bench -p stellaops-benches --bench scheduler`
//! (`STELLAOPS_BENCH_ROUNDS`, default 21; `STELLAOPS_BENCH_OPS`, default 100).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use criterion::Criterion;
use sqlx::{AssertSqlSafe, PgPool};
use stellaops_benches::side_by_side::{self, Side, env_number, pool};
use stellaops_harness::{APP_ROLE, SYSTEM_ROLE, TestDb};
use stellaops_storage::scheduler::{
    Claim, Outcome, PgRuns, PgSchedules, RunRepository, Schedule, ScheduleRepository,
};
use stellaops_storage::{DataSource, SystemClock, SystemContext};

const TENANTS: i64 = 50;
const SCHEDULES_PER_TENANT: i64 = 200;
const RUNS_PER_TENANT: i64 = 200;
/// Claims held by the heartbeat worker.
const HELD: i64 = 256;
/// Workers claiming besides the measured one.
const BACKGROUND_CLAIMERS: usize = 3;
const DUE_LIMIT: i64 = 100;
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// The `BEGIN` the data source sends (the command timeout in milliseconds).
const BEGIN: &str = "BEGIN; SET LOCAL TimeZone = 'UTC'; SET LOCAL statement_timeout = 30000";

const DUE_POLL: &str = "SELECT tenant_id, id, name, description, enabled, cron_expression, \
     timezone, mode, selection, only_if, notify, limits, next_fire_at, last_fired_at, \
     created_at, created_by, updated_at, updated_by, deleted_at, deleted_by \
     FROM scheduler.schedules \
     WHERE enabled AND deleted_at IS NULL AND next_fire_at <= $1 \
     ORDER BY next_fire_at, tenant_id, id LIMIT $2";
const CLAIM: &str = "WITH picked AS MATERIALIZED ( \
         SELECT tenant_id, id FROM scheduler.runs \
         WHERE state = 'queued' AND due_at <= $1 AND attempt < max_attempts \
         ORDER BY priority DESC, due_at, id \
         LIMIT $2 \
         FOR UPDATE SKIP LOCKED) \
     UPDATE scheduler.runs r SET state = 'running', attempt = r.attempt + 1, \
         claimed_by = $3, heartbeat_at = $1, started_at = coalesce(r.started_at, $1) \
     FROM picked WHERE r.tenant_id = picked.tenant_id AND r.id = picked.id \
     RETURNING r.tenant_id, r.id, r.attempt, r.priority, r.due_at";
const HEARTBEAT: &str = "UPDATE scheduler.runs SET heartbeat_at = $4 \
     WHERE tenant_id = $1 AND id = $2 AND attempt = $3 AND state = 'running' \
       AND claimed_by = $5";
/// Puts every claim of the claim bench back in the queue (untimed).
const RESET_QUEUE: &str = "UPDATE scheduler.runs SET state = 'queued', attempt = 0, \
     claimed_by = NULL, heartbeat_at = NULL, started_at = NULL, finished_at = NULL \
     WHERE claimed_by IS DISTINCT FROM 'holder' AND state <> 'queued'";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Path {
    DuePoll,
    RunClaim,
    Heartbeat,
}

impl Path {
    const ALL: [Path; 3] = [Path::DuePoll, Path::RunClaim, Path::Heartbeat];

    fn name(self) -> &'static str {
        match self {
            Path::DuePoll => "due_poll",
            Path::RunClaim => "run_claim",
            Path::Heartbeat => "heartbeat",
        }
    }
}

/// Everything one side needs, set up before any timing.
struct Fixture {
    schedules: PgSchedules,
    runs: PgRuns,
    system: PgPool,
    held: Vec<Claim>,
}

impl Fixture {
    async fn run(&self, path: Path, side: Side, i: usize) {
        let ctx = SystemContext::new("bench");
        match (path, side) {
            (Path::DuePoll, Side::Repository) => {
                let due = self.schedules.due(&ctx, DUE_LIMIT).await.expect("due poll");
                assert_eq!(due.len() as i64, DUE_LIMIT);
            }
            (Path::DuePoll, Side::HandWritten) => {
                let mut tx = self.system.begin_with(BEGIN).await.expect("begin");
                let due = sqlx::query_as::<_, Schedule>(DUE_POLL)
                    .bind(Utc::now())
                    .bind(DUE_LIMIT)
                    .fetch_all(&mut *tx)
                    .await
                    .expect("due poll");
                tx.commit().await.expect("commit");
                assert_eq!(due.len() as i64, DUE_LIMIT);
            }
            (Path::RunClaim, Side::Repository) => {
                let claims = self.runs.claim(&ctx, "measured", 1).await.expect("claim");
                assert_eq!(claims.len(), 1);
            }
            (Path::RunClaim, Side::HandWritten) => {
                let mut tx = self.system.begin_with(BEGIN).await.expect("begin");
                let claims = sqlx::query_as::<_, Claim>(CLAIM)
                    .bind(Utc::now())
                    .bind(1i64)
                    .bind("measured")
                    .fetch_all(&mut *tx)
                    .await
                    .expect("claim");
                tx.commit().await.expect("commit");
                assert_eq!(claims.len(), 1);
            }
            (Path::Heartbeat, Side::Repository) => {
                let claim = &self.held[i % self.held.len()];
                let alive = self
                    .runs
                    .heartbeat(&ctx, claim, "holder")
                    .await
                    .expect("beat");
                assert!(alive);
            }
            (Path::Heartbeat, Side::HandWritten) => {
                let claim = &self.held[i % self.held.len()];
                let mut tx = self.system.begin_with(BEGIN).await.expect("begin");
                let beat = sqlx::query(HEARTBEAT)
                    .bind(&claim.tenant_id)
                    .bind(claim.id)
                    .bind(claim.attempt)
                    .bind(Utc::now())
                    .bind("holder")
                    .execute(&mut *tx)
                    .await
                    .expect("beat");
                tx.commit().await.expect("commit");
                assert_eq!(beat.rows_affected(), 1);
            }
        }
    }

    /// Untimed: a full queue before every claim batch.
    async fn between(&self, path: Path, db: &TestDb) {
        if path == Path::RunClaim {
            sqlx::query(RESET_QUEUE)
                .execute(db.admin())
                .await
                .expect("resetting the queue");
        }
    }
}

async fn set_up(db: &TestDb) -> Fixture {
    let options = |role: &str| {
        db.server()
            .role_options(db.name(), role)
            .expect("role options")
    };
    let app = pool(options(APP_ROLE), 2).await;
    let system = pool(options(SYSTEM_ROLE), 2).await;
    let prepared = db.server().pooler_port.is_none();
    let clock = Arc::new(SystemClock);
    let source = DataSource::from_pools(app, Some(system.clone()), COMMAND_TIMEOUT)
        .with_prepared_statements(prepared);
    let runs = PgRuns::new(source.clone(), clock.clone());
    // The heartbeat worker's claims: runs only it claims (due far in the past,
    // top priority), claimed once, never reset.
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO scheduler.runs (tenant_id, trigger, state, priority, due_at) \
         SELECT 'bench-' || lpad((1 + h % {TENANTS})::text, 2, '0'), 'manual', 'queued', \
                1000, now() - interval '1 day' \
         FROM generate_series(1, {HELD}) h"
    )))
    .execute(db.admin())
    .await
    .expect("seeding held runs");
    let held = runs
        .claim(&SystemContext::new("bench"), "holder", HELD)
        .await
        .expect("holding claims");
    assert_eq!(held.len() as i64, HELD);
    Fixture {
        schedules: PgSchedules::new(source.clone(), clock.clone()),
        runs,
        system,
        held,
    }
}

async fn seed(db: &TestDb) {
    let admin = db.admin();
    for sql in [
        // 10k schedules; about 2% are due (next tick in the last minute),
        // the rest spread over the next day.
        format!(
            "INSERT INTO scheduler.schedules (tenant_id, name, cron_expression, timezone, \
               next_fire_at, created_by, updated_by) \
             SELECT 'bench-' || lpad(t::text, 2, '0'), 'schedule-' || lpad(s::text, 4, '0'), \
                    '*/5 * * * *', 'UTC', \
                    CASE WHEN s % 50 = 0 THEN now() - (s % 60) * interval '1 second' \
                         ELSE now() + (s * 7 % 1440) * interval '1 minute' END, \
                    'bench', 'bench' \
             FROM generate_series(1, {TENANTS}) t, generate_series(1, {SCHEDULES_PER_TENANT}) s"
        ),
        // 10k queued runs, due in the past hour, three priorities.
        format!(
            "INSERT INTO scheduler.runs (tenant_id, trigger, state, priority, due_at) \
             SELECT 'bench-' || lpad(t::text, 2, '0'), 'manual', 'queued', r % 3, \
                    now() - (r % 3600) * interval '1 second' \
             FROM generate_series(1, {TENANTS}) t, generate_series(1, {RUNS_PER_TENANT}) r"
        ),
        "ANALYZE".to_owned(),
    ] {
        sqlx::query(AssertSqlSafe(sql))
            .execute(admin)
            .await
            .expect("seeding");
    }
}

/// Three workers that claim and finish runs until told to stop: the
/// contention the measured worker claims under.
fn background_claimers(runs: &PgRuns, stop: &Arc<AtomicBool>) -> Vec<tokio::task::JoinHandle<()>> {
    (0..BACKGROUND_CLAIMERS)
        .map(|w| {
            let runs = runs.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let ctx = SystemContext::new("background");
                let worker = format!("background-{w}");
                while !stop.load(Ordering::Relaxed) {
                    let claims = runs.claim(&ctx, &worker, 1).await.unwrap_or_default();
                    for claim in &claims {
                        let _ = runs
                            .finish(&ctx, claim, &worker, Outcome::Completed, None)
                            .await;
                    }
                    if claims.is_empty() {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            })
        })
        .collect()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let db = runtime.block_on(async { TestDb::new().await.expect("bench database") });
    eprintln!(
        "seeding {TENANTS} tenants, {} schedules, {} runs",
        TENANTS * SCHEDULES_PER_TENANT,
        TENANTS * RUNS_PER_TENANT
    );
    runtime.block_on(seed(&db));
    let fixture = runtime.block_on(set_up(&db));
    // Criterion alone, without the background claimers: its warm-up and
    // measurement stay inside the 10k queued runs.
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    side_by_side::criterion_groups(
        &mut criterion,
        &runtime,
        &Path::ALL,
        Path::name,
        |path| runtime.block_on(fixture.between(path, &db)),
        |path, side, i| fixture.run(path, side, i),
    );
    criterion.final_summary();

    // The side-by-side rounds, under contention.
    let stop = Arc::new(AtomicBool::new(false));
    let background = {
        let _guard = runtime.enter();
        background_claimers(&fixture.runs, &stop)
    };

    let rounds = env_number("STELLAOPS_BENCH_ROUNDS", 21);
    let ops = env_number("STELLAOPS_BENCH_OPS", 100);
    let comparison = runtime.block_on(side_by_side::interleave(
        &Path::ALL,
        rounds,
        ops,
        async |path, side, i| fixture.run(path, side, i).await,
        async |path, _| fixture.between(path, &db).await,
    ));
    stop.store(true, Ordering::Relaxed);
    runtime.block_on(async {
        for task in background {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    });

    println!();
    println!(
        "Scheduler repositories vs hand-written sqlx ({rounds} interleaved rounds of {ops} operations per side, {BACKGROUND_CLAIMERS} background claimers)"
    );
    println!();
    println!("| path | repository µs/op | hand-written µs/op | ratio (median) | ratio p25–p75 |");
    println!("|---|---:|---:|---:|---:|");
    for path in Path::ALL {
        let row = comparison.row(path);
        println!("| {} {}", path.name(), row.cells());
    }
    runtime.block_on(async {
        fixture.system.close().await;
        db.close().await.expect("dropping the bench database");
    });
}
