-- Faults set or cleared on purpose are audited too: `service` names the fault's target (NULL when
-- every fault was cleared at once) and `action` what changed (`set latency`, `clear all`).
ALTER TABLE audit_log DROP CONSTRAINT audit_log_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_subject CHECK (
    kind = 'control' AND service IS NOT NULL AND action IS NOT NULL AND via IS NULL
    OR kind = 'sign_in' AND via IS NOT NULL AND service IS NULL AND action IS NULL
    OR kind = 'fault' AND action IS NOT NULL AND via IS NULL);
