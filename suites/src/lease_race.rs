//! The lease race every module's locks table must survive, written once:
//! workers acquire, renew and release one lease until each has won it a
//! number of times, every call recorded for the history checker.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use stellaops_storage::{Leases, StorageError, SystemContext};

use crate::history::{History, Op, Record};

/// Runs `workers` holders of lease `name` until each has been granted it
/// `grants` times (each bounded by `bound`); returns the history and the
/// grants in all.
pub async fn lease_contention(
    leases: &Leases,
    system: &SystemContext,
    name: &'static str,
    workers: usize,
    grants: usize,
    bound: StdDuration,
) -> (Arc<History>, usize) {
    let history = Arc::new(History::default());
    let ttl = Duration::minutes(5);
    let mut tasks = Vec::new();
    for w in 0..workers {
        let leases = leases.clone();
        let system = system.clone();
        let history = history.clone();
        tasks.push(tokio::spawn(async move {
            let worker = format!("worker-{w}");
            let mut granted = 0;
            while granted < grants {
                let t = history.invoke();
                let lease = leases
                    .acquire(&system, name, &worker, ttl)
                    .await
                    .expect("acquire");
                history.record(
                    t,
                    Record {
                        worker: &worker,
                        op: Op::LeaseAcquire,
                        item: name,
                        token: lease.as_ref().map_or(0, |l| l.fencing_token),
                        accepted: lease.is_some(),
                        batch: None,
                        validity: lease.as_ref().map(|l| (l.acquired_at, l.expires_at)),
                    },
                );
                let Some(lease) = lease else {
                    tokio::task::yield_now().await;
                    continue;
                };
                granted += 1;
                let t = history.invoke();
                let renewed = match leases.renew(&system, &lease, ttl).await {
                    Ok(renewed) => Some(renewed),
                    Err(StorageError::LeaseLost { .. }) => None,
                    Err(other) => panic!("renew failed: {other}"),
                };
                history.record(
                    t,
                    Record {
                        worker: &worker,
                        op: Op::LeaseRenew,
                        item: name,
                        token: lease.fencing_token,
                        accepted: renewed.is_some(),
                        batch: None,
                        validity: renewed.as_ref().map(|l| (l.acquired_at, l.expires_at)),
                    },
                );
                let t = history.invoke();
                let released = leases.release(&system, &lease).await.expect("release");
                history.record(
                    t,
                    Record {
                        worker: &worker,
                        op: Op::LeaseRelease,
                        item: name,
                        token: lease.fencing_token,
                        accepted: released,
                        batch: None,
                        validity: None,
                    },
                );
            }
            granted
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += tokio::time::timeout(bound, task)
            .await
            .expect("a lease worker within its bound")
            .expect("a lease worker that did not panic");
    }
    (history, total)
}
