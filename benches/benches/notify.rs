//! Notify repositories against the same work written by hand in sqlx, side
//! by side in one run, on the load run's dataset: 50 tenants, 100k pending
//! deliveries, 10k rules, 5k active escalations, 100k inbox items.
//!
//! | bench | what one iteration does |
//! |---|---|
//! | `delivery_enqueue` | a tenant transaction that reads the channel's quiet hours and inserts one delivery by its idempotency key |
//! | `delivery_claim` | a system transaction that claims one due delivery among 100k (SKIP LOCKED) |
//! | `rule_match` | a tenant transaction that reads the ~20 enabled rules of an event kind among 200 |
//! | `escalation_due` | a system transaction that advances up to 10 due escalations among 5k |
//! | `inbox_page` | a tenant transaction that reads one user's newest 20 inbox items |
//!
//! Both sides send the same statements in the same transaction shape:
//! `BEGIN` with the session settings, the bound tenant (tenant work), the
//! statements, `COMMIT`. Seeding and pools are outside the timed part.
//!
//! Run: `cargo bench -p stellaops-benches --bench notify`
//! (`STELLAOPS_BENCH_ROUNDS`, default 21; `STELLAOPS_BENCH_OPS`, default 100).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use sqlx::{AssertSqlSafe, PgPool};
use stellaops_benches::load::{Volume, seeded_uuid};
use stellaops_benches::side_by_side::{self, BEGIN, BenchPools, Side};
use stellaops_harness::TestDb;
use stellaops_storage::notify::{Delivery, InboxItem, InboxQuery, NewDelivery, Notify, Rule};
use stellaops_storage::{ModuleStorage, PageRequest, SystemClock, SystemContext, TenantContext};
use uuid::Uuid;

const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
const ESCALATION_LIMIT: i64 = 10;
const INBOX_PAGE: i64 = 20;

const DELIVERY_COLUMNS: &str = "tenant_id, id, channel_id, rule_id, incident_id, event_id, \
     recipient, status, attempts, max_attempts, next_attempt_at, last_error, subject, payload, \
     external_id, idempotency_key, claimed_by, claimed_at, created_at, sent_at, delivered_at, \
     failed_at";
const QUIET_HOURS: &str = "SELECT tenant_id, id, name, channel_id, timezone, days_of_week, \
     starts_at, ends_at, enabled, created_at FROM notify.quiet_hours \
     WHERE enabled AND (channel_id IS NULL OR channel_id = $1)";
const RULE_MATCH: &str = "SELECT tenant_id, id, name, enabled, priority, event_kinds, filter, \
     channel_id, template_id, throttle_seconds, digest, created_at, updated_at \
     FROM notify.rules WHERE enabled AND $1 = ANY(event_kinds) \
     ORDER BY priority DESC, name, id";
const INBOX: &str = "SELECT tenant_id, id, user_id, event_id, title, body, severity, payload, \
     read_at, archived_at, created_at FROM notify.inbox WHERE user_id = $1 \
     AND (NOT $2 OR read_at IS NULL) AND ($3 OR archived_at IS NULL) \
     AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5)) \
     ORDER BY created_at DESC, id DESC LIMIT $6";

fn enqueue_sql() -> String {
    format!(
        "INSERT INTO notify.deliveries (tenant_id, id, idempotency_key, channel_id, rule_id, \
         event_id, recipient, subject, payload, max_attempts, status, attempts, next_attempt_at, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0, $11, $12) \
         ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING {DELIVERY_COLUMNS}"
    )
}

fn claim_sql() -> String {
    format!(
        "WITH picked AS MATERIALIZED ( \
           SELECT tenant_id AS picked_tenant, id AS picked_id FROM notify.deliveries \
           WHERE status IN ('pending', 'queued') AND next_attempt_at <= $1 \
             AND attempts < max_attempts \
           ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) \
         UPDATE notify.deliveries SET status = 'sending', attempts = attempts + 1, \
           claimed_by = $3, claimed_at = $1 \
         FROM picked WHERE tenant_id = picked_tenant AND id = picked_id \
         RETURNING {DELIVERY_COLUMNS}"
    )
}

