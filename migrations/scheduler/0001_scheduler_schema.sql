-- Scheduler module (shared/seeds/004): schedules, runs, jobs, workers, locks.
-- Global tables: workers, locks (infrastructure shared by all tenants). Every
-- other table is a tenant table with RLS enabled and forced.
-- squawk-ignore-file prefer-bigint-over-int
--   Waived: the int columns are counts, priorities, versions and attempts,
--   bounded far below 2^31 by what they count.
-- A migration must never queue behind application locks or run unbounded.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '120s';
CREATE SCHEMA scheduler AUTHORIZATION stellaops_owner;
SET LOCAL ROLE stellaops_owner;

CREATE TABLE scheduler.schedules (
    tenant_id       text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    name            text        COLLATE "C" NOT NULL CHECK (name <> ''),
    description     text,
    enabled         boolean     NOT NULL DEFAULT true,
    cron_expression text        NOT NULL CHECK (cron_expression <> ''),
    timezone        text        NOT NULL DEFAULT 'UTC',
    mode            text        NOT NULL DEFAULT 'analysis_only'
                    CHECK (mode IN ('analysis_only', 'content_refresh')),
    selection       jsonb       NOT NULL DEFAULT '{}',
    only_if         jsonb       NOT NULL DEFAULT '{}',
    notify          jsonb       NOT NULL DEFAULT '{}',
    limits          jsonb       NOT NULL DEFAULT '{}',
    next_fire_at    timestamptz,
    last_fired_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text        NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      text        NOT NULL,
    deleted_at      timestamptz,
    deleted_by      text,
    PRIMARY KEY (tenant_id, id),
    CHECK ((deleted_at IS NULL) = (deleted_by IS NULL))
);
-- A name is unique among the live schedules of a tenant; soft-deleted ones free it.
CREATE UNIQUE INDEX schedules_live_name_idx ON scheduler.schedules (tenant_id, name)
    WHERE deleted_at IS NULL;
-- GetDueSchedulesAsync (system, cross-tenant): only enabled live schedules.
CREATE INDEX schedules_due_idx ON scheduler.schedules (next_fire_at)
    WHERE enabled AND deleted_at IS NULL;

CREATE TABLE scheduler.triggers (
    tenant_id   text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    schedule_id uuid        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('cron', 'manual', 'feedser', 'vexer', 'conselier', 'excitor')),
    status      text        NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'fired', 'skipped', 'failed')),
    fire_at     timestamptz NOT NULL,
    fired_at    timestamptz,
    run_id      uuid,
    payload     jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, schedule_id) REFERENCES scheduler.schedules (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX triggers_schedule_idx ON scheduler.triggers (tenant_id, schedule_id, fire_at);
CREATE INDEX triggers_pending_idx ON scheduler.triggers (fire_at) WHERE status = 'pending';

CREATE TABLE scheduler.runs (
    tenant_id   text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    schedule_id uuid,
    trigger_id  uuid,
    trigger     text        NOT NULL CHECK (trigger IN ('cron', 'manual', 'feedser', 'vexer', 'conselier', 'excitor')),
    state       text        NOT NULL DEFAULT 'planning'
                CHECK (state IN ('planning', 'queued', 'running', 'completed', 'error', 'cancelled')),
    reason      jsonb       NOT NULL DEFAULT '{}',
    stats       jsonb       NOT NULL DEFAULT '{}',
    deltas      jsonb       NOT NULL DEFAULT '[]',
    error       text,
    retry_of    uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK (finished_at IS NULL OR started_at IS NULL OR finished_at >= started_at),
    FOREIGN KEY (tenant_id, schedule_id) REFERENCES scheduler.schedules (tenant_id, id) ON DELETE SET NULL (schedule_id),
    FOREIGN KEY (tenant_id, trigger_id) REFERENCES scheduler.triggers (tenant_id, id) ON DELETE SET NULL (trigger_id)
);
CREATE INDEX runs_schedule_idx ON scheduler.runs (tenant_id, schedule_id, created_at DESC);
CREATE INDEX runs_trigger_idx ON scheduler.runs (tenant_id, trigger_id);
CREATE INDEX runs_state_idx ON scheduler.runs (tenant_id, state, created_at);

CREATE TABLE scheduler.graph_jobs (
    tenant_id         text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    kind              text        NOT NULL CHECK (kind IN ('build', 'overlay')),
    status            text        NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'queued', 'running', 'completed', 'failed', 'cancelled')),
    sbom_id           text        NOT NULL,
    sbom_version_id   text,
    sbom_digest       text        NOT NULL,
    graph_snapshot_id text,
    trigger           text        NOT NULL CHECK (trigger IN ('sbom_version', 'backfill', 'manual', 'policy_run', 'advisory_delta')),
    priority          integer     NOT NULL DEFAULT 0,
    attempts          integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    lease_owner       text,
    lease_expires_at  timestamptz,
    fencing_token     bigint      NOT NULL DEFAULT 0,
    correlation_id    text,
    payload           jsonb       NOT NULL DEFAULT '{}',
    error             text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    completed_at      timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX graph_jobs_claim_idx ON scheduler.graph_jobs (tenant_id, status, priority DESC, created_at);

