//! How fast a test gets its database, measured side by side in one run:
//!
//! - `handout/pooled`: `TestDb::new()` taking a pre-cloned database from a
//!   warm pool (the default: a rename);
//! - `handout/clone_file_copy`, `handout/clone_wal_log`: `TestDb::new()` with
//!   the pool off, cloning the sealed template with each strategy;
//! - `handout/migrate_from_scratch`: a new empty database migrated with every
//!   shipped migration (what a harness without templates does per test);
//! - `server/cold_start`: initdb and start of a throwaway local cluster.
//!
//! Teardown stays outside the timed part. After criterion's own report, a
//! table of the medians and their ratios to the clone is printed.
//!
//! Run: `cargo bench -p stellaops-benches --bench provisioning`

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};
use sqlx::postgres::PgPoolOptions;
use stellaops_harness::backend::local;
use stellaops_harness::{
    BackendKind, CloneStrategy, Server, TestDb, connect_with_retry, ensure_template, pool, reaper,
};
use stellaops_migrations::{MigrationSet, Migrator};
use tokio::runtime::Runtime;

const GROUP_HANDOUT: &str = "handout";
const GROUP_SERVER: &str = "server";

fn configured(server: &Arc<Server>, strategy: CloneStrategy, pool_size: usize) -> Arc<Server> {
    let mut server = Server::clone(server);
    server.settings.clone_strategy = strategy;
    server.settings.pool_size = pool_size;
    Arc::new(server)
}

/// Fills the pool outside the timed part: a real run's tests take long
/// enough for the background refill to keep up.
async fn fill_pool(server: &Server) {
    let template = ensure_template(
        server,
        &MigrationSet::load(stellaops_migrations::default_dir()).expect("migrations"),
    )
    .await
    .expect("template");
    while pool::refill(server, &template.name, server.settings.pool_size)
        .await
        .expect("refill")
        > 0
    {}
}

fn handout(c: &mut Criterion, rt: &Runtime, server: &Arc<Server>) {
    let mut group = c.benchmark_group(GROUP_HANDOUT);
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10))
        .sampling_mode(SamplingMode::Flat);

    let pooled = configured(server, CloneStrategy::FileCopy, 4);
    group.bench_function("pooled", |b| {
        b.to_async(rt).iter_custom(|iters| {
            let server = pooled.clone();
            async move {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    fill_pool(&server).await;
                    let started = Instant::now();
                    let db = TestDb::builder()
                        .build_on(server.clone())
                        .await
                        .expect("pooled database");
                    timed += started.elapsed();
                    db.close().await.expect("drop");
                }
                timed
            }
        });
    });

    for (id, strategy) in [
        ("clone_file_copy", CloneStrategy::FileCopy),
        ("clone_wal_log", CloneStrategy::WalLog),
    ] {
        let server = configured(server, strategy, 0);
        // Build the template before timing: the hand-out is what every test after the first pays.
        rt.block_on(async {
            TestDb::builder()
                .build_on(server.clone())
                .await
                .expect("warm-up database")
                .close()
                .await
                .expect("drop");
        });
        group.bench_function(id, |b| {
            b.to_async(rt).iter_custom(|iters| {
                let server = server.clone();
                async move {
                    let mut timed = Duration::ZERO;
                    for _ in 0..iters {
                        let started = Instant::now();
                        let db = TestDb::builder()
                            .build_on(server.clone())
                            .await
                            .expect("clone");
                        timed += started.elapsed();
                        db.close().await.expect("drop clone");
                    }
                    timed
                }
            });
        });
    }

    let set = MigrationSet::load(stellaops_migrations::default_dir()).expect("shipped migrations");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("migrate_from_scratch", |b| {
        b.to_async(rt).iter_custom(|iters| {
            let server = server.clone();
            let set = set.clone();
            async move {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let db = TestDb::builder()
                        .empty()
                        .build_on(server.clone())
                        .await
                        .expect("empty database");
                    let started = Instant::now();
                    let pool = PgPoolOptions::new()
                        .max_connections(2)
                        .connect(&db.url())
                        .await
                        .expect("connect");
                    Migrator::new(set.clone())
                        .include_all()
                        .apply(&pool)
                        .await
                        .expect("migrate");
                    timed += started.elapsed();
                    pool.close().await;
                    db.close().await.expect("drop");
                }
                timed
            }
        });
    });
    group.finish();
}

fn cold_start(c: &mut Criterion, rt: &Runtime, server: &Server) {
    if server.kind != BackendKind::Local {
        eprintln!(
            "server/cold_start: skipped, the {} backend starts no local cluster",
            server.kind
        );
        return;
    }
    let bin_dir = match local::find_bin_dir(&server.settings) {
        Ok(dir) => dir,
        Err(reason) => {
            eprintln!("server/cold_start: skipped, {reason}");
            return;
        }
    };
    let mut group = c.benchmark_group(GROUP_SERVER);
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .sampling_mode(SamplingMode::Flat);
    group.bench_function("cold_start", |b| {
        b.to_async(rt).iter_custom(|iters| {
            let settings = server.settings.clone();
            let bin_dir = bin_dir.clone();
            async move {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let started = Instant::now();
                    let state = local::start(&settings, &bin_dir).await.expect("cold start");
                    connect_with_retry(&state.admin_url, Duration::from_secs(30))
                        .await
                        .expect("first connection");
                    timed += started.elapsed();
                    reaper::run_stop_script(&state).expect("stop the cold-started cluster");
                }
                timed
            }
        });
    });
    group.finish();
}

/// Median of a finished benchmark, from criterion's estimates file.
fn median(id: &str) -> Option<Duration> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let text =
        std::fs::read_to_string(target.join("criterion").join(id).join("new/estimates.json"))
            .ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(Duration::from_nanos(
        json["median"]["point_estimate"].as_f64()? as u64,
    ))
}

fn print_summary() {
    let rows = [
        "handout/pooled",
        "handout/clone_file_copy",
        "handout/clone_wal_log",
        "handout/migrate_from_scratch",
        "server/cold_start",
    ];
    let Some(scratch) = median("handout/migrate_from_scratch") else {
        return;
    };
    println!("\n| path | median | speed-up over migrate_from_scratch |\n|---|---:|---:|");
    for id in rows {
        if let Some(m) = median(id) {
            println!(
                "| {id} | {:.1} ms | {:.1}x |",
                m.as_secs_f64() * 1e3,
                scratch.as_secs_f64() / m.as_secs_f64()
            );
        }
    }
}

fn main() {
    let rt = Runtime::new().expect("tokio runtime");
    let server = rt
        .block_on(Server::shared())
        .expect("a PostgreSQL server for the benchmark");
    let mut c = Criterion::default().configure_from_args();
    handout(&mut c, &rt, &server);
    cold_start(&mut c, &rt, &server);
    c.final_summary();
    print_summary();
}
