--
-- PostgreSQL database dump
--

\restrict stellaopsschemadump

--
-- Name: authority; Type: SCHEMA; Schema: -; Owner: stellaops_owner
--

CREATE SCHEMA authority;

ALTER SCHEMA authority OWNER TO stellaops_owner;

--
-- Name: notify; Type: SCHEMA; Schema: -; Owner: stellaops_owner
--

CREATE SCHEMA notify;

ALTER SCHEMA notify OWNER TO stellaops_owner;

--
-- Name: policy; Type: SCHEMA; Schema: -; Owner: stellaops_owner
--

CREATE SCHEMA policy;

ALTER SCHEMA policy OWNER TO stellaops_owner;

--
-- Name: scheduler; Type: SCHEMA; Schema: -; Owner: stellaops_owner
--

CREATE SCHEMA scheduler;

ALTER SCHEMA scheduler OWNER TO stellaops_owner;

--
-- Name: vex; Type: SCHEMA; Schema: -; Owner: stellaops_owner
--

CREATE SCHEMA vex;

ALTER SCHEMA vex OWNER TO stellaops_owner;

--
-- Name: vuln; Type: SCHEMA; Schema: -; Owner: stellaops_owner
--

CREATE SCHEMA vuln;

ALTER SCHEMA vuln OWNER TO stellaops_owner;

--
-- Name: refuse_published_version_change(); Type: FUNCTION; Schema: policy; Owner: stellaops_owner
--

CREATE FUNCTION policy.refuse_published_version_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
BEGIN
    IF OLD.status NOT IN ('published', 'retired') THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE'
       OR (NEW.tenant_id, NEW.id, NEW.pack_id, NEW.version, NEW.source, NEW.compiled, NEW.digest,
           NEW.submitted_by, NEW.approved_by, NEW.published_at, NEW.created_at)
          IS DISTINCT FROM
          (OLD.tenant_id, OLD.id, OLD.pack_id, OLD.version, OLD.source, OLD.compiled, OLD.digest,
           OLD.submitted_by, OLD.approved_by, OLD.published_at, OLD.created_at)
       OR NOT (NEW.status = OLD.status OR (OLD.status = 'published' AND NEW.status = 'retired'))
    THEN
        RAISE EXCEPTION 'pack version % is %: immutable, derive a new version', OLD.version, OLD.status
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN NEW;
END
$$;

ALTER FUNCTION policy.refuse_published_version_change() OWNER TO stellaops_owner;

--
-- Name: refuse_rule_change_past_draft(); Type: FUNCTION; Schema: policy; Owner: stellaops_owner
--

CREATE FUNCTION policy.refuse_rule_change_past_draft() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
DECLARE
    version_status text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT v.status INTO version_status FROM policy.pack_versions v
         WHERE v.tenant_id = OLD.tenant_id AND v.id = OLD.pack_version_id
           FOR SHARE;
        IF version_status IS NOT NULL AND version_status <> 'draft' THEN
            RAISE EXCEPTION 'rule % of a % pack version: immutable, derive a new version',
                OLD.rule_key, version_status
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT v.status INTO version_status FROM policy.pack_versions v
         WHERE v.tenant_id = NEW.tenant_id AND v.id = NEW.pack_version_id
           FOR SHARE;
        IF version_status IS NOT NULL AND version_status <> 'draft' THEN
            RAISE EXCEPTION 'rule % of a % pack version: immutable, derive a new version',
                NEW.rule_key, version_status
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$;

ALTER FUNCTION policy.refuse_rule_change_past_draft() OWNER TO stellaops_owner;

--
-- Name: clients; Type: TABLE; Schema: authority; Owner: stellaops_owner
--

CREATE TABLE authority.clients (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    client_id text NOT NULL COLLATE pg_catalog."C",
    client_secret_hash text,
    display_name text NOT NULL,
    client_type text DEFAULT 'confidential'::text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    grant_types text[] DEFAULT '{}'::text[] NOT NULL,
    redirect_uris text[] DEFAULT '{}'::text[] NOT NULL,
    allowed_scopes text[] DEFAULT '{}'::text[] NOT NULL,
    require_pkce boolean DEFAULT true NOT NULL,
    properties jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT clients_client_id_check CHECK ((client_id <> ''::text)),
    CONSTRAINT clients_client_type_check CHECK ((client_type = ANY (ARRAY['public'::text, 'confidential'::text]))),
    CONSTRAINT clients_status_check CHECK ((status = ANY (ARRAY['active'::text, 'disabled'::text])))
);

ALTER TABLE ONLY authority.clients FORCE ROW LEVEL SECURITY;

ALTER TABLE authority.clients OWNER TO stellaops_owner;

--
-- Name: license_usage; Type: TABLE; Schema: authority; Owner: stellaops_owner
--

CREATE TABLE authority.license_usage (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    license_id uuid NOT NULL,
    feature text NOT NULL COLLATE pg_catalog."C",
    period_start timestamp with time zone NOT NULL,
    used_count bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT license_usage_feature_check CHECK ((feature <> ''::text)),
    CONSTRAINT license_usage_used_count_check CHECK ((used_count >= 0))
);

ALTER TABLE ONLY authority.license_usage FORCE ROW LEVEL SECURITY;

ALTER TABLE authority.license_usage OWNER TO stellaops_owner;

--
-- Name: licenses; Type: TABLE; Schema: authority; Owner: stellaops_owner
--

CREATE TABLE authority.licenses (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    license_key text NOT NULL COLLATE pg_catalog."C",
    edition text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    max_seats integer,
    features jsonb DEFAULT '{}'::jsonb NOT NULL,
    issued_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT licenses_edition_check CHECK ((edition = ANY (ARRAY['community'::text, 'team'::text, 'enterprise'::text, 'sovereign'::text]))),
    CONSTRAINT licenses_license_key_check CHECK ((license_key <> ''::text)),
    CONSTRAINT licenses_max_seats_check CHECK (((max_seats IS NULL) OR (max_seats > 0))),
    CONSTRAINT licenses_status_check CHECK ((status = ANY (ARRAY['active'::text, 'expired'::text, 'revoked'::text, 'suspended'::text])))
);

ALTER TABLE ONLY authority.licenses FORCE ROW LEVEL SECURITY;

ALTER TABLE authority.licenses OWNER TO stellaops_owner;

--
-- Name: login_attempts; Type: TABLE; Schema: authority; Owner: stellaops_owner
--

CREATE TABLE authority.login_attempts (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid,
    username text NOT NULL COLLATE pg_catalog."C",
    outcome text NOT NULL,
    reason text,
    client_ip inet,
    user_agent text,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    properties jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT login_attempts_outcome_check CHECK ((outcome = ANY (ARRAY['success'::text, 'failure'::text, 'locked_out'::text, 'mfa_required'::text])))
);

ALTER TABLE ONLY authority.login_attempts FORCE ROW LEVEL SECURITY;

ALTER TABLE authority.login_attempts OWNER TO stellaops_owner;

--
-- Name: revocations; Type: TABLE; Schema: authority; Owner: stellaops_owner
--

CREATE TABLE authority.revocations (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    category text NOT NULL,
    revocation_id text NOT NULL COLLATE pg_catalog."C",
    token_id uuid,
    subject_id uuid,
    client_id text COLLATE pg_catalog."C",
    reason text NOT NULL,
    reason_description text,
    revoked_at timestamp with time zone DEFAULT now() NOT NULL,
    effective_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT revocations_category_check CHECK ((category = ANY (ARRAY['token'::text, 'subject'::text, 'client'::text, 'key'::text]))),
    CONSTRAINT revocations_revocation_id_check CHECK ((revocation_id <> ''::text))
);

ALTER TABLE ONLY authority.revocations FORCE ROW LEVEL SECURITY;

ALTER TABLE authority.revocations OWNER TO stellaops_owner;

--
-- Name: roles; Type: TABLE; Schema: authority; Owner: stellaops_owner
--

CREATE TABLE authority.roles (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    description text,
    is_system boolean DEFAULT false NOT NULL,
    permissions text[] DEFAULT '{}'::text[] NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT roles_name_check CHECK ((name <> ''::text))
);

ALTER TABLE ONLY authority.roles FORCE ROW LEVEL SECURITY;

ALTER TABLE authority.roles OWNER TO stellaops_owner;

--
-- Name: scopes; Type: TABLE; Schema: authority; Owner: stellaops_owner
--

CREATE TABLE authority.scopes (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    description text,
    resources text[] DEFAULT '{}'::text[] NOT NULL,
    is_system boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT scopes_name_check CHECK ((name <> ''::text))
);

ALTER TABLE authority.scopes OWNER TO stellaops_owner;

--
-- Name: service_accounts; Type: TABLE; Schema: authority; Owner: stellaops_owner
--

CREATE TABLE authority.service_accounts (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    account_id text NOT NULL COLLATE pg_catalog."C",
    display_name text NOT NULL,
    description text,
    status text DEFAULT 'active'::text NOT NULL,
    allowed_scopes text[] DEFAULT '{}'::text[] NOT NULL,
    authorized_clients text[] DEFAULT '{}'::text[] NOT NULL,
    attributes jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT service_accounts_account_id_check CHECK ((account_id <> ''::text)),
    CONSTRAINT service_accounts_status_check CHECK ((status = ANY (ARRAY['active'::text, 'disabled'::text])))
);

ALTER TABLE ONLY authority.service_accounts FORCE ROW LEVEL SECURITY;

ALTER TABLE authority.service_accounts OWNER TO stellaops_owner;

--
-- Name: tenants; Type: TABLE; Schema: authority; Owner: stellaops_owner
--

CREATE TABLE authority.tenants (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    code text NOT NULL COLLATE pg_catalog."C",
    display_name text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tenants_code_check CHECK ((code ~ '^[a-z0-9][a-z0-9_-]{0,63}$'::text)),
    CONSTRAINT tenants_status_check CHECK ((status = ANY (ARRAY['active'::text, 'suspended'::text, 'trial'::text, 'terminated'::text])))
);

ALTER TABLE authority.tenants OWNER TO stellaops_owner;

--
-- Name: tokens; Type: TABLE; Schema: authority; Owner: stellaops_owner
--

CREATE TABLE authority.tokens (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    token_hash text NOT NULL COLLATE pg_catalog."C",
    token_type text NOT NULL,
    status text DEFAULT 'valid'::text NOT NULL,
    subject_id uuid,
    user_id uuid,
    service_account_id uuid,
    client_id text COLLATE pg_catalog."C",
    scopes text[] DEFAULT '{}'::text[] NOT NULL,
    issued_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoked_reason text,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT tokens_check CHECK ((expires_at > issued_at)),
    CONSTRAINT tokens_status_check CHECK ((status = ANY (ARRAY['valid'::text, 'revoked'::text, 'redeemed'::text, 'expired'::text]))),
    CONSTRAINT tokens_token_hash_check CHECK ((token_hash <> ''::text)),
    CONSTRAINT tokens_token_type_check CHECK ((token_type = ANY (ARRAY['access'::text, 'refresh'::text, 'authorization_code'::text, 'device_code'::text])))
);

ALTER TABLE ONLY authority.tokens FORCE ROW LEVEL SECURITY;

ALTER TABLE authority.tokens OWNER TO stellaops_owner;

--
-- Name: user_roles; Type: TABLE; Schema: authority; Owner: stellaops_owner
--

CREATE TABLE authority.user_roles (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    user_id uuid NOT NULL,
    role_id uuid NOT NULL,
    granted_at timestamp with time zone DEFAULT now() NOT NULL,
    granted_by text,
    expires_at timestamp with time zone
);

ALTER TABLE ONLY authority.user_roles FORCE ROW LEVEL SECURITY;

ALTER TABLE authority.user_roles OWNER TO stellaops_owner;

--
-- Name: users; Type: TABLE; Schema: authority; Owner: stellaops_owner
--

CREATE TABLE authority.users (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    subject_id uuid DEFAULT gen_random_uuid() NOT NULL,
    username text NOT NULL COLLATE pg_catalog."C",
    email text,
    display_name text,
    password_hash text,
    status text DEFAULT 'active'::text NOT NULL,
    failed_login_count integer DEFAULT 0 NOT NULL,
    last_login_at timestamp with time zone,
    attributes jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    deleted_at timestamp with time zone,
    CONSTRAINT users_failed_login_count_check CHECK ((failed_login_count >= 0)),
    CONSTRAINT users_status_check CHECK ((status = ANY (ARRAY['active'::text, 'disabled'::text, 'locked'::text, 'deleted'::text]))),
    CONSTRAINT users_username_check CHECK ((username <> ''::text))
);

ALTER TABLE ONLY authority.users FORCE ROW LEVEL SECURITY;

ALTER TABLE authority.users OWNER TO stellaops_owner;

--
-- Name: audit; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.audit (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    category text NOT NULL,
    action text NOT NULL,
    entity_id text NOT NULL,
    actor text NOT NULL,
    actor_type text NOT NULL,
    correlation_id text,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT audit_action_check CHECK ((action <> ''::text)),
    CONSTRAINT audit_actor_type_check CHECK ((actor_type = ANY (ARRAY['user'::text, 'service'::text, 'system'::text]))),
    CONSTRAINT audit_category_check CHECK ((category = ANY (ARRAY['channel'::text, 'rule'::text, 'template'::text, 'delivery'::text, 'incident'::text, 'escalation'::text, 'schedule'::text]))),
    CONSTRAINT audit_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY notify.audit FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.audit OWNER TO stellaops_owner;

--
-- Name: channels; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.channels (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    channel_type text NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    config jsonb DEFAULT '{}'::jsonb NOT NULL,
    credentials_ref text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT channels_channel_type_check CHECK ((channel_type = ANY (ARRAY['email'::text, 'slack'::text, 'teams'::text, 'webhook'::text, 'pagerduty'::text, 'opsgenie'::text]))),
    CONSTRAINT channels_name_check CHECK ((name <> ''::text)),
    CONSTRAINT channels_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY notify.channels FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.channels OWNER TO stellaops_owner;

--
-- Name: deliveries; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.deliveries (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    channel_id uuid NOT NULL,
    rule_id uuid,
    incident_id uuid,
    event_id text NOT NULL COLLATE pg_catalog."C",
    recipient text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 5 NOT NULL,
    next_attempt_at timestamp with time zone,
    last_error text,
    subject text,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    external_id text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone,
    delivered_at timestamp with time zone,
    failed_at timestamp with time zone,
    idempotency_key text COLLATE pg_catalog."C",
    claimed_by text,
    claimed_at timestamp with time zone,
    CONSTRAINT deliveries_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT deliveries_attempts_within_max_check CHECK ((attempts <= max_attempts)),
    CONSTRAINT deliveries_claim_check CHECK (((status = 'sending'::text) = ((claimed_by IS NOT NULL) AND (claimed_at IS NOT NULL)))),
    CONSTRAINT deliveries_event_id_check CHECK ((event_id <> ''::text)),
    CONSTRAINT deliveries_idempotency_key_check CHECK ((idempotency_key <> ''::text)),
    CONSTRAINT deliveries_max_attempts_check CHECK ((max_attempts > 0)),
    CONSTRAINT deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'queued'::text, 'sending'::text, 'sent'::text, 'delivered'::text, 'failed'::text, 'bounced'::text, 'suppressed'::text]))),
    CONSTRAINT deliveries_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY notify.deliveries FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.deliveries OWNER TO stellaops_owner;

