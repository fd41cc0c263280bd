//! SQL schemas of the StellaOps control plane and the runner that applies them.
//!
//! Layout of a migration set (see `migrations/` at the repository root):
//!
//! ```text
//! modules.order            one module name a line: the order modules apply in
//! <module>/NNNN_name.sql           startup: applied automatically
//! <module>/NNNN_name.release.sql   release: applied only when asked explicitly
//! <module>/NNNN_name.seed.sql      seed: idempotent reference data
//! <module>/NNNN_name.data.sql      data: batched backfills, applied when asked
//! ```
//!
//! ```no_run
//! # async fn demo(pool: sqlx::PgPool) -> Result<(), stellaops_migrations::MigrateError> {
//! use stellaops_migrations::{MigrationSet, Migrator};
//! let set = MigrationSet::load(stellaops_migrations::default_dir())?;
//! let report = Migrator::new(set).apply(&pool).await?;
//! println!("applied {} migrations", report.applied.len());
//! # Ok(()) }
//! ```

mod category;
mod error;
mod lock;
mod manifest;
mod migration;
mod migrator;
mod source;

pub use category::Category;
pub use error::MigrateError;
pub use lock::{DEFAULT_LOCK_WAIT, MIGRATION_LOCK_KEY, MigrationLock};
pub use manifest::{MANIFEST_FILE, Manifest};
pub use migration::Migration;
pub use migrator::{AppliedMigration, ApplyReport, MigrationState, Migrator, StatusRow};
pub use source::{MigrationSet, default_dir};
