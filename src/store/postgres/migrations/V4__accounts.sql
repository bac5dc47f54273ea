-- Shopper accounts. `email` as typed, for showing; `email_login` lowercased, the login, unique
-- so two accounts can never share an address whatever its case. `password_hash` is an Argon2id
-- PHC string (algorithm, parameters, salt and hash); the password itself is never stored.
-- `signed_in_at`: the last sign-in, for retention.
CREATE TABLE accounts (
    id            BIGSERIAL PRIMARY KEY,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    name          TEXT        NOT NULL,
    email         TEXT        NOT NULL,
    email_login   TEXT        NOT NULL UNIQUE,
    password_hash TEXT        NOT NULL,
    signed_in_at  TIMESTAMPTZ
);
