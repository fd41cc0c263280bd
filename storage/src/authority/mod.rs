//! Authority (shared/seeds, Phase 1): tenants, users, roles, service
//! accounts, clients, scopes, tokens, revocations, login attempts and
//! licenses, each a repository trait with a PostgreSQL and an in-memory
//! implementation.

mod clients;
mod licenses;
mod login_attempts;
pub mod memory;
mod postgres;
mod revocations;
mod roles;
mod scopes;
mod service_accounts;
mod status;
mod store;
mod tenants;
mod tokens;
mod users;

pub use clients::{Client, ClientFields, ClientRepository};
pub use licenses::{License, LicenseFields, LicenseRepository, LicenseUsage};
pub use login_attempts::{
    LoginAttempt, LoginAttemptRepository, MAX_RECENT_ATTEMPTS, NewLoginAttempt,
};
pub use memory::MemoryAuthority;
pub use postgres::PgAuthority;
pub use revocations::{NewRevocation, Revocation, RevocationRepository};
pub use roles::{Role, RoleFields, RoleRepository};
pub use scopes::{NewScope, Scope, ScopeRepository};
pub use service_accounts::{ServiceAccount, ServiceAccountFields, ServiceAccountRepository};
pub use status::{
    AccountStatus, ClientType, LicenseEdition, LicenseStatus, LoginOutcome, RevocationCategory,
    TenantStatus, TokenStatus, TokenType, UserStatus,
};
pub use store::{Authority, TABLES, open_authority};
pub use tenants::{NewTenant, Tenant, TenantRepository};
pub use tokens::{NewToken, Token, TokenRepository};
pub use users::{NewUser, User, UserFields, UserQuery, UserRepository};
