//! Criterion benchmarks, load scenarios and the regression gate.
//!
//! `benches/provisioning.rs` measures how a test gets its database: a clone
//! of the template (both strategies), a database migrated from scratch, and a
//! cold start of a throwaway server.

pub mod files;
pub mod gate;
pub mod load;
pub mod rounds;
pub mod side_by_side;
