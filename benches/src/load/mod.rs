//! Load scenarios of the critical paths, driven by goose through the
//! storage repositories on a seeded dataset, and their results.

mod blocks;
mod dataset;
mod error;
pub(crate) mod html;
mod paths;
mod recorder;
mod results;
mod runner;
mod scenarios;
pub mod serve;
pub mod slowdown;
mod work;

pub use blocks::Blocks;
pub use dataset::{
    DUE_EVERY, EXPLANATIONS_PER_RUN, POLICY_VERSIONS, ROLES, RULES_PER_VERSION, RoundDatabase,
    SEEDED_PREFIX, TENANT_WIDE_EVERY, Volume, seeded_template, sweep_seeded,
};
pub use error::LoadError;
pub use paths::CriticalPath;
pub use recorder::{PathStats, Recorder};
pub use results::{FORMAT, RunResults, Saved};
pub use runner::{
    RoundOutcome, RoundSession, RunSize, RunningPath, WorkMode, run_round, server_identity,
    server_version,
};
pub use scenarios::{
    Context, DUE_LIMIT, EXPLANATIONS_PAGE, HELD_PER_USER, TENANT_SKEW, UserState,
    exceptions_instant, seeded_digest, seeded_uuid,
};
pub use work::{PathWork, Snapshot, WorkProbe, normalize_query};
