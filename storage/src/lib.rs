//! StellaOps module repositories on PostgreSQL: the system under test.
//!
//! What every module shares: validated tenant codes, a [`DataSource`] that
//! hands out tenant-scoped ([`TenantContext`]) and system-scoped
//! ([`SystemContext`]) transactions, [`StorageOptions`] read and validated
//! at start, the per-module backend switch ([`Persistence`]), one error type
//! ([`StorageError`]) and an injectable [`Clock`]. The modules' repositories
//! live in their own folders ([`authority`]).

pub mod authority;
mod backend;
pub mod clock;
mod context;
mod error;
pub mod input;
mod memory_rows;
mod options;
pub mod page;
pub mod scheduler;
mod source;
mod tenant_code;
mod text_enum;

pub use backend::{Backend, BackendError, Module, Persistence};
pub use clock::{Clock, ManualClock, SystemClock};
pub use context::{TENANT_SETTING, begin_tenant, set_tenant_for_session};
pub use error::{Constraint, ConstraintMap, ErrorKind, StorageError};
pub use options::{ConfigError, PostgresOptions, StorageOptions, redact, vars};
pub use page::{Cursor, Page, PageRequest};
pub use source::{DataSource, SystemContext, SystemTx, TenantContext, TenantTx};
pub use tenant_code::{MAX_TENANT_CODE_LEN, TenantCode, TenantCodeError};