/// The advance as the repository sends it; its rows are only counted here.
const ADVANCE: &str = "WITH due AS MATERIALIZED ( \
       SELECT s.tenant_id AS due_tenant, s.id AS due_id, \
         s.current_step AS fired_step, s.repeat_iteration AS fired_iteration, \
         s.next_escalation_at AS fired_at, p.steps AS policy_steps, \
         p.repeat_count AS policy_repeats \
       FROM notify.escalation_states s \
       JOIN notify.escalation_policies p ON p.tenant_id = s.tenant_id AND p.id = s.policy_id \
       WHERE s.status = 'active' AND s.next_escalation_at <= $1 \
       ORDER BY s.next_escalation_at, s.id LIMIT $2 \
       FOR UPDATE OF s SKIP LOCKED), \
     moved AS ( \
       SELECT due.*, \
         CASE WHEN fired_step + 1 < jsonb_array_length(policy_steps) \
              THEN fired_step + 1 ELSE 0 END AS next_step, \
         CASE WHEN fired_step + 1 < jsonb_array_length(policy_steps) \
              THEN fired_iteration ELSE fired_iteration + 1 END AS next_iteration \
       FROM due) \
     UPDATE notify.escalation_states SET \
       status = CASE WHEN next_iteration > policy_repeats THEN 'expired' ELSE 'active' END, \
       current_step = CASE WHEN next_iteration > policy_repeats THEN fired_step \
                           ELSE next_step END, \
       repeat_iteration = CASE WHEN next_iteration > policy_repeats \
                               THEN fired_iteration ELSE next_iteration END, \
       next_escalation_at = CASE WHEN next_iteration > policy_repeats THEN NULL \
         ELSE fired_at + make_interval(secs => \
           (policy_steps -> next_step ->> 'delay_seconds')::double precision) END, \
       updated_at = $1 \
     FROM moved WHERE tenant_id = due_tenant AND id = due_id \
     RETURNING tenant_id, id, incident_id, policy_id, status, current_step, repeat_iteration, \
       next_escalation_at, acknowledged_at, acknowledged_by, created_at, updated_at, \
       fired_step, fired_iteration, fired_at, policy_steps -> fired_step -> 'channels' AS fired_channels";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Path {
    DeliveryEnqueue,
    DeliveryClaim,
    RuleMatch,
    EscalationDue,
    InboxPage,
}

impl Path {
    const ALL: [Path; 5] = [
        Path::DeliveryEnqueue,
        Path::DeliveryClaim,
        Path::RuleMatch,
        Path::EscalationDue,
        Path::InboxPage,
    ];

    fn name(self) -> &'static str {
        match self {
            Path::DeliveryEnqueue => "delivery_enqueue",
            Path::DeliveryClaim => "delivery_claim",
            Path::RuleMatch => "rule_match",
            Path::EscalationDue => "escalation_due",
            Path::InboxPage => "inbox_page",
        }
    }
}

/// Everything one side needs, set up before any timing.
struct Fixture {
    notify: Notify,
    app: PgPool,
    system: PgPool,
    tenant: TenantContext,
    channel: Uuid,
    /// Enqueues never repeat a key, on either side.
    enqueued: AtomicU64,
}

