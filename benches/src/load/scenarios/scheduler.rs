//! The Scheduler's critical paths: one operation each, through the
//! repositories.

use std::time::{Duration, Instant};

use stellaops_storage::StorageError;
use stellaops_storage::scheduler::{Outcome, RunRepository, ScheduleRepository};

use super::context::{Context, DUE_LIMIT, Operation, UserState, finish};
use crate::load::CriticalPath;

impl Context {
    pub(super) async fn scheduler_operation(
        &self,
        path: CriticalPath,
        op: &Operation,
        user: &mut UserState,
    ) -> Result<Option<Duration>, StorageError> {
        let n = op.n;
        match path {
            CriticalPath::DuePoll => {
                let started = Instant::now();
                let due = self.schedules.due(&self.system, DUE_LIMIT).await?;
                let took = finish(path, started);
                if due.is_empty() {
                    return Err(StorageError::NotFound {
                        entity: "due schedule",
                    });
                }
                Ok(Some(took))
            }
            CriticalPath::RunClaim => {
                let started = Instant::now();
                let claims = self.runs.claim(&self.system, &user.worker, 1).await?;
                let took = finish(path, started);
                if claims.is_empty() {
                    return Err(StorageError::NotFound {
                        entity: "queued run",
                    });
                }
                Ok(Some(took))
            }
            CriticalPath::RunComplete => {
                let Some(claim) = self.runs.claim(&self.system, &user.worker, 1).await?.pop()
                else {
                    return Err(StorageError::NotFound {
                        entity: "queued run",
                    });
                };
                let started = Instant::now();
                let done = self
                    .runs
                    .finish(&self.system, &claim, &user.worker, Outcome::Completed, None)
                    .await?;
                let took = finish(path, started);
                if !done {
                    return Err(StorageError::NotFound {
                        entity: "held claim",
                    });
                }
                Ok(Some(took))
            }
            CriticalPath::Heartbeat => {
                let Some(claim) = user
                    .held
                    .get((n as usize) % user.held.len().max(1))
                    .cloned()
                else {
                    return Err(StorageError::NotFound {
                        entity: "held claim",
                    });
                };
                let started = Instant::now();
                let alive = self
                    .runs
                    .heartbeat(&self.system, &claim, &user.worker)
                    .await?;
                let took = finish(path, started);
                if !alive {
                    return Err(StorageError::NotFound {
                        entity: "held claim",
                    });
                }
                Ok(Some(took))
            }
            _ => Ok(None),
        }
    }
}
