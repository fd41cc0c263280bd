-- VEX and graph module (Excititor): projects, SBOM graph revisions with nodes
-- and edges, VEX statements and observations, linksets, consensus with holds,
-- unknowns, evidence manifests. Every table is a tenant table with RLS
-- enabled and forced.
-- squawk-ignore-file prefer-bigint-over-int
--   Waived: the int columns are counts, priorities, versions and attempts,
--   bounded far below 2^31 by what they count.
-- A migration must never queue behind application locks or run unbounded.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '120s';
CREATE SCHEMA vex AUTHORIZATION stellaops_owner;
SET LOCAL ROLE stellaops_owner;

CREATE TABLE vex.projects (
    tenant_id   text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    name        text        COLLATE "C" NOT NULL CHECK (name <> ''),
    description text,
    settings    jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE vex.graph_revisions (
    tenant_id          text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id                 uuid        NOT NULL DEFAULT gen_random_uuid(),
    project_id         uuid        NOT NULL,
    revision_key       text        COLLATE "C" NOT NULL CHECK (revision_key <> ''),
    parent_revision_id uuid,
    status             text        NOT NULL DEFAULT 'building'
                       CHECK (status IN ('building', 'complete', 'failed', 'superseded')),
    sbom_digest        text        COLLATE "C" NOT NULL,
    feed_snapshot_key  text        COLLATE "C",
    policy_version     text,
    node_count         integer     NOT NULL DEFAULT 0 CHECK (node_count >= 0),
    edge_count         integer     NOT NULL DEFAULT 0 CHECK (edge_count >= 0),
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, project_id, revision_key),
    FOREIGN KEY (tenant_id, project_id) REFERENCES vex.projects (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, parent_revision_id)
        REFERENCES vex.graph_revisions (tenant_id, id) ON DELETE SET NULL (parent_revision_id)
);
CREATE INDEX graph_revisions_parent_idx ON vex.graph_revisions (tenant_id, parent_revision_id);

CREATE TABLE vex.graph_nodes (
    tenant_id         text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    graph_revision_id uuid        NOT NULL,
    node_key          text        COLLATE "C" NOT NULL CHECK (node_key <> ''),
    node_type         text        NOT NULL CHECK (node_type IN ('image', 'component', 'package', 'file', 'service', 'vulnerability')),
    purl              text        COLLATE "C",
    name              text        NOT NULL,
    version           text,
    attributes        jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, graph_revision_id, node_key),
    FOREIGN KEY (tenant_id, graph_revision_id) REFERENCES vex.graph_revisions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX graph_nodes_purl_idx ON vex.graph_nodes (tenant_id, purl);

