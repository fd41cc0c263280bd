//! The source check: what each row must hold, derived from the export
//! documents by a second, deliberately simple path (its own JSON reader,
//! its own Extended JSON rules, the declarations of `crate::mapping`),
//! compared with what PostgreSQL holds. It shares nothing with the
//! converters, so a converter bug is not on both sides of the comparison.

mod check;
mod ejson;
mod json;

pub use check::check;
