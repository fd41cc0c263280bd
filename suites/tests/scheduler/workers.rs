//! Workers: registration, heartbeats, dead-worker detection at its
//! boundary, and a rescue that touches only the dead workers' claims.

use chrono::Duration;
use stellaops_storage::scheduler::{NewRun, Outcome, PgWorkers, RunRepository};

use crate::support::{epoch, setup};

const DEAD_AFTER: Duration = Duration::seconds(30);

#[tokio::test]
async fn dead_worker_rescue_selectivity() {
    let b = setup().await;
    let workers = PgWorkers::new(b.source.clone(), b.clock.clone());
    let kinds = ["runs".to_owned()];
    for id in ["a", "b", "c"] {
        workers
            .register(&b.system, id, "host-1", &kinds, 2)
            .await
            .unwrap();
    }
    for _ in 0..3 {
        b.runs
            .create(&b.acme, &NewRun::manual(epoch()))
            .await
            .unwrap();
    }
    b.runs
        .create(&b.globex, &NewRun::manual(epoch()))
        .await
        .unwrap();
    let a_running = b.runs.claim(&b.system, "a", 1).await.unwrap().remove(0);
    let a_done = b.runs.claim(&b.system, "a", 1).await.unwrap().remove(0);
    assert!(
        b.runs
            .finish(&b.system, &a_done, "a", Outcome::Completed, None)
            .await
            .unwrap()
    );
    let b_running = b.runs.claim(&b.system, "b", 1).await.unwrap().remove(0);
    let c_running = b.runs.claim(&b.system, "c", 1).await.unwrap().remove(0);

    // b heartbeats 1 µs after a and c registered: at the check b is exactly
    // DEAD_AFTER old (kept), a and c 1 µs older (dead).
    b.clock.advance(Duration::microseconds(1));
    assert!(workers.heartbeat(&b.system, "b").await.unwrap());
    b.clock.advance(DEAD_AFTER);
    assert_eq!(
        workers.mark_dead(&b.system, DEAD_AFTER).await.unwrap(),
        ["a", "c"]
    );
    assert!(
        !workers.heartbeat(&b.system, "a").await.unwrap(),
        "a dead worker must register again"
    );

    assert_eq!(
        b.runs
            .rescue_claims_of(&b.system, &["a".to_owned()])
            .await
            .unwrap(),
        1
    );
    let ctx = |tenant: &str| stellaops_storage::TenantContext::new(tenant).unwrap();
    let state = |run: &stellaops_storage::scheduler::Claim| {
        let runs = b.runs.clone();
        let run = run.clone();
        let tenant = ctx(&run.tenant_id);
        async move { runs.get(&tenant, run.id).await.unwrap().unwrap() }
    };
    let rescued = state(&a_running).await;
    assert_eq!(
        (rescued.state.as_str(), rescued.claimed_by),
        ("queued", None)
    );
    assert_eq!(
        state(&a_done).await.state,
        "completed",
        "a finished run stays finished"
    );
    let kept = state(&b_running).await;
    assert_eq!(
        (kept.state.as_str(), kept.claimed_by.as_deref()),
        ("running", Some("b"))
    );
    let other_dead = state(&c_running).await;
    assert_eq!(
        other_dead.claimed_by.as_deref(),
        Some("c"),
        "only the named workers' claims"
    );

    // Registered again, a is alive.
    let again = workers
        .register(&b.system, "a", "host-2", &kinds, 2)
        .await
        .unwrap();
    assert_eq!(
        (again.status.as_str(), again.hostname.as_str()),
        ("active", "host-2")
    );
    assert!(workers.heartbeat(&b.system, "a").await.unwrap());
}
