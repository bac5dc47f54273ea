//! The faults' words, which the feed, the audit log and the breakers' wrappers share: what a
//! fault breaks, how, and a change of one as the event feed tells it.

use crate::service::Service;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a fault breaks: a backing service (named in the API by its kind: `database`, `cache`,
/// `queue`), the order processor, or the store's own routes (`store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultTarget {
    Service(Service),
    /// The order processor: slowed, or handed poison messages.
    Processor,
    /// The store's own HTTP routes, answering errors.
    Routes,
}

impl FaultTarget {
    pub const ALL: [FaultTarget; 5] = [
        FaultTarget::Service(Service::Postgres),
        FaultTarget::Service(Service::Redis),
        FaultTarget::Service(Service::Rabbit),
        FaultTarget::Processor,
        FaultTarget::Routes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FaultTarget::Service(service) => service.kind(),
            FaultTarget::Processor => "processor",
            FaultTarget::Routes => "store",
        }
    }

    pub fn from_name(name: &str) -> Option<FaultTarget> {
        FaultTarget::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The backing service a dependency's faults break.
    pub fn service(self) -> Option<Service> {
        match self {
            FaultTarget::Service(service) => Some(service),
            FaultTarget::Processor | FaultTarget::Routes => None,
        }
    }

    /// The kinds of fault that mean something for this target.
    pub fn kinds(self) -> &'static [FaultKind] {
        use FaultKind::*;
        match self {
            FaultTarget::Service(_) => &[Latency, Errors, Outage],
            FaultTarget::Processor => &[Slow, Poison],
            FaultTarget::Routes => &[Errors],
        }
    }
}

impl Serialize for FaultTarget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// In the API, a target's name: one of [`FaultTarget::ALL`]'s.
impl utoipa::PartialSchema for FaultTarget {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(FaultTarget::ALL.map(FaultTarget::as_str)))
            .into()
    }
}

impl utoipa::ToSchema for FaultTarget {}

impl<'de> Deserialize<'de> for FaultTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FaultTarget, D::Error> {
        let name = String::deserialize(d)?;
        FaultTarget::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("no fault target {name:?}")))
    }
}

/// How a target breaks; `kind` in the API (a fault's path names both). Each target takes some
/// kinds: a service latency, errors and outage; the processor slow and poison; the store
/// errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
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
}

/// A fault changed, as the event feed tells it; never carries personal data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultChanged {
    pub target: FaultTarget,
    pub kind: FaultKind,
    pub change: Change,
    /// The value set (ms, %, messages); absent for an outage and on an end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<u32>,
    /// When it happened: an expired fault at its expiry, not when it was noticed.
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Set,
    Cleared,
    /// Ended on its own: its time ran out, or a poison's last message was taken.
    Expired,
}
