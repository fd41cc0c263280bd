//! Packs in memory.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryPolicy, key, of_tenant};
use crate::memory_rows::keyset_page;
use crate::page::{Page, PageRequest, parse_time_key, time_key};
use crate::policy::packs::{PACKS, check_pack_change, keeps_history};
use crate::policy::{Pack, PackFields, PackRepository, PackStatus, VersionStatus};
use crate::{StorageError, TenantContext, input};

#[async_trait]
impl PackRepository for MemoryPolicy {
    async fn create_pack(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PackFields,
        created_by: &str,
    ) -> Result<Pack, StorageError> {
        fields.validate()?;
        input::key("created by", created_by)?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.packs.contains_key(&key(ctx, id)) {
            return Err(PACKS.violation("packs_pkey"));
        }
        if of_tenant(&state.packs, ctx).any(|p| p.name == fields.name) {
            return Err(PACKS.violation("packs_tenant_id_name_key"));
        }
        let pack = Pack {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            name: fields.name.clone(),
            description: fields.description.clone(),
            status: PackStatus::Draft,
            active_version: None,
            created_by: created_by.to_owned(),
            created_at: now,
            updated_at: now,
        };
        state.packs.insert(key(ctx, id), pack.clone());
        Ok(pack)
    }

    async fn get_pack(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Pack>, StorageError> {
        Ok(self.state().packs.get(&key(ctx, id)).cloned())
    }

    async fn list_packs(
        &self,
        ctx: &TenantContext,
        page: &PageRequest,
    ) -> Result<Page<Pack>, StorageError> {
        let rows: Vec<Pack> = of_tenant(&self.state().packs, ctx).cloned().collect();
        keyset_page(
            rows,
            page,
            |p| (p.created_at, p.id),
            parse_time_key,
            |p| time_key(p.created_at, p.id),
        )
    }

    async fn update_pack(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PackFields,
    ) -> Result<Pack, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if !state.packs.contains_key(&key(ctx, id)) {
            return Err(PACKS.not_found());
        }
        if of_tenant(&state.packs, ctx).any(|p| p.name == fields.name && p.id != id) {
            return Err(PACKS.violation("packs_tenant_id_name_key"));
        }
        let pack = state
            .packs
            .get_mut(&key(ctx, id))
            .ok_or(PACKS.not_found())?;
        pack.name = fields.name.clone();
        pack.description = fields.description.clone();
        pack.updated_at = now;
        Ok(pack.clone())
    }

    async fn change_pack_status(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: PackStatus,
    ) -> Result<Pack, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        let pack = state
            .packs
            .get_mut(&key(ctx, id))
            .ok_or(PACKS.not_found())?;
        check_pack_change(pack.status, to, pack.active_version.is_some())?;
        pack.status = to;
        pack.updated_at = now;
        Ok(pack.clone())
    }

    async fn delete_pack(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut state = self.state();
        if !state.packs.contains_key(&key(ctx, id)) {
            return Ok(false);
        }
        let versions: Vec<Uuid> = of_tenant(&state.versions, ctx)
            .filter(|v| v.pack_id == id)
            .map(|v| v.id)
            .collect();
        let published = of_tenant(&state.versions, ctx).any(|v| {
            v.pack_id == id && matches!(v.status, VersionStatus::Published | VersionStatus::Retired)
        });
        if published {
            return Err(keeps_history());
        }
        // ON DELETE CASCADE: the versions and all they hold, the exceptions.
        let tenant = ctx.tenant().as_str().to_owned();
        state
            .exceptions
            .retain(|(t, _), e| *t != tenant || e.pack_id != Some(id));
        state.cascade_versions(&tenant, &versions);
        state
            .versions
            .retain(|(t, _), v| *t != tenant || v.pack_id != id);
        Ok(state.packs.remove(&key(ctx, id)).is_some())
    }
}
