//! Roles and role grants in the in-memory reference backend.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryAuthority, key, of_tenant};
use crate::authority::roles::ROLES;
use crate::authority::{Role, RoleFields, RoleRepository};
use crate::{StorageError, TenantContext, input};

#[async_trait]
impl RoleRepository for MemoryAuthority {
    async fn get_role(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Role>, StorageError> {
        Ok(self.state().roles.get(&key(ctx, id)).cloned())
    }

    async fn get_role_by_name(
        &self,
        ctx: &TenantContext,
        name: &str,
    ) -> Result<Option<Role>, StorageError> {
        input::key("role name", name)?;
        Ok(of_tenant(&self.state().roles, ctx)
            .find(|r| r.name == name)
            .cloned())
    }

    async fn list_roles(&self, ctx: &TenantContext) -> Result<Vec<Role>, StorageError> {
        let mut roles: Vec<Role> = of_tenant(&self.state().roles, ctx).cloned().collect();
        roles.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(roles)
    }

    async fn create_role(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RoleFields,
    ) -> Result<Role, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.roles.contains_key(&key(ctx, id)) {
            return Err(ROLES.violation("roles_pkey"));
        }
        if of_tenant(&state.roles, ctx).any(|r| r.name == fields.name) {
            return Err(ROLES.violation("roles_tenant_id_name_key"));
        }
        state.require_tenant(ctx)?;
        let role = Role {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            name: fields.name.clone(),
            description: fields.description.clone(),
            is_system: fields.is_system,
            permissions: fields.permissions.clone(),
            created_at: now,
            updated_at: now,
        };
        state.roles.insert(key(ctx, id), role.clone());
        Ok(role)
    }

    async fn update_role(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &RoleFields,
    ) -> Result<Role, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if !state.roles.contains_key(&key(ctx, id)) {
            return Err(ROLES.not_found());
        }
        if of_tenant(&state.roles, ctx).any(|r| r.name == fields.name && r.id != id) {
            return Err(ROLES.violation("roles_tenant_id_name_key"));
        }
        let role = state
            .roles
            .get_mut(&key(ctx, id))
            .ok_or(ROLES.not_found())?;
        role.name = fields.name.clone();
        role.description = fields.description.clone();
        role.is_system = fields.is_system;
        role.permissions = fields.permissions.clone();
        role.updated_at = now;
        Ok(role.clone())
    }

    async fn delete_role(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut state = self.state();
        if state.roles.remove(&key(ctx, id)).is_none() {
            return Ok(false);
        }
        let tenant = ctx.tenant().as_str();
        state
            .grants
            .retain(|(t, _, role), _| !(t == tenant && *role == id));
        Ok(true)
    }
}
