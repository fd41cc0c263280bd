-- Notify module: channels, rules, templates, deliveries, digests, quiet hours,
-- maintenance windows, escalations, on-call, inbox, incidents.
-- Global table: locks. Every other table is a tenant table with RLS enabled and forced.
-- squawk-ignore-file prefer-bigint-over-int, prefer-bigint-over-smallint
--   Waived: the int columns are counts, priorities, versions and attempts,
--   bounded far below 2^31 by what they count; smallint holds ISO weekdays.
-- A migration must never queue behind application locks or run unbounded.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '120s';
CREATE SCHEMA notify AUTHORIZATION stellaops_owner;
SET LOCAL ROLE stellaops_owner;

CREATE TABLE notify.channels (
    tenant_id       text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    name            text        COLLATE "C" NOT NULL CHECK (name <> ''),
    channel_type    text        NOT NULL CHECK (channel_type IN ('email', 'slack', 'teams', 'webhook', 'pagerduty', 'opsgenie')),
    enabled         boolean     NOT NULL DEFAULT true,
    config          jsonb       NOT NULL DEFAULT '{}',
    credentials_ref text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE notify.templates (
    tenant_id        text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    name             text        COLLATE "C" NOT NULL CHECK (name <> ''),
    channel_type     text        NOT NULL CHECK (channel_type IN ('email', 'slack', 'teams', 'webhook', 'pagerduty', 'opsgenie')),
    locale           text        COLLATE "C" NOT NULL DEFAULT 'en-US',
    format           text        NOT NULL DEFAULT 'markdown' CHECK (format IN ('text', 'markdown', 'html', 'json')),
    subject_template text,
    body_template    text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name, channel_type, locale)
);

