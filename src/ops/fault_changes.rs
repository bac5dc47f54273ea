//! A fault set or cleared, by whoever asked: the API, the CLI through the API, or a guided
//! scenario. One path, so every change lands in the audit log the same way and is told to the
//! dashboards as it happens (a `fault` event: the load chart marks it). A fault that ends on its
//! own is told too, by [`tell_ends`].

use super::audit::{AuditLog, Audited, FaultChange};
use crate::events::{Change, EventBus, FaultChanged, StoreEvent};
use crate::faults::{Fault, FaultKind, FaultTarget, Faults};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

/// How often [`tell_ends`] looks for faults that ended on their own: well inside the second
/// a dashboard may take to show a change.
const ENDS_EVERY: Duration = Duration::from_millis(250);

/// What a change of faults reaches: the registry, the audit log and the event feed.
#[derive(Clone)]
pub struct FaultChanges {
    pub faults: Arc<Faults>,
    pub audit: Arc<AuditLog>,
    pub events: Arc<EventBus>,
}

impl FaultChanges {
    /// Sets a fault and notes who did; refused with the most allowed when the registry is full.
    pub fn set(&self, who: String, fault: Fault) -> Result<Fault, usize> {
        let stored = self.faults.set(fault)?;
        let change = FaultChange::Set(stored.kind);
        self.audit
            .record(who, audited(Some(stored.target), change), describe(&stored));
        let told = changed(&stored, Change::Set, Utc::now());
        self.events.publish(StoreEvent::Fault(told));
        Ok(stored)
    }

    /// Clears one fault and notes who did; whether it was set.
    pub fn clear(&self, who: String, target: FaultTarget, kind: FaultKind) -> bool {
        let was_set = self.faults.clear(target, kind);
        let result = if was_set { "cleared" } else { "was not set" };
        let change = FaultChange::Clear(kind);
        self.audit
            .record(who, audited(Some(target), change), result.into());
        if was_set {
            self.events.publish(StoreEvent::Fault(FaultChanged {
                target,
                kind,
                change: Change::Cleared,
                value: None,
                at: Utc::now(),
            }));
        }
        was_set
    }

    /// Clears every fault and notes who did; how many there were.
    pub fn clear_all(&self, who: String) -> usize {
        let cleared = self.faults.clear_all();
        let result = format!("{} cleared", cleared.len());
        self.audit
            .record(who, audited(None, FaultChange::ClearAll), result);
        let now = Utc::now();
        for fault in &cleared {
            let told = changed(fault, Change::Cleared, now);
            self.events.publish(StoreEvent::Fault(told));
        }
        cleared.len()
    }
}

/// Tells the feed of every fault that ends on its own, for as long as the store runs. Nothing
/// else would: an expiry is noticed only when someone next reads the registry, and a poison is
/// used up deep in the order processor. While no fault is set a tick costs an atomic load and
/// the lock of an empty list.
pub async fn tell_ends(faults: Arc<Faults>, events: Arc<EventBus>) {
    let mut tick = tokio::time::interval(ENDS_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        for (fault, at) in faults.take_ended() {
            events.publish(StoreEvent::Fault(changed(&fault, Change::Expired, at)));
        }
    }
}

/// The event for a change of `fault`; only a set carries its value, an end is the end of it.
fn changed(fault: &Fault, change: Change, at: DateTime<Utc>) -> FaultChanged {
    FaultChanged {
        target: fault.target,
        kind: fault.kind,
        change,
        value: fault.value.filter(|_| change == Change::Set),
        at,
    }
}

fn audited(target: Option<FaultTarget>, change: FaultChange) -> Audited {
    Audited::Fault { target, change }
}

/// The audit entry's result: the fault as set, e.g. `200 ms, jitter 50 ms, for 60 s`.
fn describe(fault: &Fault) -> String {
    let mut parts = vec![];
    if let Some(value) = fault.value {
        parts.push(format!("value {value}"));
    }
    if let Some(jitter) = fault.jitter_ms {
        parts.push(format!("jitter {jitter} ms"));
    }
    if let Some(route) = &fault.route {
        parts.push(format!("on {route}"));
    }
    if let Some(at) = fault.expires_at {
        parts.push(format!("until {}", at.to_rfc3339()));
    }
    match parts.is_empty() {
        true => "set".into(),
        false => format!("set: {}", parts.join(", ")),
    }
}
