//! The tenant registry (global) in the in-memory reference backend.

use async_trait::async_trait;

use super::state::MemoryAuthority;
use crate::authority::tenants::TENANTS;
use crate::authority::{NewTenant, Tenant, TenantRepository, TenantStatus};
use crate::{StorageError, SystemContext, TenantCode};

#[async_trait]
impl TenantRepository for MemoryAuthority {
    async fn create_tenant(
        &self,
        _ctx: &SystemContext,
        tenant: &NewTenant,
    ) -> Result<Tenant, StorageError> {
        tenant.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.tenants.values().any(|t| t.id == tenant.id) {
            return Err(TENANTS.violation("tenants_pkey"));
        }
        if state.tenants.contains_key(tenant.code.as_str()) {
            return Err(TENANTS.violation("tenants_code_key"));
        }
        let created = Tenant {
            id: tenant.id,
            code: tenant.code.as_str().to_owned(),
            display_name: tenant.display_name.clone(),
            status: tenant.status,
            settings: tenant.settings.clone(),
            created_at: now,
            updated_at: now,
        };
        state.tenants.insert(created.code.clone(), created.clone());
        Ok(created)
    }

    async fn get_tenant(
        &self,
        _ctx: &SystemContext,
        code: &TenantCode,
    ) -> Result<Option<Tenant>, StorageError> {
        Ok(self.state().tenants.get(code.as_str()).cloned())
    }

    async fn list_tenants(&self, _ctx: &SystemContext) -> Result<Vec<Tenant>, StorageError> {
        Ok(self.state().tenants.values().cloned().collect())
    }

    async fn set_tenant_status(
        &self,
        _ctx: &SystemContext,
        code: &TenantCode,
        status: TenantStatus,
    ) -> Result<Tenant, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        let tenant = state
            .tenants
            .get_mut(code.as_str())
            .ok_or(TENANTS.not_found())?;
        tenant.status = status;
        tenant.updated_at = now;
        Ok(tenant.clone())
    }
}
