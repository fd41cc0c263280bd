//! Pack versions in memory.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryPolicy, State, key, of_tenant};
use crate::policy::kinds::{illegal, immutable};
use crate::policy::packs::PACKS;
use crate::policy::versions::{PACK_VERSIONS, archived_pack};
use crate::policy::{
    Activated, PackStatus, PackVersion, PackVersionRepository, PolicyRule, VersionFields,
    VersionStatus, derived_rule_id,
};
use crate::{StorageError, TenantContext, input};

/// The pack and status of version `id`.
fn located(
    state: &State,
    ctx: &TenantContext,
    id: Uuid,
) -> Result<(Uuid, PackStatus, VersionStatus), StorageError> {
    let version = state
        .versions
        .get(&key(ctx, id))
        .ok_or(PACK_VERSIONS.not_found())?;
    let pack = state
        .packs
        .get(&key(ctx, version.pack_id))
        .ok_or(PACKS.not_found())?;
    Ok((version.pack_id, pack.status, version.status))
}

fn check_move(from: VersionStatus, to: VersionStatus) -> Result<(), StorageError> {
    if from.can_become(to) {
        Ok(())
    } else {
        Err(illegal("pack version", from.as_str(), to.as_str()))
    }
}

fn next_number(state: &State, ctx: &TenantContext, pack_id: Uuid) -> i32 {
    of_tenant(&state.versions, ctx)
        .filter(|v| v.pack_id == pack_id)
        .map(|v| v.version)
        .max()
        .unwrap_or(0)
        + 1
}

impl MemoryPolicy {
    fn move_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: VersionStatus,
        by: Option<&str>,
    ) -> Result<PackVersion, StorageError> {
        if let Some(by) = by {
            input::key("actor", by)?;
        }
        let now = self.clock.now();
        let mut state = self.state();
        let (pack_id, _, from) = located(&state, ctx, id)?;
        check_move(from, to)?;
        if to == VersionStatus::Retired
            && let Some(pack) = state.packs.get_mut(&key(ctx, pack_id))
        {
            pack.active_version = None;
            pack.updated_at = now;
            if pack.status == PackStatus::Active {
                pack.status = PackStatus::Deprecated;
            }
        }
        let version = state
            .versions
            .get_mut(&key(ctx, id))
            .ok_or(PACK_VERSIONS.not_found())?;
        version.status = to;
        match to {
            VersionStatus::Submitted => version.submitted_by = by.map(str::to_owned),
            VersionStatus::Approved => version.approved_by = by.map(str::to_owned),
            VersionStatus::Draft => {
                version.submitted_by = None;
                version.approved_by = None;
            }
            VersionStatus::Published | VersionStatus::Retired => {}
        }
        Ok(version.clone())
    }
}

