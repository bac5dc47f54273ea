-- Orders first: `SELECT * FROM orders` reads the way operators expect.
CREATE TABLE orders (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at     TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('pending', 'processed', 'failed')),
    total_cents    INTEGER NOT NULL CHECK (total_cents >= 0),
    customer_name  TEXT    NOT NULL,
    customer_email TEXT    NOT NULL,
    session_id     TEXT    NOT NULL,
    settled_at     TEXT
);
CREATE INDEX orders_by_session ON orders (session_id, id);
CREATE INDEX orders_pending ON orders (status) WHERE status = 'pending';

CREATE TABLE order_items (
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    car_id      INTEGER NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 10),
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    PRIMARY KEY (order_id, car_id)
);

-- Events written with the order in the same transaction and published afterwards, so an order
-- can never exist without its event (or the other way round).
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    payload    TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    sent_at    TEXT
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

CREATE TABLE idempotency_keys (
    session_id TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    created_at TEXT    NOT NULL,
    PRIMARY KEY (session_id, key)
);

CREATE TABLE cart_items (
    session_id TEXT    NOT NULL,
    car_id     INTEGER NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 10),
    added_at   TEXT    NOT NULL,
    PRIMARY KEY (session_id, car_id)
);
