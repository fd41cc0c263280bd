//! Login attempts in the in-memory reference backend.

use async_trait::async_trait;
use chrono::Duration;

use super::state::{MemoryAuthority, key, of_tenant};
use crate::authority::login_attempts::LOGIN_ATTEMPTS;
use crate::authority::login_attempts::{check_limit, check_window};
use crate::authority::{LoginAttempt, LoginAttemptRepository, LoginOutcome, NewLoginAttempt};
use crate::{StorageError, TenantContext, input};

#[async_trait]
impl LoginAttemptRepository for MemoryAuthority {
    async fn record_login_attempt(
        &self,
        ctx: &TenantContext,
        attempt: &NewLoginAttempt,
    ) -> Result<LoginAttempt, StorageError> {
        attempt.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.login_attempts.contains_key(&key(ctx, attempt.id)) {
            return Err(LOGIN_ATTEMPTS.violation("login_attempts_pkey"));
        }
        state.require_tenant(ctx)?;
        let recorded = LoginAttempt {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id: attempt.id,
            user_id: attempt.user_id,
            username: attempt.username.clone(),
            outcome: attempt.outcome,
            reason: attempt.reason.clone(),
            client_ip: attempt.client_ip.map(|ip| ip.to_string()),
            user_agent: attempt.user_agent.clone(),
            occurred_at: now,
            properties: attempt.properties.clone(),
        };
        state
            .login_attempts
            .insert(key(ctx, attempt.id), recorded.clone());
        Ok(recorded)
    }

    async fn recent_login_attempts(
        &self,
        ctx: &TenantContext,
        username: &str,
        limit: u32,
    ) -> Result<Vec<LoginAttempt>, StorageError> {
        input::key("username", username)?;
        check_limit(limit)?;
        let mut attempts: Vec<LoginAttempt> = of_tenant(&self.state().login_attempts, ctx)
            .filter(|a| a.username == username)
            .cloned()
            .collect();
        attempts.sort_by_key(|a| std::cmp::Reverse((a.occurred_at, a.id)));
        attempts.truncate(limit as usize);
        Ok(attempts)
    }

    async fn count_login_failures(
        &self,
        ctx: &TenantContext,
        username: &str,
        window: Duration,
    ) -> Result<i64, StorageError> {
        input::key("username", username)?;
        check_window(window)?;
        let now = self.clock.now();
        let since = now - window;
        Ok(of_tenant(&self.state().login_attempts, ctx)
            .filter(|a| a.username == username && a.outcome == LoginOutcome::Failure)
            .filter(|a| a.occurred_at > since && a.occurred_at <= now)
            .count() as i64)
    }
}