CREATE TABLE scheduler.policy_jobs (
    tenant_id        text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    run_id           uuid,
    policy_pack_id   text        NOT NULL,
    policy_version   integer     NOT NULL CHECK (policy_version > 0),
    mode             text        NOT NULL CHECK (mode IN ('full', 'incremental', 'simulate')),
    status           text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'queued', 'running', 'completed', 'failed', 'cancelled')),
    priority         integer     NOT NULL DEFAULT 0,
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts     integer     NOT NULL DEFAULT 3 CHECK (max_attempts > 0),
    lease_owner      text,
    lease_expires_at timestamptz,
    fencing_token    bigint      NOT NULL DEFAULT 0,
    inputs           jsonb       NOT NULL DEFAULT '{}',
    result           jsonb,
    error            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    completed_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES scheduler.runs (tenant_id, id) ON DELETE SET NULL (run_id)
);
CREATE INDEX policy_jobs_run_idx ON scheduler.policy_jobs (tenant_id, run_id);
CREATE INDEX policy_jobs_claim_idx ON scheduler.policy_jobs (tenant_id, status, priority DESC, created_at);

CREATE TABLE scheduler.impact_snapshots (
    tenant_id    text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    run_id       uuid,
    snapshot_id  text        COLLATE "C" NOT NULL CHECK (snapshot_id <> ''),
    selector     jsonb       NOT NULL DEFAULT '{}',
    images       jsonb       NOT NULL DEFAULT '[]',
    image_count  integer     NOT NULL DEFAULT 0 CHECK (image_count >= 0),
    generated_at timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, snapshot_id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES scheduler.runs (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX impact_snapshots_run_idx ON scheduler.impact_snapshots (tenant_id, run_id);

CREATE TABLE scheduler.workers (
    id                text        COLLATE "C" NOT NULL PRIMARY KEY CHECK (id <> ''),
    hostname          text        NOT NULL,
    process_id        integer,
    kinds             text[]      NOT NULL DEFAULT '{}',
    status            text        NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'draining', 'stopped', 'dead')),
    capacity          integer     NOT NULL DEFAULT 1 CHECK (capacity > 0),
    current_load      integer     NOT NULL DEFAULT 0 CHECK (current_load >= 0),
    started_at        timestamptz NOT NULL DEFAULT now(),
    last_heartbeat_at timestamptz NOT NULL DEFAULT now(),
    metadata          jsonb       NOT NULL DEFAULT '{}'
);
-- Dead-worker detection scans active workers by heartbeat age.
CREATE INDEX workers_heartbeat_idx ON scheduler.workers (last_heartbeat_at) WHERE status = 'active';

