//! Authority suites: `cargo nextest run -E 'binary(authority)'`.
//!
//! Every test gets its own migrated database and talks to it through the
//! storage repositories, as `stellaops_app` for tenant work and
//! `stellaops_system` for the named cross-tenant operations.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

#[path = "authority/support.rs"]
mod support;

#[path = "authority/bad_input.rs"]
mod bad_input;
#[path = "authority/crud.rs"]
mod crud;
#[path = "authority/determinism.rs"]
mod determinism;
#[path = "authority/isolation.rs"]
mod isolation;
#[path = "authority/model.rs"]
mod model;
#[path = "authority/pagination.rs"]
mod pagination;
#[path = "authority/unavailable.rs"]
mod unavailable;