--
-- Name: digests; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.digests (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    channel_id uuid NOT NULL,
    recipient text NOT NULL,
    digest_key text NOT NULL COLLATE pg_catalog."C",
    status text DEFAULT 'collecting'::text NOT NULL,
    event_count integer DEFAULT 0 NOT NULL,
    events jsonb DEFAULT '[]'::jsonb NOT NULL,
    window_start timestamp with time zone NOT NULL,
    window_end timestamp with time zone NOT NULL,
    sent_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT digests_check CHECK ((window_end > window_start)),
    CONSTRAINT digests_digest_key_check CHECK ((digest_key <> ''::text)),
    CONSTRAINT digests_event_count_check CHECK ((event_count >= 0)),
    CONSTRAINT digests_status_check CHECK ((status = ANY (ARRAY['collecting'::text, 'sending'::text, 'sent'::text, 'failed'::text]))),
    CONSTRAINT digests_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY notify.digests FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.digests OWNER TO stellaops_owner;

--
-- Name: escalation_policies; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.escalation_policies (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    enabled boolean DEFAULT true NOT NULL,
    steps jsonb DEFAULT '[]'::jsonb NOT NULL,
    repeat_count integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT escalation_policies_name_check CHECK ((name <> ''::text)),
    CONSTRAINT escalation_policies_repeat_count_check CHECK ((repeat_count >= 0)),
    CONSTRAINT escalation_policies_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY notify.escalation_policies FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.escalation_policies OWNER TO stellaops_owner;

--
-- Name: escalation_states; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.escalation_states (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    incident_id uuid NOT NULL,
    policy_id uuid NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    current_step integer DEFAULT 0 NOT NULL,
    repeat_iteration integer DEFAULT 0 NOT NULL,
    next_escalation_at timestamp with time zone,
    acknowledged_at timestamp with time zone,
    acknowledged_by text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT escalation_states_current_step_check CHECK ((current_step >= 0)),
    CONSTRAINT escalation_states_repeat_iteration_check CHECK ((repeat_iteration >= 0)),
    CONSTRAINT escalation_states_status_check CHECK ((status = ANY (ARRAY['active'::text, 'acknowledged'::text, 'resolved'::text, 'expired'::text]))),
    CONSTRAINT escalation_states_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY notify.escalation_states FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.escalation_states OWNER TO stellaops_owner;

--
-- Name: inbox; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.inbox (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    event_id text NOT NULL COLLATE pg_catalog."C",
    title text NOT NULL,
    body text,
    severity text DEFAULT 'info'::text NOT NULL,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    read_at timestamp with time zone,
    archived_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inbox_severity_check CHECK ((severity = ANY (ARRAY['critical'::text, 'high'::text, 'medium'::text, 'low'::text, 'info'::text]))),
    CONSTRAINT inbox_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY notify.inbox FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.inbox OWNER TO stellaops_owner;

--
-- Name: incidents; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.incidents (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    correlation_key text NOT NULL COLLATE pg_catalog."C",
    title text NOT NULL,
    severity text NOT NULL,
    status text DEFAULT 'open'::text NOT NULL,
    escalation_policy_id uuid,
    event_count integer DEFAULT 1 NOT NULL,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    opened_at timestamp with time zone DEFAULT now() NOT NULL,
    acknowledged_at timestamp with time zone,
    acknowledged_by text,
    resolved_at timestamp with time zone,
    resolved_by text,
    CONSTRAINT incidents_correlation_key_check CHECK ((correlation_key <> ''::text)),
    CONSTRAINT incidents_event_count_check CHECK ((event_count > 0)),
    CONSTRAINT incidents_severity_check CHECK ((severity = ANY (ARRAY['critical'::text, 'high'::text, 'medium'::text, 'low'::text, 'info'::text]))),
    CONSTRAINT incidents_status_check CHECK ((status = ANY (ARRAY['open'::text, 'acknowledged'::text, 'resolved'::text]))),
    CONSTRAINT incidents_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY notify.incidents FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.incidents OWNER TO stellaops_owner;

--
-- Name: locks; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.locks (
    lock_key text NOT NULL COLLATE pg_catalog."C",
    holder_id text NOT NULL,
    fencing_token bigint NOT NULL,
    acquired_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT locks_check CHECK ((expires_at > acquired_at)),
    CONSTRAINT locks_fencing_token_check CHECK ((fencing_token > 0)),
    CONSTRAINT locks_lock_key_check CHECK ((lock_key <> ''::text))
);

ALTER TABLE notify.locks OWNER TO stellaops_owner;

--
-- Name: maintenance_windows; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.maintenance_windows (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    description text,
    suppressed_event_kinds text[] DEFAULT '{}'::text[] NOT NULL,
    starts_at timestamp with time zone NOT NULL,
    ends_at timestamp with time zone NOT NULL,
    created_by text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT maintenance_windows_check CHECK ((ends_at > starts_at)),
    CONSTRAINT maintenance_windows_name_check CHECK ((name <> ''::text)),
    CONSTRAINT maintenance_windows_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY notify.maintenance_windows FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.maintenance_windows OWNER TO stellaops_owner;

--
-- Name: on_call_schedules; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.on_call_schedules (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    timezone text DEFAULT 'UTC'::text NOT NULL,
    rotation text DEFAULT 'weekly'::text NOT NULL,
    participants jsonb DEFAULT '[]'::jsonb NOT NULL,
    overrides jsonb DEFAULT '[]'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT on_call_schedules_name_check CHECK ((name <> ''::text)),
    CONSTRAINT on_call_schedules_rotation_check CHECK ((rotation = ANY (ARRAY['daily'::text, 'weekly'::text, 'custom'::text]))),
    CONSTRAINT on_call_schedules_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY notify.on_call_schedules FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.on_call_schedules OWNER TO stellaops_owner;

--
-- Name: quiet_hours; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.quiet_hours (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    channel_id uuid,
    timezone text DEFAULT 'UTC'::text NOT NULL,
    days_of_week smallint[] DEFAULT '{1,2,3,4,5,6,7}'::smallint[] NOT NULL,
    starts_at time without time zone NOT NULL,
    ends_at time without time zone NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT quiet_hours_days_of_week_check CHECK ((days_of_week <@ '{1,2,3,4,5,6,7}'::smallint[])),
    CONSTRAINT quiet_hours_name_check CHECK ((name <> ''::text)),
    CONSTRAINT quiet_hours_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY notify.quiet_hours FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.quiet_hours OWNER TO stellaops_owner;

--
-- Name: rules; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.rules (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    enabled boolean DEFAULT true NOT NULL,
    priority integer DEFAULT 0 NOT NULL,
    event_kinds text[] DEFAULT '{}'::text[] NOT NULL,
    filter jsonb DEFAULT '{}'::jsonb NOT NULL,
    channel_id uuid NOT NULL,
    template_id uuid,
    throttle_seconds integer DEFAULT 0 NOT NULL,
    digest text DEFAULT 'instant'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT rules_digest_check CHECK ((digest = ANY (ARRAY['instant'::text, 'hourly'::text, 'daily'::text]))),
    CONSTRAINT rules_name_check CHECK ((name <> ''::text)),
    CONSTRAINT rules_tenant_id_check CHECK ((tenant_id <> ''::text)),
    CONSTRAINT rules_throttle_seconds_check CHECK ((throttle_seconds >= 0))
);

ALTER TABLE ONLY notify.rules FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.rules OWNER TO stellaops_owner;

--
-- Name: templates; Type: TABLE; Schema: notify; Owner: stellaops_owner
--

CREATE TABLE notify.templates (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    channel_type text NOT NULL,
    locale text DEFAULT 'en-US'::text NOT NULL COLLATE pg_catalog."C",
    format text DEFAULT 'markdown'::text NOT NULL,
    subject_template text,
    body_template text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT templates_channel_type_check CHECK ((channel_type = ANY (ARRAY['email'::text, 'slack'::text, 'teams'::text, 'webhook'::text, 'pagerduty'::text, 'opsgenie'::text]))),
    CONSTRAINT templates_format_check CHECK ((format = ANY (ARRAY['text'::text, 'markdown'::text, 'html'::text, 'json'::text]))),
    CONSTRAINT templates_name_check CHECK ((name <> ''::text)),
    CONSTRAINT templates_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY notify.templates FORCE ROW LEVEL SECURITY;

ALTER TABLE notify.templates OWNER TO stellaops_owner;

--
-- Name: audit; Type: TABLE; Schema: policy; Owner: stellaops_owner
--

CREATE TABLE policy.audit (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    category text NOT NULL,
    action text NOT NULL,
    entity_id text NOT NULL,
    actor text NOT NULL,
    actor_type text NOT NULL,
    correlation_id text,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT audit_action_check CHECK ((action <> ''::text)),
    CONSTRAINT audit_actor_type_check CHECK ((actor_type = ANY (ARRAY['user'::text, 'service'::text, 'system'::text]))),
    CONSTRAINT audit_category_check CHECK ((category = ANY (ARRAY['pack'::text, 'pack_version'::text, 'risk_profile'::text, 'evaluation'::text, 'exception'::text]))),
    CONSTRAINT audit_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY policy.audit FORCE ROW LEVEL SECURITY;

ALTER TABLE policy.audit OWNER TO stellaops_owner;

--
-- Name: evaluation_runs; Type: TABLE; Schema: policy; Owner: stellaops_owner
--

CREATE TABLE policy.evaluation_runs (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    pack_version_id uuid NOT NULL,
    risk_profile_id uuid,
    mode text NOT NULL,
    status text DEFAULT 'queued'::text NOT NULL,
    input_digest text COLLATE pg_catalog."C",
    determinism_hash text COLLATE pg_catalog."C",
    findings_total integer DEFAULT 0 NOT NULL,
    findings_changed integer DEFAULT 0 NOT NULL,
    stats jsonb DEFAULT '{}'::jsonb NOT NULL,
    error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    CONSTRAINT evaluation_runs_findings_changed_check CHECK ((findings_changed >= 0)),
    CONSTRAINT evaluation_runs_findings_total_check CHECK ((findings_total >= 0)),
    CONSTRAINT evaluation_runs_mode_check CHECK ((mode = ANY (ARRAY['full'::text, 'incremental'::text, 'simulate'::text]))),
    CONSTRAINT evaluation_runs_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'completed'::text, 'failed'::text, 'cancelled'::text]))),
    CONSTRAINT evaluation_runs_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY policy.evaluation_runs FORCE ROW LEVEL SECURITY;

ALTER TABLE policy.evaluation_runs OWNER TO stellaops_owner;

--
-- Name: exceptions; Type: TABLE; Schema: policy; Owner: stellaops_owner
--

CREATE TABLE policy.exceptions (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    pack_id uuid,
    rule_key text COLLATE pg_catalog."C",
    scope jsonb DEFAULT '{}'::jsonb NOT NULL,
    status text DEFAULT 'proposed'::text NOT NULL,
    reason text NOT NULL,
    requested_by text NOT NULL,
    approved_by text,
    approved_at timestamp with time zone,
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT exceptions_check CHECK ((expires_at > created_at)),
    CONSTRAINT exceptions_check1 CHECK (((status <> 'approved'::text) OR ((approved_by IS NOT NULL) AND (approved_at IS NOT NULL)))),
    CONSTRAINT exceptions_name_check CHECK ((name <> ''::text)),
    CONSTRAINT exceptions_status_check CHECK ((status = ANY (ARRAY['proposed'::text, 'approved'::text, 'rejected'::text, 'expired'::text, 'revoked'::text]))),
    CONSTRAINT exceptions_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY policy.exceptions FORCE ROW LEVEL SECURITY;

ALTER TABLE policy.exceptions OWNER TO stellaops_owner;

--
-- Name: explanations; Type: TABLE; Schema: policy; Owner: stellaops_owner
--

CREATE TABLE policy.explanations (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    evaluation_run_id uuid NOT NULL,
    finding_key text NOT NULL COLLATE pg_catalog."C",
    rule_id uuid,
    verdict text NOT NULL,
    severity text,
    inputs jsonb DEFAULT '{}'::jsonb NOT NULL,
    trace jsonb DEFAULT '[]'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT explanations_finding_key_check CHECK ((finding_key <> ''::text)),
    CONSTRAINT explanations_severity_check CHECK ((severity = ANY (ARRAY['critical'::text, 'high'::text, 'medium'::text, 'low'::text, 'info'::text, 'none'::text]))),
    CONSTRAINT explanations_tenant_id_check CHECK ((tenant_id <> ''::text)),
    CONSTRAINT explanations_verdict_check CHECK ((verdict = ANY (ARRAY['pass'::text, 'warn'::text, 'fail'::text, 'ignored'::text, 'deferred'::text])))
);

ALTER TABLE ONLY policy.explanations FORCE ROW LEVEL SECURITY;

ALTER TABLE policy.explanations OWNER TO stellaops_owner;

--
-- Name: pack_versions; Type: TABLE; Schema: policy; Owner: stellaops_owner
--

CREATE TABLE policy.pack_versions (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    pack_id uuid NOT NULL,
    version integer NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    source text NOT NULL,
    compiled jsonb DEFAULT '{}'::jsonb NOT NULL,
    digest text NOT NULL COLLATE pg_catalog."C",
    submitted_by text,
    approved_by text,
    published_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pack_versions_approved_by_check CHECK (((status = ANY (ARRAY['draft'::text, 'submitted'::text])) OR (approved_by IS NOT NULL))),
    CONSTRAINT pack_versions_digest_check CHECK ((digest ~ '^sha256:[0-9a-f]{64}$'::text)),
    CONSTRAINT pack_versions_published_at_check CHECK (((status = ANY (ARRAY['published'::text, 'retired'::text])) = (published_at IS NOT NULL))),
    CONSTRAINT pack_versions_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'submitted'::text, 'approved'::text, 'published'::text, 'retired'::text]))),
    CONSTRAINT pack_versions_submitted_by_check CHECK (((status = 'draft'::text) OR (submitted_by IS NOT NULL))),
    CONSTRAINT pack_versions_tenant_id_check CHECK ((tenant_id <> ''::text)),
    CONSTRAINT pack_versions_version_check CHECK ((version > 0))
);

ALTER TABLE ONLY policy.pack_versions FORCE ROW LEVEL SECURITY;

ALTER TABLE policy.pack_versions OWNER TO stellaops_owner;

--
-- Name: packs; Type: TABLE; Schema: policy; Owner: stellaops_owner
--

CREATE TABLE policy.packs (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    description text,
    status text DEFAULT 'draft'::text NOT NULL,
    active_version integer,
    created_by text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT packs_active_version_check CHECK (((active_version IS NULL) OR (active_version > 0))),
    CONSTRAINT packs_name_check CHECK ((name <> ''::text)),
    CONSTRAINT packs_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'active'::text, 'deprecated'::text, 'archived'::text]))),
    CONSTRAINT packs_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY policy.packs FORCE ROW LEVEL SECURITY;

ALTER TABLE policy.packs OWNER TO stellaops_owner;

--
-- Name: risk_profiles; Type: TABLE; Schema: policy; Owner: stellaops_owner
--

CREATE TABLE policy.risk_profiles (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    version integer NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    signals jsonb DEFAULT '[]'::jsonb NOT NULL,
    weights jsonb DEFAULT '{}'::jsonb NOT NULL,
    thresholds jsonb DEFAULT '{}'::jsonb NOT NULL,
    overrides jsonb DEFAULT '{}'::jsonb NOT NULL,
    digest text COLLATE pg_catalog."C",
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT risk_profiles_name_check CHECK ((name <> ''::text)),
    CONSTRAINT risk_profiles_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'active'::text, 'deprecated'::text]))),
    CONSTRAINT risk_profiles_tenant_id_check CHECK ((tenant_id <> ''::text)),
    CONSTRAINT risk_profiles_version_check CHECK ((version > 0))
);

ALTER TABLE ONLY policy.risk_profiles FORCE ROW LEVEL SECURITY;

ALTER TABLE policy.risk_profiles OWNER TO stellaops_owner;

--
-- Name: rules; Type: TABLE; Schema: policy; Owner: stellaops_owner
--

CREATE TABLE policy.rules (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    pack_version_id uuid NOT NULL,
    rule_key text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    severity text NOT NULL,
    action text NOT NULL,
    condition jsonb NOT NULL,
    priority integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT rules_action_check CHECK ((action = ANY (ARRAY['block'::text, 'warn'::text, 'ignore'::text, 'escalate'::text, 'require_vex'::text, 'defer'::text]))),
    CONSTRAINT rules_rule_key_check CHECK ((rule_key <> ''::text)),
    CONSTRAINT rules_severity_check CHECK ((severity = ANY (ARRAY['critical'::text, 'high'::text, 'medium'::text, 'low'::text, 'info'::text, 'none'::text]))),
    CONSTRAINT rules_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY policy.rules FORCE ROW LEVEL SECURITY;

ALTER TABLE policy.rules OWNER TO stellaops_owner;

--
-- Name: audit; Type: TABLE; Schema: scheduler; Owner: stellaops_owner
--

CREATE TABLE scheduler.audit (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    category text NOT NULL,
    action text NOT NULL,
    entity_id text NOT NULL,
    actor text NOT NULL,
    actor_type text NOT NULL,
    correlation_id text,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT audit_action_check CHECK ((action <> ''::text)),
    CONSTRAINT audit_actor_type_check CHECK ((actor_type = ANY (ARRAY['user'::text, 'service'::text, 'system'::text]))),
    CONSTRAINT audit_category_check CHECK ((category = ANY (ARRAY['schedule'::text, 'run'::text, 'graph_job'::text, 'policy_job'::text, 'worker'::text, 'lock'::text]))),
    CONSTRAINT audit_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY scheduler.audit FORCE ROW LEVEL SECURITY;

ALTER TABLE scheduler.audit OWNER TO stellaops_owner;

--
-- Name: execution_logs; Type: TABLE; Schema: scheduler; Owner: stellaops_owner
--

CREATE TABLE scheduler.execution_logs (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    run_id uuid NOT NULL,
    worker_id text COLLATE pg_catalog."C",
    level text NOT NULL,
    message text NOT NULL,
    details jsonb DEFAULT '{}'::jsonb NOT NULL,
    logged_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT execution_logs_level_check CHECK ((level = ANY (ARRAY['debug'::text, 'info'::text, 'warn'::text, 'error'::text]))),
    CONSTRAINT execution_logs_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY scheduler.execution_logs FORCE ROW LEVEL SECURITY;

ALTER TABLE scheduler.execution_logs OWNER TO stellaops_owner;

--
-- Name: graph_jobs; Type: TABLE; Schema: scheduler; Owner: stellaops_owner
--

CREATE TABLE scheduler.graph_jobs (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    kind text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    sbom_id text NOT NULL,
    sbom_version_id text,
    sbom_digest text NOT NULL,
    graph_snapshot_id text,
    trigger text NOT NULL,
    priority integer DEFAULT 0 NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    lease_owner text,
    lease_expires_at timestamp with time zone,
    fencing_token bigint DEFAULT 0 NOT NULL,
    correlation_id text,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    CONSTRAINT graph_jobs_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT graph_jobs_kind_check CHECK ((kind = ANY (ARRAY['build'::text, 'overlay'::text]))),
    CONSTRAINT graph_jobs_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'queued'::text, 'running'::text, 'completed'::text, 'failed'::text, 'cancelled'::text]))),
    CONSTRAINT graph_jobs_tenant_id_check CHECK ((tenant_id <> ''::text)),
    CONSTRAINT graph_jobs_trigger_check CHECK ((trigger = ANY (ARRAY['sbom_version'::text, 'backfill'::text, 'manual'::text, 'policy_run'::text, 'advisory_delta'::text])))
);

