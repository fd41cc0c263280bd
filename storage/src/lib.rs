//! StellaOps module repositories on PostgreSQL: the system under test.
//!
//! This first slice holds what every repository and the test harness share:
//! validated tenant codes and the way a tenant is bound to a session.

mod context;
mod error;
mod tenant_code;

pub use context::{TENANT_SETTING, begin_tenant, set_tenant_for_session};
pub use error::StorageError;
pub use tenant_code::{MAX_TENANT_CODE_LEN, TenantCode, TenantCodeError};
