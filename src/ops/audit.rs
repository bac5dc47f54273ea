//! What the admin side saw: every control action (who asked, how it ended) and every admin
//! sign-in that failed or was refused, kept for the dashboard. A sign-in entry names nothing
//! but the client's address, as control entries already do; never the token offered.

use super::control::Action;
use crate::service::Service;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Entries kept of each kind; older ones are dropped (they are in the log too). Sign-ins are
/// kept apart, so a flood of wrong tokens cannot push the control actions out.
const KEEP: usize = 200;

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// `admin from <address>` for control actions, `client from <address>` for sign-ins.
    pub who: String,
    #[serde(flatten)]
    pub what: Audited,
    pub result: String,
}

/// What an entry is about; `kind` in the JSON.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audited {
    /// A start, stop or restart of a service.
    Control { service: Service, action: Action },
    /// An admin token offered.
    SignIn { via: SignInVia },
}

/// How an admin token was offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignInVia {
    /// The sign-in form, `POST /api/admin/login`.
    Login,
    /// `Authorization: Bearer` on an admin request.
    Bearer,
    /// The cookie the sign-in set, on an admin request.
    Cookie,
}

impl SignInVia {
    pub const ALL: [SignInVia; 3] = [SignInVia::Login, SignInVia::Bearer, SignInVia::Cookie];

    pub fn as_str(self) -> &'static str {
        match self {
            SignInVia::Login => "login",
            SignInVia::Bearer => "bearer",
            SignInVia::Cookie => "cookie",
        }
    }
}

#[derive(Default)]
pub struct AuditLog(Mutex<Kept>);

#[derive(Default)]
struct Kept {
    controls: VecDeque<AuditEntry>,
    sign_ins: VecDeque<AuditEntry>,
}

impl AuditLog {
    pub fn record(&self, entry: AuditEntry) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let entries = match &entry.what {
            Audited::Control { service, action } => {
                tracing::info!(who = %entry.who, service = service.as_str(), action = ?action, result = %entry.result, "control action");
                &mut kept.controls
            }
            Audited::SignIn { via } => {
                tracing::info!(who = %entry.who, via = via.as_str(), result = %entry.result, "admin sign-in");
                &mut kept.sign_ins
            }
        };
        if entries.len() == KEEP {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// Newest first, both kinds.
    pub fn recent(&self) -> Vec<AuditEntry> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut all: Vec<_> = kept
            .controls
            .iter()
            .chain(&kept.sign_ins)
            .cloned()
            .collect();
        all.sort_by_key(|e| e.at);
        all.reverse();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign_in(n: i64) -> AuditEntry {
        AuditEntry {
            at: DateTime::from_timestamp(1_000 + n, 0).unwrap(),
            who: "client from 192.0.2.1".into(),
            what: Audited::SignIn {
                via: SignInVia::Login,
            },
            result: "wrong token".into(),
        }
    }

    #[test]
    fn wrong_tokens_never_push_control_actions_out_and_newest_come_first() {
        let log = AuditLog::default();
        log.record(AuditEntry {
            at: DateTime::from_timestamp(1_000, 0).unwrap(),
            who: "admin from 127.0.0.1".into(),
            what: Audited::Control {
                service: Service::Redis,
                action: Action::Stop,
            },
            result: "ok".into(),
        });
        for n in 1..=(KEEP as i64 + 50) {
            log.record(sign_in(n));
        }
        let recent = log.recent();
        assert_eq!(recent.len(), KEEP + 1);
        assert_eq!(recent[0].at, sign_in(KEEP as i64 + 50).at);
        let json = serde_json::to_value(recent.last().unwrap()).unwrap();
        assert_eq!(json["kind"], "control");
        assert_eq!(json["action"], "stop");
        assert_eq!(json["service"], "redis");
        let json = serde_json::to_value(&recent[0]).unwrap();
        assert_eq!(json["kind"], "sign_in");
        assert_eq!(json["via"], "login");
    }

    #[test]
    fn every_way_of_signing_in_is_listed_as_it_serializes() {
        for via in SignInVia::ALL {
            assert_eq!(serde_json::to_value(via).unwrap(), via.as_str());
        }
    }
}
