-- Carts expire after a while without use: every read and change of a cart stamps all its lines
-- with the time, and the janitor drops carts stamped longer ago than the retention. Lines from
-- before this version count as used when they were added.
ALTER TABLE cart_items ADD COLUMN used_at TEXT NOT NULL DEFAULT '';
UPDATE cart_items SET used_at = added_at;
CREATE INDEX cart_items_by_use ON cart_items (used_at);

-- The janitor prunes published order events and old idempotency keys by age.
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
