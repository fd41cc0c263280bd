//! One round: a fresh clone of the seeded dataset, then each path as its
//! own goose attack of a fixed size (users x iterations), timed by the
//! scenarios in microseconds.

use std::sync::Arc;
use std::time::Duration;

use goose::GooseAttack;
use goose::config::{GooseConfiguration, GooseDefault, GooseDefaultType};
use goose::goose::{GooseUser, Scenario, Transaction};
use sqlx::postgres::PgPoolOptions;
use stellaops_harness::{APP_ROLE, SYSTEM_ROLE, Server};

use super::dataset::{RoundDatabase, Volume};
use super::recorder::PathStats;
use super::scenarios::{Context, UserState};
use super::work::WorkProbe;
use super::{CriticalPath, LoadError, Recorder};

/// The size of a run: fixed, so two runs do the same work.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunSize {
    /// Concurrent users per path (goose users).
    pub users: usize,
    /// Workers claiming at once on `scheduler.run_claim`.
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
        if path == CriticalPath::RunClaim {
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
    let round = RoundDatabase::create(server, seeded, label).await?;
    let result = run_on(server, &round.name, volume, paths, size, work).await;
    let dropped = round.drop_now(server).await;
    let outcome = result?;
    dropped?;
    Ok(outcome)
}

async fn run_on(
    server: &Arc<Server>,
    database: &str,
    volume: Volume,
    paths: &[CriticalPath],
    size: &RunSize,
    work: WorkMode,
) -> Result<RoundOutcome, LoadError> {
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
        .connect_with(server.admin_options(database)?)
        .await
        .map_err(LoadError::db("connecting to the round's database"))?;
    let recorder = Arc::new(Recorder::default());
    let prepared = server.pooler_port.is_none();
    let context = Arc::new(
        Context::new(
            app.clone(),
            system.clone(),
            &admin,
            prepared,
            volume,
            recorder.clone(),
        )
        .await?,
    );
    let (mut probe, work_unavailable) = match work {
        WorkMode::Off => (None, None),
        _ => match WorkProbe::open(server.admin_options(database)?).await {
            Ok(probe) => (Some(probe), None),
            Err(reason) => (None, Some(reason)),
        },
    };
    let mut stats = Vec::new();
    for path in paths {
        if let Some(probe) = probe.as_mut() {
            probe.reset().await?;
        }
        attack(
            context.clone(),
            *path,
            size.users_of(*path),
            size.iterations,
        )
        .await?;
        let (mut samples, errors, busy) = recorder.take();
        if let Some((count, first)) = errors.get(path) {
            return Err(LoadError::Goose(format!(
                "{path}: {count} operations failed, the first with: {first}"
            )));
        }
        let mut path_stats = PathStats::from_samples(
            *path,
            samples.remove(path).unwrap_or_default(),
            0,
            busy.get(path).copied().unwrap_or_default(),
        );
        if let Some(probe) = probe.as_mut() {
            let plans = work == WorkMode::CountsAndPlans;
            path_stats.work = Some(probe.collect(path_stats.operations, plans).await?);
        }
        stats.push(path_stats);
    }
    if let Some(probe) = probe {
        probe.close().await;
    }
    app.close().await;
    system.close().await;
    admin.close().await;
    Ok(RoundOutcome {
        paths: stats,
        work_unavailable,
    })
}

/// One goose attack: `users` users each doing `iterations` operations of
/// `path`; goose schedules the users, the scenarios time the work.
async fn attack(
    context: Arc<Context>,
    path: CriticalPath,
    users: usize,
    iterations: usize,
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
        Box::pin(async move {
            if let Some(state) = user.get_session_data_mut::<UserState>() {
                context.operate(path, state).await;
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
