-- Cluster-wide roles (DESIGN section 3). Roles are shared by every database of
-- the cluster, so this runs in each new database and must be idempotent, and
-- two databases migrating at once may race on pg_authid: both outcomes of the
-- race are fine.
DO $roles$
DECLARE
    wanted record;
BEGIN
    FOR wanted IN
        SELECT * FROM (VALUES
            ('stellaops_owner',  'NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE'),
            ('stellaops_app',    'NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT'),
            ('stellaops_system', 'NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT')
        ) AS r(name, attributes)
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = wanted.name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I %s', wanted.name, wanted.attributes);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- another database created it concurrently
            END;
        END IF;
    END LOOP;
END
$roles$;

-- The migrator becomes the owner role inside each module migration
-- (SET LOCAL ROLE stellaops_owner), so it must be a member.
DO $membership$
BEGIN
    IF NOT pg_has_role(current_user, 'stellaops_owner', 'MEMBER') THEN
        EXECUTE format('GRANT stellaops_owner TO %I', current_user);
    END IF;
END
$membership$;
