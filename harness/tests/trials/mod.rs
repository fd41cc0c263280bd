//! What the libtest-mimic test binaries (`harness = false`) share: running an
//! async test as a trial, and failing a wait that does not end.

use std::future::Future;
use std::time::Duration;

use libtest_mimic::Failed;

/// Runs an async test on a runtime of its own; a panic fails the trial.
pub fn run(test: impl Future<Output = ()>) -> Result<(), Failed> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failed::from(format!("no runtime: {e}")))?
        .block_on(test);
    Ok(())
}

/// Waits for `future`, failing the test if `limit` passes first.
pub async fn bounded<T>(limit: Duration, what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: still waiting after {limit:?} (it hangs)"))
}
