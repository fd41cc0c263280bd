//! What one operation of each critical path does, through the storage
//! repositories, on a round's clone of the seeded dataset.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Duration as ChronoDuration;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use stellaops_storage::authority::LoginAttemptRepository;
use stellaops_storage::authority::{
    LoginOutcome, NewLoginAttempt, NewToken, PgAuthority, TokenRepository, UserQuery,
    UserRepository,
};
use stellaops_storage::scheduler::{
    Claim, Outcome, PgRuns, PgSchedules, RunRepository, ScheduleRepository,
};
use stellaops_storage::{
    DataSource, PageRequest, StorageError, SystemClock, SystemContext, TenantContext,
};
use uuid::Uuid;

use super::dataset::{ROLES, Volume};
use super::{CriticalPath, LoadError, Recorder, slowdown};

/// How many due schedules one poll reads.
pub const DUE_LIMIT: i64 = 100;
/// Claims each heartbeating user holds.
pub const HELD_PER_USER: i64 = 8;
/// The exponent of the tenants' Zipf skew in the mixed workload: the
/// largest tenant gets about a fifth of the traffic, the smallest 0.5%.
pub const TENANT_SKEW: f64 = 1.1;

/// Everything the scenarios share in one round.
#[derive(Debug)]
pub struct Context {
    pub authority: PgAuthority,
    pub schedules: PgSchedules,
    pub runs: PgRuns,
    pub volume: Volume,
    pub recorder: Arc<Recorder>,
    /// Seeded token hashes to verify, sampled across tenants.
    pub hashes: Vec<String>,
    tenants: Vec<TenantContext>,
    counter: AtomicU64,
    skew: WeightedIndex<f64>,
    mix: WeightedIndex<u32>,
    system: SystemContext,
}

/// One simulated user's own state: its random stream and held claims.
#[derive(Debug, Clone)]
pub struct UserState {
    pub rng: StdRng,
    pub held: Vec<Claim>,
    pub worker: String,
}

impl UserState {
    pub fn new(index: usize) -> Self {
        UserState {
            rng: StdRng::seed_from_u64(0x5eed_0000 + index as u64),
            held: Vec::new(),
            worker: format!("load-worker-{index}"),
        }
    }
}

impl Context {
    pub async fn new(
        app: PgPool,
        system: PgPool,
        admin: &PgPool,
        prepared: bool,
        volume: Volume,
        recorder: Arc<Recorder>,
    ) -> Result<Context, LoadError> {
        let source = DataSource::from_pools(app, Some(system), Duration::from_secs(30))
            .with_prepared_statements(prepared);
        let clock = Arc::new(SystemClock);
        let hashes = sqlx::query_scalar(
            "SELECT token_hash FROM authority.tokens ORDER BY md5(token_hash) LIMIT 1024",
        )
        .fetch_all(admin)
        .await
        .map_err(LoadError::db("sampling token hashes"))?;
        let tenants = (1..=volume.tenants)
            .map(|t| TenantContext::new(&Volume::tenant(t)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| LoadError::Invalid {
                field: "tenant code",
                reason: e.to_string(),
            })?;
        let weights: Vec<f64> = (1..=volume.tenants)
            .map(|rank| 1.0 / f64::from(rank).powf(TENANT_SKEW))
            .collect();
        let skew = WeightedIndex::new(&weights).map_err(|e| LoadError::Invalid {
            field: "tenant skew",
            reason: e.to_string(),
        })?;
        let mix = WeightedIndex::new(CriticalPath::MIX.map(|(_, w)| w)).map_err(|e| {
            LoadError::Invalid {
                field: "mix",
                reason: e.to_string(),
            }
        })?;
        Ok(Context {
            authority: PgAuthority::new(source.clone(), clock.clone()),
            schedules: PgSchedules::new(source.clone(), clock.clone()),
            runs: PgRuns::new(source, clock),
            volume,
            recorder,
            hashes,
            tenants,
            counter: AtomicU64::new(0),
            skew,
            mix,
            system: SystemContext::new("load"),
        })
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// A tenant, uniformly or skewed (Zipf) for the mixed workload.
    fn tenant(&self, user: &mut UserState, skewed: bool) -> (u32, &TenantContext) {
        let index = if skewed {
            self.skew.sample(&mut user.rng)
        } else {
            user.rng.random_range(0..self.tenants.len())
        };
        (index as u32 + 1, &self.tenants[index])
    }

    fn user_number(&self, user: &mut UserState) -> u32 {
        user.rng.random_range(1..=self.volume.users_per_tenant)
    }

    /// Prepares what a user of `path` holds before its first timed
    /// operation (untimed): heartbeating users hold claims.
    pub async fn on_start(
        &self,
        path: CriticalPath,
        user: &mut UserState,
    ) -> Result<(), StorageError> {
        if path == CriticalPath::Heartbeat {
            user.held = self
                .runs
                .claim(&self.system, &user.worker, HELD_PER_USER)
                .await?;
        }
        Ok(())
    }

    /// One operation of `path`, timed and recorded; the mixed workload
    /// records under its own name.
    pub async fn operate(&self, path: CriticalPath, user: &mut UserState) {
        let (actual, skewed) = if path == CriticalPath::Mixed {
            (CriticalPath::MIX[self.mix.sample(&mut user.rng)].0, true)
        } else {
            (path, false)
        };
        match self.timed(actual, user, skewed).await {
            Ok(Some(took)) => self.recorder.record(path, took),
            Ok(None) => {}
            Err(e) => self.recorder.error(path, format!("{actual}: {e}")),
        }
    }

    /// Runs one operation; the time covers only the repository call (setup
    /// a path needs, such as a claim before a completion, is outside it).
    async fn timed(
        &self,
        path: CriticalPath,
        user: &mut UserState,
        skewed: bool,
    ) -> Result<Option<Duration>, StorageError> {
        let n = self.next();
        let (t, tenant) = self.tenant(user, skewed);
        let tenant = tenant.clone();
        let u = self.user_number(user);
        let user_id = seeded_uuid(&format!("u/{t}/{u}"));
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
                self.authority.create_token(&tenant, &token).await?;
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
                    .revoke_token(&tenant, token_id, "load")
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
                    .record_login_attempt(&tenant, &attempt)
                    .await?;
                Ok(Some(finish(path, started)))
            }
            CriticalPath::UserByUsername => {
                let started = Instant::now();
                let found = self
                    .authority
                    .get_user_by_username(&tenant, &Volume::username(u))
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
                self.authority.list_users(&tenant, &query).await?;
                Ok(Some(finish(path, started)))
            }
            CriticalPath::RoleAssign => {
                let role = ROLES[(n % ROLES.len() as u64) as usize];
                let role_id = seeded_uuid(&format!("r/{t}/{role}"));
                let started = Instant::now();
                self.authority
                    .assign_role(&tenant, user_id, role_id, Some("load"))
                    .await?;
                Ok(Some(finish(path, started)))
            }
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
            CriticalPath::Mixed => Ok(None),
        }
    }
}

/// The time since `started`, times the slowdown knob's factor when it
/// names `path` (see [`slowdown`]).
fn finish(path: CriticalPath, started: Instant) -> Duration {
    slowdown::stretch(path, started)
}

/// The uuid the dataset gives a key (`md5(key)::uuid` in SQL). MD5 only
/// names seeded rows here, as the seeding SQL does; it guards nothing.
pub fn seeded_uuid(key: &str) -> Uuid {
    use md5::{Digest, Md5};
    Uuid::from_bytes(Md5::digest(key.as_bytes()).into())
}
