//! One round: a fresh clone of the seeded dataset, then each path as its
//! own goose attack of a fixed size (users x iterations), timed by the
//! scenarios in microseconds.

use std::sync::Arc;
use std::time::Duration;

use goose::GooseAttack;
use goose::config::{GooseConfiguration, GooseDefault, GooseDefaultType};
use goose::goose::{GooseUser, Scenario, Transaction};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use stellaops_harness::{APP_ROLE, SYSTEM_ROLE, Server};

use super::blocks::Blocks;
use super::dataset::{RoundDatabase, Volume};
use super::recorder::PathStats;
use super::scenarios::{Context, UserState};
use super::work::{Snapshot, WorkProbe};
use super::{CriticalPath, LoadError, Recorder};

/// The size of a run: fixed, so two runs do the same work.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunSize {
    /// Concurrent users per path (goose users).
    pub users: usize,
    /// Workers claiming at once on `scheduler.run_claim` and
    /// `notify.delivery_claim`.
    pub claim_workers: usize,
    /// Operations each user does per path.
    pub iterations: usize,
}

impl Default for RunSize {
    fn default() -> Self {
        RunSize {
            users: 2,
            claim_workers: 4,
            iterations: 200,
        }
    }
}

impl RunSize {
    fn users_of(&self, path: CriticalPath) -> usize {
        if matches!(path, CriticalPath::RunClaim | CriticalPath::DeliveryClaim) {
            self.claim_workers
        } else {
            self.users
        }
    }
}

/// What the server's statistics are asked for in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorkMode {
    /// Timings only.
    #[default]
    Off,
    /// Buffers, rows and calls per operation from `pg_stat_statements`.
    Counts,
    /// The counts and every statement's plan.
    CountsAndPlans,
}

/// One round's figures: per path, and why the work measure is missing
/// when it is.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundOutcome {
    pub paths: Vec<PathStats>,
    pub work_unavailable: Option<String>,
}

