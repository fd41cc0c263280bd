-- Scheduler firing (shared/seeds/004, GetDueSchedules and trigger
-- calculation): a run made by a schedule records the tick it fires for, and
-- one tick of one schedule makes at most one run, however many schedulers
-- poll at once. The run list pages by (created_at, id).
-- squawk-ignore-file require-concurrent-index-creation
--   Waived: this migration ships before the Scheduler cutover, while
--   scheduler.runs is still empty: the indexes cost nothing to build; it
--   runs in the runner's transaction.
-- A migration must never queue behind application locks or run unbounded.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '120s';
SET LOCAL ROLE stellaops_owner;

ALTER TABLE scheduler.runs ADD COLUMN scheduled_for timestamptz;

-- The backstop of "one run per tick": the firing statement's compare-and-set
-- on next_fire_at already lets one scheduler through; this makes a second
-- run of the same tick impossible whatever path inserts it.
CREATE UNIQUE INDEX runs_schedule_tick_idx ON scheduler.runs (tenant_id, schedule_id, scheduled_for)
    WHERE scheduled_for IS NOT NULL;
-- Keyset pages of a tenant's runs, newest first.
CREATE INDEX runs_created_idx ON scheduler.runs (tenant_id, created_at, id);
