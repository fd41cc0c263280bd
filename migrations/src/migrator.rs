//! The runner: applies pending migrations one transaction each, records them,
//! and refuses changed ones.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};

use crate::lock::{DEFAULT_LOCK_WAIT, MIGRATION_LOCK_KEY, MigrationLock};
use crate::{Category, MigrateError, Migration, MigrationSet};

const CREATE_TRACKING_TABLE: &str = "
    CREATE SCHEMA IF NOT EXISTS stellaops_migrations;
    CREATE TABLE IF NOT EXISTS stellaops_migrations.applied (
        module      text        COLLATE \"C\" NOT NULL,
        version     bigint      NOT NULL,
        name        text        NOT NULL,
        category    text        NOT NULL CHECK (category IN ('startup', 'release', 'seed', 'data')),
        checksum    text        NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now(),
        duration_ms bigint      NOT NULL,
        PRIMARY KEY (module, version)
    );
    REVOKE ALL ON SCHEMA stellaops_migrations FROM PUBLIC;";

/// A migration recorded in the tracking table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    pub module: String,
    pub version: i64,
    pub name: String,
    pub category: Category,
    pub duration: Duration,
}

/// What one `apply` did.
#[derive(Debug, Default)]
pub struct ApplyReport {
    /// Migrations this run applied, in order.
    pub applied: Vec<AppliedMigration>,
    /// Per module, the first pending migration whose category was not asked
    /// for: it and everything after it in that module wait for an explicit run.
    pub held_back: Vec<Migration>,
}

/// Where one migration of the set stands on a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationState {
    Applied {
        at: String,
    },
    Pending,
    /// Applied, but the file no longer matches the recorded checksum.
    Changed {
        recorded: String,
    },
}

/// One row of `status`.
#[derive(Debug, Clone)]
pub struct StatusRow {
    pub migration: Migration,
    pub state: MigrationState,
}

/// Applies a [`MigrationSet`] to a database.
///
/// Plain `apply` runs the automatic categories (startup and seed); release and
/// data migrations run only when included explicitly. Within a module,
/// migrations apply strictly in version order: a pending migration that is not
/// included holds back the rest of its module.
#[derive(Debug, Clone)]
pub struct Migrator {
    set: MigrationSet,
    included: BTreeSet<Category>,
    lock_wait: Duration,
}

/// A tracking-table row: what was recorded for (module, version).
#[derive(Debug)]
struct Recorded {
    name: String,
    checksum: String,
    applied_at: String,
}

type RecordedSet = HashMap<(String, i64), Recorded>;

impl Migrator {
    pub fn new(set: MigrationSet) -> Self {
        Migrator {
            set,
            included: Category::ALL
                .into_iter()
                .filter(|c| c.is_automatic())
                .collect(),
            lock_wait: DEFAULT_LOCK_WAIT,
        }
    }

    /// Also apply migrations of `category` (release or data).
    pub fn include(mut self, category: Category) -> Self {
        self.included.insert(category);
        self
    }

    /// Apply every category: what a throwaway test template wants.
    pub fn include_all(mut self) -> Self {
        self.included.extend(Category::ALL);
        self
    }

    /// The longest wait for another runner's lock before failing.
    pub fn lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    pub fn set(&self) -> &MigrationSet {
        &self.set
    }

    /// Applies what is pending, each migration in its own transaction, under
    /// the migration lock. A second run is a no-op.
    pub async fn apply(&self, pool: &PgPool) -> Result<ApplyReport, MigrateError> {
        let conn = PgConnection::connect_with(&pool.connect_options()).await?;
        let mut lock = MigrationLock::acquire(conn, MIGRATION_LOCK_KEY, self.lock_wait).await?;
        let outcome = self.apply_locked(lock.connection()).await;
        let released = lock.release().await;
        let report = outcome?;
        released?;
        Ok(report)
    }

    async fn apply_locked(&self, conn: &mut PgConnection) -> Result<ApplyReport, MigrateError> {
        sqlx::raw_sql(CREATE_TRACKING_TABLE)
            .execute(&mut *conn)
            .await?;
        let recorded = recorded(conn).await?;
        self.check_recorded(&recorded)?;

        let mut report = ApplyReport::default();
        let mut held_modules: BTreeSet<&str> = BTreeSet::new();
        for migration in self.set.migrations() {
            if recorded.contains_key(&(migration.module.clone(), migration.version))
                || held_modules.contains(migration.module.as_str())
            {
                continue;
            }
            if !self.included.contains(&migration.category) {
                held_modules.insert(&migration.module);
                report.held_back.push(migration.clone());
                continue;
            }
            report.applied.push(apply_one(conn, migration).await?);
        }
        Ok(report)
    }

