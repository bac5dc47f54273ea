//! Faults on purpose: a slow database, a share of failed cache calls, a queue that is away, a
//! poison message, failed answers on a route — set from the API, held in one registry per
//! process ([`Faults`]), and injected at each adapter's boundary (`breaker::guarded`,
//! [`FaultyQueue`]) so every backend, embedded or real, breaks the same way. A fault is data:
//! target, kind, value and when it ends.

pub mod changes;
pub mod cli;
mod parse;
mod queue;
mod registry;
#[cfg(test)]
mod tests;

pub use parse::{covers, parse_fault, parse_path, FaultRefused, FaultRequest, EXEMPT_ROUTES};
pub use queue::FaultyQueue;
pub use registry::{FaultPing, Faults};

use crate::service::Service;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest a fault may be set for: a day.
pub const MAX_EXPIRY_SECS: u64 = 86_400;
/// Longest added latency or slowness, in ms: past a minute every caller has timed out anyway.
pub const MAX_DELAY_MS: u32 = 60_000;
/// Most poison messages at once.
pub const MAX_POISON: u32 = 1_000;
/// Most faults held at once: one of each kind per target is far fewer.
pub const MAX_FAULTS: usize = 32;

/// What a fault breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Database,
    Cache,
    Queue,
    Processor,
    Store,
}

impl Target {
    pub const ALL: [Target; 5] = [
        Target::Database,
        Target::Cache,
        Target::Queue,
        Target::Processor,
        Target::Store,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Target::Database => "database",
            Target::Cache => "cache",
            Target::Queue => "queue",
            Target::Processor => "processor",
            Target::Store => "store",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The backing service a dependency's faults break, as its adapters name it.
    pub fn service(self) -> Option<Service> {
        match self {
            Target::Database => Some(Service::Postgres),
            Target::Cache => Some(Service::Redis),
            Target::Queue => Some(Service::Rabbit),
            Target::Processor | Target::Store => None,
        }
    }

    pub fn of_service(service: Service) -> Target {
        match service {
            Service::Postgres => Target::Database,
            Service::Redis => Target::Cache,
            Service::Rabbit => Target::Queue,
        }
    }

    /// The kinds of fault that mean something for this target.
    pub fn kinds(self) -> &'static [FaultKind] {
        use FaultKind::*;
        match self {
            Target::Database | Target::Cache | Target::Queue => &[Latency, Errors, Outage],
            Target::Processor => &[Slow, Poison],
            Target::Store => &[Errors],
        }
    }
}

/// How a target breaks; `kind` in the API (a fault's path names both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// Every call waits `value` ms (plus up to `jitter_ms`) first.
    Latency,
    /// `value` % of calls fail as the service would fail them.
    Errors,
    /// Every call fails as if the service were down.
    Outage,
    /// The order processor takes `value` ms more over each event.
    Slow,
    /// The next `value` order events cannot be handled: retried, then dead-lettered.
    Poison,
}

impl FaultKind {
    pub const ALL: [FaultKind; 5] = [
        FaultKind::Latency,
        FaultKind::Errors,
        FaultKind::Outage,
        FaultKind::Slow,
        FaultKind::Poison,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Latency => "latency",
            FaultKind::Errors => "errors",
            FaultKind::Outage => "outage",
            FaultKind::Slow => "slow",
            FaultKind::Poison => "poison",
        }
    }

    pub fn from_name(name: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The range `value` must be in, with its unit; `None` for a kind that takes no value.
    fn range(self) -> Option<(u32, u32, &'static str)> {
        match self {
            FaultKind::Latency | FaultKind::Slow => Some((1, MAX_DELAY_MS, "ms")),
            FaultKind::Errors => Some((1, 100, "%")),
            FaultKind::Poison => Some((1, MAX_POISON, "messages")),
            FaultKind::Outage => None,
        }
    }
}

/// One active fault, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fault {
    pub target: Target,
    pub kind: FaultKind,
    /// ms, %, or messages, by kind; absent for an outage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jitter_ms: Option<u32>,
    /// The one route a store's errors are on; every route but the exempt ones when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// When it ends on its own; `null` while it lasts until cleared.
    pub expires_at: Option<DateTime<Utc>>,
}
