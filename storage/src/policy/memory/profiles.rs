//! Risk profiles in memory.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryPolicy, key, of_tenant};
use crate::policy::kinds::illegal;
use crate::policy::profiles::{RISK_PROFILES, promoted};
use crate::policy::{ProfileFields, ProfileStatus, RiskProfile, RiskProfileRepository};
use crate::{StorageError, TenantContext, input};

#[async_trait]
impl RiskProfileRepository for MemoryPolicy {
    async fn create_profile(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ProfileFields,
    ) -> Result<RiskProfile, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.profiles.contains_key(&key(ctx, id)) {
            return Err(RISK_PROFILES.violation("risk_profiles_pkey"));
        }
        let version = of_tenant(&state.profiles, ctx)
            .filter(|p| p.name == fields.name)
            .map(|p| p.version)
            .max()
            .unwrap_or(0)
            + 1;
        let profile = RiskProfile {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            name: fields.name.clone(),
            version,
            status: ProfileStatus::Draft,
            signals: fields.signals.clone(),
            weights: fields.weights.clone(),
            thresholds: fields.thresholds.clone(),
            overrides: fields.overrides.clone(),
            digest: None,
            created_at: now,
            updated_at: now,
        };
        state.profiles.insert(key(ctx, id), profile.clone());
        Ok(profile)
    }

    async fn get_profile(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<RiskProfile>, StorageError> {
        self.state()
            .profiles
            .get(&key(ctx, id))
            .cloned()
            .map(RiskProfile::checked)
            .transpose()
    }

    async fn list_profiles(&self, ctx: &TenantContext) -> Result<Vec<RiskProfile>, StorageError> {
        let state = self.state();
        let mut profiles: Vec<RiskProfile> = of_tenant(&state.profiles, ctx).cloned().collect();
        profiles.sort_by(|a, b| (&a.name, a.version).cmp(&(&b.name, b.version)));
        profiles.into_iter().map(RiskProfile::checked).collect()
    }

    async fn active_profile(
        &self,
        ctx: &TenantContext,
        name: &str,
    ) -> Result<Option<RiskProfile>, StorageError> {
        input::key("risk profile name", name)?;
        let state = self.state();
        of_tenant(&state.profiles, ctx)
            .filter(|p| p.name == name && p.status == ProfileStatus::Active)
            .max_by_key(|p| p.version)
            .cloned()
            .map(RiskProfile::checked)
            .transpose()
    }

    async fn update_profile(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &ProfileFields,
    ) -> Result<RiskProfile, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        let profile = state
            .profiles
            .get_mut(&key(ctx, id))
            .ok_or(RISK_PROFILES.not_found())?;
        if profile.status != ProfileStatus::Draft {
            return Err(promoted(profile.status));
        }
        if profile.name != fields.name {
            return Err(StorageError::invalid(
                "risk profile name",
                "a version keeps its profile's name; create a version of the other name",
            ));
        }
        profile.signals = fields.signals.clone();
        profile.weights = fields.weights.clone();
        profile.thresholds = fields.thresholds.clone();
        profile.overrides = fields.overrides.clone();
        profile.updated_at = now;
        Ok(profile.clone())
    }

    async fn promote_profile(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<RiskProfile, StorageError> {
        let now = self.clock.now();
        let mut state = self.state();
        let draft = state
            .profiles
            .get(&key(ctx, id))
            .ok_or(RISK_PROFILES.not_found())?
            .clone();
        if draft.status != ProfileStatus::Draft {
            return Err(illegal(
                "risk profile",
                draft.status.as_str(),
                ProfileStatus::Active.as_str(),
            ));
        }
        let tenant = ctx.tenant().as_str();
        for profile in state.profiles.values_mut() {
            if profile.tenant_id == tenant
                && profile.name == draft.name
                && profile.status == ProfileStatus::Active
            {
                profile.status = ProfileStatus::Deprecated;
                profile.updated_at = now;
            }
        }
        let profile = state
            .profiles
            .get_mut(&key(ctx, id))
            .ok_or(RISK_PROFILES.not_found())?;
        profile.status = ProfileStatus::Active;
        profile.digest = Some(draft.content_digest());
        profile.updated_at = now;
        Ok(profile.clone())
    }
}
