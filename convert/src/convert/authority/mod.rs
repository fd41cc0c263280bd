//! Authority collections (conversion plan, section 3.2), plus the tenant
//! registry every Authority row refers to (Phase 1, T1.11.1).

pub mod clients;
pub mod login_attempts;
pub mod revocations;
pub mod scopes;
pub mod service_accounts;
pub mod tenants;
pub mod tokens;
pub mod users;
