-- Scheduler run claiming (shared/seeds/004, workers): a queued run is due at
-- a time, has a priority and a bounded number of attempts; a claim records
-- its worker, bumps the attempt and starts the heartbeat. Later writes of the
-- claim carry that attempt, so a stale worker's write changes nothing.
-- squawk-ignore-file prefer-bigint-over-int
--   Waived: priorities and attempts are small bounded counts.
-- squawk-ignore-file require-concurrent-index-creation, constraint-missing-not-valid
--   Waived: this migration ships before the Scheduler cutover, while
--   scheduler.runs is still empty: the index and the checks cost nothing to
--   build or validate; it runs in the runner's transaction.
-- A migration must never queue behind application locks or run unbounded.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '120s';
SET LOCAL ROLE stellaops_owner;

ALTER TABLE scheduler.runs
    ADD COLUMN priority     integer     NOT NULL DEFAULT 0,
    ADD COLUMN due_at       timestamptz,
    ADD COLUMN attempt      integer     NOT NULL DEFAULT 0,
    ADD COLUMN max_attempts integer     NOT NULL DEFAULT 3,
    ADD COLUMN claimed_by   text,
    ADD COLUMN heartbeat_at timestamptz;

ALTER TABLE scheduler.runs
    ADD CONSTRAINT runs_attempt_check CHECK (attempt >= 0 AND attempt <= max_attempts),
    ADD CONSTRAINT runs_max_attempts_check CHECK (max_attempts > 0),
    ADD CONSTRAINT runs_claim_check CHECK (state <> 'running' OR claimed_by IS NOT NULL);

-- The claim's scan: queued runs in claim order, across tenants (a system
-- operation), and the rescue's scan of running claims by heartbeat.
CREATE INDEX runs_claim_idx ON scheduler.runs (priority DESC, due_at, id)
    WHERE state = 'queued';
CREATE INDEX runs_heartbeat_idx ON scheduler.runs (heartbeat_at)
    WHERE state = 'running';
