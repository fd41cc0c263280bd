-- Vulnerabilities module (Concelier): advisory sources, feed snapshots and the
-- canonical advisories with aliases, CVSS, affected ranges, references,
-- credits, weaknesses and KEV flags. All global: advisory data is shared by
-- every tenant, so no table here has a tenant_id or RLS. Tenants read it;
-- only the ingest (system role) writes it.
-- squawk-ignore-file prefer-bigint-over-int
--   Waived: the int columns are counts, priorities, versions and attempts,
--   bounded far below 2^31 by what they count.
-- A migration must never queue behind application locks or run unbounded.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '120s';
CREATE SCHEMA vuln AUTHORIZATION stellaops_owner;
SET LOCAL ROLE stellaops_owner;

CREATE TABLE vuln.sources (
    id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    key         text        COLLATE "C" NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9._-]*$'),
    name        text        NOT NULL,
    source_type text        NOT NULL CHECK (source_type IN ('nvd', 'ghsa', 'osv', 'vendor', 'distro', 'kev', 'other')),
    url         text,
    enabled     boolean     NOT NULL DEFAULT true,
    priority    integer     NOT NULL DEFAULT 100,
    config      jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vuln.source_states (
    source_id       uuid        NOT NULL PRIMARY KEY REFERENCES vuln.sources (id) ON DELETE CASCADE,
    status          text        NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'fetching', 'failed', 'disabled')),
    cursor          jsonb       NOT NULL DEFAULT '{}',
    failure_count   integer     NOT NULL DEFAULT 0 CHECK (failure_count >= 0),
    last_error      text,
    last_fetch_at   timestamptz,
    last_success_at timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vuln.feed_snapshots (
    id           uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    source_id    uuid        NOT NULL REFERENCES vuln.sources (id) ON DELETE CASCADE,
    digest       text        COLLATE "C" NOT NULL CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
    record_count integer     NOT NULL DEFAULT 0 CHECK (record_count >= 0),
    metadata     jsonb       NOT NULL DEFAULT '{}',
    fetched_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_id, digest)
);

