//! Faults on purpose: a slow database, a share of failed cache calls, a queue that is away, a
//! poison message, failed answers on a route — set from the API, held in one registry per
//! process ([`Faults`]), and injected at each adapter's boundary (`breaker::guarded`,
//! [`FaultyQueue`]) so every backend, embedded or real, breaks the same way. A fault is data:
//! target, kind, value and when it ends.

pub mod cli;
mod queue;
mod registry;
#[cfg(test)]
mod tests;

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

/// A fault as asked for: `PUT /api/faults/{target}/{kind}`'s body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRequest {
    pub value: Option<u64>,
    pub jitter_ms: Option<u64>,
    pub expires_in_secs: Option<u64>,
    pub route: Option<String>,
}

/// Why a fault was refused: the path names nothing (404), or the body is out of range (422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultRefused {
    #[error("{0}")]
    NotFound(&'static str, String),
    #[error("{1}")]
    Invalid(&'static str, String),
}

/// Routes a store fault never touches: the faults themselves (or a drill could not be ended),
/// and what probes and scrapers read.
pub const EXEMPT_ROUTES: [&str; 4] = ["/api/faults", "/healthz", "/readyz", "/metrics"];

/// The target and kind a path names, each known and meant for the other.
pub fn parse_path(target: &str, kind: &str) -> Result<(Target, FaultKind), FaultRefused> {
    let known_targets = "targets are database, cache, queue, processor and store";
    let t = Target::from_name(target)
        .ok_or_else(|| FaultRefused::NotFound("unknown_target", known_targets.into()))?;
    let k = FaultKind::from_name(kind).ok_or_else(|| {
        let known = "kinds are latency, errors, outage, slow and poison";
        FaultRefused::NotFound("unknown_fault", known.into())
    })?;
    if !t.kinds().contains(&k) {
        let names: Vec<_> = t.kinds().iter().map(|k| k.as_str()).collect();
        let why = format!("{target} takes {}, not {kind}", names.join(", "));
        return Err(FaultRefused::NotFound("fault_not_for_target", why));
    }
    Ok((t, k))
}

/// The fault a request asks for, checked whole: each field in range and meant for this kind.
pub fn parse_fault(
    target: Target,
    kind: FaultKind,
    asked: &FaultRequest,
    now: DateTime<Utc>,
) -> Result<Fault, FaultRefused> {
    let invalid = |code, why: String| Err(FaultRefused::Invalid(code, why));
    let value = match (kind.range(), asked.value) {
        (None, None) => None,
        (None, Some(_)) => {
            return invalid(
                "value_not_used",
                format!("{} takes no value", kind.as_str()),
            )
        }
        (Some((_, _, unit)), None) => {
            return invalid(
                "value_missing",
                format!("{} needs a value in {unit}", kind.as_str()),
            )
        }
        (Some((low, high, unit)), Some(v)) if v < low.into() || v > high.into() => {
            return invalid(
                "value_out_of_range",
                format!("{} takes {low} to {high} {unit}", kind.as_str()),
            )
        }
        (Some(_), Some(v)) => Some(v as u32),
    };
    let jitter_ms = match asked.jitter_ms {
        Some(_) if kind != FaultKind::Latency => {
            return invalid("jitter_not_used", "only latency takes jitter_ms".into())
        }
        Some(j) if j > MAX_DELAY_MS.into() => {
            return invalid(
                "jitter_out_of_range",
                format!("jitter_ms takes 0 to {MAX_DELAY_MS}"),
            )
        }
        j => j.map(|j| j as u32),
    };
    let route = parse_route(target, asked.route.as_deref())?;
    let expires_at = match asked.expires_in_secs {
        None => None,
        Some(s) if (1..=MAX_EXPIRY_SECS).contains(&s) => {
            Some(now + chrono::Duration::seconds(s as i64))
        }
        Some(_) => {
            return invalid(
                "expiry_out_of_range",
                format!("expires_in_secs takes 1 to {MAX_EXPIRY_SECS}"),
            )
        }
    };
    Ok(Fault {
        target,
        kind,
        value,
        jitter_ms,
        route,
        expires_at,
    })
}

/// A store fault's route: a path under the store, never an exempt one.
fn parse_route(target: Target, route: Option<&str>) -> Result<Option<String>, FaultRefused> {
    let Some(route) = route else { return Ok(None) };
    let invalid = |code, why: &str| Err(FaultRefused::Invalid(code, why.into()));
    if target != Target::Store {
        return invalid("route_not_used", "only the store's errors take a route");
    }
    let plain = route
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/-_.{}".contains(c));
    if !route.starts_with('/') || route.len() > 200 || !plain {
        return invalid("invalid_route", "route is a path such as /api/cart");
    }
    if EXEMPT_ROUTES
        .iter()
        .any(|exempt| covers(route, exempt) || covers(exempt, route))
    {
        return invalid(
            "route_exempt",
            "/api/faults, /healthz, /readyz and /metrics never fail on purpose",
        );
    }
    Ok(Some(route.to_owned()))
}

/// Whether `path` is `route` or under it: `/api/cart` covers `/api/cart/items/3`.
pub fn covers(route: &str, path: &str) -> bool {
    let route = route.trim_end_matches('/');
    path == route
        || path
            .strip_prefix(route)
            .is_some_and(|rest| rest.starts_with('/'))
        || route.is_empty()
}
