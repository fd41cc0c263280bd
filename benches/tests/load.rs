//! The load scenarios on a small dataset: every critical path runs its
//! fixed size through the repositories without an error, and the round's
//! clone is gone afterwards.

#![allow(clippy::unwrap_used)]

use stellaops_benches::load::{
    CriticalPath, RunSize, SEEDED_PREFIX, Volume, WorkMode, run_round, seeded_template,
};
use stellaops_harness::Server;

/// Small enough to seed in a second, with due schedules and queued runs.
const SMALL: Volume = Volume {
    tenants: 3,
    users_per_tenant: 60,
    tokens_per_user: 2,
    schedules_per_tenant: 100,
    runs_per_tenant: 100,
    deliveries_per_tenant: 200,
    rules_per_tenant: 40,
    escalations_per_tenant: 20,
    inbox_users_per_tenant: 10,
    packs_per_tenant: 3,
    evaluations_per_tenant: 60,
    explained_runs_per_tenant: 3,
    exceptions_per_tenant: 100,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_path_runs_its_fixed_size_without_errors() {
    let server = Server::shared().await.unwrap();
    let seeded = seeded_template(&server, &SMALL).await.unwrap();
    let size = RunSize {
        users: 2,
        claim_workers: 3,
        iterations: 5,
    };
    let outcome = run_round(
        &server,
        &seeded,
        "test",
        SMALL,
        &CriticalPath::ALL,
        &size,
        WorkMode::CountsAndPlans,
    )
    .await
    .unwrap();
    let stats = outcome.paths;
    assert_eq!(stats.len(), CriticalPath::ALL.len());
    for (path, got) in CriticalPath::ALL.iter().zip(&stats) {
        assert_eq!(got.path, path.name());
        let users = if matches!(path, CriticalPath::RunClaim | CriticalPath::DeliveryClaim) {
            3
        } else {
            2
        };
        assert_eq!(got.operations, users * 5, "{}", got.path);
        assert_eq!(got.errors, 0);
        assert!(
            got.p50_micros > 0.0 && got.p50_micros <= got.max_micros,
            "{got:?}"
        );
    }
    // The work measure: the harness's own servers load pg_stat_statements;
    // a given server may not, and then the outcome says why.
    match &outcome.work_unavailable {
        Some(reason) => {
            assert_eq!(
                server.kind,
                stellaops_harness::BackendKind::External,
                "{reason}"
            );
            assert!(reason.contains("pg_stat_statements"), "{reason}");
        }
        None => {
            for got in &stats {
                let work = got.work.as_ref().unwrap();
                assert!(work.calls_per_op >= 1.0, "{}: {work:?}", got.path);
                assert!(work.buffers_per_op > 0.0, "{}: {work:?}", got.path);
                assert!(!work.plans.is_empty(), "{}: {work:?}", got.path);
                for (statement, plan) in &work.plans {
                    assert!(!plan.starts_with("(no plan"), "{statement}: {plan}");
                }
            }
        }
    }
    if outcome.work_unavailable.is_none() {
        let reads = stats
            .iter()
            .flat_map(|s| s.work.as_ref().unwrap().plans.values());
        assert!(reads.clone().any(|plan| plan.contains("Index Scan")));
    }
    // The seeded template stays (a cache); the round's clone is gone.
    let mut admin = server.connect_admin().await.unwrap();
    // This test's clones (label `test`; other tests make their own).
    let left: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database \
         WHERE starts_with(datname, $1 || 'round_') AND right(datname, 5) = '_test'",
    )
    .bind(SEEDED_PREFIX)
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn the_dataset_is_deterministic_and_named_by_its_content() {
    assert_eq!(SMALL.hash(), SMALL.hash());
    assert_ne!(SMALL.hash(), Volume::default().hash());
    let default = Volume::default();
    assert!(default.tenants >= 50 && default.users() >= 50_000 && default.tokens() >= 100_000);
    assert!(default.schedules() >= 10_000 && default.runs() >= 10_000);
    for statement in default.statements() {
        assert!(
            !statement.contains("random()") && !statement.contains("now()"),
            "{statement}"
        );
    }
}
