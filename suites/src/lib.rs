//! Per-module CRUD, tenant-isolation and locking suites, the catalog-driven
//! schema contract suite, and determinism property tests.
//!
//! The suites run against [`stellaops_harness::TestDb`]; the harness's own
//! tests (in `harness/tests/`) prove the fixture itself. Module suites land
//! here as the repositories of `stellaops-storage` do.

pub mod agreement;
pub mod catalog;
mod global_tables;
pub mod history;
pub mod lease_race;
pub mod policies;
pub mod related_reads;
pub mod rows;
pub mod sources;
pub mod waits;

pub use global_tables::{GLOBAL_TABLES, MODULE_TABLE_COUNTS, module_schemas};
pub use stellaops_harness::{TestDb, test_db};
