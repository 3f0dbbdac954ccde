-- When each pending entry was written (its transaction's start): an instance's outbox worker
-- reads the entries written since its last look, not the whole backlog every 2 s.
ALTER TABLE outbox_pending ADD COLUMN written_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX outbox_pending_by_written ON outbox_pending (written_at);
