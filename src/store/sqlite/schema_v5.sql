-- Faults set or cleared on purpose are audited too: `service` names the fault's target (NULL when
-- every fault was cleared at once) and `action` what changed (`set latency`, `clear all`).
-- SQLite cannot change a CHECK in place: the table is rebuilt with the rows it held.
CREATE TABLE audit_log_v5 (
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
        OR kind = 'sign_in' AND via IS NOT NULL AND service IS NULL AND action IS NULL
        OR kind = 'fault' AND action IS NOT NULL AND via IS NULL)
);
INSERT INTO audit_log_v5 SELECT id, at, instance, who, kind, service, action, via, result FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_v5 RENAME TO audit_log;
CREATE INDEX audit_log_newest ON audit_log (kind, at DESC, id DESC);
