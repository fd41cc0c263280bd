//! The conversion check of the StellaOps verification kit: MongoDB exports
//! (`mongoexport`, Extended JSON v2) converted by the conversion plan's
//! tiers, written by a resumable COPY backfill, and verified back through
//! the storage repositories (Phase 1, T1.10 and T1.11).
//!
//! - [`export`]: reading export files, each document with its line.
//! - [`convert`]: one converter per collection, and what they share.
//! - [`catalog`]: the collections, their tiers and rules, in order.
//! - [`plan`]: a folder of exports converted with one clock.
//! - [`backfill`]: COPY in batches, a transaction and a checkpoint per batch.
//! - [`verify`]: counts, records, content hashes, and the report.
//! - [`generate`]: deterministic exports (the checked-in fixtures, and larger ones).

pub mod backfill;
pub mod catalog;
pub mod convert;
pub mod export;
pub mod generate;
pub mod ids;
pub mod mapping;
pub mod plan;
pub mod plant;
pub mod progress;
pub mod table;
pub mod verify;

// Shared with the other jobs' reports (`stellaops-kit`).
pub use stellaops_kit::{files, html, revision};