CREATE TABLE vex.graph_edges (
    tenant_id         text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    graph_revision_id uuid        NOT NULL,
    from_node_id      uuid        NOT NULL,
    to_node_id        uuid        NOT NULL,
    edge_type         text        NOT NULL
                      CHECK (edge_type IN ('depends_on', 'contains', 'affects', 'fixed_by', 'derived_from', 'vex_applies')),
    attributes        jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, graph_revision_id, from_node_id, to_node_id, edge_type),
    CHECK (from_node_id <> to_node_id),
    FOREIGN KEY (tenant_id, graph_revision_id) REFERENCES vex.graph_revisions (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, from_node_id) REFERENCES vex.graph_nodes (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, to_node_id) REFERENCES vex.graph_nodes (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX graph_edges_from_idx ON vex.graph_edges (tenant_id, from_node_id);
CREATE INDEX graph_edges_to_idx ON vex.graph_edges (tenant_id, to_node_id);

CREATE TABLE vex.statements (
    tenant_id        text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    project_id       uuid,
    vulnerability_id text        COLLATE "C" NOT NULL CHECK (vulnerability_id <> ''),
    product_key      text        COLLATE "C" NOT NULL CHECK (product_key <> ''),
    status           text        NOT NULL CHECK (status IN ('not_affected', 'affected', 'fixed', 'under_investigation')),
    justification    text        CHECK (justification IN (
                         'component_not_present', 'vulnerable_code_not_present',
                         'vulnerable_code_not_in_execute_path',
                         'vulnerable_code_cannot_be_controlled_by_adversary',
                         'inline_mitigations_already_exist')),
    impact_statement text,
    action_statement text,
    issuer           text        NOT NULL,
    source           text        COLLATE "C" NOT NULL,
    document_id      text        COLLATE "C" NOT NULL,
    evidence         jsonb       NOT NULL DEFAULT '{}',
    first_issued_at  timestamptz NOT NULL,
    last_updated_at  timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, source, document_id, vulnerability_id, product_key),
    -- OpenVEX: not_affected needs a justification (or an impact statement).
    CHECK (status <> 'not_affected' OR justification IS NOT NULL OR impact_statement IS NOT NULL),
    CHECK (last_updated_at >= first_issued_at),
    FOREIGN KEY (tenant_id, project_id) REFERENCES vex.projects (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX statements_project_idx ON vex.statements (tenant_id, project_id);
CREATE INDEX statements_subject_idx ON vex.statements (tenant_id, vulnerability_id, product_key);

CREATE TABLE vex.observations (
    tenant_id        text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    statement_id     uuid,
    provider_id      text        COLLATE "C" NOT NULL CHECK (provider_id <> ''),
    vulnerability_id text        COLLATE "C" NOT NULL CHECK (vulnerability_id <> ''),
    product_key      text        COLLATE "C" NOT NULL CHECK (product_key <> ''),
    status           text        NOT NULL CHECK (status IN ('not_affected', 'affected', 'fixed', 'under_investigation')),
    justification    text,
    document_digest  text        COLLATE "C" NOT NULL,
    raw              jsonb       NOT NULL,
    observed_at      timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, provider_id, document_digest, vulnerability_id, product_key),
    FOREIGN KEY (tenant_id, statement_id) REFERENCES vex.statements (tenant_id, id) ON DELETE SET NULL (statement_id)
);
CREATE INDEX observations_statement_idx ON vex.observations (tenant_id, statement_id);
CREATE INDEX observations_subject_idx ON vex.observations (tenant_id, vulnerability_id, product_key);

CREATE TABLE vex.linksets (
    tenant_id        text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    linkset_key      text        COLLATE "C" NOT NULL CHECK (linkset_key <> ''),
    vulnerability_id text        COLLATE "C" NOT NULL,
    product_key      text        COLLATE "C" NOT NULL,
    status           text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'conflicted')),
    conflicts        jsonb       NOT NULL DEFAULT '[]',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, linkset_key)
);
CREATE INDEX linksets_subject_idx ON vex.linksets (tenant_id, vulnerability_id, product_key);

CREATE TABLE vex.linkset_events (
    tenant_id      text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id             uuid        NOT NULL DEFAULT gen_random_uuid(),
    linkset_id     uuid        NOT NULL,
    observation_id uuid,
    event_type     text        NOT NULL
                   CHECK (event_type IN ('created', 'observation_added', 'observation_removed', 'conflict_detected', 'resolved')),
    payload        jsonb       NOT NULL DEFAULT '{}',
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, linkset_id) REFERENCES vex.linksets (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, observation_id) REFERENCES vex.observations (tenant_id, id) ON DELETE SET NULL (observation_id)
);
CREATE INDEX linkset_events_linkset_idx ON vex.linkset_events (tenant_id, linkset_id, occurred_at);
CREATE INDEX linkset_events_observation_idx ON vex.linkset_events (tenant_id, observation_id);

