//! StellaOps module repositories on PostgreSQL: the system under test.
//!
//! What every module shares: validated tenant codes, a [`DataSource`] that
//! hands out tenant-scoped ([`TenantContext`]) and system-scoped
//! ([`SystemContext`]) transactions, [`StorageOptions`] read and validated
//! at start, the per-module backend switch ([`Persistence`]), one error type
//! ([`StorageError`]) and an injectable [`Clock`]. The modules' repositories
//! live in their own folders ([`authority`]).

pub mod audit;
pub mod authority;
mod backend;
pub mod clock;
mod error;
pub mod input;
pub mod lease;
mod memory_rows;
mod module;
pub mod notify;
mod options;
pub mod page;
pub mod policy;
pub mod scheduler;
mod source;
mod table;
mod text_enum;
mod work;

pub use backend::{Backend, BackendError, Module, Persistence};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Constraint, ConstraintMap, ErrorKind, StorageError};
pub use lease::{Lease, Leases, MAX_LEASE_TTL};
pub use module::{ModuleStorage, open};
pub use options::{ConfigError, PostgresOptions, StorageOptions, vars};
pub use page::{Cursor, Page, PageRequest};
pub use source::{DataSource, SystemContext, TenantContext};
pub use table::Table;
pub use work::{Call, Caller, Fetch, Step, SystemTx, TenantTx, TimeKeyset, Work};
// Shared with the fixture and the reports (`stellaops-kit`), re-exported
// so the storage API stays whole.
pub use stellaops_kit::{
    MAX_TENANT_CODE_LEN, TENANT_SETTING, TenantCode, TenantCodeError, begin_tenant, redact,
    set_tenant_for_session,
};
