//! Faults on purpose: a slow database, a share of failed cache calls, a queue that is away, a
//! poison message, failed answers on a route — set from the API, held in one registry per
//! process ([`Faults`]), and injected at each adapter's boundary by two gates ([`Delays`]
//! inside a service's breaker, [`FailShare`] outside it; see `crate::calls`) so every backend,
//! embedded or real, breaks the same way. A fault is data: target, kind, value and when it ends.

mod gates;
mod parse;
mod registry;
#[cfg(test)]
mod tests;

pub use gates::{Delays, FailShare};
pub use parse::{covers, parse_fault, parse_path, FaultRefused, FaultRequest, EXEMPT_ROUTES};
pub use registry::Faults;

pub use crate::events::{FaultKind, FaultTarget};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Longest a fault may be set for: a day.
pub const MAX_EXPIRY_SECS: u64 = 86_400;
/// Longest added latency or slowness, in ms: past a minute every caller has timed out anyway.
pub const MAX_DELAY_MS: u32 = 60_000;
/// Most poison messages at once.
pub const MAX_POISON: u32 = 1_000;
/// Most faults held at once: one of each kind per target is far fewer.
pub const MAX_FAULTS: usize = 32;

/// One active fault, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub target: FaultTarget,
    pub kind: FaultKind,
    /// ms (latency, slow), % (errors) or messages left (poison); absent for an outage.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false, minimum = 1)]
    pub value: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    pub jitter_ms: Option<u32>,
    /// The one route a store's errors are on; every route but the exempt ones when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    pub route: Option<String>,
    /// When it ends on its own; `null` while it lasts until cleared.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The range `value` must be in, with its unit; `None` for a kind that takes no value.
fn range(kind: FaultKind) -> Option<(u32, u32, &'static str)> {
    match kind {
        FaultKind::Latency | FaultKind::Slow => Some((1, MAX_DELAY_MS, "ms")),
        FaultKind::Errors => Some((1, 100, "%")),
        FaultKind::Poison => Some((1, MAX_POISON, "messages")),
        FaultKind::Outage => None,
    }
}
