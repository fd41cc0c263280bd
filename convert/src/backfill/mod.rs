//! The backfill: converted rows written with COPY in batches, a
//! transaction and a checkpoint per batch; idempotent and resumable.

pub mod checkpoint;
mod copy;
mod error;
mod run;

pub use error::BackfillError;
pub use run::{BackfillOptions, BackfillSummary, CollectionBackfill, PAUSE_SIGNAL, backfill};
