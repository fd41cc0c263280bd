//! The load dataset: seeded deterministically at a realistic volume into a
//! database made from the migration template, then sealed as a template of
//! its own, so every round starts on a fresh clone of the same bytes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use stellaops_harness::naming::{Owner, quote_ident};
use stellaops_harness::{Server, ensure_template, pool, sweep};

use super::LoadError;

/// The volume of the dataset. The defaults are the floors of the load
/// issues: 50 tenants, 50k users, 100k tokens, 10k schedules, 10k runs;
/// for notify 100k deliveries, 10k rules, 5k escalations and 100k inbox
/// items; for policy 500 packs, 5k versions (100k rules), 100k evaluation
/// runs (200k explanations) and 50k exceptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Volume {
    pub tenants: u32,
    pub users_per_tenant: u32,
    pub tokens_per_user: u32,
    pub schedules_per_tenant: u32,
    pub runs_per_tenant: u32,
    #[serde(default)]
    pub deliveries_per_tenant: u32,
    #[serde(default)]
    pub rules_per_tenant: u32,
    #[serde(default)]
    pub escalations_per_tenant: u32,
    /// Users with an inbox, each holding [`INBOX_PER_USER`] items.
    #[serde(default)]
    pub inbox_users_per_tenant: u32,
    /// Policy packs, each with [`POLICY_VERSIONS`] versions (the last one
    /// published, the others retired) of [`RULES_PER_VERSION`] rules.
    #[serde(default)]
    pub packs_per_tenant: u32,
    /// Completed evaluation runs, spread over the packs' active versions.
    #[serde(default)]
    pub evaluations_per_tenant: u32,
    /// Runs (the first ones) with [`EXPLANATIONS_PER_RUN`] explanations each.
    #[serde(default)]
    pub explained_runs_per_tenant: u32,
    /// Exceptions: proposed, approved, expired, revoked, and tenant-wide.
    #[serde(default)]
    pub exceptions_per_tenant: u32,
}

impl Default for Volume {
    fn default() -> Self {
        Volume {
            tenants: 50,
            users_per_tenant: 1_000,
            tokens_per_user: 2,
            schedules_per_tenant: 200,
            runs_per_tenant: 200,
            deliveries_per_tenant: 2_000,
            rules_per_tenant: 200,
            escalations_per_tenant: 100,
            inbox_users_per_tenant: 100,
            packs_per_tenant: 10,
            evaluations_per_tenant: 2_000,
            explained_runs_per_tenant: 20,
            exceptions_per_tenant: 1_000,
        }
    }
}

/// Channels every tenant has (rules and deliveries spread over them).
pub const CHANNELS: u32 = 5;
/// Event kinds the rules listen to (each rule one, round robin).
pub const EVENT_KINDS: u32 = 10;
/// Items in each seeded inbox.
pub const INBOX_PER_USER: u32 = 20;
/// Stages of the seeded escalation policy (no delays) and its repeats: an
/// escalation stays due for stages x (repeats + 1) advances.
pub const POLICY_STAGES: u32 = 20;
pub const POLICY_REPEATS: u32 = 10;
/// Versions of every policy pack: 1 to 9 retired, 10 published (active).
pub const POLICY_VERSIONS: u32 = 10;
/// Rules of every pack version, keys `rule-00` to `rule-19`.
pub const RULES_PER_VERSION: u32 = 20;
/// Explanations of each explained run, finding keys `finding-0001` on.
pub const EXPLANATIONS_PER_RUN: u32 = 200;
/// One exception in this many waives every rule of every pack of its
/// tenant, approved until 2100: an active-exception lookup finds one.
pub const TENANT_WIDE_EVERY: u32 = 50;

/// Roles every tenant has.
pub const ROLES: [&str; 3] = ["admin", "auditor", "operator"];
/// One schedule in this many is due when a round starts.
pub const DUE_EVERY: u32 = 50;

