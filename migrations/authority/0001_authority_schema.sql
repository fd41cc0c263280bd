-- Authority module (shared/seeds/001): identities, clients, tokens, licenses.
-- Global tables: tenants, scopes. Every other table is a tenant table:
-- tenant_id first in every key, RLS enabled and forced, composite foreign keys.
-- squawk-ignore-file prefer-bigint-over-int
--   Waived: the int columns are counts, priorities, versions and attempts,
--   bounded far below 2^31 by what they count.
-- A migration must never queue behind application locks or run unbounded.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '120s';
CREATE SCHEMA authority AUTHORIZATION stellaops_owner;
SET LOCAL ROLE stellaops_owner;

CREATE TABLE authority.tenants (
    id           uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    code         text        COLLATE "C" NOT NULL UNIQUE
                 CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    display_name text        NOT NULL,
    status       text        NOT NULL DEFAULT 'active'
                 CHECK (status IN ('active', 'suspended', 'trial', 'terminated')),
    settings     jsonb       NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE authority.users (
    tenant_id          text        COLLATE "C" NOT NULL REFERENCES authority.tenants (code),
    id                 uuid        NOT NULL DEFAULT gen_random_uuid(),
    subject_id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    username           text        COLLATE "C" NOT NULL CHECK (username <> ''),
    email              text,
    display_name       text,
    password_hash      text,
    status             text        NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'disabled', 'locked', 'deleted')),
    failed_login_count integer     NOT NULL DEFAULT 0 CHECK (failed_login_count >= 0),
    last_login_at      timestamptz,
    attributes         jsonb       NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, username),
    UNIQUE (tenant_id, subject_id)
);
-- GetBySubjectIdAsync is a system (cross-tenant) lookup.
CREATE INDEX users_subject_id_idx ON authority.users (subject_id);

CREATE TABLE authority.roles (
    tenant_id   text        COLLATE "C" NOT NULL REFERENCES authority.tenants (code),
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    name        text        COLLATE "C" NOT NULL CHECK (name <> ''),
    description text,
    is_system   boolean     NOT NULL DEFAULT false,
    permissions text[]      NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE authority.user_roles (
    tenant_id  text        COLLATE "C" NOT NULL,
    user_id    uuid        NOT NULL,
    role_id    uuid        NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    granted_by text,
    expires_at timestamptz,
    PRIMARY KEY (tenant_id, user_id, role_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES authority.users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, role_id) REFERENCES authority.roles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_roles_role_idx ON authority.user_roles (tenant_id, role_id);

CREATE TABLE authority.service_accounts (
    tenant_id           text        COLLATE "C" NOT NULL REFERENCES authority.tenants (code),
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    account_id          text        COLLATE "C" NOT NULL CHECK (account_id <> ''),
    display_name        text        NOT NULL,
    description         text,
    status              text        NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'disabled')),
    allowed_scopes      text[]      NOT NULL DEFAULT '{}',
    authorized_clients  text[]      NOT NULL DEFAULT '{}',
    attributes          jsonb       NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, account_id)
);

CREATE TABLE authority.clients (
    tenant_id          text        COLLATE "C" NOT NULL REFERENCES authority.tenants (code),
    id                 uuid        NOT NULL DEFAULT gen_random_uuid(),
    client_id          text        COLLATE "C" NOT NULL CHECK (client_id <> ''),
    client_secret_hash text,
    display_name       text        NOT NULL,
    client_type        text        NOT NULL DEFAULT 'confidential'
                       CHECK (client_type IN ('public', 'confidential')),
    status             text        NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'disabled')),
    grant_types        text[]      NOT NULL DEFAULT '{}',
    redirect_uris      text[]      NOT NULL DEFAULT '{}',
    allowed_scopes     text[]      NOT NULL DEFAULT '{}',
    require_pkce       boolean     NOT NULL DEFAULT true,
    properties         jsonb       NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, client_id)
);

