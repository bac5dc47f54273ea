-- The audit log: control actions and admin sign-ins, kept across restarts. `id` is drawn by the
-- process that recorded the entry, so a write tried again is not doubled; `at` is RFC 3339 in
-- UTC to the microsecond, so comparing the text compares the times. What the entry is about is
-- in the columns that apply to its kind.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT    NOT NULL,
    instance TEXT    NOT NULL,
    who      TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    service  TEXT,
    action   TEXT,
    via      TEXT,
    result   TEXT    NOT NULL,
    CHECK (kind = 'control' AND service IS NOT NULL AND action IS NOT NULL AND via IS NULL
        OR kind = 'sign_in' AND via IS NOT NULL AND service IS NULL AND action IS NULL)
);
-- The newest of each kind, for the dashboard and for the janitor, which keeps that many.
CREATE INDEX audit_log_newest ON audit_log (kind, at DESC, id DESC);
