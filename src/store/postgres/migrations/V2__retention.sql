-- The janitor prunes published order events and old idempotency keys by age; these let it find
-- the oldest without reading the tables through.
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
