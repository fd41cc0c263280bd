//! One storage shape for every module: a value of repository trait objects
//! built on PostgreSQL or in memory, and one backend switch for all of them.

use std::sync::Arc;

use crate::{Backend, Clock, DataSource, Module, StorageError, StorageOptions};

/// A module's repositories on one backend.
///
/// Each module is a struct of `Arc<dyn …Repository>` fields (its
/// repositories by name, so `authority.roles.create_role(..)` says which
/// table a call touches) plus the backend that serves them. Repositories a
/// module has on PostgreSQL only are plain `Pg…` types beside it; the
/// module's docs say which and why.
pub trait ModuleStorage: Sized {
    /// The module's row in the registry (`stellaops_kit::modules`).
    const MODULE: Module;

    /// Every repository on PostgreSQL, through `source`.
    fn postgres(source: DataSource, clock: Arc<dyn Clock>) -> Self;

    /// Every repository in memory, sharing one state: the reference the
    /// conformance and model tests hold PostgreSQL to.
    fn memory(clock: Arc<dyn Clock>) -> Self;

    /// Which backend serves the calls.
    fn backend(&self) -> Backend;
}

/// The backend switch: module `M` on the backend the options choose for it.
///
/// ```
/// use std::sync::Arc;
/// use stellaops_storage::{Backend, Module, ModuleStorage, Persistence, StorageOptions, SystemClock, open};
/// use stellaops_storage::scheduler::Scheduler;
/// let mut persistence = Persistence::default();
/// persistence.set(Module::Scheduler, Backend::Memory);
/// let options = StorageOptions { postgres: None, persistence };
/// let scheduler: Scheduler = open(&options, Arc::new(SystemClock)).unwrap();
/// assert_eq!(scheduler.backend(), Backend::Memory);
/// ```
pub fn open<M: ModuleStorage>(
    options: &StorageOptions,
    clock: Arc<dyn Clock>,
) -> Result<M, StorageError> {
    match options.persistence.require(M::MODULE)? {
        Backend::Memory => Ok(M::memory(clock)),
        Backend::Postgres => {
            let postgres = options.postgres.as_ref().ok_or_else(|| {
                StorageError::invalid(
                    "options",
                    format!("{} is on postgres but no URL is set", M::MODULE),
                )
            })?;
            Ok(M::postgres(DataSource::connect_lazy(postgres), clock))
        }
    }
}
