//! What a drill reaches in the store: the handles it drives (faults, load runs) and reads (health,
//! orders, the queue, the metrics), never the whole application state.

use crate::events::EventBus;
use crate::load::LoadRuns;
use crate::metrics::Metrics;
use crate::ops::{FaultChanges, HealthMonitor};
use crate::queue::OrderQueue;
use crate::store::OrderStore;
use std::sync::Arc;

#[derive(Clone)]
pub struct StoreReach {
    /// Faults set and cleared the way the API does it: audited and told to the feed.
    pub fault_changes: FaultChanges,
    pub events: Arc<EventBus>,
    pub load: Arc<LoadRuns>,
    pub health: Arc<HealthMonitor>,
    pub orders: Arc<dyn OrderStore>,
    pub queue: Arc<dyn OrderQueue>,
    pub metrics: Arc<Metrics>,
    /// This store's own address: the drill's shoppers and probe call it as a browser would.
    pub own_url: String,
    /// Whether this process runs the order processor (some drills need it).
    pub order_worker: bool,
}