CREATE TABLE notify.rules (
    tenant_id        text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    name             text        COLLATE "C" NOT NULL CHECK (name <> ''),
    enabled          boolean     NOT NULL DEFAULT true,
    priority         integer     NOT NULL DEFAULT 0,
    event_kinds      text[]      NOT NULL DEFAULT '{}',
    filter           jsonb       NOT NULL DEFAULT '{}',
    channel_id       uuid        NOT NULL,
    template_id      uuid,
    throttle_seconds integer     NOT NULL DEFAULT 0 CHECK (throttle_seconds >= 0),
    digest           text        NOT NULL DEFAULT 'instant' CHECK (digest IN ('instant', 'hourly', 'daily')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES notify.channels (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, template_id) REFERENCES notify.templates (tenant_id, id) ON DELETE SET NULL (template_id)
);
CREATE INDEX rules_channel_idx ON notify.rules (tenant_id, channel_id);
CREATE INDEX rules_template_idx ON notify.rules (tenant_id, template_id);

CREATE TABLE notify.escalation_policies (
    tenant_id    text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    name         text        COLLATE "C" NOT NULL CHECK (name <> ''),
    enabled      boolean     NOT NULL DEFAULT true,
    steps        jsonb       NOT NULL DEFAULT '[]',
    repeat_count integer     NOT NULL DEFAULT 0 CHECK (repeat_count >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE notify.on_call_schedules (
    tenant_id    text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    name         text        COLLATE "C" NOT NULL CHECK (name <> ''),
    timezone     text        NOT NULL DEFAULT 'UTC',
    rotation     text        NOT NULL DEFAULT 'weekly' CHECK (rotation IN ('daily', 'weekly', 'custom')),
    participants jsonb       NOT NULL DEFAULT '[]',
    overrides    jsonb       NOT NULL DEFAULT '[]',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE notify.incidents (
    tenant_id            text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id                   uuid        NOT NULL DEFAULT gen_random_uuid(),
    correlation_key      text        COLLATE "C" NOT NULL CHECK (correlation_key <> ''),
    title                text        NOT NULL,
    severity             text        NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
    status               text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    escalation_policy_id uuid,
    event_count          integer     NOT NULL DEFAULT 1 CHECK (event_count > 0),
    payload              jsonb       NOT NULL DEFAULT '{}',
    opened_at            timestamptz NOT NULL DEFAULT now(),
    acknowledged_at      timestamptz,
    acknowledged_by      text,
    resolved_at          timestamptz,
    resolved_by          text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, escalation_policy_id)
        REFERENCES notify.escalation_policies (tenant_id, id) ON DELETE SET NULL (escalation_policy_id)
);
-- One open incident per correlation key; resolved ones free it.
CREATE UNIQUE INDEX incidents_open_key_idx ON notify.incidents (tenant_id, correlation_key)
    WHERE status <> 'resolved';
CREATE INDEX incidents_policy_idx ON notify.incidents (tenant_id, escalation_policy_id);

CREATE TABLE notify.escalation_states (
    tenant_id          text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id                 uuid        NOT NULL DEFAULT gen_random_uuid(),
    incident_id        uuid        NOT NULL,
    policy_id          uuid        NOT NULL,
    status             text        NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'acknowledged', 'resolved', 'expired')),
    current_step       integer     NOT NULL DEFAULT 0 CHECK (current_step >= 0),
    repeat_iteration   integer     NOT NULL DEFAULT 0 CHECK (repeat_iteration >= 0),
    next_escalation_at timestamptz,
    acknowledged_at    timestamptz,
    acknowledged_by    text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES notify.incidents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, policy_id) REFERENCES notify.escalation_policies (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX escalation_states_incident_idx ON notify.escalation_states (tenant_id, incident_id);
CREATE INDEX escalation_states_policy_idx ON notify.escalation_states (tenant_id, policy_id);
-- The escalation worker (system) scans active states that are due.
CREATE INDEX escalation_states_due_idx ON notify.escalation_states (next_escalation_at) WHERE status = 'active';

CREATE TABLE notify.deliveries (
    tenant_id       text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    channel_id      uuid        NOT NULL,
    rule_id         uuid,
    incident_id     uuid,
    event_id        text        COLLATE "C" NOT NULL CHECK (event_id <> ''),
    recipient       text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'queued', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'suppressed')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts    integer     NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    next_attempt_at timestamptz,
    last_error      text,
    subject         text,
    payload         jsonb       NOT NULL DEFAULT '{}',
    external_id     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    delivered_at    timestamptz,
    failed_at       timestamptz,
    PRIMARY KEY (tenant_id, id),
    -- One delivery of an event per channel and recipient: retries update it.
    UNIQUE (tenant_id, channel_id, event_id, recipient),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES notify.channels (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, rule_id) REFERENCES notify.rules (tenant_id, id) ON DELETE SET NULL (rule_id),
    FOREIGN KEY (tenant_id, incident_id) REFERENCES notify.incidents (tenant_id, id) ON DELETE SET NULL (incident_id)
);
CREATE INDEX deliveries_rule_idx ON notify.deliveries (tenant_id, rule_id);
CREATE INDEX deliveries_incident_idx ON notify.deliveries (tenant_id, incident_id);
-- The delivery worker (system) claims due deliveries across tenants.
CREATE INDEX deliveries_due_idx ON notify.deliveries (next_attempt_at) WHERE status IN ('pending', 'queued');

CREATE TABLE notify.digests (
    tenant_id     text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id            uuid        NOT NULL DEFAULT gen_random_uuid(),
    channel_id    uuid        NOT NULL,
    recipient     text        NOT NULL,
    digest_key    text        COLLATE "C" NOT NULL CHECK (digest_key <> ''),
    status        text        NOT NULL DEFAULT 'collecting'
                  CHECK (status IN ('collecting', 'sending', 'sent', 'failed')),
    event_count   integer     NOT NULL DEFAULT 0 CHECK (event_count >= 0),
    events        jsonb       NOT NULL DEFAULT '[]',
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    sent_at       timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, channel_id, digest_key, window_start),
    CHECK (window_end > window_start),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES notify.channels (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE notify.quiet_hours (
    tenant_id    text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    name         text        COLLATE "C" NOT NULL CHECK (name <> ''),
    channel_id   uuid,
    timezone     text        NOT NULL DEFAULT 'UTC',
    -- ISO days of week, 1 = Monday.
    days_of_week smallint[]  NOT NULL DEFAULT '{1,2,3,4,5,6,7}'
                 CHECK (days_of_week <@ '{1,2,3,4,5,6,7}'::smallint[]),
    -- Wall-clock times in `timezone`, not instants.
    starts_at    time        NOT NULL,
    ends_at      time        NOT NULL,
    enabled      boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES notify.channels (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX quiet_hours_channel_idx ON notify.quiet_hours (tenant_id, channel_id);

CREATE TABLE notify.maintenance_windows (
    tenant_id             text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id                    uuid        NOT NULL DEFAULT gen_random_uuid(),
    name                  text        NOT NULL CHECK (name <> ''),
    description           text,
    suppressed_event_kinds text[]     NOT NULL DEFAULT '{}',
    starts_at             timestamptz NOT NULL,
    ends_at               timestamptz NOT NULL,
    created_by            text        NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (ends_at > starts_at)
);
CREATE INDEX maintenance_windows_span_idx ON notify.maintenance_windows (tenant_id, starts_at, ends_at);

CREATE TABLE notify.inbox (
    tenant_id   text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    -- An Authority user id; no cross-schema foreign key (each module owns its schema).
    user_id     uuid        NOT NULL,
    event_id    text        COLLATE "C" NOT NULL,
    title       text        NOT NULL,
    body        text,
    severity    text        NOT NULL DEFAULT 'info' CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
    payload     jsonb       NOT NULL DEFAULT '{}',
    read_at     timestamptz,
    archived_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, user_id, event_id)
);
CREATE INDEX inbox_user_recent_idx ON notify.inbox (tenant_id, user_id, created_at DESC);

CREATE TABLE notify.audit (
    tenant_id      text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id             uuid        NOT NULL DEFAULT gen_random_uuid(),
    category       text        NOT NULL CHECK (category IN ('channel', 'rule', 'template', 'delivery', 'incident', 'escalation', 'schedule')),
    action         text        NOT NULL CHECK (action <> ''),
    entity_id      text        NOT NULL,
    actor          text        NOT NULL,
    actor_type     text        NOT NULL CHECK (actor_type IN ('user', 'service', 'system')),
    correlation_id text,
    payload        jsonb       NOT NULL DEFAULT '{}',
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_entity_idx ON notify.audit (tenant_id, category, entity_id, occurred_at);

CREATE TABLE notify.locks (
    lock_key      text        COLLATE "C" NOT NULL PRIMARY KEY CHECK (lock_key <> ''),
    holder_id     text        NOT NULL,
    fencing_token bigint      NOT NULL CHECK (fencing_token > 0),
    acquired_at   timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    CHECK (expires_at > acquired_at)
);
CREATE INDEX locks_expires_idx ON notify.locks (expires_at);

DO $rls$
DECLARE
    tenant_table text;
BEGIN
    FOREACH tenant_table IN ARRAY ARRAY[
        'channels', 'templates', 'rules', 'escalation_policies', 'on_call_schedules', 'incidents',
        'escalation_states', 'deliveries', 'digests', 'quiet_hours', 'maintenance_windows', 'inbox', 'audit']
    LOOP
        EXECUTE format('ALTER TABLE notify.%I ENABLE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format('ALTER TABLE notify.%I FORCE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON notify.%I
                USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), ''''))
                WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), ''''))',
            tenant_table);
        EXECUTE format(
            'GRANT SELECT, INSERT, UPDATE, DELETE ON notify.%I TO stellaops_app, stellaops_system',
            tenant_table);
    END LOOP;
END
$rls$;

GRANT USAGE ON SCHEMA notify TO stellaops_app, stellaops_system;
-- Locks hold no tenant data: delivery and escalation workers lease under either role.
GRANT SELECT, INSERT, UPDATE, DELETE ON notify.locks TO stellaops_app, stellaops_system;
