//! What a request to set a fault says, checked whole before anything is stored: the path names
//! a known target and a kind meant for it (404 otherwise), and each field is in range and meant
//! for this kind (422 otherwise, with a code naming the field).

use super::{Fault, FaultKind, FaultTarget, MAX_DELAY_MS, MAX_EXPIRY_SECS};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// A fault as asked for: `PUT /api/faults/{target}/{kind}`'s body.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultRequest {
    /// Required by every kind but outage (which takes none): latency and slow 1..60000 ms,
    /// errors 1..100 %, poison 1..1000 messages.
    #[schema(schema_with = value_bounds)]
    pub value: Option<u64>,
    /// latency only: up to this much more, at random.
    #[schema(schema_with = jitter_bounds)]
    pub jitter_ms: Option<u64>,
    #[schema(schema_with = expiry_bounds)]
    pub expires_in_secs: Option<u64>,
    /// store errors only: the route that fails, e.g. /api/cart.
    #[schema(pattern = "^/")]
    pub route: Option<String>,
}

fn bounded(least: u64, most: u64) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Integer)
        .minimum(Some(least))
        .maximum(Some(most))
        .build()
}

fn value_bounds() -> utoipa::openapi::Object {
    bounded(1, u64::from(super::MAX_DELAY_MS))
}

fn jitter_bounds() -> utoipa::openapi::Object {
    bounded(0, u64::from(super::MAX_DELAY_MS))
}

fn expiry_bounds() -> utoipa::openapi::Object {
    bounded(1, super::MAX_EXPIRY_SECS)
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
pub fn parse_path(target: &str, kind: &str) -> Result<(FaultTarget, FaultKind), FaultRefused> {
    let known_targets = "targets are database, cache, queue, processor and store";
    let t = FaultTarget::from_name(target)
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
    target: FaultTarget,
    kind: FaultKind,
    asked: &FaultRequest,
    now: DateTime<Utc>,
) -> Result<Fault, FaultRefused> {
    Ok(Fault {
        target,
        kind,
        value: parse_value(kind, asked.value)?,
        jitter_ms: parse_jitter(kind, asked.jitter_ms)?,
        route: parse_route(target, asked.route.as_deref())?,
        expires_at: parse_expiry(asked.expires_in_secs, now)?,
    })
}

fn invalid<T>(code: &'static str, why: impl Into<String>) -> Result<T, FaultRefused> {
    Err(FaultRefused::Invalid(code, why.into()))
}

/// A value in the kind's range, or none for an outage.
fn parse_value(kind: FaultKind, value: Option<u64>) -> Result<Option<u32>, FaultRefused> {
    let name = kind.as_str();
    match (super::range(kind), value) {
        (None, None) => Ok(None),
        (None, Some(_)) => invalid("value_not_used", format!("{name} takes no value")),
        (Some((_, _, unit)), None) => {
            invalid("value_missing", format!("{name} needs a value in {unit}"))
        }
        (Some((low, high, unit)), Some(v)) if v < low.into() || v > high.into() => invalid(
            "value_out_of_range",
            format!("{name} takes {low} to {high} {unit}"),
        ),
        (Some(_), Some(v)) => Ok(Some(v as u32)),
    }
}

fn parse_jitter(kind: FaultKind, jitter_ms: Option<u64>) -> Result<Option<u32>, FaultRefused> {
    match jitter_ms {
        Some(_) if kind != FaultKind::Latency => {
            invalid("jitter_not_used", "only latency takes jitter_ms")
        }
        Some(j) if j > MAX_DELAY_MS.into() => invalid(
            "jitter_out_of_range",
            format!("jitter_ms takes 0 to {MAX_DELAY_MS}"),
        ),
        j => Ok(j.map(|j| j as u32)),
    }
}

fn parse_expiry(
    expires_in_secs: Option<u64>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, FaultRefused> {
    match expires_in_secs {
        None => Ok(None),
        Some(s) if (1..=MAX_EXPIRY_SECS).contains(&s) => {
            Ok(Some(now + chrono::Duration::seconds(s as i64)))
        }
        Some(_) => invalid(
            "expiry_out_of_range",
            format!("expires_in_secs takes 1 to {MAX_EXPIRY_SECS}"),
        ),
    }
}

/// A store fault's route: a path under the store, never an exempt one.
fn parse_route(target: FaultTarget, route: Option<&str>) -> Result<Option<String>, FaultRefused> {
    let Some(route) = route else { return Ok(None) };
    if target != FaultTarget::Routes {
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
