//! What the store tells browsers as it happens: service health changes, order status changes,
//! load figures, breakers, controls and faults set or ended. One broadcast channel; a slow subscriber falls behind and resynchronises, it never
//! holds up the store or the other subscribers.

mod faults;

pub use faults::{Change, FaultChanged, FaultKind, FaultTarget};

use crate::domain::{OrderId, OrderStatus};
use crate::service::Service;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::broadcast;

/// Events kept for subscribers that are momentarily behind.
const BACKLOG: usize = 256;

/// A service's health as the monitor sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Up,
    /// Started on purpose and not yet answering.
    Starting,
    /// Answering, but slowly.
    Degraded,
    Down,
    /// Runs inside carstore: nothing to probe.
    Embedded,
}

/// One service's health and when it entered it.
#[derive(Debug, Clone, Serialize)]
pub struct HealthChange {
    pub service: Service,
    pub health: Health,
    pub since: DateTime<Utc>,
    /// The last probe's round trip, when it answered.
    pub latency_ms: Option<f64>,
}

/// An order moved; never carries personal data.
#[derive(Debug, Clone, Serialize)]
pub struct OrderChange {
    pub order_id: i64,
    pub status: OrderStatus,
}

#[derive(Debug, Clone)]
pub enum StoreEvent {
    Health(HealthChange),
    Order(OrderChange),
    /// A load run started from the dashboard: each second's figures, then its summary.
    /// A load run's figures as the load generator serialised them (`load::LoadChange`): the
    /// feed and the other replicas read them as JSON, so they travel as JSON.
    Load(serde_json::Value),
    /// A service's control changed after start (a docker control attached), so an open
    /// dashboard enables its buttons and log window without being reopened.
    Control(ControlChange),
    /// A service's breaker opened (requests needing it are refused at once) or closed again.
    Breaker(BreakerChange),
    /// A fault set, cleared or ended on its own on this process (faults are per process, so
    /// never relayed): the load chart marks it.
    Fault(FaultChanged),
    /// An order or load event that happened on another replica, as it arrived.
    Relayed(Relayed),
}

/// Another replica's event: its name and data as that replica sent them (checked on arrival),
/// with `instance` naming the replica.
#[derive(Debug, Clone)]
pub struct Relayed {
    pub event: &'static str,
    pub data: serde_json::Value,
}

/// Which control a service has now, as `/api/services` names it.
#[derive(Debug, Clone, Serialize)]
pub struct ControlChange {
    pub service: Service,
    pub control: &'static str,
}

impl StoreEvent {
    pub fn order(id: OrderId, status: OrderStatus) -> Self {
        StoreEvent::Order(OrderChange {
            order_id: id.0,
            status,
        })
    }

    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            StoreEvent::Health(_) => "health",
            StoreEvent::Order(_) => "order",
            StoreEvent::Load(_) => "load",
            StoreEvent::Control(_) => "control",
            StoreEvent::Breaker(_) => "breaker",
            StoreEvent::Fault(_) => "fault",
            StoreEvent::Relayed(r) => r.event,
        }
    }

    pub fn data(&self) -> serde_json::Value {
        let value = match self {
            StoreEvent::Health(h) => serde_json::to_value(h),
            StoreEvent::Order(o) => serde_json::to_value(o),
            StoreEvent::Load(l) => Ok(l.clone()),
            StoreEvent::Control(c) => serde_json::to_value(c),
            StoreEvent::Breaker(b) => serde_json::to_value(b),
            StoreEvent::Fault(f) => serde_json::to_value(f),
            StoreEvent::Relayed(r) => Ok(r.data.clone()),
        };
        value.expect("events always serialise")
    }
}

/// Where a breaker is; also the value of `carstore_breaker_state`. `open` (or `half_open`,
/// trying it) while requests needing the service are refused at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Breaker)]
pub enum BreakerState {
    Closed = 0,
    Open = 1,
    /// Open, with a trial ping in flight.
    HalfOpen = 2,
}

impl BreakerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

/// A breaker moved; the dashboard shows it on the service's panel.
#[derive(Debug, Clone, Serialize)]
pub struct BreakerChange {
    pub service: Service,
    pub state: BreakerState,
}

/// The store's event channel.
pub struct EventBus {
    tx: broadcast::Sender<StoreEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            tx: broadcast::channel(BACKLOG).0,
        }
    }
}

impl EventBus {
    /// Sends to whoever listens; nobody listening is fine.
    pub fn publish(&self, event: StoreEvent) {
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<StoreEvent> {
        self.tx.subscribe()
    }

    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }
}
