//! The cutover scorecard (`cargo run -p stellaops-scorecard`): per module,
//! the five criteria of the conversion plan's section 7.1 (tests, no
//! regression over 10%, determinism, zero data loss, tenant isolation) gathered from the suites' JUnit files, the gate's
//! last verdicts and the conversion check's report. What was not measured
//! says so and never counts as a pass; results of another revision say so
//! and are not presented as current.

mod criteria;
mod error;
mod inputs;
mod junit;
mod render;

pub use criteria::{Criterion, ModuleCard, Status, score};
pub use error::ScorecardError;
pub use inputs::{Inputs, SourceFile};
pub use junit::{JunitRun, Outcome, TestCase};
pub use render::{FORMAT, Scorecard, modules};
pub use stellaops_kit::revision::current_revision;