ALTER TABLE ONLY scheduler.graph_jobs FORCE ROW LEVEL SECURITY;

ALTER TABLE scheduler.graph_jobs OWNER TO stellaops_owner;

--
-- Name: impact_snapshots; Type: TABLE; Schema: scheduler; Owner: stellaops_owner
--

CREATE TABLE scheduler.impact_snapshots (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    run_id uuid,
    snapshot_id text NOT NULL COLLATE pg_catalog."C",
    selector jsonb DEFAULT '{}'::jsonb NOT NULL,
    images jsonb DEFAULT '[]'::jsonb NOT NULL,
    image_count integer DEFAULT 0 NOT NULL,
    generated_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT impact_snapshots_image_count_check CHECK ((image_count >= 0)),
    CONSTRAINT impact_snapshots_snapshot_id_check CHECK ((snapshot_id <> ''::text)),
    CONSTRAINT impact_snapshots_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY scheduler.impact_snapshots FORCE ROW LEVEL SECURITY;

ALTER TABLE scheduler.impact_snapshots OWNER TO stellaops_owner;

--
-- Name: locks; Type: TABLE; Schema: scheduler; Owner: stellaops_owner
--

CREATE TABLE scheduler.locks (
    lock_key text NOT NULL COLLATE pg_catalog."C",
    holder_id text NOT NULL,
    fencing_token bigint NOT NULL,
    acquired_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT locks_check CHECK ((expires_at > acquired_at)),
    CONSTRAINT locks_fencing_token_check CHECK ((fencing_token > 0)),
    CONSTRAINT locks_lock_key_check CHECK ((lock_key <> ''::text))
);

ALTER TABLE scheduler.locks OWNER TO stellaops_owner;

--
-- Name: policy_jobs; Type: TABLE; Schema: scheduler; Owner: stellaops_owner
--

CREATE TABLE scheduler.policy_jobs (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    run_id uuid,
    policy_pack_id text NOT NULL,
    policy_version integer NOT NULL,
    mode text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    priority integer DEFAULT 0 NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 3 NOT NULL,
    lease_owner text,
    lease_expires_at timestamp with time zone,
    fencing_token bigint DEFAULT 0 NOT NULL,
    inputs jsonb DEFAULT '{}'::jsonb NOT NULL,
    result jsonb,
    error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    CONSTRAINT policy_jobs_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT policy_jobs_max_attempts_check CHECK ((max_attempts > 0)),
    CONSTRAINT policy_jobs_mode_check CHECK ((mode = ANY (ARRAY['full'::text, 'incremental'::text, 'simulate'::text]))),
    CONSTRAINT policy_jobs_policy_version_check CHECK ((policy_version > 0)),
    CONSTRAINT policy_jobs_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'queued'::text, 'running'::text, 'completed'::text, 'failed'::text, 'cancelled'::text]))),
    CONSTRAINT policy_jobs_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY scheduler.policy_jobs FORCE ROW LEVEL SECURITY;

ALTER TABLE scheduler.policy_jobs OWNER TO stellaops_owner;

--
-- Name: run_summaries; Type: TABLE; Schema: scheduler; Owner: stellaops_owner
--

CREATE TABLE scheduler.run_summaries (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    schedule_id uuid NOT NULL,
    last_run_id uuid,
    last_state text,
    last_run_at timestamp with time zone,
    total_runs integer DEFAULT 0 NOT NULL,
    completed_runs integer DEFAULT 0 NOT NULL,
    error_runs integer DEFAULT 0 NOT NULL,
    cancelled_runs integer DEFAULT 0 NOT NULL,
    recent jsonb DEFAULT '[]'::jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT run_summaries_cancelled_runs_check CHECK ((cancelled_runs >= 0)),
    CONSTRAINT run_summaries_completed_runs_check CHECK ((completed_runs >= 0)),
    CONSTRAINT run_summaries_error_runs_check CHECK ((error_runs >= 0)),
    CONSTRAINT run_summaries_last_state_check CHECK ((last_state = ANY (ARRAY['planning'::text, 'queued'::text, 'running'::text, 'completed'::text, 'error'::text, 'cancelled'::text]))),
    CONSTRAINT run_summaries_tenant_id_check CHECK ((tenant_id <> ''::text)),
    CONSTRAINT run_summaries_total_runs_check CHECK ((total_runs >= 0))
);

ALTER TABLE ONLY scheduler.run_summaries FORCE ROW LEVEL SECURITY;

ALTER TABLE scheduler.run_summaries OWNER TO stellaops_owner;

--
-- Name: runs; Type: TABLE; Schema: scheduler; Owner: stellaops_owner
--

CREATE TABLE scheduler.runs (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    schedule_id uuid,
    trigger_id uuid,
    trigger text NOT NULL,
    state text DEFAULT 'planning'::text NOT NULL,
    reason jsonb DEFAULT '{}'::jsonb NOT NULL,
    stats jsonb DEFAULT '{}'::jsonb NOT NULL,
    deltas jsonb DEFAULT '[]'::jsonb NOT NULL,
    error text,
    retry_of uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    priority integer DEFAULT 0 NOT NULL,
    due_at timestamp with time zone,
    attempt integer DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 3 NOT NULL,
    claimed_by text,
    heartbeat_at timestamp with time zone,
    scheduled_for timestamp with time zone,
    CONSTRAINT runs_attempt_check CHECK (((attempt >= 0) AND (attempt <= max_attempts))),
    CONSTRAINT runs_check CHECK (((finished_at IS NULL) OR (started_at IS NULL) OR (finished_at >= started_at))),
    CONSTRAINT runs_claim_check CHECK (((state <> 'running'::text) OR (claimed_by IS NOT NULL))),
    CONSTRAINT runs_max_attempts_check CHECK ((max_attempts > 0)),
    CONSTRAINT runs_state_check CHECK ((state = ANY (ARRAY['planning'::text, 'queued'::text, 'running'::text, 'completed'::text, 'error'::text, 'cancelled'::text]))),
    CONSTRAINT runs_tenant_id_check CHECK ((tenant_id <> ''::text)),
    CONSTRAINT runs_trigger_check CHECK ((trigger = ANY (ARRAY['cron'::text, 'manual'::text, 'feedser'::text, 'vexer'::text, 'conselier'::text, 'excitor'::text])))
);

ALTER TABLE ONLY scheduler.runs FORCE ROW LEVEL SECURITY;

ALTER TABLE scheduler.runs OWNER TO stellaops_owner;

--
-- Name: schedules; Type: TABLE; Schema: scheduler; Owner: stellaops_owner
--

CREATE TABLE scheduler.schedules (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    description text,
    enabled boolean DEFAULT true NOT NULL,
    cron_expression text NOT NULL,
    timezone text DEFAULT 'UTC'::text NOT NULL,
    mode text DEFAULT 'analysis_only'::text NOT NULL,
    selection jsonb DEFAULT '{}'::jsonb NOT NULL,
    only_if jsonb DEFAULT '{}'::jsonb NOT NULL,
    notify jsonb DEFAULT '{}'::jsonb NOT NULL,
    limits jsonb DEFAULT '{}'::jsonb NOT NULL,
    next_fire_at timestamp with time zone,
    last_fired_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text NOT NULL,
    deleted_at timestamp with time zone,
    deleted_by text,
    CONSTRAINT schedules_check CHECK (((deleted_at IS NULL) = (deleted_by IS NULL))),
    CONSTRAINT schedules_cron_expression_check CHECK ((cron_expression <> ''::text)),
    CONSTRAINT schedules_mode_check CHECK ((mode = ANY (ARRAY['analysis_only'::text, 'content_refresh'::text]))),
    CONSTRAINT schedules_name_check CHECK ((name <> ''::text)),
    CONSTRAINT schedules_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY scheduler.schedules FORCE ROW LEVEL SECURITY;

ALTER TABLE scheduler.schedules OWNER TO stellaops_owner;

--
-- Name: triggers; Type: TABLE; Schema: scheduler; Owner: stellaops_owner
--

CREATE TABLE scheduler.triggers (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    schedule_id uuid NOT NULL,
    kind text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    fire_at timestamp with time zone NOT NULL,
    fired_at timestamp with time zone,
    run_id uuid,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT triggers_kind_check CHECK ((kind = ANY (ARRAY['cron'::text, 'manual'::text, 'feedser'::text, 'vexer'::text, 'conselier'::text, 'excitor'::text]))),
    CONSTRAINT triggers_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'fired'::text, 'skipped'::text, 'failed'::text]))),
    CONSTRAINT triggers_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY scheduler.triggers FORCE ROW LEVEL SECURITY;

ALTER TABLE scheduler.triggers OWNER TO stellaops_owner;

--
-- Name: workers; Type: TABLE; Schema: scheduler; Owner: stellaops_owner
--

CREATE TABLE scheduler.workers (
    id text NOT NULL COLLATE pg_catalog."C",
    hostname text NOT NULL,
    process_id integer,
    kinds text[] DEFAULT '{}'::text[] NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    capacity integer DEFAULT 1 NOT NULL,
    current_load integer DEFAULT 0 NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    last_heartbeat_at timestamp with time zone DEFAULT now() NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT workers_capacity_check CHECK ((capacity > 0)),
    CONSTRAINT workers_current_load_check CHECK ((current_load >= 0)),
    CONSTRAINT workers_id_check CHECK ((id <> ''::text)),
    CONSTRAINT workers_status_check CHECK ((status = ANY (ARRAY['active'::text, 'draining'::text, 'stopped'::text, 'dead'::text])))
);

ALTER TABLE scheduler.workers OWNER TO stellaops_owner;

--
-- Name: consensus; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.consensus (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    vulnerability_id text NOT NULL COLLATE pg_catalog."C",
    product_key text NOT NULL COLLATE pg_catalog."C",
    status text NOT NULL,
    justification text,
    confidence numeric(4,3) NOT NULL,
    policy_version text,
    contributing_statements jsonb DEFAULT '[]'::jsonb NOT NULL,
    content_hash text NOT NULL COLLATE pg_catalog."C",
    computed_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT consensus_confidence_check CHECK (((confidence >= (0)::numeric) AND (confidence <= (1)::numeric))),
    CONSTRAINT consensus_product_key_check CHECK ((product_key <> ''::text)),
    CONSTRAINT consensus_status_check CHECK ((status = ANY (ARRAY['not_affected'::text, 'affected'::text, 'fixed'::text, 'under_investigation'::text]))),
    CONSTRAINT consensus_tenant_id_check CHECK ((tenant_id <> ''::text)),
    CONSTRAINT consensus_vulnerability_id_check CHECK ((vulnerability_id <> ''::text))
);

ALTER TABLE ONLY vex.consensus FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.consensus OWNER TO stellaops_owner;