    /// Every migration of the set and its state. Read-only.
    pub async fn status(&self, pool: &PgPool) -> Result<Vec<StatusRow>, MigrateError> {
        let mut conn = pool.acquire().await?;
        let recorded = recorded(&mut conn).await?;
        Ok(self
            .set
            .migrations()
            .iter()
            .map(|m| {
                let state = match recorded.get(&(m.module.clone(), m.version)) {
                    None => MigrationState::Pending,
                    Some(row) if row.checksum != m.checksum => MigrationState::Changed {
                        recorded: row.checksum.clone(),
                    },
                    Some(row) => MigrationState::Applied {
                        at: row.applied_at.clone(),
                    },
                };
                StatusRow {
                    migration: m.clone(),
                    state,
                }
            })
            .collect())
    }

    /// Fails when an applied migration changed or disappeared. Read-only.
    pub async fn validate(&self, pool: &PgPool) -> Result<(), MigrateError> {
        let mut conn = pool.acquire().await?;
        let recorded = recorded(&mut conn).await?;
        self.check_recorded(&recorded)
    }

    fn check_recorded(&self, recorded: &RecordedSet) -> Result<(), MigrateError> {
        let by_key: HashMap<(&str, i64), &Migration> = self
            .set
            .migrations()
            .iter()
            .map(|m| ((m.module.as_str(), m.version), m))
            .collect();
        let mut keys: Vec<_> = recorded.keys().collect();
        keys.sort();
        for key in keys {
            let row = &recorded[key];
            match by_key.get(&(key.0.as_str(), key.1)) {
                Some(m) if m.checksum != row.checksum => {
                    return Err(MigrateError::ChecksumMismatch {
                        module: m.module.clone(),
                        version: m.version,
                        file: m.file.clone(),
                        recorded: row.checksum.clone(),
                        current: m.checksum.clone(),
                    });
                }
                Some(_) => {}
                None if self.set.modules().contains(&key.0) => {
                    return Err(MigrateError::MissingApplied {
                        module: key.0.clone(),
                        version: key.1,
                        name: row.name.clone(),
                    });
                }
                // A module this set does not manage (another tool's schema) is not ours to judge.
                None => {}
            }
        }
        Ok(())
    }
}

/// The tracking table's rows, or none when it does not exist yet.
async fn recorded(conn: &mut PgConnection) -> Result<RecordedSet, MigrateError> {
    let exists: bool =
        sqlx::query_scalar("SELECT to_regclass('stellaops_migrations.applied') IS NOT NULL")
            .fetch_one(&mut *conn)
            .await?;
    if !exists {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i64, String, String, String)> = sqlx::query_as(
        "SELECT module, version, name, checksum, applied_at::text FROM stellaops_migrations.applied",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(module, version, name, checksum, applied_at)| {
            let row = Recorded {
                name,
                checksum,
                applied_at,
            };
            ((module, version), row)
        })
        .collect())
}

async fn apply_one(
    conn: &mut PgConnection,
    m: &Migration,
) -> Result<AppliedMigration, MigrateError> {
    let failed = |source: sqlx::Error| MigrateError::Apply {
        module: m.module.clone(),
        version: m.version,
        file: m.file.clone(),
        source,
    };
    let started = Instant::now();
    if m.no_transaction {
        sqlx::raw_sql(AssertSqlSafe(m.sql.clone()))
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
        sqlx::raw_sql("RESET ROLE")
            .execute(&mut *conn)
            .await
            .map_err(failed)?;
        record(&mut *conn, m, started.elapsed())
            .await
            .map_err(failed)?;
    } else {
        let mut tx = conn.begin().await.map_err(failed)?;
        // Dropping `tx` on any error path rolls the migration back whole.
        sqlx::raw_sql(AssertSqlSafe(m.sql.clone()))
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        // A migration may SET LOCAL ROLE to its schema owner; the record is the runner's.
        sqlx::raw_sql("RESET ROLE")
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        record(&mut tx, m, started.elapsed())
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
    }
    Ok(AppliedMigration {
        module: m.module.clone(),
        version: m.version,
        name: m.name.clone(),
        category: m.category,
        duration: started.elapsed(),
    })
}

async fn record(conn: &mut PgConnection, m: &Migration, took: Duration) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO stellaops_migrations.applied (module, version, name, category, checksum, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&m.module)
    .bind(m.version)
    .bind(&m.name)
    .bind(m.category.as_str())
    .bind(&m.checksum)
    .bind(i64::try_from(took.as_millis()).unwrap_or(i64::MAX))
    .execute(conn)
    .await?;
    Ok(())
}
