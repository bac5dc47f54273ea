//! What every request handler can reach, in four groups. Built once in `app/mod.rs`; adapters are trait objects so
//! handlers never know which backend serves them.

use crate::accounts::Accounts;
use crate::breaker::Breakers;
use crate::cache::CartStore;
use crate::catalog::{CatalogService, Gallery};
use crate::config::{AdminToken, TrustedProxies};
use crate::events::EventBus;
use crate::load::LoadRuns;
use crate::metrics::Metrics;
use crate::ops::audit::AuditLog;
use crate::ops::control::ServiceControl;
use crate::ops::logs::LogWindows;
use crate::ops::sign_in::SignInLimiter;
use crate::ops::vhost_queues::ManagementApi;
use crate::ops::HealthMonitor;
use crate::orders::{Checkout, PipelineCounts};
use crate::queue::OrderQueue;
use crate::replicas::{Fanout, Roster};
use crate::service::PerService;
use crate::store::OrderStore;
use std::sync::Arc;

pub struct AppState {
    /// What shoppers use: the catalog, carts, orders and accounts.
    pub shop: Shop,
    /// The operations console: health, breakers, faults, controls, logs, load runs, metrics,
    /// the audit log and guided scenarios.
    pub console: Console,
    /// Who may do what: the admin token and sessions, sign-in limits, places for live feeds,
    /// and the proxies believed.
    pub access: Admission,
    /// This replica among the others.
    pub fleet: Fleet,
}

/// What shoppers use: the catalog, carts, orders and accounts.
pub struct Shop {
    /// The cars for sale, read through the catalog cache.
    pub catalog: Arc<CatalogService>,
    /// A picture of every car, drawn at start.
    pub gallery: Arc<Gallery>,
    /// Shoppers' carts, keyed by session.
    pub carts: Arc<dyn CartStore>,
    /// Orders, their items and the outbox.
    pub orders: Arc<dyn OrderStore>,
    /// Order events; read here only for the queue's status.
    pub queue: Arc<dyn OrderQueue>,
    /// What this process's order processor has consumed and settled.
    pub pipeline: Arc<PipelineCounts>,
    /// The checkout use case, wired to the same adapters.
    pub checkout: Checkout,
    /// Shoppers' accounts and their signed-in sessions.
    pub accounts: Arc<Accounts>,
}

/// The operations console: health, breakers, faults, controls, logs, load runs, metrics, the
/// audit log and guided scenarios.
pub struct Console {
    /// Health changes and order changes, as they happen.
    pub events: Arc<EventBus>,
    /// Every backing service's current health.
    pub health: Arc<HealthMonitor>,
    /// Each service's breaker, for the dashboard and the metrics.
    pub breakers: Breakers,
    /// The faults set on purpose in this process (`/api/faults`).
    pub faults: Arc<crate::faults::Faults>,
    /// What each service is (a redacted URL, or embedded).
    pub targets: PerService<String>,
    /// How each service is started and stopped.
    pub controls: PerService<Arc<dyn ServiceControl>>,
    /// Every queue of the vhost, when a management URL is configured.
    pub vhost_queues: Option<ManagementApi>,
    /// Log windows: carstore's own and each service's that has a log source.
    pub logs: Arc<LogWindows>,
    /// Load runs started from the dashboard.
    pub load: Arc<LoadRuns>,
    /// The store's Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Who started or stopped what.
    pub audit: Arc<AuditLog>,
    /// The guided scenario running in this process, or the last one.
    pub scenarios: Arc<crate::scenarios::ScenarioRuns>,
}

/// Who may do what: the admin token and sessions, sign-in limits, places for live feeds, and
/// the proxies believed.
pub struct Admission {
    /// What admin requests must carry.
    pub admin_token: AdminToken,
    /// Wrong admin tokens per client, counted here when the session store cannot be.
    pub sign_ins: Arc<SignInLimiter>,
    /// Places for live feeds, per client and in all.
    pub feeds: crate::access::FeedSlots,
    /// Checks and ends the admin's browser sessions.
    pub admin_sessions: Arc<crate::access::AdminSessions>,
    /// Proxies whose forwarded headers are believed.
    pub trusted_proxies: TrustedProxies,
}

/// This replica among the others.
pub struct Fleet {
    /// This replica and the others heard on the replica channel.
    pub replicas: Arc<Roster>,
    /// Asks to the other replicas (stop a load run).
    pub fanout: Arc<Fanout>,
    /// This store's own address, for load runs against itself.
    pub own_url: String,
    /// Whether this process runs the outbox relay and the order processor.
    pub order_worker: bool,
}

impl AppState {
    /// Faults set and cleared as the API does it: audited and told to the feed.
    pub fn fault_changes(&self) -> crate::ops::FaultChanges {
        crate::ops::FaultChanges {
            faults: self.console.faults.clone(),
            audit: self.console.audit.clone(),
            events: self.console.events.clone(),
        }
    }

    /// What a guided scenario's drill may drive and read.
    pub fn store_reach(&self) -> crate::scenarios::StoreReach {
        crate::scenarios::StoreReach {
            fault_changes: self.fault_changes(),
            events: self.console.events.clone(),
            load: self.console.load.clone(),
            health: self.console.health.clone(),
            orders: self.shop.orders.clone(),
            queue: self.shop.queue.clone(),
            metrics: self.console.metrics.clone(),
            own_url: self.fleet.own_url.clone(),
            order_worker: self.fleet.order_worker,
        }
    }
}
