-- Notify's delivery queue (shared/DESIGN.md section 10, issue 20): an
-- enqueue carries an idempotency key unique per tenant, so a second enqueue
-- of the same key finds the first delivery instead of sending twice; a
-- claim records its sender and when it took the delivery, and bumps
-- `attempts`, which every later write of the claim carries, so a stale
-- sender's write changes nothing. Deliveries page by (created_at, id).
-- squawk-ignore-file require-concurrent-index-creation, constraint-missing-not-valid
--   Waived: this migration ships before the Notify cutover, while
--   notify.deliveries is still empty: the indexes and the checks cost
--   nothing to build or validate; it runs in the runner's transaction.
-- A migration must never queue behind application locks or run unbounded.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '120s';
SET LOCAL ROLE stellaops_owner;

ALTER TABLE notify.deliveries
    ADD COLUMN idempotency_key text COLLATE "C",
    ADD COLUMN claimed_by      text,
    ADD COLUMN claimed_at      timestamptz;

ALTER TABLE notify.deliveries
    ADD CONSTRAINT deliveries_idempotency_key_check CHECK (idempotency_key <> ''),
    ADD CONSTRAINT deliveries_attempts_within_max_check CHECK (attempts <= max_attempts),
    ADD CONSTRAINT deliveries_claim_check
        CHECK ((status = 'sending') = (claimed_by IS NOT NULL AND claimed_at IS NOT NULL));

-- The key an enqueue is idempotent on; a delivery converted from MongoDB may
-- have none (NULLs are distinct).
CREATE UNIQUE INDEX deliveries_idempotency_idx ON notify.deliveries (tenant_id, idempotency_key);
-- The rescue's scan of claims by age (the claim's scan has
-- deliveries_due_idx).
CREATE INDEX deliveries_claimed_idx ON notify.deliveries (claimed_at)
    WHERE status = 'sending';
-- Keyset pages of a tenant's deliveries.
CREATE INDEX deliveries_created_idx ON notify.deliveries (tenant_id, created_at, id);
