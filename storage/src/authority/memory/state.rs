//! The in-memory Authority backend's state: every table as a map behind one
//! lock.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::authority::tenants::TENANTS;
use crate::authority::{
    Client, License, LicenseUsage, LoginAttempt, Revocation, Role, Scope, ServiceAccount, Tenant,
    Token, User,
};
use crate::{Clock, StorageError, TenantContext};

pub(crate) use crate::memory_rows::{Rows, key, of_tenant};

#[derive(Debug, Default)]
pub(crate) struct State {
    pub tenants: BTreeMap<String, Tenant>,
    pub users: Rows<User>,
    pub roles: Rows<Role>,
    /// (tenant, user, role)
    pub grants: BTreeMap<(String, Uuid, Uuid), DateTime<Utc>>,
    pub service_accounts: Rows<ServiceAccount>,
    pub clients: Rows<Client>,
    pub scopes: BTreeMap<String, Scope>,
    pub tokens: Rows<Token>,
    pub revocations: Rows<Revocation>,
    pub login_attempts: Rows<LoginAttempt>,
    pub licenses: Rows<License>,
    /// (tenant, license, feature, period start)
    pub usage: BTreeMap<(String, Uuid, String, DateTime<Utc>), LicenseUsage>,
}

impl State {
    /// The tenant a tenant table's row refers to must exist.
    pub fn require_tenant(&self, ctx: &TenantContext) -> Result<(), StorageError> {
        if self.tenants.contains_key(ctx.tenant().as_str()) {
            Ok(())
        } else {
            Err(TENANTS.not_found())
        }
    }
}

/// The in-memory Authority backend.
#[derive(Debug, Clone)]
pub struct MemoryAuthority {
    state: Arc<Mutex<State>>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl MemoryAuthority {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        MemoryAuthority {
            state: Arc::default(),
            clock,
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        crate::memory_rows::lock(&self.state)
    }
}
