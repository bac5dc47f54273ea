-- Shopper accounts. `email` as typed, for showing; `email_login` lowercased, the login, unique
-- so two accounts can never share an address whatever its case. `password_hash` is an Argon2id
-- PHC string; the password itself is never stored. `signed_in_at`: the last sign-in.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at    TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    email_login   TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    signed_in_at  TEXT
);

-- Signed-in sessions, when the carts are embedded too (with Redis they live there). `digest` is
-- the SHA-256 of the session id: the file alone signs nobody in.
CREATE TABLE account_sessions (
    digest     TEXT    PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    device     TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);
CREATE INDEX account_sessions_by_account ON account_sessions (account_id, created_at);
CREATE INDEX account_sessions_by_expiry ON account_sessions (expires_at);

-- Failed sign-ins counted per email and per client address, each for a window.
CREATE TABLE sign_in_failures (
    key      TEXT    PRIMARY KEY,
    count    INTEGER NOT NULL,
    until_ms INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_by_end ON sign_in_failures (until_ms);
