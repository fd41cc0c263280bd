-- Policy versions (shared/DESIGN.md section 10, issue 21): a version moves
-- draft, submitted, approved, published, retired; a published version is
-- the pack's active one, at most one per pack (the index below, not only
-- the code); published and retired versions and the rules of any version
-- past draft never change (the triggers below refuse it whoever writes,
-- the repositories refuse it first with a clearer error). A new version is
-- derived instead: history is append-only.
-- squawk-ignore-file require-concurrent-index-creation, constraint-missing-not-valid
--   Waived: this migration ships before the Policy cutover, while
--   policy.pack_versions is still empty: the index and the checks cost
--   nothing to build or validate; it runs in the runner's transaction.
-- A migration must never queue behind application locks or run unbounded.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '120s';
SET LOCAL ROLE stellaops_owner;

CREATE UNIQUE INDEX pack_versions_one_published_idx ON policy.pack_versions (tenant_id, pack_id)
    WHERE status = 'published';

ALTER TABLE policy.pack_versions
    ADD CONSTRAINT pack_versions_submitted_by_check
        CHECK (status = 'draft' OR submitted_by IS NOT NULL),
    ADD CONSTRAINT pack_versions_approved_by_check
        CHECK (status IN ('draft', 'submitted') OR approved_by IS NOT NULL),
    ADD CONSTRAINT pack_versions_published_at_check
        CHECK ((status IN ('published', 'retired')) = (published_at IS NOT NULL));

-- Rules page by (priority DESC, name, id) within a version.
CREATE INDEX rules_version_order_idx ON policy.rules (tenant_id, pack_version_id, priority DESC, name, id);

-- A published or retired version keeps every column; its status only moves
-- published -> retired; it is never deleted (nor, so, is its pack).
CREATE FUNCTION policy.refuse_published_version_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $fn$
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
$fn$;

CREATE TRIGGER pack_versions_immutable
    BEFORE UPDATE OR DELETE ON policy.pack_versions
    FOR EACH ROW EXECUTE FUNCTION policy.refuse_published_version_change();

-- Rules change only while their version is a draft. The version row is
-- read FOR SHARE, so a submission waits for a rule change in flight and a
-- rule change after it sees the new status. A rule whose version is gone
-- (the cascade of a draft's deletion) goes with it.
CREATE FUNCTION policy.refuse_rule_change_past_draft() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $fn$
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
$fn$;

CREATE TRIGGER rules_immutable_past_draft
    BEFORE INSERT OR UPDATE OR DELETE ON policy.rules
    FOR EACH ROW EXECUTE FUNCTION policy.refuse_rule_change_past_draft();