impl Volume {
    /// A dataset small enough to seed in a second, with due schedules and
    /// queued runs: for tests of the machinery, never for measurements.
    pub const TINY: Volume = Volume {
        tenants: 3,
        users_per_tenant: 60,
        tokens_per_user: 2,
        schedules_per_tenant: 100,
        runs_per_tenant: 100,
        deliveries_per_tenant: 200,
        rules_per_tenant: 40,
        escalations_per_tenant: 20,
        inbox_users_per_tenant: 10,
        packs_per_tenant: 3,
        evaluations_per_tenant: 60,
        explained_runs_per_tenant: 3,
        exceptions_per_tenant: 100,
    };

    pub fn users(&self) -> u64 {
        u64::from(self.tenants) * u64::from(self.users_per_tenant)
    }

    pub fn tokens(&self) -> u64 {
        self.users() * u64::from(self.tokens_per_user)
    }

    pub fn schedules(&self) -> u64 {
        u64::from(self.tenants) * u64::from(self.schedules_per_tenant)
    }

    pub fn runs(&self) -> u64 {
        u64::from(self.tenants) * u64::from(self.runs_per_tenant)
    }

    pub fn deliveries(&self) -> u64 {
        u64::from(self.tenants) * u64::from(self.deliveries_per_tenant)
    }

    pub fn rules(&self) -> u64 {
        u64::from(self.tenants) * u64::from(self.rules_per_tenant)
    }

    pub fn packs(&self) -> u64 {
        u64::from(self.tenants) * u64::from(self.packs_per_tenant)
    }

    pub fn pack_versions(&self) -> u64 {
        self.packs() * u64::from(POLICY_VERSIONS)
    }

    pub fn evaluations(&self) -> u64 {
        u64::from(self.tenants) * u64::from(self.evaluations_per_tenant)
    }

    pub fn exceptions(&self) -> u64 {
        u64::from(self.tenants) * u64::from(self.exceptions_per_tenant)
    }

    /// The counts reports show: `50 tenants, 50000 users, …`.
    pub fn describe(&self) -> String {
        let per_tenant = |n: u32| u64::from(self.tenants) * u64::from(n);
        format!(
            "{} tenants, {} users, {} tokens, {} schedules, {} runs, {} deliveries, {} rules, \
             {} escalations, {} inbox items, {} policy packs, {} pack versions, {} policy rules, \
             {} evaluation runs, {} explanations, {} exceptions",
            self.tenants,
            self.users(),
            self.tokens(),
            self.schedules(),
            self.runs(),
            self.deliveries(),
            self.rules(),
            per_tenant(self.escalations_per_tenant),
            per_tenant(self.inbox_users_per_tenant) * u64::from(INBOX_PER_USER),
            self.packs(),
            self.pack_versions(),
            self.pack_versions() * u64::from(RULES_PER_VERSION),
            self.evaluations(),
            per_tenant(
                self.explained_runs_per_tenant
                    .min(self.evaluations_per_tenant)
            ) * u64::from(EXPLANATIONS_PER_RUN),
            self.exceptions()
        )
    }

    /// The code of tenant `t` (1-based).
    pub fn tenant(t: u32) -> String {
        format!("tenant-{t:02}")
    }

    /// The username of user `u` (1-based) in every tenant.
    pub fn username(u: u32) -> String {
        format!("user-{u:05}")
    }

