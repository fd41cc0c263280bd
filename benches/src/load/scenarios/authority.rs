//! Authority's critical paths: one operation each, through the repositories.

use std::time::{Duration, Instant};

use chrono::Duration as ChronoDuration;
use stellaops_storage::authority::{
    LoginAttemptRepository, LoginOutcome, NewLoginAttempt, NewToken, TokenRepository, UserQuery,
    UserRepository,
};
use stellaops_storage::{PageRequest, StorageError};
use uuid::Uuid;

use super::context::{Context, Operation, finish, seeded_uuid};
use crate::load::CriticalPath;
use crate::load::dataset::{ROLES, Volume};

impl Context {
    pub(super) async fn authority_operation(
        &self,
        path: CriticalPath,
        op: &Operation,
    ) -> Result<Option<Duration>, StorageError> {
        let (n, t, u, user_id, tenant) = (op.n, op.t, op.u, op.user_id, &op.tenant);
        match path {
            CriticalPath::TokenIssue => {
                let mut token = NewToken::access(
                    format!("load-{n}-{t}-{u}"),
                    user_id,
                    chrono::Utc::now() + ChronoDuration::hours(1),
                );
                token.id =
                    Uuid::from_u128(0x10ad_0000_0000_0000_0000_0000_0000_0000 | u128::from(n));
                let started = Instant::now();
                self.authority.create_token(tenant, &token).await?;
                Ok(Some(finish(path, started)))
            }
            CriticalPath::TokenVerifyByHash => {
                let hash = &self.hashes[(n as usize) % self.hashes.len()];
                let started = Instant::now();
                let found = self.authority.get_token_by_hash(&self.system, hash).await?;
                let took = finish(path, started);
                found.ok_or(StorageError::NotFound {
                    entity: "seeded token",
                })?;
                Ok(Some(took))
            }
            CriticalPath::TokenRevoke => {
                let k = 1 + (n % u64::from(self.volume.tokens_per_user)) as u32;
                let token_id = seeded_uuid(&format!("k/{t}/{u}/{k}"));
                let started = Instant::now();
                self.authority
                    .revoke_token(tenant, token_id, "load")
                    .await?;
                Ok(Some(finish(path, started)))
            }
            CriticalPath::LoginAttempt => {
                let outcome = if n.is_multiple_of(5) {
                    LoginOutcome::Failure
                } else {
                    LoginOutcome::Success
                };
                let attempt = NewLoginAttempt::new(Volume::username(u), outcome);
                let started = Instant::now();
                self.authority
                    .record_login_attempt(tenant, &attempt)
                    .await?;
                Ok(Some(finish(path, started)))
            }
            CriticalPath::UserByUsername => {
                let started = Instant::now();
                let found = self
                    .authority
                    .get_user_by_username(tenant, &Volume::username(u))
                    .await?;
                let took = finish(path, started);
                found.ok_or(StorageError::NotFound {
                    entity: "seeded user",
                })?;
                Ok(Some(took))
            }
            CriticalPath::UserPage => {
                let query = UserQuery {
                    page: PageRequest::after(50, Volume::username(u)),
                    ..UserQuery::default()
                };
                let started = Instant::now();
                self.authority.list_users(tenant, &query).await?;
                Ok(Some(finish(path, started)))
            }
            CriticalPath::RoleAssign => {
                let role = ROLES[(n % ROLES.len() as u64) as usize];
                let role_id = seeded_uuid(&format!("r/{t}/{role}"));
                let started = Instant::now();
                self.authority
                    .assign_role(tenant, user_id, role_id, Some("load"))
                    .await?;
                Ok(Some(finish(path, started)))
            }
            _ => Ok(None),
        }
    }
}
