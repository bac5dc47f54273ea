//! Every control action, who asked and how it ended, kept for the dashboard.

use super::control::Action;
use crate::service::Service;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Entries kept; older ones are dropped (they are in the log too).
const KEEP: usize = 200;

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub who: String,
    pub service: Service,
    pub action: Action,
    pub result: String,
}

#[derive(Default)]
pub struct AuditLog(Mutex<VecDeque<AuditEntry>>);

impl AuditLog {
    pub fn record(&self, entry: AuditEntry) {
        tracing::info!(who = %entry.who, service = entry.service.as_str(), action = ?entry.action, result = %entry.result, "control action");
        let mut entries = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() == KEEP {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// Newest first.
    pub fn recent(&self) -> Vec<AuditEntry> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .rev()
            .cloned()
            .collect()
    }
}
