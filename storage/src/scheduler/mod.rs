//! Scheduler (shared/seeds, Phase 2). This slice: the distributed lock, as
//! a transaction-scoped advisory lock on a stable key, and as a lease in
//! `scheduler.locks` with an expiry and a fencing token that only grows.

mod lock_key;
mod locks;

pub use lock_key::lock_key;
pub use locks::{Lease, PgLocks};