CREATE TABLE vex.consensus (
    tenant_id               text         COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id                      uuid         NOT NULL DEFAULT gen_random_uuid(),
    vulnerability_id        text         COLLATE "C" NOT NULL CHECK (vulnerability_id <> ''),
    product_key             text         COLLATE "C" NOT NULL CHECK (product_key <> ''),
    status                  text         NOT NULL CHECK (status IN ('not_affected', 'affected', 'fixed', 'under_investigation')),
    justification           text,
    confidence              numeric(4,3) NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    policy_version          text,
    contributing_statements jsonb        NOT NULL DEFAULT '[]',
    content_hash            text         COLLATE "C" NOT NULL,
    computed_at             timestamptz  NOT NULL,
    created_at              timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, vulnerability_id, product_key)
);

CREATE TABLE vex.consensus_holds (
    tenant_id    text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    consensus_id uuid        NOT NULL,
    status       text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'released', 'expired')),
    reason       text        NOT NULL,
    held_by      text        NOT NULL,
    held_at      timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    released_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, consensus_id) REFERENCES vex.consensus (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX consensus_holds_consensus_idx ON vex.consensus_holds (tenant_id, consensus_id);

CREATE TABLE vex.unknowns_snapshots (
    tenant_id         text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    project_id        uuid        NOT NULL,
    graph_revision_id uuid,
    snapshot_key      text        COLLATE "C" NOT NULL CHECK (snapshot_key <> ''),
    item_count        integer     NOT NULL DEFAULT 0 CHECK (item_count >= 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, project_id, snapshot_key),
    FOREIGN KEY (tenant_id, project_id) REFERENCES vex.projects (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, graph_revision_id)
        REFERENCES vex.graph_revisions (tenant_id, id) ON DELETE SET NULL (graph_revision_id)
);
CREATE INDEX unknowns_snapshots_revision_idx ON vex.unknowns_snapshots (tenant_id, graph_revision_id);

CREATE TABLE vex.unknown_items (
    tenant_id   text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    snapshot_id uuid        NOT NULL,
    item_key    text        COLLATE "C" NOT NULL CHECK (item_key <> ''),
    item_type   text        NOT NULL CHECK (item_type IN ('component', 'vulnerability', 'license', 'provenance')),
    reason      text        NOT NULL,
    details     jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, snapshot_id, item_key),
    FOREIGN KEY (tenant_id, snapshot_id) REFERENCES vex.unknowns_snapshots (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE vex.evidence_manifests (
    tenant_id       text        COLLATE "C" NOT NULL CHECK (tenant_id <> ''),
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    project_id      uuid,
    subject_digest  text        COLLATE "C" NOT NULL,
    manifest_digest text        COLLATE "C" NOT NULL CHECK (manifest_digest ~ '^sha256:[0-9a-f]{64}$'),
    manifest        jsonb       NOT NULL,
    signature       text,
    signed_by       text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, manifest_digest),
    FOREIGN KEY (tenant_id, project_id) REFERENCES vex.projects (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX evidence_manifests_project_idx ON vex.evidence_manifests (tenant_id, project_id);
CREATE INDEX evidence_manifests_subject_idx ON vex.evidence_manifests (tenant_id, subject_digest);

DO $rls$
DECLARE
    tenant_table text;
BEGIN
    FOREACH tenant_table IN ARRAY ARRAY[
        'projects', 'graph_revisions', 'graph_nodes', 'graph_edges', 'statements', 'observations',
        'linksets', 'linkset_events', 'consensus', 'consensus_holds', 'unknowns_snapshots',
        'unknown_items', 'evidence_manifests']
    LOOP
        EXECUTE format('ALTER TABLE vex.%I ENABLE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format('ALTER TABLE vex.%I FORCE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON vex.%I
                USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), ''''))
                WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), ''''))',
            tenant_table);
        EXECUTE format(
            'GRANT SELECT, INSERT, UPDATE, DELETE ON vex.%I TO stellaops_app, stellaops_system',
            tenant_table);
    END LOOP;
END
$rls$;

GRANT USAGE ON SCHEMA vex TO stellaops_app, stellaops_system;