    /// The seeding statements, in order. Every value is a function of the
    /// row's position: no `random()`, no `now()`, fixed times.
    pub fn statements(&self) -> Vec<String> {
        let Volume {
            tenants,
            users_per_tenant,
            tokens_per_user,
            schedules_per_tenant,
            runs_per_tenant,
            deliveries_per_tenant,
            rules_per_tenant,
            escalations_per_tenant,
            inbox_users_per_tenant,
            packs_per_tenant,
            evaluations_per_tenant,
            explained_runs_per_tenant,
            exceptions_per_tenant,
        } = *self;
        // Runs, explanations and exceptions belong to packs: none without.
        let (evaluations_per_tenant, explained_runs_per_tenant, exceptions_per_tenant) =
            if packs_per_tenant == 0 {
                (0, 0, 0)
            } else {
                (
                    evaluations_per_tenant,
                    explained_runs_per_tenant,
                    exceptions_per_tenant,
                )
            };
        let tenant = "'tenant-' || lpad(t::text, 2, '0')";
        vec![
            format!(
                "INSERT INTO authority.tenants (id, code, display_name, created_at, updated_at) \
                 SELECT md5('t/' || t)::uuid, {tenant}, 'Tenant ' || t, \
                        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t"
            ),
            format!(
                "INSERT INTO authority.users (tenant_id, id, subject_id, username, email, \
                   attributes, created_at, updated_at) \
                 SELECT {tenant}, md5('u/' || t || '/' || u)::uuid, \
                        md5('s/' || t || '/' || u)::uuid, 'user-' || lpad(u::text, 5, '0'), \
                        'user' || u || '@tenant' || t || '.test', jsonb_build_object('n', u), \
                        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {users_per_tenant}) u"
            ),
            format!(
                "INSERT INTO authority.roles (tenant_id, id, name, created_at, updated_at) \
                 SELECT {tenant}, md5('r/' || t || '/' || r.name)::uuid, r.name, \
                        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, \
                      unnest(ARRAY['{}', '{}', '{}']) AS r(name)",
                ROLES[0], ROLES[1], ROLES[2]
            ),
            // Every other user holds the auditor role.
            format!(
                "INSERT INTO authority.user_roles (tenant_id, user_id, role_id, granted_at) \
                 SELECT {tenant}, md5('u/' || t || '/' || u)::uuid, \
                        md5('r/' || t || '/auditor')::uuid, '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, generate_series(2, {users_per_tenant}, 2) u"
            ),
            format!(
                "INSERT INTO authority.tokens (tenant_id, id, token_hash, token_type, user_id, \
                   subject_id, issued_at, expires_at) \
                 SELECT {tenant}, md5('k/' || t || '/' || u || '/' || k)::uuid, \
                        md5('h/' || t || '/' || u || '/' || k), 'access', \
                        md5('u/' || t || '/' || u)::uuid, md5('s/' || t || '/' || u)::uuid, \
                        '2026-01-01T00:00:00Z', '2100-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {users_per_tenant}) u, \
                      generate_series(1, {tokens_per_user}) k"
            ),
            format!(
                "INSERT INTO authority.login_attempts (tenant_id, id, username, outcome, \
                   occurred_at) \
                 SELECT {tenant}, md5('l/' || t || '/' || u)::uuid, \
                        'user-' || lpad(u::text, 5, '0'), \
                        CASE WHEN u % 7 = 0 THEN 'failure' ELSE 'success' END, \
                        '2026-01-01T00:00:00Z'::timestamptz + u * interval '1 second' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {users_per_tenant}) u"
            ),
            // One schedule in DUE_EVERY is due (a tick in 2026), the rest in 2100.
            format!(
                "INSERT INTO scheduler.schedules (tenant_id, id, name, cron_expression, \
                   timezone, next_fire_at, created_at, created_by, updated_at, updated_by) \
                 SELECT {tenant}, md5('c/' || t || '/' || s)::uuid, \
                        'schedule-' || lpad(s::text, 4, '0'), '*/5 * * * *', 'UTC', \
                        CASE WHEN s % {DUE_EVERY} = 0 \
                             THEN '2026-01-01T00:00:00Z'::timestamptz + s * interval '1 second' \
                             ELSE '2100-01-01T00:00:00Z'::timestamptz + s * interval '1 minute' END, \
                        '2026-01-01T00:00:00Z', 'seed', '2026-01-01T00:00:00Z', 'seed' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {schedules_per_tenant}) s"
            ),
            format!(
                "INSERT INTO scheduler.runs (tenant_id, id, schedule_id, trigger, state, \
                   priority, due_at, created_at) \
                 SELECT {tenant}, md5('q/' || t || '/' || r)::uuid, \
                        md5('c/' || t || '/' || (1 + r % {schedules_per_tenant}))::uuid, \
                        'manual', 'queued', r % 3, \
                        '2026-01-01T00:00:00Z'::timestamptz + r * interval '1 second', \
                        '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {runs_per_tenant}) r"
            ),
            format!(
                "INSERT INTO notify.channels (tenant_id, id, name, channel_type, config, \
                   created_at, updated_at) \
                 SELECT {tenant}, md5('nc/' || t || '/' || c)::uuid, 'channel-' || c, 'email', \
                        jsonb_build_object('to', 'ops@tenant' || t || '.test'), \
                        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {CHANNELS}) c"
            ),
            format!(
                "INSERT INTO notify.rules (tenant_id, id, name, priority, event_kinds, channel_id, \
                   created_at, updated_at) \
                 SELECT {tenant}, md5('nr/' || t || '/' || r)::uuid, \
                        'rule-' || lpad(r::text, 5, '0'), r % 7, \
                        ARRAY['kind-' || (r % {EVENT_KINDS})], \
                        md5('nc/' || t || '/' || (1 + r % {CHANNELS}))::uuid, \
                        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {rules_per_tenant}) r"
            ),
            // Pending and due since 2026: a claim always finds one.
            format!(
                "INSERT INTO notify.deliveries (tenant_id, id, idempotency_key, channel_id, \
                   event_id, recipient, status, attempts, max_attempts, next_attempt_at, payload, \
                   created_at) \
                 SELECT {tenant}, md5('nd/' || t || '/' || d)::uuid, 'seed-' || d, \
                        md5('nc/' || t || '/' || (1 + d % {CHANNELS}))::uuid, 'event-' || d, \
                        'ops@tenant' || t || '.test', 'pending', 0, 3, \
                        '2026-01-01T00:00:00Z'::timestamptz + d * interval '1 second', \
                        jsonb_build_object('n', d), '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {deliveries_per_tenant}) d"
            ),
            format!(
                "INSERT INTO notify.escalation_policies (tenant_id, id, name, steps, repeat_count, \
                   created_at, updated_at) \
                 SELECT {tenant}, md5('np/' || t)::uuid, 'pager', \
                        (SELECT jsonb_agg(jsonb_build_object('delay_seconds', 0, \
                           'channels', jsonb_build_array(md5('nc/' || t || '/1')::uuid)) ORDER BY s) \
                         FROM generate_series(1, {POLICY_STAGES}) s), \
                        {POLICY_REPEATS}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t"
            ),
            format!(
                "INSERT INTO notify.incidents (tenant_id, id, correlation_key, title, severity, \
                   escalation_policy_id, opened_at) \
                 SELECT {tenant}, md5('ni/' || t || '/' || i)::uuid, 'svc-' || i, 'down', 'high', \
                        md5('np/' || t)::uuid, '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {escalations_per_tenant}) i"
            ),
            format!(
                "INSERT INTO notify.escalation_states (tenant_id, id, incident_id, policy_id, \
                   next_escalation_at, created_at, updated_at) \
                 SELECT {tenant}, md5('ne/' || t || '/' || i)::uuid, \
                        md5('ni/' || t || '/' || i)::uuid, md5('np/' || t)::uuid, \
                        '2026-01-01T00:00:00Z'::timestamptz + i * interval '1 second', \
                        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {escalations_per_tenant}) i"
            ),
            format!(
                "INSERT INTO notify.inbox (tenant_id, id, user_id, event_id, title, severity, \
                   read_at, created_at) \
                 SELECT {tenant}, md5('nb/' || t || '/' || u || '/' || k)::uuid, \
                        md5('u/' || t || '/' || u)::uuid, 'event-' || k, 'event ' || k, 'info', \
                        CASE WHEN k % 3 = 0 THEN '2026-01-02T00:00:00Z'::timestamptz END, \
                        '2026-01-01T00:00:00Z'::timestamptz + k * interval '1 second' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {inbox_users_per_tenant}) u, \
                      generate_series(1, {INBOX_PER_USER}) k"
            ),
            format!(
                "INSERT INTO policy.packs (tenant_id, id, name, status, active_version, \
                   created_by, created_at, updated_at) \
                 SELECT {tenant}, md5('pp/' || t || '/' || p)::uuid, \
                        'pack-' || lpad(p::text, 3, '0'), 'active', {POLICY_VERSIONS}, 'seed', \
                        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {packs_per_tenant}) p"
            ),
            // Drafts first: rules are written only into drafts (a trigger
            // refuses the rest); the versions are published or retired after.
            format!(
                "INSERT INTO policy.pack_versions (tenant_id, id, pack_id, version, status, source, \
                   digest, created_at) \
                 SELECT {tenant}, md5('pv/' || t || '/' || p || '/' || v)::uuid, \
                        md5('pp/' || t || '/' || p)::uuid, v, 'draft', src, \
                        'sha256:' || encode(sha256(convert_to(src, 'UTF8')), 'hex'), \
                        '2026-01-01T00:00:00Z'::timestamptz + v * interval '1 day' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {packs_per_tenant}) p, \
                      generate_series(1, {POLICY_VERSIONS}) v, \
                      LATERAL (SELECT 'pack ' || p || ' version ' || v AS src) s"
            ),
            format!(
                "INSERT INTO policy.rules (tenant_id, id, pack_version_id, rule_key, name, \
                   severity, action, condition, priority, created_at) \
                 SELECT {tenant}, md5('pr/' || t || '/' || p || '/' || v || '/' || r)::uuid, \
                        md5('pv/' || t || '/' || p || '/' || v)::uuid, \
                        'rule-' || lpad(r::text, 2, '0'), 'rule ' || (r % 7), \
                        (ARRAY['critical', 'high', 'medium', 'low', 'info', 'none'])[1 + r % 6], \
                        (ARRAY['block', 'warn', 'ignore', 'escalate', 'require_vex', 'defer'])[1 + r % 6], \
                        jsonb_build_object('cvss_at_least', r % 10), r % 5, \
                        '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {packs_per_tenant}) p, \
                      generate_series(1, {POLICY_VERSIONS}) v, \
                      generate_series(0, {RULES_PER_VERSION} - 1) r"
            ),
            format!(
                "UPDATE policy.pack_versions SET \
                   status = CASE WHEN version = {POLICY_VERSIONS} THEN 'published' ELSE 'retired' END, \
                   submitted_by = 'seed', approved_by = 'seed', \
                   published_at = created_at + interval '1 hour'"
            ),
            format!(
                "INSERT INTO policy.evaluation_runs (tenant_id, id, pack_version_id, mode, status, \
                   input_digest, determinism_hash, findings_total, findings_changed, stats, \
                   created_at, started_at, completed_at) \
                 SELECT {tenant}, md5('pe/' || t || '/' || r)::uuid, \
                        md5('pv/' || t || '/' || (1 + r % {packs_per_tenant}) || '/' \
                            || {POLICY_VERSIONS})::uuid, \
                        'full', 'completed', \
                        'sha256:' || encode(sha256(convert_to('in/' || t || '/' || r, 'UTF8')), 'hex'), \
                        'sha256:' || encode(sha256(convert_to('out/' || t || '/' || r, 'UTF8')), 'hex'), \
                        r % 100, (r % 100) / 10, jsonb_build_object('n', r), at, \
                        at + interval '1 second', at + interval '2 seconds' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {evaluations_per_tenant}) r, \
                      LATERAL (SELECT '2026-01-01T00:00:00Z'::timestamptz \
                                      + r * interval '1 minute' AS at) s"
            ),
            format!(
                "INSERT INTO policy.explanations (tenant_id, id, evaluation_run_id, finding_key, \
                   rule_id, verdict, severity, inputs, trace, created_at) \
                 SELECT {tenant}, md5('px/' || t || '/' || r || '/' || f)::uuid, \
                        md5('pe/' || t || '/' || r)::uuid, 'finding-' || lpad(f::text, 4, '0'), \
                        md5('pr/' || t || '/' || (1 + r % {packs_per_tenant}) || '/' \
                            || {POLICY_VERSIONS} || '/' || (f % {RULES_PER_VERSION}))::uuid, \
                        (ARRAY['pass', 'warn', 'fail', 'ignored', 'deferred'])[1 + f % 5], \
                        (ARRAY['critical', 'high', 'medium', 'low', 'info', 'none'])[1 + f % 6], \
                        jsonb_build_object('finding', f), \
                        jsonb_build_array('rule-' || lpad((f % {RULES_PER_VERSION})::text, 2, '0')), \
                        '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, \
                      generate_series(1, least({explained_runs_per_tenant}, {evaluations_per_tenant})) r, \
                      generate_series(1, {EXPLANATIONS_PER_RUN}) f"
            ),
            // By e % 5: approved (twice), proposed, expired, revoked; one in
            // TENANT_WIDE_EVERY (a multiple of 5: approved) waives everything
            // until 2100, the other approved ones expire during 2026.
            format!(
                "INSERT INTO policy.exceptions (tenant_id, id, name, pack_id, rule_key, status, \
                   reason, requested_by, approved_by, approved_at, expires_at, created_at, \
                   updated_at) \
                 SELECT {tenant}, md5('pw/' || t || '/' || e)::uuid, 'waiver-' || e, \
                        CASE WHEN wide THEN NULL \
                             ELSE md5('pp/' || t || '/' || (1 + e % {packs_per_tenant}))::uuid END, \
                        CASE WHEN wide THEN NULL \
                             ELSE 'rule-' || lpad((e % {RULES_PER_VERSION})::text, 2, '0') END, \
                        (ARRAY['approved', 'approved', 'proposed', 'expired', 'revoked'])[1 + e % 5], \
                        'seeded', 'seed', \
                        CASE WHEN e % 5 IN (0, 1) THEN 'approver' END, \
                        CASE WHEN e % 5 IN (0, 1) THEN '2026-01-01T00:00:00Z'::timestamptz END, \
                        CASE WHEN wide THEN '2100-01-01T00:00:00Z'::timestamptz \
                             ELSE '2026-01-02T00:00:00Z'::timestamptz + (e % 360) * interval '1 day' END, \
                        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' \
                 FROM generate_series(1, {tenants}) t, generate_series(1, {exceptions_per_tenant}) e, \
                      LATERAL (SELECT e % {TENANT_WIDE_EVERY} = 0 AS wide) w"
            ),
        ]
    }