CREATE TABLE authority.scopes (
    id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    name        text        COLLATE "C" NOT NULL UNIQUE CHECK (name <> ''),
    description text,
    resources   text[]      NOT NULL DEFAULT '{}',
    is_system   boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE authority.tokens (
    tenant_id          text        COLLATE "C" NOT NULL REFERENCES authority.tenants (code),
    id                 uuid        NOT NULL DEFAULT gen_random_uuid(),
    token_hash         text        COLLATE "C" NOT NULL CHECK (token_hash <> ''),
    token_type         text        NOT NULL
                       CHECK (token_type IN ('access', 'refresh', 'authorization_code', 'device_code')),
    status             text        NOT NULL DEFAULT 'valid'
                       CHECK (status IN ('valid', 'revoked', 'redeemed', 'expired')),
    subject_id         uuid,
    user_id            uuid,
    service_account_id uuid,
    client_id          text        COLLATE "C",
    scopes             text[]      NOT NULL DEFAULT '{}',
    issued_at          timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    revoked_at         timestamptz,
    revoked_reason     text,
    payload            jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    CHECK (expires_at > issued_at),
    FOREIGN KEY (tenant_id, user_id) REFERENCES authority.users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, service_account_id)
        REFERENCES authority.service_accounts (tenant_id, id) ON DELETE CASCADE
);
-- GetByHashAsync and PruneExpiredAsync are system (cross-tenant) operations.
CREATE INDEX tokens_hash_idx ON authority.tokens (token_hash);
CREATE INDEX tokens_expires_at_idx ON authority.tokens (expires_at);
CREATE INDEX tokens_user_idx ON authority.tokens (tenant_id, user_id);
CREATE INDEX tokens_service_account_idx ON authority.tokens (tenant_id, service_account_id);
CREATE INDEX tokens_subject_idx ON authority.tokens (tenant_id, subject_id, status);

CREATE TABLE authority.revocations (
    tenant_id          text        COLLATE "C" NOT NULL REFERENCES authority.tenants (code),
    id                 uuid        NOT NULL DEFAULT gen_random_uuid(),
    category           text        NOT NULL CHECK (category IN ('token', 'subject', 'client', 'key')),
    revocation_id      text        COLLATE "C" NOT NULL CHECK (revocation_id <> ''),
    token_id           uuid,
    subject_id         uuid,
    client_id          text        COLLATE "C",
    reason             text        NOT NULL,
    reason_description text,
    revoked_at         timestamptz NOT NULL DEFAULT now(),
    effective_at       timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz,
    metadata           jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, category, revocation_id)
);
CREATE INDEX revocations_effective_idx ON authority.revocations (tenant_id, effective_at);

CREATE TABLE authority.login_attempts (
    tenant_id   text        COLLATE "C" NOT NULL REFERENCES authority.tenants (code),
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    -- No foreign key to users: the audit trail outlives the account.
    user_id     uuid,
    username    text        COLLATE "C" NOT NULL,
    outcome     text        NOT NULL CHECK (outcome IN ('success', 'failure', 'locked_out', 'mfa_required')),
    reason      text,
    client_ip   inet,
    user_agent  text,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    properties  jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX login_attempts_username_idx ON authority.login_attempts (tenant_id, username, occurred_at DESC);
CREATE INDEX login_attempts_occurred_idx ON authority.login_attempts (occurred_at);

CREATE TABLE authority.licenses (
    tenant_id   text        COLLATE "C" NOT NULL REFERENCES authority.tenants (code),
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    license_key text        COLLATE "C" NOT NULL CHECK (license_key <> ''),
    edition     text        NOT NULL CHECK (edition IN ('community', 'team', 'enterprise', 'sovereign')),
    status      text        NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'expired', 'revoked', 'suspended')),
    max_seats   integer     CHECK (max_seats IS NULL OR max_seats > 0),
    features    jsonb       NOT NULL DEFAULT '{}',
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, license_key)
);

CREATE TABLE authority.license_usage (
    tenant_id    text        COLLATE "C" NOT NULL,
    license_id   uuid        NOT NULL,
    feature      text        COLLATE "C" NOT NULL CHECK (feature <> ''),
    period_start timestamptz NOT NULL,
    used_count   bigint      NOT NULL DEFAULT 0 CHECK (used_count >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, license_id, feature, period_start),
    FOREIGN KEY (tenant_id, license_id) REFERENCES authority.licenses (tenant_id, id) ON DELETE CASCADE
);

-- Row-level security: enabled and forced on every tenant table. The policy
-- fails closed: the setting unset (NULL) or empty ('' after a transaction-local
-- set ended) matches no row, and writes for another tenant are rejected.
DO $rls$
DECLARE
    tenant_table text;
BEGIN
    FOREACH tenant_table IN ARRAY ARRAY[
        'users', 'roles', 'user_roles', 'service_accounts', 'clients', 'tokens',
        'revocations', 'login_attempts', 'licenses', 'license_usage']
    LOOP
        EXECUTE format('ALTER TABLE authority.%I ENABLE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format('ALTER TABLE authority.%I FORCE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON authority.%I
                USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), ''''))
                WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), ''''))',
            tenant_table);
        EXECUTE format(
            'GRANT SELECT, INSERT, UPDATE, DELETE ON authority.%I TO stellaops_app, stellaops_system',
            tenant_table);
    END LOOP;
END
$rls$;

GRANT USAGE ON SCHEMA authority TO stellaops_app, stellaops_system;
-- Global reference data: readable by tenants, written by system operations.
GRANT SELECT ON authority.tenants, authority.scopes TO stellaops_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON authority.tenants, authority.scopes TO stellaops_system;
