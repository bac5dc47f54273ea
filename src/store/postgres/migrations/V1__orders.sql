-- The catalog, seeded from the built-in cars at start (rows already there are left alone, so an
-- operator can change a price to demonstrate the cache).
CREATE TABLE cars (
    id          BIGINT PRIMARY KEY,
    make        TEXT   NOT NULL,
    model       TEXT   NOT NULL,
    year        INT    NOT NULL,
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    category    TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    colour      TEXT   NOT NULL,
    description TEXT   NOT NULL
);

-- First columns as operators expect from `SELECT * FROM orders;`.
CREATE TABLE orders (
    id             BIGSERIAL PRIMARY KEY,
    created_at     TIMESTAMPTZ   NOT NULL DEFAULT now(),
    status         TEXT          NOT NULL CHECK (status IN ('pending', 'processed', 'failed')),
    total          NUMERIC(14,2) NOT NULL,
    customer_name  TEXT          NOT NULL,
    customer_email TEXT          NOT NULL,
    total_cents    BIGINT        NOT NULL CHECK (total_cents >= 0),
    session_id     TEXT          NOT NULL,
    settled_at     TIMESTAMPTZ
);
CREATE INDEX orders_by_session ON orders (session_id, id);
CREATE INDEX orders_pending ON orders (id) WHERE status = 'pending';

CREATE TABLE order_items (
    order_id    BIGINT NOT NULL REFERENCES orders (id),
    car_id      BIGINT NOT NULL,
    quantity    INT    NOT NULL CHECK (quantity BETWEEN 1 AND 10),
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    PRIMARY KEY (order_id, car_id)
);

-- Events written in the order's transaction, published by the relay afterwards.
CREATE TABLE outbox (
    id         BIGSERIAL PRIMARY KEY,
    order_id   BIGINT      NOT NULL REFERENCES orders (id),
    payload    TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at    TIMESTAMPTZ
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

CREATE TABLE idempotency_keys (
    session_id TEXT        NOT NULL,
    key        TEXT        NOT NULL,
    order_id   BIGINT      NOT NULL REFERENCES orders (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, key)
);
