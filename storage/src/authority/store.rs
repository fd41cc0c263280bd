//! The Authority module value (every repository on one backend) and its
//! backend switch.

use std::fmt::Debug;
use std::sync::Arc;

use super::clients::CLIENTS;
use super::licenses::{LICENSE_USAGE, LICENSES};
use super::login_attempts::LOGIN_ATTEMPTS;
use super::revocations::REVOCATIONS;
use super::roles::ROLES;
use super::scopes::SCOPES;
use super::service_accounts::SERVICE_ACCOUNTS;
use super::tenants::TENANTS;
use super::tokens::TOKENS;
use super::users::{USER_ROLES, USERS};
use super::{
    ClientRepository, LicenseRepository, LoginAttemptRepository, MemoryAuthority, PgAuthority,
    RevocationRepository, RoleRepository, ScopeRepository, ServiceAccountRepository,
    TenantRepository, TokenRepository, UserRepository,
};
use crate::Table;
use crate::{Backend, Clock, DataSource, Module, StorageError, StorageOptions};

/// Every Authority table as the repositories see it, one descriptor each
/// (a contract test holds them to the migrated catalog).
pub const TABLES: &[&Table] = &[
    &TENANTS,
    &USERS,
    &ROLES,
    &USER_ROLES,
    &SERVICE_ACCOUNTS,
    &CLIENTS,
    &SCOPES,
    &TOKENS,
    &REVOCATIONS,
    &LOGIN_ATTEMPTS,
    &LICENSES,
    &LICENSE_USAGE,
];

/// Every Authority repository, on one backend.
pub trait Authority:
    TenantRepository
    + UserRepository
    + RoleRepository
    + ServiceAccountRepository
    + ClientRepository
    + ScopeRepository
    + TokenRepository
    + RevocationRepository
    + LoginAttemptRepository
    + LicenseRepository
    + Debug
{
    /// Which backend serves the calls.
    fn backend(&self) -> Backend;
}

impl Authority for PgAuthority {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }
}

impl Authority for MemoryAuthority {
    fn backend(&self) -> Backend {
        Backend::Memory
    }
}

/// The backend switch: Authority on the backend the options choose.
///
/// ```
/// use std::sync::Arc;
/// use stellaops_storage::{Backend, Module, Persistence, StorageOptions, SystemClock};
/// use stellaops_storage::authority::open_authority;
/// let mut persistence = Persistence::default();
/// persistence.set(Module::Authority, Backend::Memory);
/// let options = StorageOptions { postgres: None, persistence };
/// let authority = open_authority(&options, Arc::new(SystemClock)).unwrap();
/// assert_eq!(authority.backend(), Backend::Memory);
/// ```
pub fn open_authority(
    options: &StorageOptions,
    clock: Arc<dyn Clock>,
) -> Result<Arc<dyn Authority>, StorageError> {
    match options.persistence.require(Module::Authority)? {
        Backend::Memory => Ok(Arc::new(MemoryAuthority::new(clock))),
        Backend::Postgres => {
            let postgres = options.postgres.as_ref().ok_or_else(|| {
                StorageError::invalid("options", "authority is on postgres but no URL is set")
            })?;
            Ok(Arc::new(PgAuthority::new(
                DataSource::connect_lazy(postgres),
                clock,
            )))
        }
    }
}
