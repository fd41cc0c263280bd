//! Policy repositories against the same work written by hand in sqlx, side
//! by side in one run, on the load run's dataset: 50 tenants, 500 packs,
//! 5k versions with 100k rules, 100k evaluation runs (200k explanations),
//! 50k exceptions.
//!
//! | bench | what one iteration does |
//! |---|---|
//! | `active_version` | a tenant transaction that reads a pack's published version |
//! | `rules_of_version` | a tenant transaction that reads a version's 20 rules in evaluation order |
//! | `exceptions_active` | a tenant transaction that reads the exceptions waiving a rule of a pack at an instant, among 1k |
//! | `evaluation_record` | three tenant transactions: record a run, start it, complete it (row lock, replay lock, the earlier replay's hash, the update) |
//! | `explanations_page` | a tenant transaction that reads 50 explanations of a run after a finding key |
//!
//! Both sides send the same statements in the same transaction shape:
//! `BEGIN` with the session settings, the bound tenant, the statements,
//! `COMMIT`. Seeding and pools are outside the timed part.
//!
//! Run: `cargo bench -p stellaops-benches --bench policy`
//! (`STELLAOPS_BENCH_ROUNDS`, default 21; `STELLAOPS_BENCH_OPS`, default 100).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use sqlx::{AssertSqlSafe, PgPool};
use stellaops_benches::load::{
    EXPLANATIONS_PAGE, EXPLANATIONS_PER_RUN, POLICY_VERSIONS, RULES_PER_VERSION, Volume,
    exceptions_instant, seeded_digest, seeded_uuid,
};
use stellaops_benches::side_by_side::{self, BenchPools, Side};
use stellaops_harness::TestDb;
use stellaops_storage::policy::{
    EvaluationMode, EvaluationOutcome, EvaluationRun, Exception, Explanation, NewEvaluation,
    PackVersion, Policy, PolicyRule,
};
use stellaops_storage::{ModuleStorage, PageRequest, SystemClock, TenantContext};
use uuid::Uuid;

const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// The bench's tenant (by number in the dataset).
const TENANT: u32 = 7;

const VERSION_COLUMNS: &str = "tenant_id, id, pack_id, version, status, source, compiled, \
     digest, submitted_by, approved_by, published_at, created_at";
const RULE_COLUMNS: &str = "tenant_id, id, pack_version_id, rule_key, name, severity, action, \
     condition, priority, created_at";
const EXCEPTION_COLUMNS: &str = "tenant_id, id, name, pack_id, rule_key, scope, status, reason, \
     requested_by, approved_by, approved_at, expires_at, created_at, updated_at";
const EVALUATION_COLUMNS: &str = "tenant_id, id, pack_version_id, risk_profile_id, mode, status, \
     input_digest, determinism_hash, findings_total, findings_changed, stats, error, created_at, \
     started_at, completed_at";
const EXPLANATION_COLUMNS: &str = "tenant_id, id, evaluation_run_id, finding_key, rule_id, \
     verdict, severity, inputs, trace, created_at";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Path {
    ActiveVersion,
    RulesOfVersion,
    ExceptionsActive,
    EvaluationRecord,
    ExplanationsPage,
}

impl Path {
    const ALL: [Path; 5] = [
        Path::ActiveVersion,
        Path::RulesOfVersion,
        Path::ExceptionsActive,
        Path::EvaluationRecord,
        Path::ExplanationsPage,
    ];

    fn name(self) -> &'static str {
        match self {
            Path::ActiveVersion => "active_version",
            Path::RulesOfVersion => "rules_of_version",
            Path::ExceptionsActive => "exceptions_active",
            Path::EvaluationRecord => "evaluation_record",
            Path::ExplanationsPage => "explanations_page",
        }
    }
}

/// Everything one side needs, set up before any timing.
struct Fixture {
    policy: Policy,
    app: PgPool,
    tenant: TenantContext,
    volume: Volume,
    /// Recorded runs never repeat an id, on either side.
    recorded: AtomicU64,
}

