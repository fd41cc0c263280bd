//! The in-memory reference implementation of the Authority repositories:
//! the oracle of the model-based property tests. It keeps the schema's
//! rules (per-tenant keys, composite references, cascades, CHECK lists) in
//! plain Rust, so a disagreement with PostgreSQL points at one of the two.

mod clients;
mod licenses;
mod login_attempts;
mod revocations;
mod roles;
mod scopes;
mod service_accounts;
mod state;
mod tenants;
mod tokens;
mod users;

pub use state::MemoryAuthority;
