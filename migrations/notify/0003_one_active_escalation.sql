-- Notify's escalations (issue 20): an incident has at most one active
-- escalation, however many starters race; an acknowledged, resolved or
-- expired one frees it.
-- squawk-ignore-file require-concurrent-index-creation
--   Waived: this migration ships before the Notify cutover, while
--   notify.escalation_states is still empty: the index costs nothing to
--   build; it runs in the runner's transaction.
-- A migration must never queue behind application locks or run unbounded.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '120s';
SET LOCAL ROLE stellaops_owner;

CREATE UNIQUE INDEX escalation_states_active_idx ON notify.escalation_states (tenant_id, incident_id)
    WHERE status = 'active';