CREATE TABLE vuln.advisories (
    id                uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    advisory_key      text        COLLATE "C" NOT NULL UNIQUE CHECK (advisory_key <> ''),
    primary_source_id uuid        REFERENCES vuln.sources (id) ON DELETE SET NULL,
    title             text,
    summary           text,
    description       text,
    severity          text        NOT NULL DEFAULT 'unknown'
                      CHECK (severity IN ('critical', 'high', 'medium', 'low', 'none', 'unknown')),
    published_at      timestamptz,
    modified_at       timestamptz,
    withdrawn_at      timestamptz,
    payload           jsonb       NOT NULL DEFAULT '{}',
    provenance        jsonb       NOT NULL DEFAULT '[]',
    content_hash      text        COLLATE "C" NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX advisories_source_idx ON vuln.advisories (primary_source_id);
CREATE INDEX advisories_modified_idx ON vuln.advisories (modified_at);

CREATE TABLE vuln.advisory_snapshots (
    id               uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    feed_snapshot_id uuid        NOT NULL REFERENCES vuln.feed_snapshots (id) ON DELETE CASCADE,
    advisory_id      uuid        REFERENCES vuln.advisories (id) ON DELETE SET NULL,
    advisory_key     text        COLLATE "C" NOT NULL CHECK (advisory_key <> ''),
    content_hash     text        COLLATE "C" NOT NULL,
    payload          jsonb       NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (feed_snapshot_id, advisory_key)
);
CREATE INDEX advisory_snapshots_advisory_idx ON vuln.advisory_snapshots (advisory_id);
CREATE INDEX advisory_snapshots_key_idx ON vuln.advisory_snapshots (advisory_key);

CREATE TABLE vuln.advisory_aliases (
    id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    advisory_id uuid        NOT NULL REFERENCES vuln.advisories (id) ON DELETE CASCADE,
    alias_type  text        NOT NULL CHECK (alias_type IN ('cve', 'ghsa', 'osv', 'rhsa', 'debian', 'ubuntu', 'vendor', 'other')),
    alias_value text        COLLATE "C" NOT NULL CHECK (alias_value <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (alias_type, alias_value, advisory_id),
    CHECK (alias_type <> 'cve' OR alias_value ~ '^CVE-[0-9]{4}-[0-9]{4,}$'),
    CHECK (alias_type <> 'ghsa' OR alias_value ~ '^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$')
);
CREATE INDEX advisory_aliases_advisory_idx ON vuln.advisory_aliases (advisory_id);

CREATE TABLE vuln.advisory_cvss (
    id            uuid         NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    advisory_id   uuid         NOT NULL REFERENCES vuln.advisories (id) ON DELETE CASCADE,
    cvss_version  text         NOT NULL CHECK (cvss_version IN ('2.0', '3.0', '3.1', '4.0')),
    vector_string text         NOT NULL CHECK (vector_string <> ''),
    base_score    numeric(3,1) NOT NULL CHECK (base_score BETWEEN 0 AND 10),
    base_severity text         NOT NULL CHECK (base_severity IN ('critical', 'high', 'medium', 'low', 'none')),
    source        text         COLLATE "C" NOT NULL,
    is_primary    boolean      NOT NULL DEFAULT false,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    UNIQUE (advisory_id, cvss_version, source)
);

CREATE TABLE vuln.advisory_affected (
    id           uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    advisory_id  uuid        NOT NULL REFERENCES vuln.advisories (id) ON DELETE CASCADE,
    ecosystem    text        COLLATE "C" NOT NULL CHECK (ecosystem <> ''),
    package_name text        COLLATE "C" NOT NULL CHECK (package_name <> ''),
    purl         text        COLLATE "C",
    range_type   text        NOT NULL CHECK (range_type IN ('semver', 'ecosystem', 'git', 'version_list', 'rpm', 'deb', 'apk')),
    -- OSV-style events: [{"introduced": "1.0.0"}, {"fixed": "1.2.3"}].
    ranges       jsonb       NOT NULL DEFAULT '[]',
    versions     text[]      NOT NULL DEFAULT '{}',
    status       text        NOT NULL DEFAULT 'affected'
                 CHECK (status IN ('affected', 'not_affected', 'fixed', 'under_investigation')),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX advisory_affected_advisory_idx ON vuln.advisory_affected (advisory_id);
CREATE INDEX advisory_affected_package_idx ON vuln.advisory_affected (ecosystem, package_name);

CREATE TABLE vuln.advisory_references (
    id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    advisory_id uuid        NOT NULL REFERENCES vuln.advisories (id) ON DELETE CASCADE,
    url         text        NOT NULL CHECK (url ~ '^https?://'),
    ref_type    text        NOT NULL DEFAULT 'web'
                CHECK (ref_type IN ('advisory', 'article', 'fix', 'report', 'package', 'web', 'evidence', 'other')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (advisory_id, url)
);

CREATE TABLE vuln.advisory_credits (
    id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    advisory_id uuid        NOT NULL REFERENCES vuln.advisories (id) ON DELETE CASCADE,
    name        text        NOT NULL CHECK (name <> ''),
    contact     text,
    credit_type text        NOT NULL DEFAULT 'other'
                CHECK (credit_type IN ('finder', 'reporter', 'analyst', 'coordinator', 'remediation_developer', 'other')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (advisory_id, name, credit_type)
);

CREATE TABLE vuln.advisory_weaknesses (
    id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    advisory_id uuid        NOT NULL REFERENCES vuln.advisories (id) ON DELETE CASCADE,
    cwe_id      text        COLLATE "C" NOT NULL CHECK (cwe_id ~ '^CWE-[0-9]+$'),
    description text,
    source      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (advisory_id, cwe_id)
);

CREATE TABLE vuln.kev_flags (
    id                   uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    cve_id               text        COLLATE "C" NOT NULL UNIQUE CHECK (cve_id ~ '^CVE-[0-9]{4}-[0-9]{4,}$'),
    advisory_id          uuid        REFERENCES vuln.advisories (id) ON DELETE SET NULL,
    vendor_project       text        NOT NULL,
    product              text        NOT NULL,
    vulnerability_name   text        NOT NULL,
    -- Calendar dates as the KEV catalog publishes them, not instants.
    date_added           date        NOT NULL,
    due_date             date,
    known_ransomware_use boolean     NOT NULL DEFAULT false,
    notes                text,
    created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kev_flags_advisory_idx ON vuln.kev_flags (advisory_id);

GRANT USAGE ON SCHEMA vuln TO stellaops_app, stellaops_system;
GRANT SELECT ON ALL TABLES IN SCHEMA vuln TO stellaops_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA vuln TO stellaops_system;
