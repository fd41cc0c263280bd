//! What every crate of the kit shares and none of them owns, so that a
//! crate never depends on another for a utility: the fixture (`harness`)
//! does not depend on the system under test (`storage`), and the jobs of
//! `benches` do not depend on `convert`.
//!
//! - [`html`]: the Markdown the reports write, as self-contained HTML pages;
//! - [`files`]: report files written whole or not at all;
//! - [`revision`]: the git revision a result describes;
//! - [`redact`]: passwords hidden in URLs before they are printed;
//! - [`TenantCode`]: tenant codes validated before they reach SQL;
//! - [`tenancy`]: the role names, the tenant setting, and tenant-scoped
//!   transactions on raw connections;
//! - [`modules`]: the registry of modules, one row each.

pub mod files;
pub mod html;
pub mod modules;
mod redact;
pub mod revision;
pub mod tenancy;
mod tenant_code;

pub use redact::redact;
pub use tenancy::{
    APP_ROLE, OWNER_ROLE, SYSTEM_ROLE, TENANT_SETTING, begin_tenant, set_tenant_for_session,
};
pub use tenant_code::{MAX_TENANT_CODE_LEN, TenantCode, TenantCodeError};
