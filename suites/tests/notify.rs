//! Notify suites: `cargo nextest run -E 'binary(notify)'`.
//!
//! Channels, templates, rules and the delivery queue so far, each test on
//! both backends (the conformance suite), the isolation tests as
//! `stellaops_app`, and the queue's races on PostgreSQL, their histories
//! checked.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

#[path = "notify/support.rs"]
mod support;

#[path = "notify/channels.rs"]
mod channels;
#[path = "notify/deliveries.rs"]
mod deliveries;
#[path = "notify/determinism.rs"]
mod determinism;
#[path = "notify/digests.rs"]
mod digests;
#[path = "notify/escalations.rs"]
mod escalations;
#[path = "notify/inbox_audit.rs"]
mod inbox_audit;
#[path = "notify/isolation.rs"]
mod isolation;
#[path = "notify/model.rs"]
mod model;
#[path = "notify/on_call.rs"]
mod on_call;
#[path = "notify/queue_races.rs"]
mod queue_races;
#[path = "notify/quiet_hours.rs"]
mod quiet_hours;
#[path = "notify/related_reads.rs"]
mod related_reads;
#[path = "notify/rules.rs"]
mod rules;
#[path = "notify/templates.rs"]
mod templates;
#[path = "notify/worker_races.rs"]
mod worker_races;
