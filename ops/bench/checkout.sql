-- The SQL transaction carstore's checkout runs (PgStore::place), for pgbench:
-- the idempotency lookup, the order, its item, its outbox event and its idempotency key.
\set car random(1, 39)
\set key random(1, 9000000000000000000)
BEGIN;
SELECT order_id FROM idempotency_keys WHERE session_id = 'pgbench-' || :client_id AND key = 'key-' || :key;
INSERT INTO orders (status, total, total_cents, customer_name, customer_email, session_id)
  VALUES ('pending', 4999900 / 100.0, 4999900, 'Load Test', 'load@example.com', 'pgbench-' || :client_id) RETURNING id \gset
INSERT INTO order_items (order_id, car_id, quantity, price_cents) VALUES (:id, :car, 1, 4999900);
INSERT INTO outbox (order_id, payload) VALUES (:id, '{"event":"order.created","order_id":' || :id || '}');
INSERT INTO idempotency_keys (session_id, key, order_id) VALUES ('pgbench-' || :client_id, 'key-' || :key, :id);
END;