--
-- Name: consensus_holds; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.consensus_holds (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    consensus_id uuid NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    reason text NOT NULL,
    held_by text NOT NULL,
    held_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    released_at timestamp with time zone,
    CONSTRAINT consensus_holds_status_check CHECK ((status = ANY (ARRAY['active'::text, 'released'::text, 'expired'::text]))),
    CONSTRAINT consensus_holds_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY vex.consensus_holds FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.consensus_holds OWNER TO stellaops_owner;

--
-- Name: evidence_manifests; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.evidence_manifests (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    project_id uuid,
    subject_digest text NOT NULL COLLATE pg_catalog."C",
    manifest_digest text NOT NULL COLLATE pg_catalog."C",
    manifest jsonb NOT NULL,
    signature text,
    signed_by text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT evidence_manifests_manifest_digest_check CHECK ((manifest_digest ~ '^sha256:[0-9a-f]{64}$'::text)),
    CONSTRAINT evidence_manifests_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY vex.evidence_manifests FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.evidence_manifests OWNER TO stellaops_owner;

--
-- Name: graph_edges; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.graph_edges (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    graph_revision_id uuid NOT NULL,
    from_node_id uuid NOT NULL,
    to_node_id uuid NOT NULL,
    edge_type text NOT NULL,
    attributes jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT graph_edges_check CHECK ((from_node_id <> to_node_id)),
    CONSTRAINT graph_edges_edge_type_check CHECK ((edge_type = ANY (ARRAY['depends_on'::text, 'contains'::text, 'affects'::text, 'fixed_by'::text, 'derived_from'::text, 'vex_applies'::text]))),
    CONSTRAINT graph_edges_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY vex.graph_edges FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.graph_edges OWNER TO stellaops_owner;

--
-- Name: graph_nodes; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.graph_nodes (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    graph_revision_id uuid NOT NULL,
    node_key text NOT NULL COLLATE pg_catalog."C",
    node_type text NOT NULL,
    purl text COLLATE pg_catalog."C",
    name text NOT NULL,
    version text,
    attributes jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT graph_nodes_node_key_check CHECK ((node_key <> ''::text)),
    CONSTRAINT graph_nodes_node_type_check CHECK ((node_type = ANY (ARRAY['image'::text, 'component'::text, 'package'::text, 'file'::text, 'service'::text, 'vulnerability'::text]))),
    CONSTRAINT graph_nodes_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY vex.graph_nodes FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.graph_nodes OWNER TO stellaops_owner;

--
-- Name: graph_revisions; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.graph_revisions (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    project_id uuid NOT NULL,
    revision_key text NOT NULL COLLATE pg_catalog."C",
    parent_revision_id uuid,
    status text DEFAULT 'building'::text NOT NULL,
    sbom_digest text NOT NULL COLLATE pg_catalog."C",
    feed_snapshot_key text COLLATE pg_catalog."C",
    policy_version text,
    node_count integer DEFAULT 0 NOT NULL,
    edge_count integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT graph_revisions_edge_count_check CHECK ((edge_count >= 0)),
    CONSTRAINT graph_revisions_node_count_check CHECK ((node_count >= 0)),
    CONSTRAINT graph_revisions_revision_key_check CHECK ((revision_key <> ''::text)),
    CONSTRAINT graph_revisions_status_check CHECK ((status = ANY (ARRAY['building'::text, 'complete'::text, 'failed'::text, 'superseded'::text]))),
    CONSTRAINT graph_revisions_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY vex.graph_revisions FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.graph_revisions OWNER TO stellaops_owner;

--
-- Name: linkset_events; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.linkset_events (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    linkset_id uuid NOT NULL,
    observation_id uuid,
    event_type text NOT NULL,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT linkset_events_event_type_check CHECK ((event_type = ANY (ARRAY['created'::text, 'observation_added'::text, 'observation_removed'::text, 'conflict_detected'::text, 'resolved'::text]))),
    CONSTRAINT linkset_events_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY vex.linkset_events FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.linkset_events OWNER TO stellaops_owner;

--
-- Name: linksets; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.linksets (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    linkset_key text NOT NULL COLLATE pg_catalog."C",
    vulnerability_id text NOT NULL COLLATE pg_catalog."C",
    product_key text NOT NULL COLLATE pg_catalog."C",
    status text DEFAULT 'open'::text NOT NULL,
    conflicts jsonb DEFAULT '[]'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT linksets_linkset_key_check CHECK ((linkset_key <> ''::text)),
    CONSTRAINT linksets_status_check CHECK ((status = ANY (ARRAY['open'::text, 'resolved'::text, 'conflicted'::text]))),
    CONSTRAINT linksets_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY vex.linksets FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.linksets OWNER TO stellaops_owner;

--
-- Name: observations; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.observations (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    statement_id uuid,
    provider_id text NOT NULL COLLATE pg_catalog."C",
    vulnerability_id text NOT NULL COLLATE pg_catalog."C",
    product_key text NOT NULL COLLATE pg_catalog."C",
    status text NOT NULL,
    justification text,
    document_digest text NOT NULL COLLATE pg_catalog."C",
    raw jsonb NOT NULL,
    observed_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT observations_product_key_check CHECK ((product_key <> ''::text)),
    CONSTRAINT observations_provider_id_check CHECK ((provider_id <> ''::text)),
    CONSTRAINT observations_status_check CHECK ((status = ANY (ARRAY['not_affected'::text, 'affected'::text, 'fixed'::text, 'under_investigation'::text]))),
    CONSTRAINT observations_tenant_id_check CHECK ((tenant_id <> ''::text)),
    CONSTRAINT observations_vulnerability_id_check CHECK ((vulnerability_id <> ''::text))
);

ALTER TABLE ONLY vex.observations FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.observations OWNER TO stellaops_owner;

--
-- Name: projects; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.projects (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL COLLATE pg_catalog."C",
    description text,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT projects_name_check CHECK ((name <> ''::text)),
    CONSTRAINT projects_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY vex.projects FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.projects OWNER TO stellaops_owner;

--
-- Name: statements; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.statements (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    project_id uuid,
    vulnerability_id text NOT NULL COLLATE pg_catalog."C",
    product_key text NOT NULL COLLATE pg_catalog."C",
    status text NOT NULL,
    justification text,
    impact_statement text,
    action_statement text,
    issuer text NOT NULL,
    source text NOT NULL COLLATE pg_catalog."C",
    document_id text NOT NULL COLLATE pg_catalog."C",
    evidence jsonb DEFAULT '{}'::jsonb NOT NULL,
    first_issued_at timestamp with time zone NOT NULL,
    last_updated_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT statements_check CHECK (((status <> 'not_affected'::text) OR (justification IS NOT NULL) OR (impact_statement IS NOT NULL))),
    CONSTRAINT statements_check1 CHECK ((last_updated_at >= first_issued_at)),
    CONSTRAINT statements_justification_check CHECK ((justification = ANY (ARRAY['component_not_present'::text, 'vulnerable_code_not_present'::text, 'vulnerable_code_not_in_execute_path'::text, 'vulnerable_code_cannot_be_controlled_by_adversary'::text, 'inline_mitigations_already_exist'::text]))),
    CONSTRAINT statements_product_key_check CHECK ((product_key <> ''::text)),
    CONSTRAINT statements_status_check CHECK ((status = ANY (ARRAY['not_affected'::text, 'affected'::text, 'fixed'::text, 'under_investigation'::text]))),
    CONSTRAINT statements_tenant_id_check CHECK ((tenant_id <> ''::text)),
    CONSTRAINT statements_vulnerability_id_check CHECK ((vulnerability_id <> ''::text))
);

ALTER TABLE ONLY vex.statements FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.statements OWNER TO stellaops_owner;

--
-- Name: unknown_items; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.unknown_items (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    snapshot_id uuid NOT NULL,
    item_key text NOT NULL COLLATE pg_catalog."C",
    item_type text NOT NULL,
    reason text NOT NULL,
    details jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT unknown_items_item_key_check CHECK ((item_key <> ''::text)),
    CONSTRAINT unknown_items_item_type_check CHECK ((item_type = ANY (ARRAY['component'::text, 'vulnerability'::text, 'license'::text, 'provenance'::text]))),
    CONSTRAINT unknown_items_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY vex.unknown_items FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.unknown_items OWNER TO stellaops_owner;

--
-- Name: unknowns_snapshots; Type: TABLE; Schema: vex; Owner: stellaops_owner
--

CREATE TABLE vex.unknowns_snapshots (
    tenant_id text NOT NULL COLLATE pg_catalog."C",
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    project_id uuid NOT NULL,
    graph_revision_id uuid,
    snapshot_key text NOT NULL COLLATE pg_catalog."C",
    item_count integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT unknowns_snapshots_item_count_check CHECK ((item_count >= 0)),
    CONSTRAINT unknowns_snapshots_snapshot_key_check CHECK ((snapshot_key <> ''::text)),
    CONSTRAINT unknowns_snapshots_tenant_id_check CHECK ((tenant_id <> ''::text))
);

ALTER TABLE ONLY vex.unknowns_snapshots FORCE ROW LEVEL SECURITY;

ALTER TABLE vex.unknowns_snapshots OWNER TO stellaops_owner;

--
-- Name: advisories; Type: TABLE; Schema: vuln; Owner: stellaops_owner
--

CREATE TABLE vuln.advisories (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    advisory_key text NOT NULL COLLATE pg_catalog."C",
    primary_source_id uuid,
    title text,
    summary text,
    description text,
    severity text DEFAULT 'unknown'::text NOT NULL,
    published_at timestamp with time zone,
    modified_at timestamp with time zone,
    withdrawn_at timestamp with time zone,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    provenance jsonb DEFAULT '[]'::jsonb NOT NULL,
    content_hash text NOT NULL COLLATE pg_catalog."C",
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT advisories_advisory_key_check CHECK ((advisory_key <> ''::text)),
    CONSTRAINT advisories_severity_check CHECK ((severity = ANY (ARRAY['critical'::text, 'high'::text, 'medium'::text, 'low'::text, 'none'::text, 'unknown'::text])))
);

ALTER TABLE vuln.advisories OWNER TO stellaops_owner;

--
-- Name: advisory_affected; Type: TABLE; Schema: vuln; Owner: stellaops_owner
--

CREATE TABLE vuln.advisory_affected (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    advisory_id uuid NOT NULL,
    ecosystem text NOT NULL COLLATE pg_catalog."C",
    package_name text NOT NULL COLLATE pg_catalog."C",
    purl text COLLATE pg_catalog."C",
    range_type text NOT NULL,
    ranges jsonb DEFAULT '[]'::jsonb NOT NULL,
    versions text[] DEFAULT '{}'::text[] NOT NULL,
    status text DEFAULT 'affected'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT advisory_affected_ecosystem_check CHECK ((ecosystem <> ''::text)),
    CONSTRAINT advisory_affected_package_name_check CHECK ((package_name <> ''::text)),
    CONSTRAINT advisory_affected_range_type_check CHECK ((range_type = ANY (ARRAY['semver'::text, 'ecosystem'::text, 'git'::text, 'version_list'::text, 'rpm'::text, 'deb'::text, 'apk'::text]))),
    CONSTRAINT advisory_affected_status_check CHECK ((status = ANY (ARRAY['affected'::text, 'not_affected'::text, 'fixed'::text, 'under_investigation'::text])))
);

ALTER TABLE vuln.advisory_affected OWNER TO stellaops_owner;

--
-- Name: advisory_aliases; Type: TABLE; Schema: vuln; Owner: stellaops_owner
--

CREATE TABLE vuln.advisory_aliases (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    advisory_id uuid NOT NULL,
    alias_type text NOT NULL,
    alias_value text NOT NULL COLLATE pg_catalog."C",
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT advisory_aliases_alias_type_check CHECK ((alias_type = ANY (ARRAY['cve'::text, 'ghsa'::text, 'osv'::text, 'rhsa'::text, 'debian'::text, 'ubuntu'::text, 'vendor'::text, 'other'::text]))),
    CONSTRAINT advisory_aliases_alias_value_check CHECK ((alias_value <> ''::text)),
    CONSTRAINT advisory_aliases_check CHECK (((alias_type <> 'cve'::text) OR (alias_value ~ '^CVE-[0-9]{4}-[0-9]{4,}$'::text))),
    CONSTRAINT advisory_aliases_check1 CHECK (((alias_type <> 'ghsa'::text) OR (alias_value ~ '^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$'::text)))
);

ALTER TABLE vuln.advisory_aliases OWNER TO stellaops_owner;

--
-- Name: advisory_credits; Type: TABLE; Schema: vuln; Owner: stellaops_owner
--

CREATE TABLE vuln.advisory_credits (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    advisory_id uuid NOT NULL,
    name text NOT NULL,
    contact text,
    credit_type text DEFAULT 'other'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT advisory_credits_credit_type_check CHECK ((credit_type = ANY (ARRAY['finder'::text, 'reporter'::text, 'analyst'::text, 'coordinator'::text, 'remediation_developer'::text, 'other'::text]))),
    CONSTRAINT advisory_credits_name_check CHECK ((name <> ''::text))
);

ALTER TABLE vuln.advisory_credits OWNER TO stellaops_owner;

--
-- Name: advisory_cvss; Type: TABLE; Schema: vuln; Owner: stellaops_owner
--

CREATE TABLE vuln.advisory_cvss (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    advisory_id uuid NOT NULL,
    cvss_version text NOT NULL,
    vector_string text NOT NULL,
    base_score numeric(3,1) NOT NULL,
    base_severity text NOT NULL,
    source text NOT NULL COLLATE pg_catalog."C",
    is_primary boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT advisory_cvss_base_score_check CHECK (((base_score >= (0)::numeric) AND (base_score <= (10)::numeric))),
    CONSTRAINT advisory_cvss_base_severity_check CHECK ((base_severity = ANY (ARRAY['critical'::text, 'high'::text, 'medium'::text, 'low'::text, 'none'::text]))),
    CONSTRAINT advisory_cvss_cvss_version_check CHECK ((cvss_version = ANY (ARRAY['2.0'::text, '3.0'::text, '3.1'::text, '4.0'::text]))),
    CONSTRAINT advisory_cvss_vector_string_check CHECK ((vector_string <> ''::text))
);

ALTER TABLE vuln.advisory_cvss OWNER TO stellaops_owner;

--
-- Name: advisory_references; Type: TABLE; Schema: vuln; Owner: stellaops_owner
--

CREATE TABLE vuln.advisory_references (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    advisory_id uuid NOT NULL,
    url text NOT NULL,
    ref_type text DEFAULT 'web'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT advisory_references_ref_type_check CHECK ((ref_type = ANY (ARRAY['advisory'::text, 'article'::text, 'fix'::text, 'report'::text, 'package'::text, 'web'::text, 'evidence'::text, 'other'::text]))),
    CONSTRAINT advisory_references_url_check CHECK ((url ~ '^https?://'::text))
);

ALTER TABLE vuln.advisory_references OWNER TO stellaops_owner;

--
-- Name: advisory_snapshots; Type: TABLE; Schema: vuln; Owner: stellaops_owner
--

CREATE TABLE vuln.advisory_snapshots (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    feed_snapshot_id uuid NOT NULL,
    advisory_id uuid,
    advisory_key text NOT NULL COLLATE pg_catalog."C",
    content_hash text NOT NULL COLLATE pg_catalog."C",
    payload jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT advisory_snapshots_advisory_key_check CHECK ((advisory_key <> ''::text))
);

ALTER TABLE vuln.advisory_snapshots OWNER TO stellaops_owner;

--
-- Name: advisory_weaknesses; Type: TABLE; Schema: vuln; Owner: stellaops_owner
--

CREATE TABLE vuln.advisory_weaknesses (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    advisory_id uuid NOT NULL,
    cwe_id text NOT NULL COLLATE pg_catalog."C",
    description text,
    source text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT advisory_weaknesses_cwe_id_check CHECK ((cwe_id ~ '^CWE-[0-9]+$'::text))
);

ALTER TABLE vuln.advisory_weaknesses OWNER TO stellaops_owner;

--
-- Name: feed_snapshots; Type: TABLE; Schema: vuln; Owner: stellaops_owner
--

CREATE TABLE vuln.feed_snapshots (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    source_id uuid NOT NULL,
    digest text NOT NULL COLLATE pg_catalog."C",
    record_count integer DEFAULT 0 NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    fetched_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT feed_snapshots_digest_check CHECK ((digest ~ '^sha256:[0-9a-f]{64}$'::text)),
    CONSTRAINT feed_snapshots_record_count_check CHECK ((record_count >= 0))
);

ALTER TABLE vuln.feed_snapshots OWNER TO stellaops_owner;

--
-- Name: kev_flags; Type: TABLE; Schema: vuln; Owner: stellaops_owner
--

CREATE TABLE vuln.kev_flags (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    cve_id text NOT NULL COLLATE pg_catalog."C",
    advisory_id uuid,
    vendor_project text NOT NULL,
    product text NOT NULL,
    vulnerability_name text NOT NULL,
    date_added date NOT NULL,
    due_date date,
    known_ransomware_use boolean DEFAULT false NOT NULL,
    notes text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT kev_flags_cve_id_check CHECK ((cve_id ~ '^CVE-[0-9]{4}-[0-9]{4,}$'::text))
);

ALTER TABLE vuln.kev_flags OWNER TO stellaops_owner;

--
-- Name: source_states; Type: TABLE; Schema: vuln; Owner: stellaops_owner
--

CREATE TABLE vuln.source_states (
    source_id uuid NOT NULL,
    status text DEFAULT 'idle'::text NOT NULL,
    cursor jsonb DEFAULT '{}'::jsonb NOT NULL,
    failure_count integer DEFAULT 0 NOT NULL,
    last_error text,
    last_fetch_at timestamp with time zone,
    last_success_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT source_states_failure_count_check CHECK ((failure_count >= 0)),
    CONSTRAINT source_states_status_check CHECK ((status = ANY (ARRAY['idle'::text, 'fetching'::text, 'failed'::text, 'disabled'::text])))
);

ALTER TABLE vuln.source_states OWNER TO stellaops_owner;

--
-- Name: sources; Type: TABLE; Schema: vuln; Owner: stellaops_owner
--

CREATE TABLE vuln.sources (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    key text NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    source_type text NOT NULL,
    url text,
    enabled boolean DEFAULT true NOT NULL,
    priority integer DEFAULT 100 NOT NULL,
    config jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sources_key_check CHECK ((key ~ '^[a-z0-9][a-z0-9._-]*$'::text)),
    CONSTRAINT sources_source_type_check CHECK ((source_type = ANY (ARRAY['nvd'::text, 'ghsa'::text, 'osv'::text, 'vendor'::text, 'distro'::text, 'kev'::text, 'other'::text])))
);

ALTER TABLE vuln.sources OWNER TO stellaops_owner;

--
-- Name: clients clients_pkey; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.clients
    ADD CONSTRAINT clients_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: clients clients_tenant_id_client_id_key; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.clients
    ADD CONSTRAINT clients_tenant_id_client_id_key UNIQUE (tenant_id, client_id);

--
-- Name: license_usage license_usage_pkey; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.license_usage
    ADD CONSTRAINT license_usage_pkey PRIMARY KEY (tenant_id, license_id, feature, period_start);

--
-- Name: licenses licenses_pkey; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.licenses
    ADD CONSTRAINT licenses_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: licenses licenses_tenant_id_license_key_key; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.licenses
    ADD CONSTRAINT licenses_tenant_id_license_key_key UNIQUE (tenant_id, license_key);

--
-- Name: login_attempts login_attempts_pkey; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.login_attempts
    ADD CONSTRAINT login_attempts_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: revocations revocations_pkey; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.revocations
    ADD CONSTRAINT revocations_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: revocations revocations_tenant_id_category_revocation_id_key; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.revocations
    ADD CONSTRAINT revocations_tenant_id_category_revocation_id_key UNIQUE (tenant_id, category, revocation_id);

--
-- Name: roles roles_pkey; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.roles
    ADD CONSTRAINT roles_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: roles roles_tenant_id_name_key; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.roles
    ADD CONSTRAINT roles_tenant_id_name_key UNIQUE (tenant_id, name);

--
-- Name: scopes scopes_name_key; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.scopes
    ADD CONSTRAINT scopes_name_key UNIQUE (name);

--
-- Name: scopes scopes_pkey; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.scopes
    ADD CONSTRAINT scopes_pkey PRIMARY KEY (id);

--
-- Name: service_accounts service_accounts_pkey; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.service_accounts
    ADD CONSTRAINT service_accounts_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: service_accounts service_accounts_tenant_id_account_id_key; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.service_accounts
    ADD CONSTRAINT service_accounts_tenant_id_account_id_key UNIQUE (tenant_id, account_id);

--
-- Name: tenants tenants_code_key; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.tenants
    ADD CONSTRAINT tenants_code_key UNIQUE (code);

--
-- Name: tenants tenants_pkey; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.tenants
    ADD CONSTRAINT tenants_pkey PRIMARY KEY (id);

--
-- Name: tokens tokens_pkey; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.tokens
    ADD CONSTRAINT tokens_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: tokens tokens_tenant_id_token_hash_key; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.tokens
    ADD CONSTRAINT tokens_tenant_id_token_hash_key UNIQUE (tenant_id, token_hash);

--
-- Name: user_roles user_roles_pkey; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.user_roles
    ADD CONSTRAINT user_roles_pkey PRIMARY KEY (tenant_id, user_id, role_id);

--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: users users_tenant_id_subject_id_key; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.users
    ADD CONSTRAINT users_tenant_id_subject_id_key UNIQUE (tenant_id, subject_id);

--
-- Name: users users_tenant_id_username_key; Type: CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.users
    ADD CONSTRAINT users_tenant_id_username_key UNIQUE (tenant_id, username);

--
-- Name: audit audit_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.audit
    ADD CONSTRAINT audit_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: channels channels_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.channels
    ADD CONSTRAINT channels_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: channels channels_tenant_id_name_key; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.channels
    ADD CONSTRAINT channels_tenant_id_name_key UNIQUE (tenant_id, name);

--
-- Name: deliveries deliveries_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.deliveries
    ADD CONSTRAINT deliveries_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: deliveries deliveries_tenant_id_channel_id_event_id_recipient_key; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.deliveries
    ADD CONSTRAINT deliveries_tenant_id_channel_id_event_id_recipient_key UNIQUE (tenant_id, channel_id, event_id, recipient);

--
-- Name: digests digests_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.digests
    ADD CONSTRAINT digests_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: digests digests_tenant_id_channel_id_digest_key_window_start_key; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.digests
    ADD CONSTRAINT digests_tenant_id_channel_id_digest_key_window_start_key UNIQUE (tenant_id, channel_id, digest_key, window_start);

--
-- Name: escalation_policies escalation_policies_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.escalation_policies
    ADD CONSTRAINT escalation_policies_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: escalation_policies escalation_policies_tenant_id_name_key; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.escalation_policies
    ADD CONSTRAINT escalation_policies_tenant_id_name_key UNIQUE (tenant_id, name);

--
-- Name: escalation_states escalation_states_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.escalation_states
    ADD CONSTRAINT escalation_states_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: inbox inbox_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.inbox
    ADD CONSTRAINT inbox_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: inbox inbox_tenant_id_user_id_event_id_key; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.inbox
    ADD CONSTRAINT inbox_tenant_id_user_id_event_id_key UNIQUE (tenant_id, user_id, event_id);

--
-- Name: incidents incidents_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.incidents
    ADD CONSTRAINT incidents_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: locks locks_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.locks
    ADD CONSTRAINT locks_pkey PRIMARY KEY (lock_key);

--
-- Name: maintenance_windows maintenance_windows_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.maintenance_windows
    ADD CONSTRAINT maintenance_windows_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: on_call_schedules on_call_schedules_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.on_call_schedules
    ADD CONSTRAINT on_call_schedules_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: on_call_schedules on_call_schedules_tenant_id_name_key; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.on_call_schedules
    ADD CONSTRAINT on_call_schedules_tenant_id_name_key UNIQUE (tenant_id, name);

--
-- Name: quiet_hours quiet_hours_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.quiet_hours
    ADD CONSTRAINT quiet_hours_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: quiet_hours quiet_hours_tenant_id_name_key; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.quiet_hours
    ADD CONSTRAINT quiet_hours_tenant_id_name_key UNIQUE (tenant_id, name);

--
-- Name: rules rules_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.rules
    ADD CONSTRAINT rules_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: rules rules_tenant_id_name_key; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.rules
    ADD CONSTRAINT rules_tenant_id_name_key UNIQUE (tenant_id, name);

--
-- Name: templates templates_pkey; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.templates
    ADD CONSTRAINT templates_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: templates templates_tenant_id_name_channel_type_locale_key; Type: CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.templates
    ADD CONSTRAINT templates_tenant_id_name_channel_type_locale_key UNIQUE (tenant_id, name, channel_type, locale);

--
-- Name: audit audit_pkey; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.audit
    ADD CONSTRAINT audit_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: evaluation_runs evaluation_runs_pkey; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.evaluation_runs
    ADD CONSTRAINT evaluation_runs_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: exceptions exceptions_pkey; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.exceptions
    ADD CONSTRAINT exceptions_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: explanations explanations_pkey; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.explanations
    ADD CONSTRAINT explanations_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: explanations explanations_tenant_id_evaluation_run_id_finding_key_key; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.explanations
    ADD CONSTRAINT explanations_tenant_id_evaluation_run_id_finding_key_key UNIQUE (tenant_id, evaluation_run_id, finding_key);

--
-- Name: pack_versions pack_versions_pkey; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.pack_versions
    ADD CONSTRAINT pack_versions_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: pack_versions pack_versions_tenant_id_pack_id_version_key; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.pack_versions
    ADD CONSTRAINT pack_versions_tenant_id_pack_id_version_key UNIQUE (tenant_id, pack_id, version);

--
-- Name: packs packs_pkey; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.packs
    ADD CONSTRAINT packs_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: packs packs_tenant_id_name_key; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.packs
    ADD CONSTRAINT packs_tenant_id_name_key UNIQUE (tenant_id, name);

--
-- Name: risk_profiles risk_profiles_pkey; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.risk_profiles
    ADD CONSTRAINT risk_profiles_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: risk_profiles risk_profiles_tenant_id_name_version_key; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.risk_profiles
    ADD CONSTRAINT risk_profiles_tenant_id_name_version_key UNIQUE (tenant_id, name, version);

--
-- Name: rules rules_pkey; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.rules
    ADD CONSTRAINT rules_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: rules rules_tenant_id_pack_version_id_rule_key_key; Type: CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.rules
    ADD CONSTRAINT rules_tenant_id_pack_version_id_rule_key_key UNIQUE (tenant_id, pack_version_id, rule_key);

--
-- Name: audit audit_pkey; Type: CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.audit
    ADD CONSTRAINT audit_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: execution_logs execution_logs_pkey; Type: CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.execution_logs
    ADD CONSTRAINT execution_logs_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: graph_jobs graph_jobs_pkey; Type: CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.graph_jobs
    ADD CONSTRAINT graph_jobs_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: impact_snapshots impact_snapshots_pkey; Type: CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.impact_snapshots
    ADD CONSTRAINT impact_snapshots_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: impact_snapshots impact_snapshots_tenant_id_snapshot_id_key; Type: CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.impact_snapshots
    ADD CONSTRAINT impact_snapshots_tenant_id_snapshot_id_key UNIQUE (tenant_id, snapshot_id);

--
-- Name: locks locks_pkey; Type: CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.locks
    ADD CONSTRAINT locks_pkey PRIMARY KEY (lock_key);

--
-- Name: policy_jobs policy_jobs_pkey; Type: CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.policy_jobs
    ADD CONSTRAINT policy_jobs_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: run_summaries run_summaries_pkey; Type: CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.run_summaries
    ADD CONSTRAINT run_summaries_pkey PRIMARY KEY (tenant_id, schedule_id);

--
-- Name: runs runs_pkey; Type: CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.runs
    ADD CONSTRAINT runs_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: schedules schedules_pkey; Type: CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.schedules
    ADD CONSTRAINT schedules_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: triggers triggers_pkey; Type: CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.triggers
    ADD CONSTRAINT triggers_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: workers workers_pkey; Type: CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.workers
    ADD CONSTRAINT workers_pkey PRIMARY KEY (id);

--
-- Name: consensus_holds consensus_holds_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.consensus_holds
    ADD CONSTRAINT consensus_holds_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: consensus consensus_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.consensus
    ADD CONSTRAINT consensus_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: consensus consensus_tenant_id_vulnerability_id_product_key_key; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.consensus
    ADD CONSTRAINT consensus_tenant_id_vulnerability_id_product_key_key UNIQUE (tenant_id, vulnerability_id, product_key);

--
-- Name: evidence_manifests evidence_manifests_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.evidence_manifests
    ADD CONSTRAINT evidence_manifests_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: evidence_manifests evidence_manifests_tenant_id_manifest_digest_key; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.evidence_manifests
    ADD CONSTRAINT evidence_manifests_tenant_id_manifest_digest_key UNIQUE (tenant_id, manifest_digest);

--
-- Name: graph_edges graph_edges_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.graph_edges
    ADD CONSTRAINT graph_edges_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: graph_edges graph_edges_tenant_id_graph_revision_id_from_node_id_to_nod_key; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.graph_edges
    ADD CONSTRAINT graph_edges_tenant_id_graph_revision_id_from_node_id_to_nod_key UNIQUE (tenant_id, graph_revision_id, from_node_id, to_node_id, edge_type);

--
-- Name: graph_nodes graph_nodes_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.graph_nodes
    ADD CONSTRAINT graph_nodes_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: graph_nodes graph_nodes_tenant_id_graph_revision_id_node_key_key; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.graph_nodes
    ADD CONSTRAINT graph_nodes_tenant_id_graph_revision_id_node_key_key UNIQUE (tenant_id, graph_revision_id, node_key);

--
-- Name: graph_revisions graph_revisions_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.graph_revisions
    ADD CONSTRAINT graph_revisions_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: graph_revisions graph_revisions_tenant_id_project_id_revision_key_key; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.graph_revisions
    ADD CONSTRAINT graph_revisions_tenant_id_project_id_revision_key_key UNIQUE (tenant_id, project_id, revision_key);

--
-- Name: linkset_events linkset_events_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.linkset_events
    ADD CONSTRAINT linkset_events_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: linksets linksets_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.linksets
    ADD CONSTRAINT linksets_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: linksets linksets_tenant_id_linkset_key_key; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.linksets
    ADD CONSTRAINT linksets_tenant_id_linkset_key_key UNIQUE (tenant_id, linkset_key);

--
-- Name: observations observations_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.observations
    ADD CONSTRAINT observations_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: observations observations_tenant_id_provider_id_document_digest_vulnerab_key; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.observations
    ADD CONSTRAINT observations_tenant_id_provider_id_document_digest_vulnerab_key UNIQUE (tenant_id, provider_id, document_digest, vulnerability_id, product_key);

--
-- Name: projects projects_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.projects
    ADD CONSTRAINT projects_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: projects projects_tenant_id_name_key; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.projects
    ADD CONSTRAINT projects_tenant_id_name_key UNIQUE (tenant_id, name);

--
-- Name: statements statements_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.statements
    ADD CONSTRAINT statements_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: statements statements_tenant_id_source_document_id_vulnerability_id_pr_key; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.statements
    ADD CONSTRAINT statements_tenant_id_source_document_id_vulnerability_id_pr_key UNIQUE (tenant_id, source, document_id, vulnerability_id, product_key);

--
-- Name: unknown_items unknown_items_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.unknown_items
    ADD CONSTRAINT unknown_items_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: unknown_items unknown_items_tenant_id_snapshot_id_item_key_key; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.unknown_items
    ADD CONSTRAINT unknown_items_tenant_id_snapshot_id_item_key_key UNIQUE (tenant_id, snapshot_id, item_key);

--
-- Name: unknowns_snapshots unknowns_snapshots_pkey; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.unknowns_snapshots
    ADD CONSTRAINT unknowns_snapshots_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: unknowns_snapshots unknowns_snapshots_tenant_id_project_id_snapshot_key_key; Type: CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.unknowns_snapshots
    ADD CONSTRAINT unknowns_snapshots_tenant_id_project_id_snapshot_key_key UNIQUE (tenant_id, project_id, snapshot_key);

--
-- Name: advisories advisories_advisory_key_key; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisories
    ADD CONSTRAINT advisories_advisory_key_key UNIQUE (advisory_key);

--
-- Name: advisories advisories_pkey; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisories
    ADD CONSTRAINT advisories_pkey PRIMARY KEY (id);

--
-- Name: advisory_affected advisory_affected_pkey; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_affected
    ADD CONSTRAINT advisory_affected_pkey PRIMARY KEY (id);

--
-- Name: advisory_aliases advisory_aliases_alias_type_alias_value_advisory_id_key; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_aliases
    ADD CONSTRAINT advisory_aliases_alias_type_alias_value_advisory_id_key UNIQUE (alias_type, alias_value, advisory_id);

--
-- Name: advisory_aliases advisory_aliases_pkey; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_aliases
    ADD CONSTRAINT advisory_aliases_pkey PRIMARY KEY (id);

--
-- Name: advisory_credits advisory_credits_advisory_id_name_credit_type_key; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_credits
    ADD CONSTRAINT advisory_credits_advisory_id_name_credit_type_key UNIQUE (advisory_id, name, credit_type);

--
-- Name: advisory_credits advisory_credits_pkey; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_credits
    ADD CONSTRAINT advisory_credits_pkey PRIMARY KEY (id);

--
-- Name: advisory_cvss advisory_cvss_advisory_id_cvss_version_source_key; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_cvss
    ADD CONSTRAINT advisory_cvss_advisory_id_cvss_version_source_key UNIQUE (advisory_id, cvss_version, source);

--
-- Name: advisory_cvss advisory_cvss_pkey; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_cvss
    ADD CONSTRAINT advisory_cvss_pkey PRIMARY KEY (id);

--
-- Name: advisory_references advisory_references_advisory_id_url_key; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_references
    ADD CONSTRAINT advisory_references_advisory_id_url_key UNIQUE (advisory_id, url);

--
-- Name: advisory_references advisory_references_pkey; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_references
    ADD CONSTRAINT advisory_references_pkey PRIMARY KEY (id);

--
-- Name: advisory_snapshots advisory_snapshots_feed_snapshot_id_advisory_key_key; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_snapshots
    ADD CONSTRAINT advisory_snapshots_feed_snapshot_id_advisory_key_key UNIQUE (feed_snapshot_id, advisory_key);

--
-- Name: advisory_snapshots advisory_snapshots_pkey; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_snapshots
    ADD CONSTRAINT advisory_snapshots_pkey PRIMARY KEY (id);

--
-- Name: advisory_weaknesses advisory_weaknesses_advisory_id_cwe_id_key; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_weaknesses
    ADD CONSTRAINT advisory_weaknesses_advisory_id_cwe_id_key UNIQUE (advisory_id, cwe_id);

--
-- Name: advisory_weaknesses advisory_weaknesses_pkey; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_weaknesses
    ADD CONSTRAINT advisory_weaknesses_pkey PRIMARY KEY (id);

--
-- Name: feed_snapshots feed_snapshots_pkey; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.feed_snapshots
    ADD CONSTRAINT feed_snapshots_pkey PRIMARY KEY (id);

--
-- Name: feed_snapshots feed_snapshots_source_id_digest_key; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.feed_snapshots
    ADD CONSTRAINT feed_snapshots_source_id_digest_key UNIQUE (source_id, digest);

--
-- Name: kev_flags kev_flags_cve_id_key; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.kev_flags
    ADD CONSTRAINT kev_flags_cve_id_key UNIQUE (cve_id);

--
-- Name: kev_flags kev_flags_pkey; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.kev_flags
    ADD CONSTRAINT kev_flags_pkey PRIMARY KEY (id);

--
-- Name: source_states source_states_pkey; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.source_states
    ADD CONSTRAINT source_states_pkey PRIMARY KEY (source_id);

--
-- Name: sources sources_key_key; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.sources
    ADD CONSTRAINT sources_key_key UNIQUE (key);

--
-- Name: sources sources_pkey; Type: CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.sources
    ADD CONSTRAINT sources_pkey PRIMARY KEY (id);

--
-- Name: login_attempts_occurred_idx; Type: INDEX; Schema: authority; Owner: stellaops_owner
--

CREATE INDEX login_attempts_occurred_idx ON authority.login_attempts USING btree (occurred_at);

--
-- Name: login_attempts_username_idx; Type: INDEX; Schema: authority; Owner: stellaops_owner
--

CREATE INDEX login_attempts_username_idx ON authority.login_attempts USING btree (tenant_id, username, occurred_at DESC);

--
-- Name: revocations_effective_idx; Type: INDEX; Schema: authority; Owner: stellaops_owner
--

CREATE INDEX revocations_effective_idx ON authority.revocations USING btree (tenant_id, effective_at);

--
-- Name: tokens_expires_at_idx; Type: INDEX; Schema: authority; Owner: stellaops_owner
--

CREATE INDEX tokens_expires_at_idx ON authority.tokens USING btree (expires_at);

--
-- Name: tokens_hash_idx; Type: INDEX; Schema: authority; Owner: stellaops_owner
--

CREATE INDEX tokens_hash_idx ON authority.tokens USING btree (token_hash);

--
-- Name: tokens_service_account_idx; Type: INDEX; Schema: authority; Owner: stellaops_owner
--

CREATE INDEX tokens_service_account_idx ON authority.tokens USING btree (tenant_id, service_account_id);

--
-- Name: tokens_subject_idx; Type: INDEX; Schema: authority; Owner: stellaops_owner
--

CREATE INDEX tokens_subject_idx ON authority.tokens USING btree (tenant_id, subject_id, status);

--
-- Name: tokens_user_idx; Type: INDEX; Schema: authority; Owner: stellaops_owner
--

CREATE INDEX tokens_user_idx ON authority.tokens USING btree (tenant_id, user_id);

--
-- Name: user_roles_role_idx; Type: INDEX; Schema: authority; Owner: stellaops_owner
--

CREATE INDEX user_roles_role_idx ON authority.user_roles USING btree (tenant_id, role_id);

--
-- Name: users_subject_id_idx; Type: INDEX; Schema: authority; Owner: stellaops_owner
--

CREATE INDEX users_subject_id_idx ON authority.users USING btree (subject_id);

--
-- Name: audit_entity_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX audit_entity_idx ON notify.audit USING btree (tenant_id, category, entity_id, occurred_at);

--
-- Name: deliveries_claimed_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX deliveries_claimed_idx ON notify.deliveries USING btree (claimed_at) WHERE (status = 'sending'::text);

--
-- Name: deliveries_created_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX deliveries_created_idx ON notify.deliveries USING btree (tenant_id, created_at, id);

--
-- Name: deliveries_due_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX deliveries_due_idx ON notify.deliveries USING btree (next_attempt_at) WHERE (status = ANY (ARRAY['pending'::text, 'queued'::text]));

--
-- Name: deliveries_idempotency_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE UNIQUE INDEX deliveries_idempotency_idx ON notify.deliveries USING btree (tenant_id, idempotency_key);

--
-- Name: deliveries_incident_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX deliveries_incident_idx ON notify.deliveries USING btree (tenant_id, incident_id);

--
-- Name: deliveries_rule_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX deliveries_rule_idx ON notify.deliveries USING btree (tenant_id, rule_id);

--
-- Name: escalation_states_active_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE UNIQUE INDEX escalation_states_active_idx ON notify.escalation_states USING btree (tenant_id, incident_id) WHERE (status = 'active'::text);

--
-- Name: escalation_states_due_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX escalation_states_due_idx ON notify.escalation_states USING btree (next_escalation_at) WHERE (status = 'active'::text);

--
-- Name: escalation_states_incident_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX escalation_states_incident_idx ON notify.escalation_states USING btree (tenant_id, incident_id);

--
-- Name: escalation_states_policy_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX escalation_states_policy_idx ON notify.escalation_states USING btree (tenant_id, policy_id);

--
-- Name: inbox_user_recent_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX inbox_user_recent_idx ON notify.inbox USING btree (tenant_id, user_id, created_at DESC);

--
-- Name: incidents_open_key_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE UNIQUE INDEX incidents_open_key_idx ON notify.incidents USING btree (tenant_id, correlation_key) WHERE (status <> 'resolved'::text);

--
-- Name: incidents_policy_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX incidents_policy_idx ON notify.incidents USING btree (tenant_id, escalation_policy_id);

--
-- Name: locks_expires_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX locks_expires_idx ON notify.locks USING btree (expires_at);

--
-- Name: maintenance_windows_span_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX maintenance_windows_span_idx ON notify.maintenance_windows USING btree (tenant_id, starts_at, ends_at);

--
-- Name: quiet_hours_channel_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX quiet_hours_channel_idx ON notify.quiet_hours USING btree (tenant_id, channel_id);

--
-- Name: rules_channel_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX rules_channel_idx ON notify.rules USING btree (tenant_id, channel_id);

--
-- Name: rules_template_idx; Type: INDEX; Schema: notify; Owner: stellaops_owner
--

CREATE INDEX rules_template_idx ON notify.rules USING btree (tenant_id, template_id);

--
-- Name: audit_entity_idx; Type: INDEX; Schema: policy; Owner: stellaops_owner
--

CREATE INDEX audit_entity_idx ON policy.audit USING btree (tenant_id, category, entity_id, occurred_at);

--
-- Name: evaluation_runs_pack_version_idx; Type: INDEX; Schema: policy; Owner: stellaops_owner
--

CREATE INDEX evaluation_runs_pack_version_idx ON policy.evaluation_runs USING btree (tenant_id, pack_version_id);

--
-- Name: evaluation_runs_risk_profile_idx; Type: INDEX; Schema: policy; Owner: stellaops_owner
--

CREATE INDEX evaluation_runs_risk_profile_idx ON policy.evaluation_runs USING btree (tenant_id, risk_profile_id);

--
-- Name: evaluation_runs_status_idx; Type: INDEX; Schema: policy; Owner: stellaops_owner
--

CREATE INDEX evaluation_runs_status_idx ON policy.evaluation_runs USING btree (tenant_id, status, created_at);

--
-- Name: exceptions_expiry_idx; Type: INDEX; Schema: policy; Owner: stellaops_owner
--

CREATE INDEX exceptions_expiry_idx ON policy.exceptions USING btree (expires_at) WHERE (status = 'approved'::text);

--
-- Name: exceptions_pack_idx; Type: INDEX; Schema: policy; Owner: stellaops_owner
--

CREATE INDEX exceptions_pack_idx ON policy.exceptions USING btree (tenant_id, pack_id);

--
-- Name: explanations_rule_idx; Type: INDEX; Schema: policy; Owner: stellaops_owner
--

CREATE INDEX explanations_rule_idx ON policy.explanations USING btree (tenant_id, rule_id);

--
-- Name: pack_versions_one_published_idx; Type: INDEX; Schema: policy; Owner: stellaops_owner
--

CREATE UNIQUE INDEX pack_versions_one_published_idx ON policy.pack_versions USING btree (tenant_id, pack_id) WHERE (status = 'published'::text);

--
-- Name: rules_version_order_idx; Type: INDEX; Schema: policy; Owner: stellaops_owner
--

CREATE INDEX rules_version_order_idx ON policy.rules USING btree (tenant_id, pack_version_id, priority DESC, name, id);

--
-- Name: audit_entity_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX audit_entity_idx ON scheduler.audit USING btree (tenant_id, category, entity_id, occurred_at);

--
-- Name: audit_occurred_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX audit_occurred_idx ON scheduler.audit USING btree (tenant_id, occurred_at);

--
-- Name: execution_logs_run_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX execution_logs_run_idx ON scheduler.execution_logs USING btree (tenant_id, run_id, logged_at);

--
-- Name: graph_jobs_claim_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX graph_jobs_claim_idx ON scheduler.graph_jobs USING btree (tenant_id, status, priority DESC, created_at);

--
-- Name: impact_snapshots_run_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX impact_snapshots_run_idx ON scheduler.impact_snapshots USING btree (tenant_id, run_id);

--
-- Name: locks_expires_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX locks_expires_idx ON scheduler.locks USING btree (expires_at);

--
-- Name: policy_jobs_claim_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX policy_jobs_claim_idx ON scheduler.policy_jobs USING btree (tenant_id, status, priority DESC, created_at);

--
-- Name: policy_jobs_run_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX policy_jobs_run_idx ON scheduler.policy_jobs USING btree (tenant_id, run_id);

--
-- Name: run_summaries_last_run_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX run_summaries_last_run_idx ON scheduler.run_summaries USING btree (tenant_id, last_run_id);

--
-- Name: runs_claim_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX runs_claim_idx ON scheduler.runs USING btree (priority DESC, due_at, id) WHERE (state = 'queued'::text);

--
-- Name: runs_created_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX runs_created_idx ON scheduler.runs USING btree (tenant_id, created_at, id);

--
-- Name: runs_heartbeat_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX runs_heartbeat_idx ON scheduler.runs USING btree (heartbeat_at) WHERE (state = 'running'::text);

--
-- Name: runs_schedule_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX runs_schedule_idx ON scheduler.runs USING btree (tenant_id, schedule_id, created_at DESC);

--
-- Name: runs_schedule_tick_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE UNIQUE INDEX runs_schedule_tick_idx ON scheduler.runs USING btree (tenant_id, schedule_id, scheduled_for) WHERE (scheduled_for IS NOT NULL);

--
-- Name: runs_state_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX runs_state_idx ON scheduler.runs USING btree (tenant_id, state, created_at);

--
-- Name: runs_trigger_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX runs_trigger_idx ON scheduler.runs USING btree (tenant_id, trigger_id);

--
-- Name: schedules_due_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX schedules_due_idx ON scheduler.schedules USING btree (next_fire_at) WHERE (enabled AND (deleted_at IS NULL));

--
-- Name: schedules_live_name_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE UNIQUE INDEX schedules_live_name_idx ON scheduler.schedules USING btree (tenant_id, name) WHERE (deleted_at IS NULL);

--
-- Name: triggers_pending_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX triggers_pending_idx ON scheduler.triggers USING btree (fire_at) WHERE (status = 'pending'::text);

--
-- Name: triggers_schedule_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX triggers_schedule_idx ON scheduler.triggers USING btree (tenant_id, schedule_id, fire_at);

--
-- Name: workers_heartbeat_idx; Type: INDEX; Schema: scheduler; Owner: stellaops_owner
--

CREATE INDEX workers_heartbeat_idx ON scheduler.workers USING btree (last_heartbeat_at) WHERE (status = 'active'::text);

--
-- Name: consensus_holds_consensus_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX consensus_holds_consensus_idx ON vex.consensus_holds USING btree (tenant_id, consensus_id);

--
-- Name: evidence_manifests_project_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX evidence_manifests_project_idx ON vex.evidence_manifests USING btree (tenant_id, project_id);

--
-- Name: evidence_manifests_subject_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX evidence_manifests_subject_idx ON vex.evidence_manifests USING btree (tenant_id, subject_digest);

--
-- Name: graph_edges_from_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX graph_edges_from_idx ON vex.graph_edges USING btree (tenant_id, from_node_id);

--
-- Name: graph_edges_to_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX graph_edges_to_idx ON vex.graph_edges USING btree (tenant_id, to_node_id);

--
-- Name: graph_nodes_purl_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX graph_nodes_purl_idx ON vex.graph_nodes USING btree (tenant_id, purl);

--
-- Name: graph_revisions_parent_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX graph_revisions_parent_idx ON vex.graph_revisions USING btree (tenant_id, parent_revision_id);

--
-- Name: linkset_events_linkset_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX linkset_events_linkset_idx ON vex.linkset_events USING btree (tenant_id, linkset_id, occurred_at);

--
-- Name: linkset_events_observation_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX linkset_events_observation_idx ON vex.linkset_events USING btree (tenant_id, observation_id);

--
-- Name: linksets_subject_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX linksets_subject_idx ON vex.linksets USING btree (tenant_id, vulnerability_id, product_key);

--
-- Name: observations_statement_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX observations_statement_idx ON vex.observations USING btree (tenant_id, statement_id);

--
-- Name: observations_subject_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX observations_subject_idx ON vex.observations USING btree (tenant_id, vulnerability_id, product_key);

--
-- Name: statements_project_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX statements_project_idx ON vex.statements USING btree (tenant_id, project_id);

--
-- Name: statements_subject_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX statements_subject_idx ON vex.statements USING btree (tenant_id, vulnerability_id, product_key);

--
-- Name: unknowns_snapshots_revision_idx; Type: INDEX; Schema: vex; Owner: stellaops_owner
--

CREATE INDEX unknowns_snapshots_revision_idx ON vex.unknowns_snapshots USING btree (tenant_id, graph_revision_id);

--
-- Name: advisories_modified_idx; Type: INDEX; Schema: vuln; Owner: stellaops_owner
--

CREATE INDEX advisories_modified_idx ON vuln.advisories USING btree (modified_at);

--
-- Name: advisories_source_idx; Type: INDEX; Schema: vuln; Owner: stellaops_owner
--

CREATE INDEX advisories_source_idx ON vuln.advisories USING btree (primary_source_id);

--
-- Name: advisory_affected_advisory_idx; Type: INDEX; Schema: vuln; Owner: stellaops_owner
--

CREATE INDEX advisory_affected_advisory_idx ON vuln.advisory_affected USING btree (advisory_id);

--
-- Name: advisory_affected_package_idx; Type: INDEX; Schema: vuln; Owner: stellaops_owner
--

CREATE INDEX advisory_affected_package_idx ON vuln.advisory_affected USING btree (ecosystem, package_name);

--
-- Name: advisory_aliases_advisory_idx; Type: INDEX; Schema: vuln; Owner: stellaops_owner
--

CREATE INDEX advisory_aliases_advisory_idx ON vuln.advisory_aliases USING btree (advisory_id);

--
-- Name: advisory_snapshots_advisory_idx; Type: INDEX; Schema: vuln; Owner: stellaops_owner
--

CREATE INDEX advisory_snapshots_advisory_idx ON vuln.advisory_snapshots USING btree (advisory_id);

--
-- Name: advisory_snapshots_key_idx; Type: INDEX; Schema: vuln; Owner: stellaops_owner
--

CREATE INDEX advisory_snapshots_key_idx ON vuln.advisory_snapshots USING btree (advisory_key);

--
-- Name: kev_flags_advisory_idx; Type: INDEX; Schema: vuln; Owner: stellaops_owner
--

CREATE INDEX kev_flags_advisory_idx ON vuln.kev_flags USING btree (advisory_id);

--
-- Name: pack_versions pack_versions_immutable; Type: TRIGGER; Schema: policy; Owner: stellaops_owner
--

CREATE TRIGGER pack_versions_immutable BEFORE DELETE OR UPDATE ON policy.pack_versions FOR EACH ROW EXECUTE FUNCTION policy.refuse_published_version_change();

--
-- Name: rules rules_immutable_past_draft; Type: TRIGGER; Schema: policy; Owner: stellaops_owner
--

CREATE TRIGGER rules_immutable_past_draft BEFORE INSERT OR DELETE OR UPDATE ON policy.rules FOR EACH ROW EXECUTE FUNCTION policy.refuse_rule_change_past_draft();

--
-- Name: clients clients_tenant_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.clients
    ADD CONSTRAINT clients_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES authority.tenants(code);

--
-- Name: license_usage license_usage_tenant_id_license_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.license_usage
    ADD CONSTRAINT license_usage_tenant_id_license_id_fkey FOREIGN KEY (tenant_id, license_id) REFERENCES authority.licenses(tenant_id, id) ON DELETE CASCADE;

--
-- Name: licenses licenses_tenant_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.licenses
    ADD CONSTRAINT licenses_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES authority.tenants(code);

--
-- Name: login_attempts login_attempts_tenant_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.login_attempts
    ADD CONSTRAINT login_attempts_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES authority.tenants(code);

--
-- Name: revocations revocations_tenant_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.revocations
    ADD CONSTRAINT revocations_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES authority.tenants(code);

--
-- Name: roles roles_tenant_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.roles
    ADD CONSTRAINT roles_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES authority.tenants(code);

--
-- Name: service_accounts service_accounts_tenant_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.service_accounts
    ADD CONSTRAINT service_accounts_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES authority.tenants(code);

--
-- Name: tokens tokens_tenant_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.tokens
    ADD CONSTRAINT tokens_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES authority.tenants(code);

--
-- Name: tokens tokens_tenant_id_service_account_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.tokens
    ADD CONSTRAINT tokens_tenant_id_service_account_id_fkey FOREIGN KEY (tenant_id, service_account_id) REFERENCES authority.service_accounts(tenant_id, id) ON DELETE CASCADE;

--
-- Name: tokens tokens_tenant_id_user_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.tokens
    ADD CONSTRAINT tokens_tenant_id_user_id_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES authority.users(tenant_id, id) ON DELETE CASCADE;

--
-- Name: user_roles user_roles_tenant_id_role_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.user_roles
    ADD CONSTRAINT user_roles_tenant_id_role_id_fkey FOREIGN KEY (tenant_id, role_id) REFERENCES authority.roles(tenant_id, id) ON DELETE CASCADE;

--
-- Name: user_roles user_roles_tenant_id_user_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.user_roles
    ADD CONSTRAINT user_roles_tenant_id_user_id_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES authority.users(tenant_id, id) ON DELETE CASCADE;

--
-- Name: users users_tenant_id_fkey; Type: FK CONSTRAINT; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE ONLY authority.users
    ADD CONSTRAINT users_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES authority.tenants(code);

--
-- Name: deliveries deliveries_tenant_id_channel_id_fkey; Type: FK CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.deliveries
    ADD CONSTRAINT deliveries_tenant_id_channel_id_fkey FOREIGN KEY (tenant_id, channel_id) REFERENCES notify.channels(tenant_id, id) ON DELETE CASCADE;

--
-- Name: deliveries deliveries_tenant_id_incident_id_fkey; Type: FK CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.deliveries
    ADD CONSTRAINT deliveries_tenant_id_incident_id_fkey FOREIGN KEY (tenant_id, incident_id) REFERENCES notify.incidents(tenant_id, id) ON DELETE SET NULL (incident_id);

--
-- Name: deliveries deliveries_tenant_id_rule_id_fkey; Type: FK CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.deliveries
    ADD CONSTRAINT deliveries_tenant_id_rule_id_fkey FOREIGN KEY (tenant_id, rule_id) REFERENCES notify.rules(tenant_id, id) ON DELETE SET NULL (rule_id);

--
-- Name: digests digests_tenant_id_channel_id_fkey; Type: FK CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.digests
    ADD CONSTRAINT digests_tenant_id_channel_id_fkey FOREIGN KEY (tenant_id, channel_id) REFERENCES notify.channels(tenant_id, id) ON DELETE CASCADE;

--
-- Name: escalation_states escalation_states_tenant_id_incident_id_fkey; Type: FK CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.escalation_states
    ADD CONSTRAINT escalation_states_tenant_id_incident_id_fkey FOREIGN KEY (tenant_id, incident_id) REFERENCES notify.incidents(tenant_id, id) ON DELETE CASCADE;

--
-- Name: escalation_states escalation_states_tenant_id_policy_id_fkey; Type: FK CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.escalation_states
    ADD CONSTRAINT escalation_states_tenant_id_policy_id_fkey FOREIGN KEY (tenant_id, policy_id) REFERENCES notify.escalation_policies(tenant_id, id) ON DELETE CASCADE;

--
-- Name: incidents incidents_tenant_id_escalation_policy_id_fkey; Type: FK CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.incidents
    ADD CONSTRAINT incidents_tenant_id_escalation_policy_id_fkey FOREIGN KEY (tenant_id, escalation_policy_id) REFERENCES notify.escalation_policies(tenant_id, id) ON DELETE SET NULL (escalation_policy_id);

--
-- Name: quiet_hours quiet_hours_tenant_id_channel_id_fkey; Type: FK CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.quiet_hours
    ADD CONSTRAINT quiet_hours_tenant_id_channel_id_fkey FOREIGN KEY (tenant_id, channel_id) REFERENCES notify.channels(tenant_id, id) ON DELETE CASCADE;

--
-- Name: rules rules_tenant_id_channel_id_fkey; Type: FK CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.rules
    ADD CONSTRAINT rules_tenant_id_channel_id_fkey FOREIGN KEY (tenant_id, channel_id) REFERENCES notify.channels(tenant_id, id) ON DELETE CASCADE;

--
-- Name: rules rules_tenant_id_template_id_fkey; Type: FK CONSTRAINT; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE ONLY notify.rules
    ADD CONSTRAINT rules_tenant_id_template_id_fkey FOREIGN KEY (tenant_id, template_id) REFERENCES notify.templates(tenant_id, id) ON DELETE SET NULL (template_id);

--
-- Name: evaluation_runs evaluation_runs_tenant_id_pack_version_id_fkey; Type: FK CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.evaluation_runs
    ADD CONSTRAINT evaluation_runs_tenant_id_pack_version_id_fkey FOREIGN KEY (tenant_id, pack_version_id) REFERENCES policy.pack_versions(tenant_id, id) ON DELETE CASCADE;

--
-- Name: evaluation_runs evaluation_runs_tenant_id_risk_profile_id_fkey; Type: FK CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.evaluation_runs
    ADD CONSTRAINT evaluation_runs_tenant_id_risk_profile_id_fkey FOREIGN KEY (tenant_id, risk_profile_id) REFERENCES policy.risk_profiles(tenant_id, id) ON DELETE SET NULL (risk_profile_id);

--
-- Name: exceptions exceptions_tenant_id_pack_id_fkey; Type: FK CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.exceptions
    ADD CONSTRAINT exceptions_tenant_id_pack_id_fkey FOREIGN KEY (tenant_id, pack_id) REFERENCES policy.packs(tenant_id, id) ON DELETE CASCADE;

--
-- Name: explanations explanations_tenant_id_evaluation_run_id_fkey; Type: FK CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.explanations
    ADD CONSTRAINT explanations_tenant_id_evaluation_run_id_fkey FOREIGN KEY (tenant_id, evaluation_run_id) REFERENCES policy.evaluation_runs(tenant_id, id) ON DELETE CASCADE;

--
-- Name: explanations explanations_tenant_id_rule_id_fkey; Type: FK CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.explanations
    ADD CONSTRAINT explanations_tenant_id_rule_id_fkey FOREIGN KEY (tenant_id, rule_id) REFERENCES policy.rules(tenant_id, id) ON DELETE SET NULL (rule_id);

--
-- Name: pack_versions pack_versions_tenant_id_pack_id_fkey; Type: FK CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.pack_versions
    ADD CONSTRAINT pack_versions_tenant_id_pack_id_fkey FOREIGN KEY (tenant_id, pack_id) REFERENCES policy.packs(tenant_id, id) ON DELETE CASCADE;

--
-- Name: rules rules_tenant_id_pack_version_id_fkey; Type: FK CONSTRAINT; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE ONLY policy.rules
    ADD CONSTRAINT rules_tenant_id_pack_version_id_fkey FOREIGN KEY (tenant_id, pack_version_id) REFERENCES policy.pack_versions(tenant_id, id) ON DELETE CASCADE;

--
-- Name: execution_logs execution_logs_tenant_id_run_id_fkey; Type: FK CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.execution_logs
    ADD CONSTRAINT execution_logs_tenant_id_run_id_fkey FOREIGN KEY (tenant_id, run_id) REFERENCES scheduler.runs(tenant_id, id) ON DELETE CASCADE;

--
-- Name: impact_snapshots impact_snapshots_tenant_id_run_id_fkey; Type: FK CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.impact_snapshots
    ADD CONSTRAINT impact_snapshots_tenant_id_run_id_fkey FOREIGN KEY (tenant_id, run_id) REFERENCES scheduler.runs(tenant_id, id) ON DELETE CASCADE;

--
-- Name: policy_jobs policy_jobs_tenant_id_run_id_fkey; Type: FK CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.policy_jobs
    ADD CONSTRAINT policy_jobs_tenant_id_run_id_fkey FOREIGN KEY (tenant_id, run_id) REFERENCES scheduler.runs(tenant_id, id) ON DELETE SET NULL (run_id);

--
-- Name: run_summaries run_summaries_tenant_id_last_run_id_fkey; Type: FK CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.run_summaries
    ADD CONSTRAINT run_summaries_tenant_id_last_run_id_fkey FOREIGN KEY (tenant_id, last_run_id) REFERENCES scheduler.runs(tenant_id, id) ON DELETE SET NULL (last_run_id);

--
-- Name: run_summaries run_summaries_tenant_id_schedule_id_fkey; Type: FK CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.run_summaries
    ADD CONSTRAINT run_summaries_tenant_id_schedule_id_fkey FOREIGN KEY (tenant_id, schedule_id) REFERENCES scheduler.schedules(tenant_id, id) ON DELETE CASCADE;

--
-- Name: runs runs_tenant_id_schedule_id_fkey; Type: FK CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.runs
    ADD CONSTRAINT runs_tenant_id_schedule_id_fkey FOREIGN KEY (tenant_id, schedule_id) REFERENCES scheduler.schedules(tenant_id, id) ON DELETE SET NULL (schedule_id);

--
-- Name: runs runs_tenant_id_trigger_id_fkey; Type: FK CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.runs
    ADD CONSTRAINT runs_tenant_id_trigger_id_fkey FOREIGN KEY (tenant_id, trigger_id) REFERENCES scheduler.triggers(tenant_id, id) ON DELETE SET NULL (trigger_id);

--
-- Name: triggers triggers_tenant_id_schedule_id_fkey; Type: FK CONSTRAINT; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE ONLY scheduler.triggers
    ADD CONSTRAINT triggers_tenant_id_schedule_id_fkey FOREIGN KEY (tenant_id, schedule_id) REFERENCES scheduler.schedules(tenant_id, id) ON DELETE CASCADE;

--
-- Name: consensus_holds consensus_holds_tenant_id_consensus_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.consensus_holds
    ADD CONSTRAINT consensus_holds_tenant_id_consensus_id_fkey FOREIGN KEY (tenant_id, consensus_id) REFERENCES vex.consensus(tenant_id, id) ON DELETE CASCADE;

--
-- Name: evidence_manifests evidence_manifests_tenant_id_project_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.evidence_manifests
    ADD CONSTRAINT evidence_manifests_tenant_id_project_id_fkey FOREIGN KEY (tenant_id, project_id) REFERENCES vex.projects(tenant_id, id) ON DELETE CASCADE;

--
-- Name: graph_edges graph_edges_tenant_id_from_node_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.graph_edges
    ADD CONSTRAINT graph_edges_tenant_id_from_node_id_fkey FOREIGN KEY (tenant_id, from_node_id) REFERENCES vex.graph_nodes(tenant_id, id) ON DELETE CASCADE;

--
-- Name: graph_edges graph_edges_tenant_id_graph_revision_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.graph_edges
    ADD CONSTRAINT graph_edges_tenant_id_graph_revision_id_fkey FOREIGN KEY (tenant_id, graph_revision_id) REFERENCES vex.graph_revisions(tenant_id, id) ON DELETE CASCADE;

--
-- Name: graph_edges graph_edges_tenant_id_to_node_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.graph_edges
    ADD CONSTRAINT graph_edges_tenant_id_to_node_id_fkey FOREIGN KEY (tenant_id, to_node_id) REFERENCES vex.graph_nodes(tenant_id, id) ON DELETE CASCADE;

--
-- Name: graph_nodes graph_nodes_tenant_id_graph_revision_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.graph_nodes
    ADD CONSTRAINT graph_nodes_tenant_id_graph_revision_id_fkey FOREIGN KEY (tenant_id, graph_revision_id) REFERENCES vex.graph_revisions(tenant_id, id) ON DELETE CASCADE;

--
-- Name: graph_revisions graph_revisions_tenant_id_parent_revision_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.graph_revisions
    ADD CONSTRAINT graph_revisions_tenant_id_parent_revision_id_fkey FOREIGN KEY (tenant_id, parent_revision_id) REFERENCES vex.graph_revisions(tenant_id, id) ON DELETE SET NULL (parent_revision_id);

--
-- Name: graph_revisions graph_revisions_tenant_id_project_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.graph_revisions
    ADD CONSTRAINT graph_revisions_tenant_id_project_id_fkey FOREIGN KEY (tenant_id, project_id) REFERENCES vex.projects(tenant_id, id) ON DELETE CASCADE;

--
-- Name: linkset_events linkset_events_tenant_id_linkset_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.linkset_events
    ADD CONSTRAINT linkset_events_tenant_id_linkset_id_fkey FOREIGN KEY (tenant_id, linkset_id) REFERENCES vex.linksets(tenant_id, id) ON DELETE CASCADE;

--
-- Name: linkset_events linkset_events_tenant_id_observation_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.linkset_events
    ADD CONSTRAINT linkset_events_tenant_id_observation_id_fkey FOREIGN KEY (tenant_id, observation_id) REFERENCES vex.observations(tenant_id, id) ON DELETE SET NULL (observation_id);

--
-- Name: observations observations_tenant_id_statement_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.observations
    ADD CONSTRAINT observations_tenant_id_statement_id_fkey FOREIGN KEY (tenant_id, statement_id) REFERENCES vex.statements(tenant_id, id) ON DELETE SET NULL (statement_id);

--
-- Name: statements statements_tenant_id_project_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.statements
    ADD CONSTRAINT statements_tenant_id_project_id_fkey FOREIGN KEY (tenant_id, project_id) REFERENCES vex.projects(tenant_id, id) ON DELETE CASCADE;

--
-- Name: unknown_items unknown_items_tenant_id_snapshot_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.unknown_items
    ADD CONSTRAINT unknown_items_tenant_id_snapshot_id_fkey FOREIGN KEY (tenant_id, snapshot_id) REFERENCES vex.unknowns_snapshots(tenant_id, id) ON DELETE CASCADE;

--
-- Name: unknowns_snapshots unknowns_snapshots_tenant_id_graph_revision_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.unknowns_snapshots
    ADD CONSTRAINT unknowns_snapshots_tenant_id_graph_revision_id_fkey FOREIGN KEY (tenant_id, graph_revision_id) REFERENCES vex.graph_revisions(tenant_id, id) ON DELETE SET NULL (graph_revision_id);

--
-- Name: unknowns_snapshots unknowns_snapshots_tenant_id_project_id_fkey; Type: FK CONSTRAINT; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE ONLY vex.unknowns_snapshots
    ADD CONSTRAINT unknowns_snapshots_tenant_id_project_id_fkey FOREIGN KEY (tenant_id, project_id) REFERENCES vex.projects(tenant_id, id) ON DELETE CASCADE;

--
-- Name: advisories advisories_primary_source_id_fkey; Type: FK CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisories
    ADD CONSTRAINT advisories_primary_source_id_fkey FOREIGN KEY (primary_source_id) REFERENCES vuln.sources(id) ON DELETE SET NULL;

--
-- Name: advisory_affected advisory_affected_advisory_id_fkey; Type: FK CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_affected
    ADD CONSTRAINT advisory_affected_advisory_id_fkey FOREIGN KEY (advisory_id) REFERENCES vuln.advisories(id) ON DELETE CASCADE;

--
-- Name: advisory_aliases advisory_aliases_advisory_id_fkey; Type: FK CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_aliases
    ADD CONSTRAINT advisory_aliases_advisory_id_fkey FOREIGN KEY (advisory_id) REFERENCES vuln.advisories(id) ON DELETE CASCADE;

--
-- Name: advisory_credits advisory_credits_advisory_id_fkey; Type: FK CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_credits
    ADD CONSTRAINT advisory_credits_advisory_id_fkey FOREIGN KEY (advisory_id) REFERENCES vuln.advisories(id) ON DELETE CASCADE;

--
-- Name: advisory_cvss advisory_cvss_advisory_id_fkey; Type: FK CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_cvss
    ADD CONSTRAINT advisory_cvss_advisory_id_fkey FOREIGN KEY (advisory_id) REFERENCES vuln.advisories(id) ON DELETE CASCADE;

--
-- Name: advisory_references advisory_references_advisory_id_fkey; Type: FK CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_references
    ADD CONSTRAINT advisory_references_advisory_id_fkey FOREIGN KEY (advisory_id) REFERENCES vuln.advisories(id) ON DELETE CASCADE;

--
-- Name: advisory_snapshots advisory_snapshots_advisory_id_fkey; Type: FK CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_snapshots
    ADD CONSTRAINT advisory_snapshots_advisory_id_fkey FOREIGN KEY (advisory_id) REFERENCES vuln.advisories(id) ON DELETE SET NULL;

--
-- Name: advisory_snapshots advisory_snapshots_feed_snapshot_id_fkey; Type: FK CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_snapshots
    ADD CONSTRAINT advisory_snapshots_feed_snapshot_id_fkey FOREIGN KEY (feed_snapshot_id) REFERENCES vuln.feed_snapshots(id) ON DELETE CASCADE;

--
-- Name: advisory_weaknesses advisory_weaknesses_advisory_id_fkey; Type: FK CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.advisory_weaknesses
    ADD CONSTRAINT advisory_weaknesses_advisory_id_fkey FOREIGN KEY (advisory_id) REFERENCES vuln.advisories(id) ON DELETE CASCADE;

--
-- Name: feed_snapshots feed_snapshots_source_id_fkey; Type: FK CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.feed_snapshots
    ADD CONSTRAINT feed_snapshots_source_id_fkey FOREIGN KEY (source_id) REFERENCES vuln.sources(id) ON DELETE CASCADE;

--
-- Name: kev_flags kev_flags_advisory_id_fkey; Type: FK CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.kev_flags
    ADD CONSTRAINT kev_flags_advisory_id_fkey FOREIGN KEY (advisory_id) REFERENCES vuln.advisories(id) ON DELETE SET NULL;

--
-- Name: source_states source_states_source_id_fkey; Type: FK CONSTRAINT; Schema: vuln; Owner: stellaops_owner
--

ALTER TABLE ONLY vuln.source_states
    ADD CONSTRAINT source_states_source_id_fkey FOREIGN KEY (source_id) REFERENCES vuln.sources(id) ON DELETE CASCADE;

--
-- Name: clients; Type: ROW SECURITY; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE authority.clients ENABLE ROW LEVEL SECURITY;

--
-- Name: license_usage; Type: ROW SECURITY; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE authority.license_usage ENABLE ROW LEVEL SECURITY;

--
-- Name: licenses; Type: ROW SECURITY; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE authority.licenses ENABLE ROW LEVEL SECURITY;

--
-- Name: login_attempts; Type: ROW SECURITY; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE authority.login_attempts ENABLE ROW LEVEL SECURITY;

--
-- Name: revocations; Type: ROW SECURITY; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE authority.revocations ENABLE ROW LEVEL SECURITY;

--
-- Name: roles; Type: ROW SECURITY; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE authority.roles ENABLE ROW LEVEL SECURITY;

--
-- Name: service_accounts; Type: ROW SECURITY; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE authority.service_accounts ENABLE ROW LEVEL SECURITY;

--
-- Name: clients tenant_isolation; Type: POLICY; Schema: authority; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON authority.clients USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: license_usage tenant_isolation; Type: POLICY; Schema: authority; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON authority.license_usage USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: licenses tenant_isolation; Type: POLICY; Schema: authority; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON authority.licenses USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: login_attempts tenant_isolation; Type: POLICY; Schema: authority; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON authority.login_attempts USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: revocations tenant_isolation; Type: POLICY; Schema: authority; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON authority.revocations USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: roles tenant_isolation; Type: POLICY; Schema: authority; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON authority.roles USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: service_accounts tenant_isolation; Type: POLICY; Schema: authority; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON authority.service_accounts USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: tokens tenant_isolation; Type: POLICY; Schema: authority; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON authority.tokens USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: user_roles tenant_isolation; Type: POLICY; Schema: authority; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON authority.user_roles USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: users tenant_isolation; Type: POLICY; Schema: authority; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON authority.users USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: tokens; Type: ROW SECURITY; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE authority.tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: user_roles; Type: ROW SECURITY; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE authority.user_roles ENABLE ROW LEVEL SECURITY;

--
-- Name: users; Type: ROW SECURITY; Schema: authority; Owner: stellaops_owner
--

ALTER TABLE authority.users ENABLE ROW LEVEL SECURITY;

--
-- Name: audit; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.audit ENABLE ROW LEVEL SECURITY;

--
-- Name: channels; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.channels ENABLE ROW LEVEL SECURITY;

--
-- Name: deliveries; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.deliveries ENABLE ROW LEVEL SECURITY;

--
-- Name: digests; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.digests ENABLE ROW LEVEL SECURITY;

--
-- Name: escalation_policies; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.escalation_policies ENABLE ROW LEVEL SECURITY;

--
-- Name: escalation_states; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.escalation_states ENABLE ROW LEVEL SECURITY;

--
-- Name: inbox; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.inbox ENABLE ROW LEVEL SECURITY;

--
-- Name: incidents; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.incidents ENABLE ROW LEVEL SECURITY;

--
-- Name: maintenance_windows; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.maintenance_windows ENABLE ROW LEVEL SECURITY;

--
-- Name: on_call_schedules; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.on_call_schedules ENABLE ROW LEVEL SECURITY;

--
-- Name: quiet_hours; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.quiet_hours ENABLE ROW LEVEL SECURITY;

--
-- Name: rules; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.rules ENABLE ROW LEVEL SECURITY;

--
-- Name: templates; Type: ROW SECURITY; Schema: notify; Owner: stellaops_owner
--

ALTER TABLE notify.templates ENABLE ROW LEVEL SECURITY;

--
-- Name: audit tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.audit USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: channels tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.channels USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: deliveries tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.deliveries USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: digests tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.digests USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: escalation_policies tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.escalation_policies USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: escalation_states tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.escalation_states USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: inbox tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.inbox USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: incidents tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.incidents USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: maintenance_windows tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.maintenance_windows USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: on_call_schedules tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.on_call_schedules USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: quiet_hours tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.quiet_hours USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: rules tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.rules USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: templates tenant_isolation; Type: POLICY; Schema: notify; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON notify.templates USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: audit; Type: ROW SECURITY; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE policy.audit ENABLE ROW LEVEL SECURITY;

--
-- Name: evaluation_runs; Type: ROW SECURITY; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE policy.evaluation_runs ENABLE ROW LEVEL SECURITY;

--
-- Name: exceptions; Type: ROW SECURITY; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE policy.exceptions ENABLE ROW LEVEL SECURITY;

--
-- Name: explanations; Type: ROW SECURITY; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE policy.explanations ENABLE ROW LEVEL SECURITY;

--
-- Name: pack_versions; Type: ROW SECURITY; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE policy.pack_versions ENABLE ROW LEVEL SECURITY;

--
-- Name: packs; Type: ROW SECURITY; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE policy.packs ENABLE ROW LEVEL SECURITY;

--
-- Name: risk_profiles; Type: ROW SECURITY; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE policy.risk_profiles ENABLE ROW LEVEL SECURITY;

--
-- Name: rules; Type: ROW SECURITY; Schema: policy; Owner: stellaops_owner
--

ALTER TABLE policy.rules ENABLE ROW LEVEL SECURITY;

--
-- Name: audit tenant_isolation; Type: POLICY; Schema: policy; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON policy.audit USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: evaluation_runs tenant_isolation; Type: POLICY; Schema: policy; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON policy.evaluation_runs USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: exceptions tenant_isolation; Type: POLICY; Schema: policy; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON policy.exceptions USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: explanations tenant_isolation; Type: POLICY; Schema: policy; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON policy.explanations USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: pack_versions tenant_isolation; Type: POLICY; Schema: policy; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON policy.pack_versions USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: packs tenant_isolation; Type: POLICY; Schema: policy; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON policy.packs USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: risk_profiles tenant_isolation; Type: POLICY; Schema: policy; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON policy.risk_profiles USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: rules tenant_isolation; Type: POLICY; Schema: policy; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON policy.rules USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: audit; Type: ROW SECURITY; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE scheduler.audit ENABLE ROW LEVEL SECURITY;

--
-- Name: execution_logs; Type: ROW SECURITY; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE scheduler.execution_logs ENABLE ROW LEVEL SECURITY;

--
-- Name: graph_jobs; Type: ROW SECURITY; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE scheduler.graph_jobs ENABLE ROW LEVEL SECURITY;

--
-- Name: impact_snapshots; Type: ROW SECURITY; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE scheduler.impact_snapshots ENABLE ROW LEVEL SECURITY;

--
-- Name: policy_jobs; Type: ROW SECURITY; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE scheduler.policy_jobs ENABLE ROW LEVEL SECURITY;

--
-- Name: run_summaries; Type: ROW SECURITY; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE scheduler.run_summaries ENABLE ROW LEVEL SECURITY;

--
-- Name: runs; Type: ROW SECURITY; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE scheduler.runs ENABLE ROW LEVEL SECURITY;

--
-- Name: schedules; Type: ROW SECURITY; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE scheduler.schedules ENABLE ROW LEVEL SECURITY;

--
-- Name: audit tenant_isolation; Type: POLICY; Schema: scheduler; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON scheduler.audit USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: execution_logs tenant_isolation; Type: POLICY; Schema: scheduler; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON scheduler.execution_logs USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: graph_jobs tenant_isolation; Type: POLICY; Schema: scheduler; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON scheduler.graph_jobs USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: impact_snapshots tenant_isolation; Type: POLICY; Schema: scheduler; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON scheduler.impact_snapshots USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: policy_jobs tenant_isolation; Type: POLICY; Schema: scheduler; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON scheduler.policy_jobs USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: run_summaries tenant_isolation; Type: POLICY; Schema: scheduler; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON scheduler.run_summaries USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: runs tenant_isolation; Type: POLICY; Schema: scheduler; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON scheduler.runs USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: schedules tenant_isolation; Type: POLICY; Schema: scheduler; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON scheduler.schedules USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: triggers tenant_isolation; Type: POLICY; Schema: scheduler; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON scheduler.triggers USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: triggers; Type: ROW SECURITY; Schema: scheduler; Owner: stellaops_owner
--

ALTER TABLE scheduler.triggers ENABLE ROW LEVEL SECURITY;

--
-- Name: consensus; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.consensus ENABLE ROW LEVEL SECURITY;

--
-- Name: consensus_holds; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.consensus_holds ENABLE ROW LEVEL SECURITY;

--
-- Name: evidence_manifests; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.evidence_manifests ENABLE ROW LEVEL SECURITY;

--
-- Name: graph_edges; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.graph_edges ENABLE ROW LEVEL SECURITY;

--
-- Name: graph_nodes; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.graph_nodes ENABLE ROW LEVEL SECURITY;

--
-- Name: graph_revisions; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.graph_revisions ENABLE ROW LEVEL SECURITY;

--
-- Name: linkset_events; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.linkset_events ENABLE ROW LEVEL SECURITY;

--
-- Name: linksets; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.linksets ENABLE ROW LEVEL SECURITY;

--
-- Name: observations; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.observations ENABLE ROW LEVEL SECURITY;

--
-- Name: projects; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.projects ENABLE ROW LEVEL SECURITY;

--
-- Name: statements; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.statements ENABLE ROW LEVEL SECURITY;

--
-- Name: consensus tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.consensus USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: consensus_holds tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.consensus_holds USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: evidence_manifests tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.evidence_manifests USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: graph_edges tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.graph_edges USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: graph_nodes tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.graph_nodes USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: graph_revisions tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.graph_revisions USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: linkset_events tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.linkset_events USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: linksets tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.linksets USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: observations tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.observations USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: projects tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.projects USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: statements tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.statements USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: unknown_items tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.unknown_items USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: unknowns_snapshots tenant_isolation; Type: POLICY; Schema: vex; Owner: stellaops_owner
--

CREATE POLICY tenant_isolation ON vex.unknowns_snapshots USING ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text))) WITH CHECK ((tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)));

--
-- Name: unknown_items; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.unknown_items ENABLE ROW LEVEL SECURITY;

--
-- Name: unknowns_snapshots; Type: ROW SECURITY; Schema: vex; Owner: stellaops_owner
--

ALTER TABLE vex.unknowns_snapshots ENABLE ROW LEVEL SECURITY;

--
-- Name: SCHEMA authority; Type: ACL; Schema: -; Owner: stellaops_owner
--

GRANT USAGE ON SCHEMA authority TO stellaops_app;
GRANT USAGE ON SCHEMA authority TO stellaops_system;

--
-- Name: SCHEMA notify; Type: ACL; Schema: -; Owner: stellaops_owner
--

GRANT USAGE ON SCHEMA notify TO stellaops_app;
GRANT USAGE ON SCHEMA notify TO stellaops_system;

--
-- Name: SCHEMA policy; Type: ACL; Schema: -; Owner: stellaops_owner
--

GRANT USAGE ON SCHEMA policy TO stellaops_app;
GRANT USAGE ON SCHEMA policy TO stellaops_system;

--
-- Name: SCHEMA scheduler; Type: ACL; Schema: -; Owner: stellaops_owner
--

GRANT USAGE ON SCHEMA scheduler TO stellaops_app;
GRANT USAGE ON SCHEMA scheduler TO stellaops_system;

--
-- Name: SCHEMA vex; Type: ACL; Schema: -; Owner: stellaops_owner
--

GRANT USAGE ON SCHEMA vex TO stellaops_app;
GRANT USAGE ON SCHEMA vex TO stellaops_system;

--
-- Name: SCHEMA vuln; Type: ACL; Schema: -; Owner: stellaops_owner
--

GRANT USAGE ON SCHEMA vuln TO stellaops_app;
GRANT USAGE ON SCHEMA vuln TO stellaops_system;

--
-- Name: TABLE clients; Type: ACL; Schema: authority; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.clients TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.clients TO stellaops_system;

--
-- Name: TABLE license_usage; Type: ACL; Schema: authority; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.license_usage TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.license_usage TO stellaops_system;

--
-- Name: TABLE licenses; Type: ACL; Schema: authority; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.licenses TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.licenses TO stellaops_system;

--
-- Name: TABLE login_attempts; Type: ACL; Schema: authority; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.login_attempts TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.login_attempts TO stellaops_system;

--
-- Name: TABLE revocations; Type: ACL; Schema: authority; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.revocations TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.revocations TO stellaops_system;

--
-- Name: TABLE roles; Type: ACL; Schema: authority; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.roles TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.roles TO stellaops_system;

--
-- Name: TABLE scopes; Type: ACL; Schema: authority; Owner: stellaops_owner
--

GRANT SELECT ON TABLE authority.scopes TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.scopes TO stellaops_system;

--
-- Name: TABLE service_accounts; Type: ACL; Schema: authority; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.service_accounts TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.service_accounts TO stellaops_system;

--
-- Name: TABLE tenants; Type: ACL; Schema: authority; Owner: stellaops_owner
--

GRANT SELECT ON TABLE authority.tenants TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.tenants TO stellaops_system;

--
-- Name: TABLE tokens; Type: ACL; Schema: authority; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.tokens TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.tokens TO stellaops_system;

--
-- Name: TABLE user_roles; Type: ACL; Schema: authority; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.user_roles TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.user_roles TO stellaops_system;

--
-- Name: TABLE users; Type: ACL; Schema: authority; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.users TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE authority.users TO stellaops_system;

--
-- Name: TABLE audit; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.audit TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.audit TO stellaops_system;

--
-- Name: TABLE channels; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.channels TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.channels TO stellaops_system;

--
-- Name: TABLE deliveries; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.deliveries TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.deliveries TO stellaops_system;

--
-- Name: TABLE digests; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.digests TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.digests TO stellaops_system;

--
-- Name: TABLE escalation_policies; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.escalation_policies TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.escalation_policies TO stellaops_system;

--
-- Name: TABLE escalation_states; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.escalation_states TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.escalation_states TO stellaops_system;

--
-- Name: TABLE inbox; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.inbox TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.inbox TO stellaops_system;

--
-- Name: TABLE incidents; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.incidents TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.incidents TO stellaops_system;

--
-- Name: TABLE locks; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.locks TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.locks TO stellaops_system;

--
-- Name: TABLE maintenance_windows; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.maintenance_windows TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.maintenance_windows TO stellaops_system;

--
-- Name: TABLE on_call_schedules; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.on_call_schedules TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.on_call_schedules TO stellaops_system;

--
-- Name: TABLE quiet_hours; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.quiet_hours TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.quiet_hours TO stellaops_system;

--
-- Name: TABLE rules; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.rules TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.rules TO stellaops_system;

--
-- Name: TABLE templates; Type: ACL; Schema: notify; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.templates TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE notify.templates TO stellaops_system;

--
-- Name: TABLE audit; Type: ACL; Schema: policy; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.audit TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.audit TO stellaops_system;

--
-- Name: TABLE evaluation_runs; Type: ACL; Schema: policy; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.evaluation_runs TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.evaluation_runs TO stellaops_system;

--
-- Name: TABLE exceptions; Type: ACL; Schema: policy; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.exceptions TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.exceptions TO stellaops_system;

--
-- Name: TABLE explanations; Type: ACL; Schema: policy; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.explanations TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.explanations TO stellaops_system;

--
-- Name: TABLE pack_versions; Type: ACL; Schema: policy; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.pack_versions TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.pack_versions TO stellaops_system;

--
-- Name: TABLE packs; Type: ACL; Schema: policy; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.packs TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.packs TO stellaops_system;

--
-- Name: TABLE risk_profiles; Type: ACL; Schema: policy; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.risk_profiles TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.risk_profiles TO stellaops_system;

--
-- Name: TABLE rules; Type: ACL; Schema: policy; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.rules TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE policy.rules TO stellaops_system;

--
-- Name: TABLE audit; Type: ACL; Schema: scheduler; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.audit TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.audit TO stellaops_system;

--
-- Name: TABLE execution_logs; Type: ACL; Schema: scheduler; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.execution_logs TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.execution_logs TO stellaops_system;

--
-- Name: TABLE graph_jobs; Type: ACL; Schema: scheduler; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.graph_jobs TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.graph_jobs TO stellaops_system;

--
-- Name: TABLE impact_snapshots; Type: ACL; Schema: scheduler; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.impact_snapshots TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.impact_snapshots TO stellaops_system;

--
-- Name: TABLE locks; Type: ACL; Schema: scheduler; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.locks TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.locks TO stellaops_system;

--
-- Name: TABLE policy_jobs; Type: ACL; Schema: scheduler; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.policy_jobs TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.policy_jobs TO stellaops_system;

--
-- Name: TABLE run_summaries; Type: ACL; Schema: scheduler; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.run_summaries TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.run_summaries TO stellaops_system;

--
-- Name: TABLE runs; Type: ACL; Schema: scheduler; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.runs TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.runs TO stellaops_system;

--
-- Name: TABLE schedules; Type: ACL; Schema: scheduler; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.schedules TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.schedules TO stellaops_system;

--
-- Name: TABLE triggers; Type: ACL; Schema: scheduler; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.triggers TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.triggers TO stellaops_system;

--
-- Name: TABLE workers; Type: ACL; Schema: scheduler; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.workers TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE scheduler.workers TO stellaops_system;

--
-- Name: TABLE consensus; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.consensus TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.consensus TO stellaops_system;

--
-- Name: TABLE consensus_holds; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.consensus_holds TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.consensus_holds TO stellaops_system;

--
-- Name: TABLE evidence_manifests; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.evidence_manifests TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.evidence_manifests TO stellaops_system;

--
-- Name: TABLE graph_edges; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.graph_edges TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.graph_edges TO stellaops_system;

--
-- Name: TABLE graph_nodes; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.graph_nodes TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.graph_nodes TO stellaops_system;

--
-- Name: TABLE graph_revisions; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.graph_revisions TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.graph_revisions TO stellaops_system;

--
-- Name: TABLE linkset_events; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.linkset_events TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.linkset_events TO stellaops_system;

--
-- Name: TABLE linksets; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.linksets TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.linksets TO stellaops_system;

--
-- Name: TABLE observations; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.observations TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.observations TO stellaops_system;

--
-- Name: TABLE projects; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.projects TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.projects TO stellaops_system;

--
-- Name: TABLE statements; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.statements TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.statements TO stellaops_system;

--
-- Name: TABLE unknown_items; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.unknown_items TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.unknown_items TO stellaops_system;

--
-- Name: TABLE unknowns_snapshots; Type: ACL; Schema: vex; Owner: stellaops_owner
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.unknowns_snapshots TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vex.unknowns_snapshots TO stellaops_system;

--
-- Name: TABLE advisories; Type: ACL; Schema: vuln; Owner: stellaops_owner
--

GRANT SELECT ON TABLE vuln.advisories TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vuln.advisories TO stellaops_system;

--
-- Name: TABLE advisory_affected; Type: ACL; Schema: vuln; Owner: stellaops_owner
--

GRANT SELECT ON TABLE vuln.advisory_affected TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vuln.advisory_affected TO stellaops_system;

--
-- Name: TABLE advisory_aliases; Type: ACL; Schema: vuln; Owner: stellaops_owner
--

GRANT SELECT ON TABLE vuln.advisory_aliases TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vuln.advisory_aliases TO stellaops_system;

--
-- Name: TABLE advisory_credits; Type: ACL; Schema: vuln; Owner: stellaops_owner
--

GRANT SELECT ON TABLE vuln.advisory_credits TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vuln.advisory_credits TO stellaops_system;

--
-- Name: TABLE advisory_cvss; Type: ACL; Schema: vuln; Owner: stellaops_owner
--

GRANT SELECT ON TABLE vuln.advisory_cvss TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vuln.advisory_cvss TO stellaops_system;

--
-- Name: TABLE advisory_references; Type: ACL; Schema: vuln; Owner: stellaops_owner
--

GRANT SELECT ON TABLE vuln.advisory_references TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vuln.advisory_references TO stellaops_system;

--
-- Name: TABLE advisory_snapshots; Type: ACL; Schema: vuln; Owner: stellaops_owner
--

GRANT SELECT ON TABLE vuln.advisory_snapshots TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vuln.advisory_snapshots TO stellaops_system;

--
-- Name: TABLE advisory_weaknesses; Type: ACL; Schema: vuln; Owner: stellaops_owner
--

GRANT SELECT ON TABLE vuln.advisory_weaknesses TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vuln.advisory_weaknesses TO stellaops_system;

--
-- Name: TABLE feed_snapshots; Type: ACL; Schema: vuln; Owner: stellaops_owner
--

GRANT SELECT ON TABLE vuln.feed_snapshots TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vuln.feed_snapshots TO stellaops_system;

--
-- Name: TABLE kev_flags; Type: ACL; Schema: vuln; Owner: stellaops_owner
--

GRANT SELECT ON TABLE vuln.kev_flags TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vuln.kev_flags TO stellaops_system;

--
-- Name: TABLE source_states; Type: ACL; Schema: vuln; Owner: stellaops_owner
--

GRANT SELECT ON TABLE vuln.source_states TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vuln.source_states TO stellaops_system;

--
-- Name: TABLE sources; Type: ACL; Schema: vuln; Owner: stellaops_owner
--

GRANT SELECT ON TABLE vuln.sources TO stellaops_app;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE vuln.sources TO stellaops_system;

--
-- PostgreSQL database dump complete
--

\unrestrict stellaopsschemadump