impl Fixture {
    async fn tenant_tx(&self) -> sqlx::Transaction<'static, sqlx::Postgres> {
        side_by_side::tenant_tx(&self.app, &self.tenant).await
    }

    fn new_delivery(&self, side: Side) -> NewDelivery {
        let n = self.enqueued.fetch_add(1, Ordering::Relaxed);
        let mut new = NewDelivery::new(
            format!("bench-{}-{n}", side.name()),
            self.channel,
            format!("bench-{}-{n}", side.name()),
            "ops@bench.test",
        );
        new.payload = serde_json::json!({"scan": n});
        new
    }

    async fn run(&self, path: Path, side: Side, i: usize) {
        let system = SystemContext::new("bench");
        let kind = format!("kind-{}", i % 10);
        let user = seeded_uuid(&format!("u/7/{}", 1 + i % 100));
        match (path, side) {
            (Path::DeliveryEnqueue, Side::Repository) => {
                let new = self.new_delivery(side);
                let enqueued = self
                    .notify
                    .deliveries
                    .enqueue(&self.tenant, &new)
                    .await
                    .expect("enqueue");
                assert!(enqueued.created);
            }
            (Path::DeliveryEnqueue, Side::HandWritten) => {
                let new = self.new_delivery(side);
                let now = Utc::now();
                let mut tx = self.tenant_tx().await;
                let quiet = sqlx::query(QUIET_HOURS)
                    .bind(new.channel_id)
                    .fetch_all(&mut *tx)
                    .await
                    .expect("quiet hours");
                assert!(quiet.is_empty());
                let created = sqlx::query_as::<_, Delivery>(AssertSqlSafe(enqueue_sql()))
                    .bind(self.tenant.tenant().as_str())
                    .bind(new.id)
                    .bind(&new.idempotency_key)
                    .bind(new.channel_id)
                    .bind(new.rule_id)
                    .bind(&new.event_id)
                    .bind(&new.recipient)
                    .bind(&new.subject)
                    .bind(&new.payload)
                    .bind(new.max_attempts)
                    .bind(now)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await
                    .expect("enqueue");
                tx.commit().await.expect("commit");
                assert!(created.is_some());
            }
            (Path::DeliveryClaim, Side::Repository) => {
                let claimed = self
                    .notify
                    .deliveries
                    .claim_deliveries(&system, "measured", 1)
                    .await
                    .expect("claim");
                assert_eq!(claimed.len(), 1);
            }
            (Path::DeliveryClaim, Side::HandWritten) => {
                let mut tx = self.system.begin_with(BEGIN).await.expect("begin");
                let claimed = sqlx::query_as::<_, Delivery>(AssertSqlSafe(claim_sql()))
                    .bind(Utc::now())
                    .bind(1i64)
                    .bind("measured")
                    .fetch_all(&mut *tx)
                    .await
                    .expect("claim");
                tx.commit().await.expect("commit");
                assert_eq!(claimed.len(), 1);
            }
            (Path::RuleMatch, Side::Repository) => {
                let rules = self
                    .notify
                    .rules
                    .matching_rules(&self.tenant, &kind)
                    .await
                    .expect("match");
                assert!(!rules.is_empty());
            }
            (Path::RuleMatch, Side::HandWritten) => {
                let mut tx = self.tenant_tx().await;
                let rules = sqlx::query_as::<_, Rule>(RULE_MATCH)
                    .bind(&kind)
                    .fetch_all(&mut *tx)
                    .await
                    .expect("match");
                tx.commit().await.expect("commit");
                assert!(!rules.is_empty());
            }
            (Path::EscalationDue, Side::Repository) => {
                let advanced = self
                    .notify
                    .escalations
                    .advance_escalations(&system, ESCALATION_LIMIT)
                    .await
                    .expect("advance");
                assert_eq!(advanced.len() as i64, ESCALATION_LIMIT);
            }
            (Path::EscalationDue, Side::HandWritten) => {
                let mut tx = self.system.begin_with(BEGIN).await.expect("begin");
                let advanced = sqlx::query(ADVANCE)
                    .bind(Utc::now())
                    .bind(ESCALATION_LIMIT)
                    .fetch_all(&mut *tx)
                    .await
                    .expect("advance");
                tx.commit().await.expect("commit");
                assert_eq!(advanced.len() as i64, ESCALATION_LIMIT);
            }
            (Path::InboxPage, Side::Repository) => {
                let query = InboxQuery {
                    page: PageRequest::first(INBOX_PAGE),
                    ..InboxQuery::default()
                };
                let page = self
                    .notify
                    .inbox
                    .inbox_page(&self.tenant, user, &query)
                    .await
                    .expect("inbox");
                assert_eq!(page.items.len() as i64, INBOX_PAGE);
            }
            (Path::InboxPage, Side::HandWritten) => {
                let mut tx = self.tenant_tx().await;
                let items = sqlx::query_as::<_, InboxItem>(INBOX)
                    .bind(user)
                    .bind(false)
                    .bind(false)
                    .bind(None::<chrono::DateTime<Utc>>)
                    .bind(None::<Uuid>)
                    .bind(INBOX_PAGE + 1)
                    .fetch_all(&mut *tx)
                    .await
                    .expect("inbox");
                tx.commit().await.expect("commit");
                assert!(items.len() as i64 >= INBOX_PAGE);
            }
        }
    }
}

async fn set_up(db: &TestDb) -> (Fixture, BenchPools) {
    let pools = BenchPools::new(db, COMMAND_TIMEOUT).await;
    let fixture = Fixture {
        notify: Notify::postgres(pools.source.clone(), Arc::new(SystemClock)),
        app: pools.app.clone(),
        system: pools.system.clone(),
        tenant: TenantContext::new(&Volume::tenant(7)).expect("tenant"),
        channel: seeded_uuid("nc/7/1"),
        enqueued: AtomicU64::new(0),
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
    runtime.block_on(side_by_side::seed_module(&db, "notify"));
    let (fixture, pools) = runtime.block_on(set_up(&db));
    side_by_side::measure(
        &runtime,
        "Notify",
        &Path::ALL,
        Path::name,
        |path, side, i| fixture.run(path, side, i),
    );
    runtime.block_on(async {
        pools.close().await;
        db.close().await.expect("dropping the bench database");
    });
}