/// What operation `i` works on: the same on both sides.
struct Pick {
    pack: Uuid,
    version: Uuid,
    rule_key: String,
    replayed: u32,
    explained_run: Uuid,
    after: String,
}

impl Fixture {
    async fn tenant_tx(&self) -> sqlx::Transaction<'static, sqlx::Postgres> {
        side_by_side::tenant_tx(&self.app, &self.tenant).await
    }

    fn pick(&self, i: usize) -> Pick {
        let packs = self.volume.packs_per_tenant as usize;
        let p = 1 + i % packs;
        let runs = self.volume.evaluations_per_tenant as usize;
        let explained = self.volume.explained_runs_per_tenant as usize;
        let last_start = (EXPLANATIONS_PER_RUN as usize) - EXPLANATIONS_PAGE as usize;
        Pick {
            pack: seeded_uuid(&format!("pp/{TENANT}/{p}")),
            version: seeded_uuid(&format!("pv/{TENANT}/{p}/{POLICY_VERSIONS}")),
            rule_key: format!("rule-{:02}", i % RULES_PER_VERSION as usize),
            replayed: (1 + (i / packs) % runs) as u32,
            explained_run: seeded_uuid(&format!("pe/{TENANT}/{}", 1 + i % explained)),
            after: format!("finding-{:04}", (i / explained) % last_start),
        }
    }

    /// A replay of seeded run `r`: its version, inputs and result.
    fn replay(&self, r: u32) -> (NewEvaluation, EvaluationOutcome) {
        let n = self.recorded.fetch_add(1, Ordering::Relaxed);
        let pack = 1 + r % self.volume.packs_per_tenant;
        let new = NewEvaluation {
            id: Uuid::from_u128(0xbe_0000_0000_0000_0000_0000_0000_0000 | u128::from(n)),
            pack_version_id: seeded_uuid(&format!("pv/{TENANT}/{pack}/{POLICY_VERSIONS}")),
            risk_profile_id: None,
            mode: EvaluationMode::Full,
            input_digest: seeded_digest(&format!("in/{TENANT}/{r}")),
        };
        let outcome = EvaluationOutcome {
            determinism_hash: seeded_digest(&format!("out/{TENANT}/{r}")),
            findings_total: (r % 100) as i32,
            findings_changed: (r % 100 / 10) as i32,
            stats: serde_json::json!({"n": r}),
        };
        (new, outcome)
    }

    async fn run(&self, path: Path, side: Side, i: usize) {
        let pick = self.pick(i);
        match (path, side) {
            (Path::ActiveVersion, Side::Repository) => {
                let active = self
                    .policy
                    .versions
                    .active_version(&self.tenant, pick.pack)
                    .await
                    .expect("active version");
                assert!(active.is_some());
            }
            (Path::ActiveVersion, Side::HandWritten) => {
                let mut tx = self.tenant_tx().await;
                let active = sqlx::query_as::<_, PackVersion>(AssertSqlSafe(format!(
                    "SELECT {VERSION_COLUMNS} FROM policy.pack_versions \
                     WHERE pack_id = $1 AND status = 'published'"
                )))
                .bind(pick.pack)
                .fetch_optional(&mut *tx)
                .await
                .expect("active version");
                tx.commit().await.expect("commit");
                assert!(active.is_some());
            }
            (Path::RulesOfVersion, Side::Repository) => {
                let rules = self
                    .policy
                    .rules
                    .rules_of_version(&self.tenant, pick.version)
                    .await
                    .expect("rules");
                assert_eq!(rules.len(), RULES_PER_VERSION as usize);
            }
            (Path::RulesOfVersion, Side::HandWritten) => {
                let mut tx = self.tenant_tx().await;
                let rules = sqlx::query_as::<_, PolicyRule>(AssertSqlSafe(format!(
                    "SELECT {RULE_COLUMNS} FROM policy.rules WHERE pack_version_id = $1 \
                     ORDER BY priority DESC, name, id"
                )))
                .bind(pick.version)
                .fetch_all(&mut *tx)
                .await
                .expect("rules");
                tx.commit().await.expect("commit");
                assert_eq!(rules.len(), RULES_PER_VERSION as usize);
            }
            (Path::ExceptionsActive, Side::Repository) => {
                let active = self
                    .policy
                    .exceptions
                    .active_exceptions(
                        &self.tenant,
                        pick.pack,
                        &pick.rule_key,
                        exceptions_instant(),
                    )
                    .await
                    .expect("exceptions");
                assert!(!active.is_empty());
            }
            (Path::ExceptionsActive, Side::HandWritten) => {
                let mut tx = self.tenant_tx().await;
                let active = sqlx::query_as::<_, Exception>(AssertSqlSafe(format!(
                    "SELECT {EXCEPTION_COLUMNS} FROM policy.exceptions \
                     WHERE status = 'approved' AND approved_at <= $3 AND $3 < expires_at \
                       AND (pack_id IS NULL OR pack_id = $1) \
                       AND (rule_key IS NULL OR rule_key = $2) \
                     ORDER BY expires_at, id"
                )))
                .bind(pick.pack)
                .bind(&pick.rule_key)
                .bind(exceptions_instant())
                .fetch_all(&mut *tx)
                .await
                .expect("exceptions");
                tx.commit().await.expect("commit");
                assert!(!active.is_empty());
            }
            (Path::EvaluationRecord, Side::Repository) => {
                let (new, outcome) = self.replay(pick.replayed);
                let evaluations = &self.policy.evaluations;
                evaluations
                    .record_evaluation(&self.tenant, &new)
                    .await
                    .expect("record");
                evaluations
                    .start_evaluation(&self.tenant, new.id)
                    .await
                    .expect("start");
                evaluations
                    .complete_evaluation(&self.tenant, new.id, &outcome)
                    .await
                    .expect("complete");
            }
            (Path::EvaluationRecord, Side::HandWritten) => {
                let (new, outcome) = self.replay(pick.replayed);
                self.record_by_hand(&new, &outcome).await;
            }
            (Path::ExplanationsPage, Side::Repository) => {
                let page = PageRequest::after(EXPLANATIONS_PAGE, pick.after.clone());
                let page = self
                    .policy
                    .explanations
                    .explanations_page(&self.tenant, pick.explained_run, &page)
                    .await
                    .expect("explanations");
                assert_eq!(page.items.len() as i64, EXPLANATIONS_PAGE);
            }
            (Path::ExplanationsPage, Side::HandWritten) => {
                let mut tx = self.tenant_tx().await;
                let items = sqlx::query_as::<_, Explanation>(AssertSqlSafe(format!(
                    "SELECT {EXPLANATION_COLUMNS} FROM policy.explanations \
                     WHERE evaluation_run_id = $1 AND ($2::text IS NULL OR finding_key > $2) \
                     ORDER BY finding_key LIMIT $3"
                )))
                .bind(pick.explained_run)
                .bind(Some(pick.after.clone()))
                .bind(EXPLANATIONS_PAGE + 1)
                .fetch_all(&mut *tx)
                .await
                .expect("explanations");
                tx.commit().await.expect("commit");
                assert!(items.len() as i64 >= EXPLANATIONS_PAGE);
            }
        }
    }

    /// Record, start and complete, as three transactions of the statements
    /// the repository sends.
    async fn record_by_hand(&self, new: &NewEvaluation, outcome: &EvaluationOutcome) {
        let tenant = self.tenant.tenant().as_str();
        let mut tx = self.tenant_tx().await;
        sqlx::query_as::<_, EvaluationRun>(AssertSqlSafe(format!(
            "INSERT INTO policy.evaluation_runs (tenant_id, id, pack_version_id, \
             risk_profile_id, mode, input_digest, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {EVALUATION_COLUMNS}"
        )))
        .bind(tenant)
        .bind(new.id)
        .bind(new.pack_version_id)
        .bind(new.risk_profile_id)
        .bind(new.mode.as_str())
        .bind(&new.input_digest)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await
        .expect("record");
        tx.commit().await.expect("commit");
        for to in ["running", "completed"] {
            let mut tx = self.tenant_tx().await;
            let current = sqlx::query_as::<_, EvaluationRun>(AssertSqlSafe(format!(
                "SELECT {EVALUATION_COLUMNS} FROM policy.evaluation_runs WHERE id = $1 \
                 FOR UPDATE"
            )))
            .bind(new.id)
            .fetch_one(&mut *tx)
            .await
            .expect("lock the run");
            let completing = to == "completed";
            if completing {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(format!(
                        "policy.evaluation_runs\n{tenant}\n{}\n{:?}\n{:?}",
                        current.pack_version_id, current.risk_profile_id, current.input_digest
                    ))
                    .execute(&mut *tx)
                    .await
                    .expect("replay lock");
                let earlier: Option<(Uuid, String)> = sqlx::query_as(
                    "SELECT id, determinism_hash FROM policy.evaluation_runs \
                     WHERE status = 'completed' AND pack_version_id = $1 \
                       AND risk_profile_id IS NOT DISTINCT FROM $2 \
                       AND input_digest IS NOT DISTINCT FROM $3 AND id <> $4 \
                     ORDER BY completed_at, id LIMIT 1",
                )
                .bind(current.pack_version_id)
                .bind(current.risk_profile_id)
                .bind(&current.input_digest)
                .bind(new.id)
                .fetch_optional(&mut *tx)
                .await
                .expect("earlier replay");
                let (_, hash) = earlier.expect("the seeded run this replays");
                assert_eq!(hash, outcome.determinism_hash);
            }
            let done = completing.then_some(outcome);
            sqlx::query_as::<_, EvaluationRun>(AssertSqlSafe(format!(
                "UPDATE policy.evaluation_runs SET status = $2, \
                   started_at = CASE WHEN $2 = 'running' THEN $3 ELSE started_at END, \
                   completed_at = CASE WHEN $2 IN ('completed', 'failed', 'cancelled') \
                                       THEN $3 ELSE completed_at END, \
                   determinism_hash = COALESCE($4, determinism_hash), \
                   findings_total = COALESCE($5, findings_total), \
                   findings_changed = COALESCE($6, findings_changed), \
                   stats = COALESCE($7, stats), \
                   error = COALESCE($8, error) \
                 WHERE id = $1 RETURNING {EVALUATION_COLUMNS}"
            )))
            .bind(new.id)
            .bind(to)
            .bind(Utc::now())
            .bind(done.map(|o| o.determinism_hash.clone()))
            .bind(done.map(|o| o.findings_total))
            .bind(done.map(|o| o.findings_changed))
            .bind(done.map(|o| o.stats.clone()))
            .bind(None::<String>)
            .fetch_one(&mut *tx)
            .await
            .expect("move the run");
            tx.commit().await.expect("commit");
        }
    }
}

async fn set_up(db: &TestDb) -> (Fixture, BenchPools) {
    let pools = BenchPools::new(db, COMMAND_TIMEOUT).await;
    let fixture = Fixture {
        policy: Policy::postgres(pools.source.clone(), Arc::new(SystemClock)),
        app: pools.app.clone(),
        tenant: TenantContext::new(&Volume::tenant(TENANT)).expect("tenant"),
        volume: Volume::default(),
        recorded: AtomicU64::new(0),
    };
    (fixture, pools)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let db = runtime.block_on(async { TestDb::new().await.expect("bench database") });
    runtime.block_on(side_by_side::seed_module(&db, "policy"));
    let (fixture, pools) = runtime.block_on(set_up(&db));
    side_by_side::measure(
        &runtime,
        "Policy",
        &Path::ALL,
        Path::name,
        |path, side, i| fixture.run(path, side, i),
    );
    runtime.block_on(async {
        pools.close().await;
        db.close().await.expect("dropping the bench database");
    });
}
