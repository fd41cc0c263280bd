//! Licenses and their usage in the in-memory reference backend.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::state::{MemoryAuthority, key, of_tenant};
use crate::authority::licenses::LICENSES;
use crate::authority::licenses::check_usage;
use crate::authority::{License, LicenseFields, LicenseRepository, LicenseUsage};
use crate::clock::to_micros;
use crate::{StorageError, TenantContext, input};

fn apply(license: &mut License, fields: &LicenseFields) {
    license.license_key = fields.license_key.clone();
    license.edition = fields.edition;
    license.status = fields.status;
    license.max_seats = fields.max_seats;
    license.features = fields.features.clone();
    license.issued_at = to_micros(fields.issued_at);
    license.expires_at = fields.expires_at.map(to_micros);
}

#[async_trait]
impl LicenseRepository for MemoryAuthority {
    async fn get_license(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<License>, StorageError> {
        Ok(self.state().licenses.get(&key(ctx, id)).cloned())
    }

    async fn get_license_by_key(
        &self,
        ctx: &TenantContext,
        license_key: &str,
    ) -> Result<Option<License>, StorageError> {
        input::key("license key", license_key)?;
        Ok(of_tenant(&self.state().licenses, ctx)
            .find(|l| l.license_key == license_key)
            .cloned())
    }

    async fn list_licenses(&self, ctx: &TenantContext) -> Result<Vec<License>, StorageError> {
        let mut all: Vec<License> = of_tenant(&self.state().licenses, ctx).cloned().collect();
        all.sort_by(|a, b| a.license_key.cmp(&b.license_key));
        Ok(all)
    }

    async fn create_license(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &LicenseFields,
    ) -> Result<License, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.licenses.contains_key(&key(ctx, id)) {
            return Err(LICENSES.violation("licenses_pkey"));
        }
        if of_tenant(&state.licenses, ctx).any(|l| l.license_key == fields.license_key) {
            return Err(LICENSES.violation("licenses_tenant_id_license_key_key"));
        }
        state.require_tenant(ctx)?;
        let mut license = License {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            license_key: String::new(),
            edition: fields.edition,
            status: fields.status,
            max_seats: None,
            features: fields.features.clone(),
            issued_at: now,
            expires_at: None,
            created_at: now,
            updated_at: now,
        };
        apply(&mut license, fields);
        state.licenses.insert(key(ctx, id), license.clone());
        Ok(license)
    }

    async fn update_license(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &LicenseFields,
    ) -> Result<License, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if !state.licenses.contains_key(&key(ctx, id)) {
            return Err(LICENSES.not_found());
        }
        if of_tenant(&state.licenses, ctx)
            .any(|l| l.license_key == fields.license_key && l.id != id)
        {
            return Err(LICENSES.violation("licenses_tenant_id_license_key_key"));
        }
        let license = state
            .licenses
            .get_mut(&key(ctx, id))
            .ok_or(LICENSES.not_found())?;
        apply(license, fields);
        license.updated_at = now;
        Ok(license.clone())
    }

    async fn delete_license(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut state = self.state();
        if state.licenses.remove(&key(ctx, id)).is_none() {
            return Ok(false);
        }
        let tenant = ctx.tenant().as_str();
        state
            .usage
            .retain(|(t, license, _, _), _| !(t == tenant && *license == id));
        Ok(true)
    }

    async fn record_license_usage(
        &self,
        ctx: &TenantContext,
        license_id: Uuid,
        feature: &str,
        period_start: DateTime<Utc>,
        count: i64,
    ) -> Result<LicenseUsage, StorageError> {
        check_usage(feature, count)?;
        let now = self.clock.now();
        let mut state = self.state();
        if !state.licenses.contains_key(&key(ctx, license_id)) {
            return Err(LICENSES.not_found());
        }
        let period_start = to_micros(period_start);
        let tenant = ctx.tenant().as_str().to_owned();
        let usage = state
            .usage
            .entry((tenant.clone(), license_id, feature.to_owned(), period_start))
            .or_insert_with(|| LicenseUsage {
                tenant_id: tenant,
                license_id,
                feature: feature.to_owned(),
                period_start,
                used_count: 0,
                updated_at: now,
            });
        usage.used_count += count;
        usage.updated_at = now;
        Ok(usage.clone())
    }

    async fn license_usage(
        &self,
        ctx: &TenantContext,
        license_id: Uuid,
    ) -> Result<Vec<LicenseUsage>, StorageError> {
        let tenant = ctx.tenant().as_str();
        // Keys sort by (tenant, license, feature, period): the SQL's ORDER BY.
        Ok(self
            .state()
            .usage
            .iter()
            .filter(|((t, license, _, _), _)| t == tenant && *license == license_id)
            .map(|(_, usage)| usage.clone())
            .collect())
    }
}
