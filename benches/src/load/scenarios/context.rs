//! What the scenarios share: the round's repositories and dataset, each
//! simulated user's state, and the dispatch of one operation to its
//! module's file (`authority.rs`, `scheduler.rs`, `notify.rs`,
//! `policy.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use stellaops_storage::authority::PgAuthority;
use stellaops_storage::notify::Notify;
use stellaops_storage::policy::Policy;
use stellaops_storage::scheduler::{Claim, PgRuns, PgSchedules, RunRepository};
use stellaops_storage::{
    DataSource, ModuleStorage, StorageError, SystemClock, SystemContext, TenantContext,
};
use uuid::Uuid;

use crate::load::dataset::Volume;
use crate::load::{CriticalPath, LoadError, Recorder, slowdown};

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
    pub notify: Notify,
    pub policy: Policy,
    pub volume: Volume,
    pub recorder: Arc<Recorder>,
    /// Seeded token hashes to verify, sampled across tenants.
    pub hashes: Vec<String>,
    tenants: Vec<TenantContext>,
    counter: AtomicU64,
    skew: WeightedIndex<f64>,
    mix: WeightedIndex<u32>,
    pub(super) system: SystemContext,
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
            runs: PgRuns::new(source.clone(), clock.clone()),
            notify: Notify::postgres(source.clone(), clock.clone()),
            policy: Policy::postgres(source, clock),
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
        let op = Operation {
            n,
            t,
            u,
            tenant,
            user_id,
        };
        match path.module() {
            "authority" => self.authority_operation(path, &op).await,
            "scheduler" => self.scheduler_operation(path, &op, user).await,
            "notify" => self.notify_operation(path, &op, user).await,
            "policy" => self.policy_operation(path, &op).await,
            _ => Ok(None),
        }
    }
}

/// What one operation draws before it runs: its sequence number, the
/// tenant (by number and context), the user number and the user's id.
#[derive(Debug)]
pub(super) struct Operation {
    pub n: u64,
    pub t: u32,
    pub u: u32,
    pub tenant: TenantContext,
    pub user_id: Uuid,
}

/// The time since `started`, times the slowdown knob's factor when it
/// names `path` (see [`slowdown`]).
pub(super) fn finish(path: CriticalPath, started: Instant) -> Duration {
    slowdown::stretch(path, started)
}

/// The uuid the dataset gives a key (`md5(key)::uuid` in SQL). MD5 only
/// names seeded rows here, as the seeding SQL does; it guards nothing.
pub fn seeded_uuid(key: &str) -> Uuid {
    use md5::{Digest, Md5};
    Uuid::from_bytes(Md5::digest(key.as_bytes()).into())
}
