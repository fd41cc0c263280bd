//! The shared PostgreSQL fixture of the StellaOps verification kit.
//!
//! One server per workspace (local binaries, a container, or a given URL),
//! one migrated template per migration set, one cloned database per test.
//! See the README for the backends and environment variables.

pub mod backend;
mod config;
mod docker_gate;
mod dump;
mod error;
mod fixture;
pub mod handle;
pub mod keeper;
pub mod naming;
pub mod pool;
pub mod pooler;
mod process;
pub mod reaper;
pub mod scram;
mod server;
pub mod state;
pub mod sweep;
mod template;
mod test_database;

pub use backend::BackendKind;
pub use config::{
    BackendChoice, CloneStrategy, DEFAULT_IMAGE, DEFAULT_POOL_SIZE, PoolerChoice, Settings,
    default_state_dir, redact,
};
pub use docker_gate::{DockerGate, REQUIRE_DOCKER_VAR};
pub use error::{HarnessError, Unavailable, server_unavailable};
pub use fixture::test_db;
pub use server::{Server, connect_with_retry, lock_file, workspace_id, workspace_id_of};
pub use template::{APP_ROLE, SYSTEM_ROLE, Template, ensure_template, ensure_template_with};
pub use test_database::{TestDb, TestDbBuilder};
