//! What one operation of each critical path does, through the storage
//! repositories, on a round's clone of the seeded dataset: one file per
//! module, beside the context they share.

mod authority;
mod context;
mod notify;
mod policy;
mod scheduler;

pub use context::{Context, DUE_LIMIT, HELD_PER_USER, TENANT_SKEW, UserState, seeded_uuid};
pub use policy::{EXPLANATIONS_PAGE, exceptions_instant, seeded_digest};
