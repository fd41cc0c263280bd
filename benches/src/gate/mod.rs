//! The regression gate: base and candidate builds in randomized
//! interleaved rounds, decided per path from the per-round ratios, with
//! the work measure, the plans and a noise canary beside; its self-test;
//! saved baselines for reviews.

pub mod baseline;
mod calibrate;
mod canary;
mod decision;
mod error;
mod fingerprint;
pub(crate) mod html;
mod interleave;
mod progress;
mod report;
mod run;
mod selftest;
mod verdicts;
mod worktree;

pub use calibrate::{
    GateRates, Rates, SequentialRates, estimate, estimate_gate, estimate_sequential_gate,
};
pub use canary::Canary;
pub use decision::{
    Decision, GateSettings, Sequential, Verdict, decide, decide_sequential, median_interval,
};
pub use error::GateError;
pub use fingerprint::Fingerprint;
pub use interleave::{Round, Side, SideRound};
pub use report::{GATE_FORMAT, GateFiles, GateReport, SideInfo};
pub use run::Sequential as SequentialGate;
pub use run::{GateOptions, Measured, default_out, gate, measure, report};
pub use selftest::{CALIBRATION_FORMAT, Calibration, CheckOutcome, calibrate, revision};
pub use verdicts::{CanaryRound, CanarySummary, PathVerdict, PlanDiff, WorkChange};
pub use worktree::{repository_root, resolve};
