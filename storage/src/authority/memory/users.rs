//! Users in the in-memory reference backend.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryAuthority, key, of_tenant};
use crate::authority::users::USER_ROLES;
use crate::authority::users::USERS;
use crate::authority::{NewUser, Role, User, UserFields, UserQuery, UserRepository, UserStatus};
use crate::page::{Cursor, Page};
use crate::{StorageError, SystemContext, TenantContext, input};

fn username_taken(
    users: &super::state::Rows<User>,
    ctx: &TenantContext,
    username: &str,
    except: Option<Uuid>,
) -> bool {
    of_tenant(users, ctx).any(|u| u.username == username && Some(u.id) != except)
}

#[async_trait]
impl UserRepository for MemoryAuthority {
    async fn get_user(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<User>, StorageError> {
        Ok(self.state().users.get(&key(ctx, id)).cloned())
    }

    async fn get_user_by_username(
        &self,
        ctx: &TenantContext,
        username: &str,
    ) -> Result<Option<User>, StorageError> {
        input::key("username", username)?;
        Ok(of_tenant(&self.state().users, ctx)
            .find(|u| u.username == username)
            .cloned())
    }

    async fn get_user_by_subject_id(
        &self,
        _ctx: &SystemContext,
        subject_id: Uuid,
    ) -> Result<Option<User>, StorageError> {
        Ok(self
            .state()
            .users
            .values()
            .find(|u| u.subject_id == subject_id)
            .cloned())
    }

    async fn list_users(
        &self,
        ctx: &TenantContext,
        query: &UserQuery,
    ) -> Result<Page<User>, StorageError> {
        let (size, clamped_from) = query.validate()?;
        let state = self.state();
        let mut matching: Vec<&User> = of_tenant(&state.users, ctx)
            .filter(|u| query.status.is_none_or(|s| u.status == s))
            .filter(|u| {
                query
                    .username_prefix
                    .as_deref()
                    .is_none_or(|p| u.username.starts_with(p))
            })
            .collect();
        matching.sort_by(|a, b| a.username.cmp(&b.username));
        let rows: Vec<User> = match &query.page.cursor {
            Cursor::Start => matching
                .into_iter()
                .take(size as usize + 1)
                .cloned()
                .collect(),
            Cursor::After(k) => matching
                .into_iter()
                .filter(|u| u.username.as_str() > k.as_str())
                .take(size as usize + 1)
                .cloned()
                .collect(),
            Cursor::Before(k) => matching
                .into_iter()
                .rev()
                .filter(|u| u.username.as_str() < k.as_str())
                .take(size as usize + 1)
                .cloned()
                .collect(),
            Cursor::End => matching
                .into_iter()
                .rev()
                .take(size as usize + 1)
                .cloned()
                .collect(),
        };
        Ok(Page::assemble(
            rows,
            &query.page.cursor,
            size,
            clamped_from,
            |u| u.username.clone(),
        ))
    }

    async fn create_user(&self, ctx: &TenantContext, user: &NewUser) -> Result<User, StorageError> {
        user.fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.users.contains_key(&key(ctx, user.id)) {
            return Err(USERS.violation("users_pkey"));
        }
        if username_taken(&state.users, ctx, &user.fields.username, None) {
            return Err(USERS.violation("users_tenant_id_username_key"));
        }
        if of_tenant(&state.users, ctx).any(|u| u.subject_id == user.subject_id) {
            return Err(USERS.violation("users_tenant_id_subject_id_key"));
        }
        state.require_tenant(ctx)?;
        let fields = &user.fields;
        let created = User {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: user.id,
            subject_id: user.subject_id,
            username: fields.username.clone(),
            email: fields.email.clone(),
            display_name: fields.display_name.clone(),
            password_hash: fields.password_hash.clone(),
            status: fields.status,
            failed_login_count: 0,
            last_login_at: None,
            attributes: fields.attributes.clone(),
            created_at: now,
            updated_at: now,
            deleted_at: None,
        };
        state.users.insert(key(ctx, user.id), created.clone());
        Ok(created)
    }

    async fn update_user(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &UserFields,
    ) -> Result<User, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if !state.users.contains_key(&key(ctx, id)) {
            return Err(USERS.not_found());
        }
        if username_taken(&state.users, ctx, &fields.username, Some(id)) {
            return Err(USERS.violation("users_tenant_id_username_key"));
        }
        let user = state
            .users
            .get_mut(&key(ctx, id))
            .ok_or(USERS.not_found())?;
        user.username = fields.username.clone();
        user.email = fields.email.clone();
        user.display_name = fields.display_name.clone();
        user.password_hash = fields.password_hash.clone();
        user.status = fields.status;
        user.attributes = fields.attributes.clone();
        user.updated_at = now;
        user.deleted_at = match fields.status {
            UserStatus::Deleted => Some(user.deleted_at.unwrap_or(now)),
            _ => None,
        };
        Ok(user.clone())
    }

    async fn delete_user(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut state = self.state();
        if state.users.remove(&key(ctx, id)).is_none() {
            return Ok(false);
        }
        // ON DELETE CASCADE: the user's grants and tokens go with it.
        let tenant = ctx.tenant().as_str();
        state
            .grants
            .retain(|(t, user, _), _| !(t == tenant && *user == id));
        state
            .tokens
            .retain(|(t, _), token| !(t == tenant && token.user_id == Some(id)));
        Ok(true)
    }

    async fn user_roles(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
    ) -> Result<Vec<Role>, StorageError> {
        let state = self.state();
        let tenant = ctx.tenant().as_str();
        let mut roles: Vec<Role> = state
            .grants
            .keys()
            .filter(|(t, user, _)| t == tenant && *user == user_id)
            .filter_map(|(_, _, role)| state.roles.get(&key(ctx, *role)).cloned())
            .collect();
        roles.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
        Ok(roles)
    }

    async fn assign_role(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        role_id: Uuid,
        granted_by: Option<&str>,
    ) -> Result<(), StorageError> {
        input::optional_text("granted by", granted_by)?;
        let now = self.clock.now();
        let mut state = self.state();
        if !state.users.contains_key(&key(ctx, user_id)) {
            return Err(USERS.not_found());
        }
        if !state.roles.contains_key(&key(ctx, role_id)) {
            return Err(USER_ROLES.violation("user_roles_tenant_id_role_id_fkey"));
        }
        state
            .grants
            .entry((ctx.tenant().as_str().to_owned(), user_id, role_id))
            .or_insert(now);
        Ok(())
    }

    async fn revoke_role(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        role_id: Uuid,
    ) -> Result<bool, StorageError> {
        Ok(self
            .state()
            .grants
            .remove(&(ctx.tenant().as_str().to_owned(), user_id, role_id))
            .is_some())
    }
}
