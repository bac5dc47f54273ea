//! A fault set or cleared, by whoever asked: the API, the CLI through the API, or a guided
//! scenario. One path, so every change lands in the audit log the same way.

use super::{Fault, Target};
use crate::ops::audit::{Audited, FaultChange};
use crate::state::AppState;

/// Sets a fault and notes who did; refused with the most allowed when the registry is full.
pub fn set(state: &AppState, who: String, fault: Fault) -> Result<Fault, usize> {
    let stored = state.faults.set(fault)?;
    let change = FaultChange::Set(stored.kind);
    state
        .audit
        .record(who, audited(Some(stored.target), change), describe(&stored));
    Ok(stored)
}

/// Clears one fault and notes who did; whether it was set.
pub fn clear(state: &AppState, who: String, target: Target, kind: super::FaultKind) -> bool {
    let was_set = state.faults.clear(target, kind);
    let result = if was_set { "cleared" } else { "was not set" };
    let change = FaultChange::Clear(kind);
    state
        .audit
        .record(who, audited(Some(target), change), result.into());
    was_set
}

/// Clears every fault and notes who did; how many there were.
pub fn clear_all(state: &AppState, who: String) -> usize {
    let cleared = state.faults.clear_all();
    let result = format!("{cleared} cleared");
    state
        .audit
        .record(who, audited(None, FaultChange::ClearAll), result);
    cleared
}

fn audited(target: Option<Target>, change: FaultChange) -> Audited {
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