#[async_trait]
impl PackVersionRepository for MemoryPolicy {
    async fn create_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        pack_id: Uuid,
        fields: &VersionFields,
    ) -> Result<PackVersion, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        let pack = state
            .packs
            .get(&key(ctx, pack_id))
            .ok_or(PACKS.not_found())?;
        if pack.status == PackStatus::Archived {
            return Err(archived_pack());
        }
        if state.versions.contains_key(&key(ctx, id)) {
            return Err(PACK_VERSIONS.violation("pack_versions_pkey"));
        }
        let version = PackVersion {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            pack_id,
            version: next_number(&state, ctx, pack_id),
            status: VersionStatus::Draft,
            source: fields.source.clone(),
            compiled: fields.compiled.clone(),
            digest: fields.digest(),
            submitted_by: None,
            approved_by: None,
            published_at: None,
            created_at: now,
        };
        state.versions.insert(key(ctx, id), version.clone());
        Ok(version)
    }

    async fn get_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<PackVersion>, StorageError> {
        Ok(self.state().versions.get(&key(ctx, id)).cloned())
    }

    async fn versions_of(
        &self,
        ctx: &TenantContext,
        pack_id: Uuid,
    ) -> Result<Vec<PackVersion>, StorageError> {
        let state = self.state();
        let mut versions: Vec<PackVersion> = of_tenant(&state.versions, ctx)
            .filter(|v| v.pack_id == pack_id)
            .cloned()
            .collect();
        versions.sort_by_key(|v| v.version);
        Ok(versions)
    }

    async fn active_version(
        &self,
        ctx: &TenantContext,
        pack_id: Uuid,
    ) -> Result<Option<PackVersion>, StorageError> {
        let state = self.state();
        Ok(of_tenant(&state.versions, ctx)
            .find(|v| v.pack_id == pack_id && v.status == VersionStatus::Published)
            .cloned())
    }

    async fn update_draft(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &VersionFields,
    ) -> Result<PackVersion, StorageError> {
        fields.validate()?;
        let mut state = self.state();
        let (_, _, status) = located(&state, ctx, id)?;
        if status.frozen() {
            return Err(immutable("pack version", status));
        }
        let version = state
            .versions
            .get_mut(&key(ctx, id))
            .ok_or(PACK_VERSIONS.not_found())?;
        version.source = fields.source.clone();
        version.compiled = fields.compiled.clone();
        version.digest = fields.digest();
        Ok(version.clone())
    }

    async fn submit_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<PackVersion, StorageError> {
        self.move_version(ctx, id, VersionStatus::Submitted, Some(by))
    }

    async fn approve_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<PackVersion, StorageError> {
        self.move_version(ctx, id, VersionStatus::Approved, Some(by))
    }

    async fn return_to_draft(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<PackVersion, StorageError> {
        self.move_version(ctx, id, VersionStatus::Draft, None)
    }

    async fn activate_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Activated, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        let (pack_id, pack, from) = located(&state, ctx, id)?;
        if pack == PackStatus::Archived {
            return Err(illegal("pack", pack.as_str(), PackStatus::Active.as_str()));
        }
        check_move(from, VersionStatus::Published)?;
        let mut retired = None;
        for version in state.versions.values_mut() {
            if version.tenant_id == ctx.tenant().as_str()
                && version.pack_id == pack_id
                && version.status == VersionStatus::Published
            {
                version.status = VersionStatus::Retired;
                retired = Some(version.clone());
            }
        }
        let version = state
            .versions
            .get_mut(&key(ctx, id))
            .ok_or(PACK_VERSIONS.not_found())?;
        version.status = VersionStatus::Published;
        version.published_at = Some(now);
        let version = version.clone();
        if let Some(pack) = state.packs.get_mut(&key(ctx, pack_id)) {
            pack.active_version = Some(version.version);
            pack.status = PackStatus::Active;
            pack.updated_at = now;
        }
        Ok(Activated { version, retired })
    }

    async fn retire_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<PackVersion, StorageError> {
        self.move_version(ctx, id, VersionStatus::Retired, None)
    }

    async fn derive_version(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        from: Uuid,
    ) -> Result<PackVersion, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        let (pack_id, pack, _) = located(&state, ctx, from)?;
        if pack == PackStatus::Archived {
            return Err(archived_pack());
        }
        if state.versions.contains_key(&key(ctx, id)) {
            return Err(PACK_VERSIONS.violation("pack_versions_pkey"));
        }
        let source = state
            .versions
            .get(&key(ctx, from))
            .ok_or(PACK_VERSIONS.not_found())?
            .clone();
        let version = PackVersion {
            id,
            version: next_number(&state, ctx, pack_id),
            status: VersionStatus::Draft,
            submitted_by: None,
            approved_by: None,
            published_at: None,
            created_at: now,
            ..source
        };
        let copies: Vec<PolicyRule> = of_tenant(&state.rules, ctx)
            .filter(|r| r.pack_version_id == from)
            .map(|r| PolicyRule {
                id: derived_rule_id(id, &r.rule_key),
                pack_version_id: id,
                created_at: now,
                ..r.clone()
            })
            .collect();
        state.versions.insert(key(ctx, id), version.clone());
        for rule in copies {
            state.rules.insert(key(ctx, rule.id), rule);
        }
        Ok(version)
    }

    async fn delete_version(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut state = self.state();
        let status = match located(&state, ctx, id) {
            Ok((_, _, status)) => status,
            Err(StorageError::NotFound { .. }) => return Ok(false),
            Err(other) => return Err(other),
        };
        if matches!(status, VersionStatus::Published | VersionStatus::Retired) {
            return Err(immutable("pack version", status));
        }
        state.cascade_versions(ctx.tenant().as_str(), &[id]);
        Ok(state.versions.remove(&key(ctx, id)).is_some())
    }
}
