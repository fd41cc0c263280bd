//! The Authority module value (every repository on one backend) and its
//! backend switch.

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
use crate::{Backend, Clock, DataSource, Module, ModuleStorage, StorageError, StorageOptions};

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

/// Every Authority repository on one backend, by name.
///
/// Authority has no PostgreSQL-only repository: the memory backend
/// implements all ten, so every call is checked against the reference.
#[derive(Debug, Clone)]
pub struct Authority {
    pub backend: Backend,
    pub tenants: Arc<dyn TenantRepository>,
    pub users: Arc<dyn UserRepository>,
    pub roles: Arc<dyn RoleRepository>,
    pub service_accounts: Arc<dyn ServiceAccountRepository>,
    pub clients: Arc<dyn ClientRepository>,
    pub scopes: Arc<dyn ScopeRepository>,
    pub tokens: Arc<dyn TokenRepository>,
    pub revocations: Arc<dyn RevocationRepository>,
    pub login_attempts: Arc<dyn LoginAttemptRepository>,
    pub licenses: Arc<dyn LicenseRepository>,
}

impl Authority {
    /// Every field served by `one` backend value.
    fn of<B>(backend: Backend, one: B) -> Self
    where
        B: TenantRepository
            + UserRepository
            + RoleRepository
            + ServiceAccountRepository
            + ClientRepository
            + ScopeRepository
            + TokenRepository
            + RevocationRepository
            + LoginAttemptRepository
            + LicenseRepository
            + 'static,
    {
        let one = Arc::new(one);
        Authority {
            backend,
            tenants: one.clone(),
            users: one.clone(),
            roles: one.clone(),
            service_accounts: one.clone(),
            clients: one.clone(),
            scopes: one.clone(),
            tokens: one.clone(),
            revocations: one.clone(),
            login_attempts: one.clone(),
            licenses: one,
        }
    }
}

impl ModuleStorage for Authority {
    const MODULE: Module = Module::Authority;

    fn postgres(source: DataSource, clock: Arc<dyn Clock>) -> Self {
        Authority::of(Backend::Postgres, PgAuthority::new(source, clock))
    }

    fn memory(clock: Arc<dyn Clock>) -> Self {
        Authority::of(Backend::Memory, MemoryAuthority::new(clock))
    }

    fn backend(&self) -> Backend {
        self.backend
    }
}

/// The backend switch for Authority ([`crate::open`]).
///
/// ```
/// use std::sync::Arc;
/// use stellaops_storage::{Backend, Module, ModuleStorage, Persistence, StorageOptions, SystemClock};
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
) -> Result<Authority, StorageError> {
    crate::open(options, clock)
}
