//! The audit log's table, `audit_log`, in the order database (both backends): one row per
//! entry, what it is about spread over `kind`, `service`, `action` and `via` (the ones that do
//! not apply are NULL), so `SELECT * FROM audit_log` reads like the dashboard.

use crate::adapter::AdapterError;
mod entry;
mod schema;

pub use entry::{AuditEntry, AuditKind, Audited, FaultChange, SignInVia};

use crate::events::FaultTarget;
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
    pub action: Option<String>,
    pub via: Option<String>,
}

impl Subject {
    pub fn of(what: &Audited) -> Subject {
        let (service, action, via) = match what {
            Audited::Control { service, action } => {
                let action = action.as_str().to_owned();
                (Some(service.as_str()), Some(action), None)
            }
            Audited::SignIn { via } => (None, None, Some(via.as_str().to_owned())),
            Audited::Fault { target, change } => (
                target.map(FaultTarget::as_str),
                Some(change.to_text()),
                None,
            ),
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
        } else if kind == AuditKind::Fault.as_str() {
            let target = match service {
                Some(name) => Some(FaultTarget::from_name(name).ok_or_else(unknown)?),
                None => None,
            };
            let change = action.and_then(FaultChange::from_text);
            Audited::Fault {
                target,
                change: change.ok_or_else(unknown)?,
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
    use crate::faults::FaultKind;
    use crate::service::ServiceAction;

    #[test]
    fn every_subject_reads_back_as_it_was_written() {
        let mut all: Vec<Audited> = SignInVia::ALL
            .into_iter()
            .map(|via| Audited::SignIn { via })
            .collect();
        for service in Service::ALL {
            for action in [
                ServiceAction::Start,
                ServiceAction::Stop,
                ServiceAction::Restart,
            ] {
                all.push(Audited::Control { service, action });
            }
        }
        for change in [
            FaultChange::Set(FaultKind::Latency),
            FaultChange::Clear(FaultKind::Poison),
        ] {
            all.push(Audited::Fault {
                target: Some(FaultTarget::Service(Service::Postgres)),
                change,
            });
        }
        all.push(Audited::Fault {
            target: None,
            change: FaultChange::ClearAll,
        });
        for what in all {
            let s = Subject::of(&what);
            let (action, via) = (s.action.as_deref(), s.via.as_deref());
            let back = Subject::read(s.kind, s.service, action, via).unwrap();
            assert_eq!(back, what);
        }
        assert!(Subject::read("sign_in", None, None, Some("header")).is_err());
        assert!(Subject::read("control", Some("redis"), None, None).is_err());
        assert!(Subject::read("other", None, None, None).is_err());
    }
}
