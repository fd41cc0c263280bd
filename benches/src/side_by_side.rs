//! Repository against hand-written sqlx, side by side in one run: rounds
//! of `ops` operations per path and side, in a random order every round,
//! and per path the median of the per-round ratios (repository over hand
//! written) with its quartiles. A ratio taken inside one round cancels the
//! machine's drift between rounds, which a comparison of two totals would
//! not.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::rounds;

/// Which implementation of a path runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    Repository,
    HandWritten,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Repository, Side::HandWritten];

    pub fn name(self) -> &'static str {
        match self {
            Side::Repository => "repository",
            Side::HandWritten => "hand_written",
        }
    }
}

/// What the rounds measured: µs per operation per round, and the ratio of
/// the sides per round.
#[derive(Debug, Clone)]
pub struct Comparison<P> {
    pub rounds: usize,
    pub ops: usize,
    pub per_op: BTreeMap<(P, Side), Vec<f64>>,
    pub ratios: BTreeMap<P, Vec<f64>>,
}

/// Runs `rounds` interleaved rounds over `paths`; `run(path, side, i)` does
/// one operation, `between(path, side)` runs untimed before each batch.
pub async fn interleave<P: Copy + Ord>(
    paths: &[P],
    rounds: usize,
    ops: usize,
    run: impl AsyncFn(P, Side, usize),
    between: impl AsyncFn(P, Side),
) -> Comparison<P> {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut per_op: BTreeMap<(P, Side), Vec<f64>> = BTreeMap::new();
    let mut ratios: BTreeMap<P, Vec<f64>> = BTreeMap::new();
    for round in 0..rounds {
        let mut order: Vec<(P, Side)> = paths
            .iter()
            .flat_map(|p| Side::BOTH.map(|s| (*p, s)))
            .collect();
        rounds::shuffle(&mut order, &mut seed);
        let mut this_round = BTreeMap::new();
        for (path, side) in order {
            between(path, side).await;
            let started = Instant::now();
            for i in 0..ops {
                run(path, side, round * ops + i).await;
            }
            let micros = started.elapsed().as_secs_f64() * 1e6 / ops as f64;
            this_round.insert((path, side), micros);
            per_op.entry((path, side)).or_default().push(micros);
        }
        for path in paths {
            let ratio =
                this_round[&(*path, Side::Repository)] / this_round[&(*path, Side::HandWritten)];
            ratios.entry(*path).or_default().push(ratio);
        }
        rounds::progress("interleaved round", round + 1, rounds);
    }
    Comparison {
        rounds,
        ops,
        per_op,
        ratios,
    }
}

/// One row of the comparison table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub repository_micros: f64,
    pub hand_written_micros: f64,
    pub ratio: f64,
    pub ratio_p25: f64,
    pub ratio_p75: f64,
}

impl<P: Copy + Ord> Comparison<P> {
    /// Medians per side and the ratio's median and quartiles for `path`.
    pub fn row(&self, path: P) -> Row {
        let sorted = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v
        };
        let side = |s| sorted(self.per_op[&(path, s)].clone());
        let ratios = sorted(self.ratios[&path].clone());
        let at = |v: &[f64], p| rounds::percentile(v, p).unwrap_or(f64::NAN);
        Row {
            repository_micros: at(&side(Side::Repository), 0.5),
            hand_written_micros: at(&side(Side::HandWritten), 0.5),
            ratio: at(&ratios, 0.5),
            ratio_p25: at(&ratios, 0.25),
            ratio_p75: at(&ratios, 0.75),
        }
    }
}

impl Row {
    /// The table cells after the path's name: both medians in µs, the
    /// ratio, and its quartiles (`| a | b | r | p25–p75 |`).
    pub fn cells(&self) -> String {
        format!(
            "| {:.1} | {:.1} | {:.3} | {:.3}–{:.3} |",
            self.repository_micros,
            self.hand_written_micros,
            self.ratio,
            self.ratio_p25,
            self.ratio_p75
        )
    }
}

/// One criterion group per path with a function per side; `before` runs
/// untimed before each side.
pub fn criterion_groups<P: Copy, F: std::future::Future<Output = ()>>(
    c: &mut criterion::Criterion,
    runtime: &tokio::runtime::Runtime,
    paths: &[P],
    name: impl Fn(P) -> &'static str,
    before: impl Fn(P),
    run: impl Fn(P, Side, usize) -> F,
) {
    for path in paths {
        let mut group = c.benchmark_group(name(*path));
        for side in Side::BOTH {
            before(*path);
            let mut i = 0usize;
            group.bench_function(side.name(), |b| {
                b.to_async(runtime).iter(|| {
                    i += 1;
                    run(*path, side, i)
                })
            });
        }
        group.finish();
    }
}

