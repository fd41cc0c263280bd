//! Exceptions in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::state::{MemoryPolicy, key, of_tenant};
use crate::clock::to_micros;
use crate::policy::exceptions::{EXCEPTIONS, MAX_EXPIRY_SWEEP, check_exception_move};
use crate::policy::packs::PACKS;
use crate::policy::{Exception, ExceptionRepository, ExceptionStatus, NewException};
use crate::{StorageError, SystemContext, TenantContext, input};

impl MemoryPolicy {
    fn move_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: ExceptionStatus,
        by: Option<&str>,
    ) -> Result<Exception, StorageError> {
        if let Some(by) = by {
            input::key("approved by", by)?;
        }
        let now = self.clock.now();
        let mut state = self.state();
        let exception = state
            .exceptions
            .get_mut(&key(ctx, id))
            .ok_or(EXCEPTIONS.not_found())?;
        check_exception_move(exception, to, now)?;
        exception.status = to;
        exception.updated_at = now;
        if to == ExceptionStatus::Approved {
            exception.approved_by = by.map(str::to_owned);
            exception.approved_at = Some(now);
        }
        Ok(exception.clone())
    }
}

#[async_trait]
impl ExceptionRepository for MemoryPolicy {
    async fn propose_exception(
        &self,
        ctx: &TenantContext,
        new: &NewException,
    ) -> Result<Exception, StorageError> {
        let now = self.clock.now();
        new.validate(now)?;
        let mut state = self.state();
        if state.exceptions.contains_key(&key(ctx, new.id)) {
            return Err(EXCEPTIONS.violation("exceptions_pkey"));
        }
        if let Some(pack) = new.pack_id
            && !state.packs.contains_key(&key(ctx, pack))
        {
            return Err(PACKS.not_found());
        }
        let exception = Exception {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: new.id,
            name: new.name.clone(),
            pack_id: new.pack_id,
            rule_key: new.rule_key.clone(),
            scope: new.scope.clone(),
            status: ExceptionStatus::Proposed,
            reason: new.reason.clone(),
            requested_by: new.requested_by.clone(),
            approved_by: None,
            approved_at: None,
            expires_at: new.expires_at,
            created_at: now,
            updated_at: now,
        };
        state.exceptions.insert(key(ctx, new.id), exception.clone());
        Ok(exception)
    }

    async fn get_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Exception>, StorageError> {
        Ok(self.state().exceptions.get(&key(ctx, id)).cloned())
    }

    async fn approve_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        by: &str,
    ) -> Result<Exception, StorageError> {
        self.move_exception(ctx, id, ExceptionStatus::Approved, Some(by))
    }

    async fn reject_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Exception, StorageError> {
        self.move_exception(ctx, id, ExceptionStatus::Rejected, None)
    }

    async fn revoke_exception(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Exception, StorageError> {
        self.move_exception(ctx, id, ExceptionStatus::Revoked, None)
    }

    async fn active_exceptions(
        &self,
        ctx: &TenantContext,
        pack_id: Uuid,
        rule_key: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Exception>, StorageError> {
        input::key("rule key", rule_key)?;
        let at = to_micros(at);
        let state = self.state();
        let mut active: Vec<Exception> = of_tenant(&state.exceptions, ctx)
            .filter(|e| e.active_at(at) && e.covers(pack_id, rule_key))
            .cloned()
            .collect();
        active.sort_by_key(|e| (e.expires_at, e.id));
        Ok(active)
    }

    async fn expire_exceptions(
        &self,
        _ctx: &SystemContext,
        limit: i64,
    ) -> Result<u64, StorageError> {
        let limit = input::limit("expiry sweep limit", limit, MAX_EXPIRY_SWEEP)?;
        let now = self.clock.now();
        let mut state = self.state();
        let mut due: Vec<(DateTime<Utc>, (String, Uuid))> = state
            .exceptions
            .iter()
            .filter(|(_, e)| {
                matches!(
                    e.status,
                    ExceptionStatus::Proposed | ExceptionStatus::Approved
                ) && e.expires_at <= now
            })
            .map(|(k, e)| (e.expires_at, k.clone()))
            .collect();
        due.sort();
        due.truncate(usize::try_from(limit).unwrap_or(0));
        for (_, k) in &due {
            if let Some(e) = state.exceptions.get_mut(k) {
                e.status = ExceptionStatus::Expired;
                e.updated_at = now;
            }
        }
        Ok(due.len() as u64)
    }
}
