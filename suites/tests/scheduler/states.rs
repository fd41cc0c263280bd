//! Run states: only the legal changes happen; an illegal one is an error
//! naming both states, and nothing is written.

use std::collections::BTreeSet;

use stellaops_storage::scheduler::{NewRun, RunRepository, RunState};
use stellaops_storage::{ErrorKind, StorageError};

use crate::support::{epoch, setup};

#[tokio::test]
async fn run_state_changes_follow_the_life_cycle() {
    let b = setup().await;
    let legal: BTreeSet<(RunState, RunState)> = [
        (RunState::Planning, RunState::Queued),
        (RunState::Planning, RunState::Cancelled),
        (RunState::Queued, RunState::Cancelled),
        (RunState::Running, RunState::Cancelled),
        (RunState::Error, RunState::Queued),
    ]
    .into_iter()
    .collect();
    for from in RunState::ALL {
        for to in RunState::ALL {
            let run = b
                .runs
                .create(&b.acme, &NewRun::manual(epoch()))
                .await
                .unwrap();
            sqlx::query(
                "UPDATE scheduler.runs SET state = $2, attempt = 1, \
                 claimed_by = CASE WHEN $2 = 'running' THEN 'w' END WHERE id = $1",
            )
            .bind(run.id)
            .bind(from.as_str())
            .execute(b.db.admin())
            .await
            .unwrap();
            let result = b.runs.transition(&b.acme, run.id, to).await;
            let stored = b.runs.get(&b.acme, run.id).await.unwrap().unwrap();
            if legal.contains(&(from, to)) {
                let changed = result.unwrap_or_else(|e| panic!("{from:?} -> {to:?}: {e}"));
                assert_eq!(changed.state, to.as_str());
                assert_eq!(stored.state, to.as_str());
                assert_eq!(changed.claimed_by, None);
            } else {
                let err = result.expect_err(&format!("{from:?} -> {to:?} must be refused"));
                assert_eq!(err.kind(), ErrorKind::Conflict);
                assert_eq!(
                    err.to_string(),
                    format!("run cannot go from {} to {}", from.as_str(), to.as_str())
                );
                assert_eq!(
                    stored.state,
                    from.as_str(),
                    "a refused change wrote something"
                );
            }
        }
    }
    let missing = b
        .runs
        .transition(&b.acme, uuid::Uuid::new_v4(), RunState::Cancelled)
        .await;
    assert!(matches!(
        missing,
        Err(StorageError::NotFound { entity: "run" })
    ));
    // Another tenant's run is missing too.
    let run = b
        .runs
        .create(&b.acme, &NewRun::manual(epoch()))
        .await
        .unwrap();
    let foreign = b
        .runs
        .transition(&b.globex, run.id, RunState::Cancelled)
        .await;
    assert!(matches!(
        foreign,
        Err(StorageError::NotFound { entity: "run" })
    ));
}