/// Pools as the data source builds them: no ping on acquire.
pub async fn pool(options: sqlx::postgres::PgConnectOptions, size: u32) -> sqlx::PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(size)
        .min_connections(1)
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .expect("pool")
}

/// A count from the environment, or `default`.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The whole comparison of a bench without hooks: criterion's groups (a
/// short warm-up and measurement: the interleaved rounds are the figures
/// that count), then `STELLAOPS_BENCH_ROUNDS` interleaved rounds of
/// `STELLAOPS_BENCH_OPS` operations, printed as a table titled `what`.
pub fn measure<P: Copy + Ord, F: std::future::Future<Output = ()>>(
    runtime: &tokio::runtime::Runtime,
    what: &str,
    paths: &[P],
    name: impl Fn(P) -> &'static str + Copy,
    run: impl Fn(P, Side, usize) -> F,
) -> Comparison<P> {
    let mut criterion = criterion::Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(2))
        .configure_from_args();
    criterion_groups(&mut criterion, runtime, paths, name, |_| {}, &run);
    criterion.final_summary();

    let rounds = env_number("STELLAOPS_BENCH_ROUNDS", 21);
    let ops = env_number("STELLAOPS_BENCH_OPS", 100);
    let comparison = runtime.block_on(interleave(
        paths,
        rounds,
        ops,
        async |path, side, i| run(path, side, i).await,
        async |_, _| {},
    ));
    println!();
    println!(
        "{what} repositories vs hand-written sqlx ({rounds} interleaved rounds of {ops} operations per side)"
    );
    println!();
    println!("| path | repository µs/op | hand-written µs/op | ratio (median) | ratio p25–p75 |");
    println!("|---|---:|---:|---:|---:|");
    for path in paths {
        println!("| {} {}", name(*path), comparison.row(*path).cells());
    }
    comparison
}

/// A bench's pools and the data source over them: the app and system
/// roles on the bench database, two connections each, with prepared
/// statements unless a pooler sits in between (as the kit's own tests do).
#[derive(Debug, Clone)]
pub struct BenchPools {
    pub app: sqlx::PgPool,
    pub system: sqlx::PgPool,
    pub source: stellaops_storage::DataSource,
}

impl BenchPools {
    pub async fn new(db: &stellaops_harness::TestDb, command_timeout: std::time::Duration) -> Self {
        let options = |role: &str| {
            db.server()
                .role_options(db.name(), role)
                .expect("role options")
        };
        let app = pool(options(stellaops_harness::APP_ROLE), 2).await;
        let system = pool(options(stellaops_harness::SYSTEM_ROLE), 2).await;
        let prepared = db.server().pooler_port.is_none();
        let source = stellaops_storage::DataSource::from_pools(
            app.clone(),
            Some(system.clone()),
            command_timeout,
        )
        .with_prepared_statements(prepared);
        BenchPools {
            app,
            system,
            source,
        }
    }

    pub async fn close(&self) {
        self.app.close().await;
        self.system.close().await;
    }
}

/// Seeds the load run's default dataset into `db`, only the statements
/// that write into `schema` (a module's rows stand alone), then analyzes.
pub async fn seed_module(db: &stellaops_harness::TestDb, schema: &str) {
    let volume = crate::load::Volume::default();
    eprintln!("seeding {schema}'s rows of {}", volume.describe());
    let writes = [
        format!("INSERT INTO {schema}."),
        format!("UPDATE {schema}."),
    ];
    for statement in volume.statements() {
        if writes.iter().any(|w| statement.contains(w.as_str())) {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                .execute(db.admin())
                .await
                .expect("seeding");
        }
    }
    sqlx::raw_sql("ANALYZE")
        .execute(db.admin())
        .await
        .expect("analyzing");
}

/// The `BEGIN` the data source sends, with its command timeout of 30 s in
/// milliseconds: the hand-written side opens its transactions the same way.
pub const BEGIN: &str = "BEGIN; SET LOCAL TimeZone = 'UTC'; SET LOCAL statement_timeout = 30000";

/// A transaction of `tenant` on `app`, opened as the data source opens
/// tenant work: `BEGIN` with the settings, then the bound tenant.
pub async fn tenant_tx(
    app: &sqlx::PgPool,
    tenant: &stellaops_storage::TenantContext,
) -> sqlx::Transaction<'static, sqlx::Postgres> {
    let mut tx = app.begin_with(BEGIN).await.expect("begin");
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
        .bind(tenant.tenant().as_str())
        .execute(&mut *tx)
        .await
        .expect("set tenant");
    tx
}
