//! The audit log's table, `audit_log`, in the order database (both backends): one row per
//! entry, what it is about spread over `kind`, `service`, `action` and `via` (the ones that do
//! not apply are NULL), so `SELECT * FROM audit_log` reads like the dashboard.

use crate::adapter::AdapterError;
use crate::ops::audit::{AuditEntry, AuditKind, Audited, SignInVia};
use crate::service::Service;
use async_trait::async_trait;

/// Rows kept of each kind; the janitor deletes older ones. Kinds apart, so a flood of wrong
/// tokens cannot push the control actions out of the table either.
pub const KEPT_PER_KIND: u32 = 1000;

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Writes the entries in one statement. One already there (a write tried again after its
    /// answer was lost) is left as it is.
    async fn record(&self, entries: &[AuditEntry]) -> Result<(), AdapterError>;
    /// The newest `limit` entries of each kind, every replica's.
    async fn recent(&self, limit: u32) -> Result<Vec<AuditEntry>, AdapterError>;
}

/// What an entry is about, as its columns.
pub(crate) struct Subject {
    pub kind: &'static str,
    pub service: Option<&'static str>,
    pub action: Option<&'static str>,
    pub via: Option<&'static str>,
}

impl Subject {
    pub fn of(what: &Audited) -> Subject {
        let (service, action, via) = match what {
            Audited::Control { service, action } => {
                (Some(service.as_str()), Some(action.as_str()), None)
            }
            Audited::SignIn { via } => (None, None, Some(via.as_str())),
        };
        Subject {
            kind: what.kind().as_str(),
            service,
            action,
            via,
        }
    }

    /// The entries this version can read. A row it cannot (written by a newer replica during a
    /// rolling upgrade) is left out with a warning rather than hiding the whole history.
    pub fn readable(
        rows: impl Iterator<Item = Result<AuditEntry, AdapterError>>,
    ) -> Vec<AuditEntry> {
        let mut skipped = 0;
        let entries = rows
            .filter_map(|row| row.map_err(|_| skipped += 1).ok())
            .collect();
        if skipped > 0 {
            tracing::warn!(
                skipped,
                "audit entries this version cannot read were left out"
            );
        }
        entries
    }

    /// Reads the columns back; a value this version does not know is `Corrupt`.
    pub fn read(
        kind: &str,
        service: Option<&str>,
        action: Option<&str>,
        via: Option<&str>,
    ) -> Result<Audited, AdapterError> {
        let unknown = || {
            AdapterError::Corrupt(format!(
                "audit_log row of kind {kind:?} with service {service:?}, action {action:?}, via {via:?}"
            ))
        };
        let what = if kind == AuditKind::Control.as_str() {
            Audited::Control {
                service: service.and_then(Service::from_name).ok_or_else(unknown)?,
                action: action.and_then(|a| a.parse().ok()).ok_or_else(unknown)?,
            }
        } else if kind == AuditKind::SignIn.as_str() {
            Audited::SignIn {
                via: via.and_then(SignInVia::from_name).ok_or_else(unknown)?,
            }
        } else {
            return Err(unknown());
        };
        Ok(what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::control::Action;

    #[test]
    fn every_subject_reads_back_as_it_was_written() {
        let mut all: Vec<Audited> = SignInVia::ALL
            .into_iter()
            .map(|via| Audited::SignIn { via })
            .collect();
        for service in Service::ALL {
            for action in [Action::Start, Action::Stop, Action::Restart] {
                all.push(Audited::Control { service, action });
            }
        }
        for what in all {
            let s = Subject::of(&what);
            let back = Subject::read(s.kind, s.service, s.action, s.via).unwrap();
            assert_eq!(back, what);
        }
        assert!(Subject::read("sign_in", None, None, Some("header")).is_err());
        assert!(Subject::read("control", Some("redis"), None, None).is_err());
        assert!(Subject::read("other", None, None, None).is_err());
    }
}
