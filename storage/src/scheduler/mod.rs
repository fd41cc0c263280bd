//! Scheduler (shared/seeds, Phase 2), so far: the distributed lock (a
//! transaction-scoped advisory lock on a stable key, and a lease in
//! `scheduler.locks` with an expiry and a fencing token that only grows),
//! and claiming runs with attempt-fenced heartbeats, completion and rescue.

mod lock_key;
mod locks;
mod runs;
mod workers;

pub use lock_key::lock_key;
pub use locks::{Lease, PgLocks};
pub use runs::{Claim, MAX_CLAIM, NewRun, Outcome, PgRuns, Run, RunState};
pub use workers::{PgWorkers, Worker};
