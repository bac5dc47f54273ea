-- Values the store makes once and every later start keeps (the key guest session ids are signed
-- with), and marks that expire (admin sessions signed out before their time).
CREATE TABLE store_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE marks (
    name     TEXT PRIMARY KEY,
    until_ms INTEGER NOT NULL
);
