//! Policy suites: `cargo nextest run -E 'binary(policy)'`.
//!
//! Packs, versions, rules, risk profiles, exceptions, evaluation runs,
//! explanations and the audit trail, each test on both backends (the
//! conformance suite), isolation as `stellaops_app`, and the activation
//! race on PostgreSQL, its history checked.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

#[path = "policy/support.rs"]
mod support;

#[path = "policy/activation_race.rs"]
mod activation_race;
#[path = "policy/audit.rs"]
mod audit;
#[path = "policy/determinism.rs"]
mod determinism;
#[path = "policy/evaluations.rs"]
mod evaluations;
#[path = "policy/exceptions.rs"]
mod exceptions;
#[path = "policy/immutability.rs"]
mod immutability;
#[path = "policy/isolation.rs"]
mod isolation;
#[path = "policy/model.rs"]
mod model;
#[path = "policy/packs.rs"]
mod packs;
#[path = "policy/profiles.rs"]
mod profiles;
#[path = "policy/rules.rs"]
mod rules;
#[path = "policy/versions.rs"]
mod versions;
