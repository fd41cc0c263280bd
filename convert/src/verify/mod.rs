//! Verification of a backfill against its exports, and its report.

mod check;
mod completeness;
mod error;
pub mod report;
mod repository;
mod rows;
mod source;

pub use check::{VerifyContext, verify};
pub use error::VerifyError;
pub use report::{Difference, DifferenceKind, Verdict, VerifyReport};
pub use repository::REPOSITORIES;
