//! Notify suites: `cargo nextest run -E 'binary(notify)'`.
//!
//! Channels, templates and rules so far, each test on both backends (the
//! conformance suite) and the isolation tests as `stellaops_app`.

// Integration tests: an unwrap's panic is the failure report.
#![allow(clippy::unwrap_used)]

#[path = "notify/support.rs"]
mod support;

#[path = "notify/channels.rs"]
mod channels;
#[path = "notify/isolation.rs"]
mod isolation;
#[path = "notify/rules.rs"]
mod rules;
#[path = "notify/templates.rs"]
mod templates;
