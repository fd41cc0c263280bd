//! OAuth scopes (global) in the in-memory reference backend.

use async_trait::async_trait;

use super::state::MemoryAuthority;
use crate::authority::scopes::SCOPES;
use crate::authority::{NewScope, Scope, ScopeRepository};
use crate::{StorageError, SystemContext, TenantContext, input};

#[async_trait]
impl ScopeRepository for MemoryAuthority {
    async fn get_scope_by_name(
        &self,
        _ctx: &TenantContext,
        name: &str,
    ) -> Result<Option<Scope>, StorageError> {
        input::key("scope name", name)?;
        Ok(self.state().scopes.get(name).cloned())
    }

    async fn list_scopes(&self, _ctx: &TenantContext) -> Result<Vec<Scope>, StorageError> {
        Ok(self.state().scopes.values().cloned().collect())
    }

    async fn create_scope(
        &self,
        _ctx: &SystemContext,
        scope: &NewScope,
    ) -> Result<Scope, StorageError> {
        scope.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.scopes.values().any(|s| s.id == scope.id) {
            return Err(SCOPES.violation("scopes_pkey"));
        }
        if state.scopes.contains_key(&scope.name) {
            return Err(SCOPES.violation("scopes_name_key"));
        }
        let created = Scope {
            id: scope.id,
            name: scope.name.clone(),
            description: scope.description.clone(),
            resources: scope.resources.clone(),
            is_system: scope.is_system,
            created_at: now,
        };
        state.scopes.insert(scope.name.clone(), created.clone());
        Ok(created)
    }

    async fn delete_scope(&self, _ctx: &SystemContext, name: &str) -> Result<bool, StorageError> {
        input::key("scope name", name)?;
        Ok(self.state().scopes.remove(name).is_some())
    }
}