    /// A short hash of the statements: names the seeded template and goes
    /// into the environment fingerprint.
    pub fn hash(&self) -> String {
        let mut hash = Sha256::new();
        for statement in self.statements() {
            hash.update(statement.as_bytes());
            hash.update([0]);
        }
        format!("{:x}", hash.finalize())[..12].to_owned()
    }
}

/// Name prefix of seeded templates (and of their clones).
pub const SEEDED_PREFIX: &str = "stellaops_load_";

/// The seeded template for `volume` on `server`, built if no run has yet:
/// the migration template cloned into a scratch database, seeded,
/// analyzed, then renamed and sealed, so a template that exists is whole.
/// Older seeded templates are dropped.
pub async fn seeded_template(server: &Arc<Server>, volume: &Volume) -> Result<String, LoadError> {
    let set = stellaops_migrations::MigrationSet::load(stellaops_migrations::default_dir())
        .map_err(|e| LoadError::Invalid {
            field: "migrations",
            reason: e.to_string(),
        })?;
    let migrated = ensure_template(server, &set).await?;
    let hash = {
        let mut hash = Sha256::new();
        hash.update(migrated.name.as_bytes());
        hash.update(volume.hash().as_bytes());
        format!("{:x}", hash.finalize())[..12].to_owned()
    };
    let name = format!("{SEEDED_PREFIX}{hash}");
    let mut admin = server.connect_admin().await?;
    if database_exists(&mut admin, &name).await? {
        return Ok(name);
    }
    // One process seeds; the others wait for it, then find the template.
    seed_lock(&mut admin).await?;
    let built = build_seeded(server, &mut admin, &migrated.name, &name, volume).await;
    let unlocked = seed_unlock(&mut admin).await;
    built.and(unlocked).map(|()| name)
}