CREATE TABLE scheduler.execution_logs (
    tenant_id text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id        uuid        NOT NULL DEFAULT gen_random_uuid(),
    run_id    uuid        NOT NULL,
    worker_id text        COLLATE "C",
    level     text        NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
    message   text        NOT NULL,
    details   jsonb       NOT NULL DEFAULT '{}',
    logged_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES scheduler.runs (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX execution_logs_run_idx ON scheduler.execution_logs (tenant_id, run_id, logged_at);

CREATE TABLE scheduler.locks (
    lock_key      text        COLLATE "C" NOT NULL PRIMARY KEY CHECK (lock_key <> ''),
    holder_id     text        NOT NULL,
    fencing_token bigint      NOT NULL CHECK (fencing_token > 0),
    acquired_at   timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    metadata      jsonb       NOT NULL DEFAULT '{}',
    CHECK (expires_at > acquired_at)
);
CREATE INDEX locks_expires_idx ON scheduler.locks (expires_at);

CREATE TABLE scheduler.run_summaries (
    tenant_id       text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    schedule_id     uuid        NOT NULL,
    last_run_id     uuid,
    last_state      text        CHECK (last_state IN ('planning', 'queued', 'running', 'completed', 'error', 'cancelled')),
    last_run_at     timestamptz,
    total_runs      integer     NOT NULL DEFAULT 0 CHECK (total_runs >= 0),
    completed_runs  integer     NOT NULL DEFAULT 0 CHECK (completed_runs >= 0),
    error_runs      integer     NOT NULL DEFAULT 0 CHECK (error_runs >= 0),
    cancelled_runs  integer     NOT NULL DEFAULT 0 CHECK (cancelled_runs >= 0),
    recent          jsonb       NOT NULL DEFAULT '[]',
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, schedule_id),
    FOREIGN KEY (tenant_id, schedule_id) REFERENCES scheduler.schedules (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, last_run_id) REFERENCES scheduler.runs (tenant_id, id) ON DELETE SET NULL (last_run_id)
);
CREATE INDEX run_summaries_last_run_idx ON scheduler.run_summaries (tenant_id, last_run_id);

CREATE TABLE scheduler.audit (
    tenant_id      text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id             uuid        NOT NULL DEFAULT gen_random_uuid(),
    category       text        NOT NULL CHECK (category IN ('schedule', 'run', 'graph_job', 'policy_job', 'worker', 'lock')),
    action         text        NOT NULL CHECK (action <> ''),
    entity_id      text        NOT NULL,
    actor          text        NOT NULL,
    actor_type     text        NOT NULL CHECK (actor_type IN ('user', 'service', 'system')),
    correlation_id text,
    payload        jsonb       NOT NULL DEFAULT '{}',
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_entity_idx ON scheduler.audit (tenant_id, category, entity_id, occurred_at);
CREATE INDEX audit_occurred_idx ON scheduler.audit (tenant_id, occurred_at);

DO $rls$
DECLARE
    tenant_table text;
BEGIN
    FOREACH tenant_table IN ARRAY ARRAY[
        'schedules', 'triggers', 'runs', 'graph_jobs', 'policy_jobs', 'impact_snapshots',
        'execution_logs', 'run_summaries', 'audit']
    LOOP
        EXECUTE format('ALTER TABLE scheduler.%I ENABLE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format('ALTER TABLE scheduler.%I FORCE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON scheduler.%I
                USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), ''''))
                WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), ''''))',
            tenant_table);
        EXECUTE format(
            'GRANT SELECT, INSERT, UPDATE, DELETE ON scheduler.%I TO stellaops_app, stellaops_system',
            tenant_table);
    END LOOP;
END
$rls$;

GRANT USAGE ON SCHEMA scheduler TO stellaops_app, stellaops_system;
-- Workers and locks are infrastructure without tenant data: worker processes
-- register, heartbeat and take leases under either role.
GRANT SELECT, INSERT, UPDATE, DELETE ON scheduler.workers, scheduler.locks
    TO stellaops_app, stellaops_system;
