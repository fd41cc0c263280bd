-- Policy module: policy packs and their versions, rules, risk profiles,
-- evaluation runs with explanations, exceptions with expiry, audit.
-- Every table is a tenant table with RLS enabled and forced.
-- squawk-ignore-file prefer-bigint-over-int
--   Waived: the int columns are counts, priorities, versions and attempts,
--   bounded far below 2^31 by what they count.
-- A migration must never queue behind application locks or run unbounded.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '120s';
CREATE SCHEMA policy AUTHORIZATION stellaops_owner;
SET LOCAL ROLE stellaops_owner;

CREATE TABLE policy.packs (
    tenant_id      text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id             uuid        NOT NULL DEFAULT gen_random_uuid(),
    name           text        COLLATE "C" NOT NULL CHECK (name <> ''),
    description    text,
    status         text        NOT NULL DEFAULT 'draft'
                   CHECK (status IN ('draft', 'active', 'deprecated', 'archived')),
    active_version integer     CHECK (active_version IS NULL OR active_version > 0),
    created_by     text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE policy.pack_versions (
    tenant_id    text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    pack_id      uuid        NOT NULL,
    version      integer     NOT NULL CHECK (version > 0),
    status       text        NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'submitted', 'approved', 'published', 'retired')),
    source       text        NOT NULL,
    compiled     jsonb       NOT NULL DEFAULT '{}',
    digest       text        COLLATE "C" NOT NULL CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
    submitted_by text,
    approved_by  text,
    published_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, pack_id, version),
    FOREIGN KEY (tenant_id, pack_id) REFERENCES policy.packs (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE policy.rules (
    tenant_id       text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    pack_version_id uuid        NOT NULL,
    rule_key        text        COLLATE "C" NOT NULL CHECK (rule_key <> ''),
    name            text        NOT NULL,
    severity        text        NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info', 'none')),
    action          text        NOT NULL CHECK (action IN ('block', 'warn', 'ignore', 'escalate', 'require_vex', 'defer')),
    condition       jsonb       NOT NULL,
    priority        integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, pack_version_id, rule_key),
    FOREIGN KEY (tenant_id, pack_version_id) REFERENCES policy.pack_versions (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE policy.risk_profiles (
    tenant_id  text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    name       text        COLLATE "C" NOT NULL CHECK (name <> ''),
    version    integer     NOT NULL CHECK (version > 0),
    status     text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'deprecated')),
    signals    jsonb       NOT NULL DEFAULT '[]',
    weights    jsonb       NOT NULL DEFAULT '{}',
    thresholds jsonb       NOT NULL DEFAULT '{}',
    overrides  jsonb       NOT NULL DEFAULT '{}',
    digest     text        COLLATE "C",
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name, version)
);

CREATE TABLE policy.evaluation_runs (
    tenant_id         text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    pack_version_id   uuid        NOT NULL,
    risk_profile_id   uuid,
    mode              text        NOT NULL CHECK (mode IN ('full', 'incremental', 'simulate')),
    status            text        NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    input_digest      text        COLLATE "C",
    determinism_hash  text        COLLATE "C",
    findings_total    integer     NOT NULL DEFAULT 0 CHECK (findings_total >= 0),
    findings_changed  integer     NOT NULL DEFAULT 0 CHECK (findings_changed >= 0),
    stats             jsonb       NOT NULL DEFAULT '{}',
    error             text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    completed_at      timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, pack_version_id) REFERENCES policy.pack_versions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, risk_profile_id)
        REFERENCES policy.risk_profiles (tenant_id, id) ON DELETE SET NULL (risk_profile_id)
);
CREATE INDEX evaluation_runs_pack_version_idx ON policy.evaluation_runs (tenant_id, pack_version_id);
CREATE INDEX evaluation_runs_risk_profile_idx ON policy.evaluation_runs (tenant_id, risk_profile_id);
CREATE INDEX evaluation_runs_status_idx ON policy.evaluation_runs (tenant_id, status, created_at);

CREATE TABLE policy.explanations (
    tenant_id         text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    evaluation_run_id uuid        NOT NULL,
    finding_key       text        COLLATE "C" NOT NULL CHECK (finding_key <> ''),
    rule_id           uuid,
    verdict           text        NOT NULL CHECK (verdict IN ('pass', 'warn', 'fail', 'ignored', 'deferred')),
    severity          text        CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info', 'none')),
    inputs            jsonb       NOT NULL DEFAULT '{}',
    trace             jsonb       NOT NULL DEFAULT '[]',
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, evaluation_run_id, finding_key),
    FOREIGN KEY (tenant_id, evaluation_run_id) REFERENCES policy.evaluation_runs (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, rule_id) REFERENCES policy.rules (tenant_id, id) ON DELETE SET NULL (rule_id)
);
CREATE INDEX explanations_rule_idx ON policy.explanations (tenant_id, rule_id);

CREATE TABLE policy.exceptions (
    tenant_id    text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    name         text        NOT NULL CHECK (name <> ''),
    pack_id      uuid,
    rule_key     text        COLLATE "C",
    scope        jsonb       NOT NULL DEFAULT '{}',
    status       text        NOT NULL DEFAULT 'proposed'
                 CHECK (status IN ('proposed', 'approved', 'rejected', 'expired', 'revoked')),
    reason       text        NOT NULL,
    requested_by text        NOT NULL,
    approved_by  text,
    approved_at  timestamptz,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (expires_at > created_at),
    CHECK (status <> 'approved' OR (approved_by IS NOT NULL AND approved_at IS NOT NULL)),
    FOREIGN KEY (tenant_id, pack_id) REFERENCES policy.packs (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX exceptions_pack_idx ON policy.exceptions (tenant_id, pack_id);
-- The expiry sweep (system) finds approved exceptions past their time.
CREATE INDEX exceptions_expiry_idx ON policy.exceptions (expires_at) WHERE status = 'approved';

CREATE TABLE policy.audit (
    tenant_id      text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id             uuid        NOT NULL DEFAULT gen_random_uuid(),
    category       text        NOT NULL CHECK (category IN ('pack', 'pack_version', 'risk_profile', 'evaluation', 'exception')),
    action         text        NOT NULL CHECK (action <> ''),
    entity_id      text        NOT NULL,
    actor          text        NOT NULL,
    actor_type     text        NOT NULL CHECK (actor_type IN ('user', 'service', 'system')),
    correlation_id text,
    payload        jsonb       NOT NULL DEFAULT '{}',
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_entity_idx ON policy.audit (tenant_id, category, entity_id, occurred_at);

DO $rls$
DECLARE
    tenant_table text;
BEGIN
    FOREACH tenant_table IN ARRAY ARRAY[
        'packs', 'pack_versions', 'rules', 'risk_profiles', 'evaluation_runs', 'explanations',
        'exceptions', 'audit']
    LOOP
        EXECUTE format('ALTER TABLE policy.%I ENABLE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format('ALTER TABLE policy.%I FORCE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON policy.%I
                USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), ''''))
                WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), ''''))',
            tenant_table);
        EXECUTE format(
            'GRANT SELECT, INSERT, UPDATE, DELETE ON policy.%I TO stellaops_app, stellaops_system',
            tenant_table);
    END LOOP;
END
$rls$;

GRANT USAGE ON SCHEMA policy TO stellaops_app, stellaops_system;