/// Builds and seals the seeded template `name`, unless it exists (another
/// process built it while this one waited). Holds the seeding lock.
async fn build_seeded(
    server: &Server,
    admin: &mut PgConnection,
    migrated: &str,
    name: &str,
    volume: &Volume,
) -> Result<(), LoadError> {
    let admin = &mut *admin;
    if database_exists(admin, name).await? {
        return Ok(());
    }
    sweep_seeded(admin, KEEP_SEEDED).await?;
    let scratch = format!("{SEEDED_PREFIX}build_{}", owner_tag());
    let _ = sweep::drop_database(admin, &scratch).await;
    pool::create_database(server, admin, Some(migrated), &scratch).await?;
    let seeded = seed(server, &scratch, volume).await;
    if let Err(e) = seeded {
        let _ = sweep::drop_database(admin, &scratch).await;
        return Err(e);
    }
    let seal = format!(
        "ALTER DATABASE {} RENAME TO {}; ALTER DATABASE {} IS_TEMPLATE true",
        quote_ident(&scratch),
        quote_ident(name),
        quote_ident(name)
    );
    sqlx::raw_sql(AssertSqlSafe(seal))
        .execute(admin)
        .await
        .map_err(LoadError::db("sealing the seeded template"))?;
    Ok(())
}