/// Runs `paths` once on a fresh clone of `seeded`; the clone is dropped
/// after, whatever happened.
pub async fn run_round(
    server: &Arc<Server>,
    seeded: &str,
    label: &str,
    volume: Volume,
    paths: &[CriticalPath],
    size: &RunSize,
    work: WorkMode,
) -> Result<RoundOutcome, LoadError> {
    let mut session = RoundSession::open(server, seeded, label, volume, size, work).await?;
    let mut stats = Vec::new();
    let mut failed = None;
    for (i, path) in paths.iter().enumerate() {
        match session.run_path(*path).await {
            Ok(path_stats) => {
                stats.push(path_stats);
                crate::rounds::progress("critical paths", i + 1, paths.len());
            }
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    let work_unavailable = session.work_unavailable.clone();
    let closed = session.close().await;
    if let Some(e) = failed {
        return Err(e);
    }
    closed?;
    Ok(RoundOutcome {
        paths: stats,
        work_unavailable,
    })
}

/// A round in progress: its clone, pools, scenarios' context and work
/// probe. [`RoundSession::close`] drops the clone; a session dropped
/// without it leaves the clone to the next run's sweep.
#[derive(Debug)]
pub struct RoundSession {
    server: Arc<Server>,
    database: RoundDatabase,
    app: PgPool,
    system: PgPool,
    admin: PgPool,
    context: Arc<Context>,
    probe: Option<WorkProbe>,
    plans: bool,
    size: RunSize,
    /// Why there is no work measure, when there is none.
    pub work_unavailable: Option<String>,
}

/// A path started in blocks: its attack runs as a task whose users wait
/// for their turns.
#[derive(Debug)]
pub struct RunningPath {
    pub path: CriticalPath,
    pub blocks: Arc<Blocks>,
    /// Operations each user does per block.
    pub per_block: usize,
    attack: tokio::task::JoinHandle<Result<(), LoadError>>,
    before: Option<Snapshot>,
}

impl RoundSession {
    /// A fresh clone of `seeded`, connected, with the probe reset before
    /// the scenarios prepare their first statement.
    pub async fn open(
        server: &Arc<Server>,
        seeded: &str,
        label: &str,
        volume: Volume,
        size: &RunSize,
        work: WorkMode,
    ) -> Result<RoundSession, LoadError> {
        let database = RoundDatabase::create(server, seeded, label).await?;
        match Self::connect(server, &database.name, volume, size, work).await {
            Ok((app, system, admin, context, probe, work_unavailable)) => Ok(RoundSession {
                server: server.clone(),
                database,
                app,
                system,
                admin,
                context,
                probe,
                plans: work == WorkMode::CountsAndPlans,
                size: size.clone(),
                work_unavailable,
            }),
            Err(e) => {
                let _ = database.drop_now(server).await;
                Err(e)
            }
        }
    }

    #[allow(clippy::type_complexity)]
    async fn connect(
        server: &Arc<Server>,
        database: &str,
        volume: Volume,
        size: &RunSize,
        work: WorkMode,
    ) -> Result<
        (
            PgPool,
            PgPool,
            PgPool,
            Arc<Context>,
            Option<WorkProbe>,
            Option<String>,
        ),
        LoadError,
    > {
        let (probe, work_unavailable) = match work {
            WorkMode::Off => (None, None),
            _ => match WorkProbe::open(server.admin_options(database)?).await {
                Ok(probe) => (Some(probe), None),
                Err(reason) => (None, Some(reason)),
            },
        };
        let connections = (size.users.max(size.claim_workers) + 1) as u32;
        let pool = |role: &str| {
            let options = server.role_options(database, role);
            async move {
                PgPoolOptions::new()
                    .max_connections(connections)
                    .acquire_timeout(Duration::from_secs(15))
                    .test_before_acquire(false)
                    .connect_with(options?)
                    .await
                    .map_err(LoadError::db("connecting to the round's database"))
            }
        };
        let app = pool(APP_ROLE).await?;
        let system = pool(SYSTEM_ROLE).await?;
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(server.admin_options(database)?)
            .await
            .map_err(LoadError::db("connecting to the round's database"))?;
        let prepared = server.pooler_port.is_none();
        let context = Arc::new(
            Context::new(
                app.clone(),
                system.clone(),
                &admin,
                prepared,
                volume,
                Arc::new(Recorder::default()),
            )
            .await?,
        );
        Ok((app, system, admin, context, probe, work_unavailable))
    }

    /// Runs `path` at the session's size in one go.
    pub async fn run_path(&mut self, path: CriticalPath) -> Result<PathStats, LoadError> {
        let before = match self.probe.as_mut() {
            Some(probe) => Some(probe.snapshot().await?),
            None => None,
        };
        attack(
            self.context.clone(),
            path,
            self.size.users_of(path),
            self.size.iterations,
            None,
        )
        .await?;
        self.path_stats(path, before).await
    }

    /// Starts `path` in `blocks` measured blocks after one warm-up block
    /// (connections and statements get ready; see [`RoundSession::rebase`]):
    /// the users wait until [`Blocks::run_block`] gives them turns.
    pub async fn start_path(
        &mut self,
        path: CriticalPath,
        blocks: usize,
    ) -> Result<RunningPath, LoadError> {
        let before = match self.probe.as_mut() {
            Some(probe) => Some(probe.snapshot().await?),
            None => None,
        };
        let users = self.size.users_of(path);
        let per_block = (self.size.iterations / blocks.max(1)).max(1);
        let turns = Arc::new(Blocks::new(users));
        let attack = tokio::spawn(attack(
            self.context.clone(),
            path,
            users,
            per_block * (blocks.max(1) + 1),
            Some(turns.clone()),
        ));
        Ok(RunningPath {
            path,
            blocks: turns,
            per_block,
            attack,
            before,
        })
    }

    /// Forgets what a started path did so far (its warm-up block): its
    /// samples, and its work, from now on counted anew.
    pub async fn rebase(&mut self, running: &mut RunningPath) -> Result<(), LoadError> {
        let _ = self.context.recorder.take();
        if let Some(probe) = self.probe.as_mut() {
            running.before = Some(probe.snapshot().await?);
        }
        Ok(())
    }

    /// Waits for a started path's attack to end (within `limit`) and
    /// gives its figures.
    pub async fn finish_path(
        &mut self,
        running: RunningPath,
        limit: Duration,
    ) -> Result<PathStats, LoadError> {
        let RunningPath {
            path,
            attack,
            before,
            ..
        } = running;
        let ended = tokio::time::timeout(limit, attack).await.map_err(|_| {
            LoadError::Goose(format!(
                "{path}: the attack did not end within {} s",
                limit.as_secs()
            ))
        })?;
        ended.map_err(|e| LoadError::Goose(format!("{path}: the attack's task failed: {e}")))??;
        self.path_stats(path, before).await
    }

    async fn path_stats(
        &mut self,
        path: CriticalPath,
        before: Option<Snapshot>,
    ) -> Result<PathStats, LoadError> {
        let (mut samples, errors, busy) = self.context.recorder.take();
        if let Some((count, first)) = errors.get(&path) {
            return Err(LoadError::Goose(format!(
                "{path}: {count} operations failed, the first with: {first}"
            )));
        }
        let mut stats = PathStats::from_samples(
            path,
            samples.remove(&path).unwrap_or_default(),
            0,
            busy.get(&path).copied().unwrap_or_default(),
        );
        if let (Some(probe), Some(before)) = (self.probe.as_mut(), before) {
            stats.work = Some(probe.collect(&before, stats.operations, self.plans).await?);
        }
        Ok(stats)
    }

    /// Closes the pools and drops the round's clone.
    pub async fn close(self) -> Result<(), LoadError> {
        if let Some(probe) = self.probe {
            probe.close().await;
        }
        self.app.close().await;
        self.system.close().await;
        self.admin.close().await;
        self.database.drop_now(&self.server).await
    }
}

/// One goose attack: `users` users each doing `iterations` operations of
/// `path`; goose schedules the users, the scenarios time the work.
async fn attack(
    context: Arc<Context>,
    path: CriticalPath,
    users: usize,
    iterations: usize,
    blocks: Option<Arc<Blocks>>,
) -> Result<(), LoadError> {
    let start_context = context.clone();
    let on_start = Transaction::new(Arc::new(move |user: &mut GooseUser| {
        let context = start_context.clone();
        Box::pin(async move {
            let mut state = UserState::new(user.weighted_users_index);
            if let Err(e) = context.on_start(path, &mut state).await {
                context
                    .recorder
                    .error(path, format!("preparing a user: {e}"));
            }
            user.set_session_data(state);
            Ok(())
        })
    }))
    .set_on_start()
    .set_name("prepare");
    let operate = Transaction::new(Arc::new(move |user: &mut GooseUser| {
        let context = context.clone();
        let blocks = blocks.clone();
        Box::pin(async move {
            if let Some(blocks) = &blocks {
                blocks.wait_turn(user.weighted_users_index).await;
            }
            if let Some(state) = user.get_session_data_mut::<UserState>() {
                context.operate(path, state).await;
            }
            if let Some(blocks) = &blocks {
                blocks.used();
            }
            Ok(())
        })
    }))
    .set_name(path.name());
    let scenario = Scenario::new(path.name())
        .register_transaction(on_start)
        .register_transaction(operate);
    let goose = |e: goose::GooseError| LoadError::Goose(format!("{path}: {e}"));
    GooseAttack::initialize_with_config(GooseConfiguration::default())
        .map_err(goose)?
        .register_scenario(scenario)
        // Goose wants a host; no request is ever sent to it.
        .set_default(GooseDefault::Host, "http://127.0.0.1")
        .map_err(goose)?
        .set_default(GooseDefault::Users, users)
        .map_err(goose)?
        .set_default(GooseDefault::IncreaseRate, "1000")
        .map_err(goose)?
        .set_default(GooseDefault::Iterations, iterations)
        .map_err(goose)?
        .set_default(GooseDefault::Quiet, 1usize)
        .map_err(goose)?
        // The scenarios keep their own microsecond timings.
        .set_default(GooseDefault::NoMetrics, true)
        .map_err(goose)?
        .set_default(GooseDefault::NoTelnet, true)
        .map_err(goose)?
        .execute()
        .await
        .map_err(goose)?;
    Ok(())
}

/// The server's version, as reports name it.
/// Which server this is, in words two processes can compare: its address,
/// port and start time (two servers of one host never share all three).
pub async fn server_identity(server: &Server) -> Result<String, LoadError> {
    let mut admin = server.connect_admin().await?;
    sqlx::query_scalar(
        "SELECT format('%s:%s, up since %s', coalesce(host(inet_server_addr()), 'socket'), \
                current_setting('port'), pg_postmaster_start_time())",
    )
    .fetch_one(&mut admin)
    .await
    .map_err(|source| LoadError::Database {
        doing: "reading which server this is",
        source,
    })
}

pub async fn server_version(server: &Server) -> Result<String, LoadError> {
    let mut admin = server.connect_admin().await?;
    let version: String =
        sqlx::query_scalar("SELECT 'PostgreSQL ' || current_setting('server_version')")
            .fetch_one(&mut admin)
            .await
            .map_err(|source| LoadError::Database {
                doing: "reading the server version",
                source,
            })?;
    Ok(version)
}