/// The session advisory lock under which load processes build, seal, sweep
/// and clone seeded templates (a key of its own: "STLLSEED").
const SEED_LOCK: i64 = 0x5354_4c4c_5345_4544;

/// How long a process waits for another's seeding (which takes seconds to
/// a minute) before it gives up.
const SEED_LOCK_WAIT: Duration = Duration::from_secs(600);

/// Takes the seeding lock on `conn`, a connection of its own (the lock
/// ends with its session if the process dies), waiting at most
/// [`SEED_LOCK_WAIT`].
async fn seed_lock(conn: &mut PgConnection) -> Result<(), LoadError> {
    let deadline = Instant::now() + SEED_LOCK_WAIT;
    loop {
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(SEED_LOCK)
            .fetch_one(&mut *conn)
            .await
            .map_err(LoadError::db("taking the seeding lock"))?;
        if taken {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(LoadError::Invalid {
                field: "seeding lock",
                reason: format!(
                    "another load process held it for {} s; is a seeding stuck?",
                    SEED_LOCK_WAIT.as_secs()
                ),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn seed_unlock(conn: &mut PgConnection) -> Result<(), LoadError> {
    sqlx::query_scalar::<_, bool>("SELECT pg_advisory_unlock($1)")
        .bind(SEED_LOCK)
        .fetch_one(conn)
        .await
        .map(drop)
        .map_err(LoadError::db("releasing the seeding lock"))
}

async fn seed(server: &Server, database: &str, volume: &Volume) -> Result<(), LoadError> {
    let options = server.admin_options(database)?;
    let mut conn = PgConnection::connect_with(&options)
        .await
        .map_err(LoadError::db("connecting to the dataset"))?;
    let statements = volume.statements();
    for (i, statement) in statements.iter().enumerate() {
        sqlx::raw_sql(AssertSqlSafe(statement.clone()))
            .execute(&mut conn)
            .await
            .map_err(LoadError::db("seeding the dataset"))?;
        crate::rounds::progress("seeding", i + 1, statements.len());
    }
    sqlx::raw_sql("VACUUM (ANALYZE)")
        .execute(&mut conn)
        .await
        .map_err(LoadError::db("analyzing the dataset"))?;
    conn.close()
        .await
        .map_err(LoadError::db("closing the seeding connection"))?;
    Ok(())
}

async fn database_exists(conn: &mut PgConnection, name: &str) -> Result<bool, LoadError> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(conn)
        .await
        .map_err(LoadError::db("looking for the seeded template"))
}

/// Seeded templates kept besides the one being built (other volumes, other
/// migration sets).
pub const KEEP_SEEDED: usize = 2;

/// Drops the clones and scratch databases of load processes that are gone,
/// and all but the `keep` newest seeded templates.
pub async fn sweep_seeded(conn: &mut PgConnection, keep: usize) -> Result<(), LoadError> {
    let names: Vec<(String, bool)> = sqlx::query_as(
        "SELECT datname, datistemplate FROM pg_database WHERE starts_with(datname, $1) \
         ORDER BY oid DESC",
    )
    .bind(SEEDED_PREFIX)
    .fetch_all(&mut *conn)
    .await
    .map_err(LoadError::db("listing seeded templates"))?;
    let mut templates = 0;
    for (name, sealed) in names {
        let rest = &name[SEEDED_PREFIX.len()..];
        let owned = rest
            .strip_prefix("round_")
            .or_else(|| rest.strip_prefix("build_"))
            .or_else(|| rest.strip_prefix("canary_"));
        let drop = match owned {
            // A clone or a build: dropped once its process is gone (only
            // this host can tell; another host's are left to it).
            Some(tail) => parse_owner(tail)
                .is_some_and(|owner| owner.host == Owner::current().host && !owner.is_alive()),
            None => {
                templates += 1;
                templates > keep
            }
        };
        if !drop {
            continue;
        }
        // Only a sealed template needs unsealing; a build a dead seeding
        // left may be invalid (killed inside CREATE DATABASE), and an
        // invalid database refuses ALTER but not DROP.
        if sealed {
            sqlx::raw_sql(AssertSqlSafe(format!(
                "ALTER DATABASE {} IS_TEMPLATE false",
                quote_ident(&name)
            )))
            .execute(&mut *conn)
            .await
            .map_err(LoadError::db("unsealing an old seeded database"))?;
        }
        sweep::drop_database(conn, &name).await?;
    }
    Ok(())
}

/// This process as the harness names owners: host, pid and start time, so
/// a reused pid is not taken for the process that died.
fn owner_tag() -> String {
    let owner = Owner::current();
    format!("{}_{}_{}", owner.host, owner.pid, owner.start)
}

fn parse_owner(tail: &str) -> Option<Owner> {
    let mut parts = tail.split('_');
    Some(Owner {
        host: parts.next()?.to_owned(),
        pid: parts.next()?.parse().ok()?,
        start: parts.next()?.parse().ok()?,
    })
}

/// A fresh clone of the seeded template for one round; dropped by
/// [`RoundDatabase::drop_now`] (and swept by the next run if the process dies).
#[derive(Debug)]
pub struct RoundDatabase {
    pub name: String,
}

impl RoundDatabase {
    pub async fn create(
        server: &Server,
        seeded: &str,
        label: &str,
    ) -> Result<RoundDatabase, LoadError> {
        let name = format!("{SEEDED_PREFIX}round_{}_{label}", owner_tag());
        let mut admin = server.connect_admin().await?;
        // Under the seeding lock: both sides of a round sweep and clone at
        // once, and must not unseal or drop what the other is using.
        seed_lock(&mut admin).await?;
        let made = async {
            sweep_seeded(&mut admin, usize::MAX).await?;
            let _ = sweep::drop_database(&mut admin, &name).await;
            pool::create_database(server, &mut admin, Some(seeded), &name).await?;
            Ok::<(), LoadError>(())
        }
        .await;
        let unlocked = seed_unlock(&mut admin).await;
        made?;
        unlocked?;
        Ok(RoundDatabase { name })
    }

    pub async fn drop_now(self, server: &Server) -> Result<(), LoadError> {
        let mut admin = server.connect_admin().await?;
        sweep::drop_database(&mut admin, &self.name).await?;
        Ok(())
    }
}
