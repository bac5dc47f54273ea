//! What a scrape reads: each figure is read first (with a time limit, so one slow service
//! cannot stall the scrape), then set on its family and encoded in one step.

use crate::breaker::Breakers;
use crate::catalog::CatalogService;
use crate::events::{Health, HealthChange};
use crate::metrics::{process, Labels, Metrics};
use crate::ops::HealthMonitor;
use crate::orders::{PipelineCounts, PipelineSnapshot};
use crate::queue::{OrderQueue, QueueDepth, QueueNames};
use crate::service::Service;
use crate::store::{OrderStats, OrderStore, PoolStatus};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// A figure that takes longer than this to read is left out of the scrape.
const READ_TIMEOUT: Duration = Duration::from_secs(1);
const STATES: [(Health, &str); 5] = [
    (Health::Up, "up"),
    (Health::Starting, "starting"),
    (Health::Degraded, "degraded"),
    (Health::Down, "down"),
    (Health::Embedded, "embedded"),
];

/// Where a scrape reads. The store and `carstore worker` each have one, so both answer with
/// the same handler.
pub struct MetricsSources {
    pub metrics: Arc<Metrics>,
    pub health: Arc<HealthMonitor>,
    pub orders: Arc<dyn OrderStore>,
    pub queue: Arc<dyn OrderQueue>,
    pub pipeline: Arc<PipelineCounts>,
    /// The catalog's cache counts; a worker reads no catalog.
    pub catalog: Option<Arc<CatalogService>>,
    /// Each service's breaker.
    pub breakers: Breakers,
    /// The faults set on this process, and the calls they affected.
    pub faults: Arc<crate::faults::Faults>,
}

/// One scrape's figures; `None` where a figure could not be read.
struct Figures {
    health: Vec<HealthChange>,
    stats: Option<OrderStats>,
    depth: Option<QueueDepth>,
    names: QueueNames,
    pool: Option<PoolStatus>,
    pipeline: PipelineSnapshot,
    cache: Option<crate::catalog::CacheCounts>,
    process: process::ProcessFigures,
}

impl MetricsSources {
    /// A store's sources: its whole state.
    pub fn of_store(state: &crate::state::AppState) -> MetricsSources {
        MetricsSources {
            metrics: state.console.metrics.clone(),
            health: state.console.health.clone(),
            orders: state.shop.orders.clone(),
            queue: state.shop.queue.clone(),
            pipeline: state.shop.pipeline.clone(),
            catalog: Some(state.shop.catalog.clone()),
            breakers: state.console.breakers.clone(),
            faults: state.console.faults.clone(),
        }
    }

    /// The exposition text for one scrape.
    pub async fn scrape(&self) -> String {
        let figures = self.read().await;
        self.metrics.scrape_with(|metrics| {
            metrics.set_services(&figures.health);
            metrics.set_backlog(&figures);
            metrics.set_pipeline(&figures);
            metrics.set_process(&figures.process);
            metrics.set_breakers(&self.breakers, &figures.health);
            metrics.set_faults(&self.faults);
        })
    }

    async fn read(&self) -> Figures {
        Figures {
            health: self.health.snapshot(),
            stats: within(self.orders.stats()).await,
            depth: within(self.queue.depth()).await,
            names: self.queue.names().clone(),
            pool: self.orders.pool_status(),
            pipeline: self.pipeline.snapshot(),
            cache: self.catalog.as_ref().map(|c| c.cache_counts()),
            process: process::read(),
        }
    }
}

async fn within<T, E>(read: impl Future<Output = Result<T, E>>) -> Option<T> {
    tokio::time::timeout(READ_TIMEOUT, read).await.ok()?.ok()
}

fn service_label(service: Service) -> Labels {
    vec![("service", service.as_str().to_owned())]
}

impl Metrics {
    fn set_services(&self, health: &[HealthChange]) {
        for h in health {
            let answers = matches!(h.health, Health::Up | Health::Degraded | Health::Embedded);
            self.service_up
                .set(service_label(h.service), f64::from(u8::from(answers)));
            for (health, name) in STATES {
                let mut labels = service_label(h.service);
                labels.push(("state", name.to_owned()));
                self.service_state
                    .set(labels, f64::from(u8::from(h.health == health)));
            }
            if let Some(ms) = h.latency_ms {
                self.service_probe_latency
                    .set(service_label(h.service), ms / 1000.0);
            }
        }
    }

    fn set_backlog(&self, figures: &Figures) {
        if let Some(stats) = figures.stats {
            self.outbox_backlog.set(vec![], stats.outbox_backlog as f64);
            self.outbox_oldest_age
                .set(vec![], stats.outbox_oldest_age_secs.unwrap_or(0.0));
        }
        if let Some(depth) = figures.depth {
            let queue = |name: &String| vec![("queue", name.clone())];
            let names = &figures.names;
            self.queue_messages
                .set(queue(&names.orders), depth.messages as f64)
                .set(queue(&names.dead_letters), depth.dead_lettered as f64);
            self.queue_consumers
                .set(queue(&names.orders), f64::from(depth.consumers));
        }
        if let Some(pool) = figures.pool {
            self.db_pool_size.set(vec![], pool.size as f64);
            self.db_pool_in_use.set(vec![], pool.in_use as f64);
            self.db_pool_waiting.set(vec![], pool.waiting as f64);
        }
    }

    fn set_pipeline(&self, figures: &Figures) {
        let counts = figures.pipeline;
        self.orders_processed.set(vec![], counts.processed as f64);
        self.orders_failed.set(vec![], counts.dead_lettered as f64);
        if let Some(cache) = figures.cache {
            self.catalog_cache_hits.set(vec![], cache.hits as f64);
            self.catalog_cache_misses.set(vec![], cache.misses as f64);
        }
    }

    /// The breakers of the services this process watches (a worker never touches Redis).
    fn set_breakers(&self, breakers: &Breakers, watched: &[HealthChange]) {
        for (service, breaker) in breakers.iter() {
            if !watched.iter().any(|h| h.service == service) {
                continue;
            }
            self.breaker_state
                .set(service_label(service), breaker.state() as u8 as f64);
            self.breaker_refused
                .set(service_label(service), breaker.refused() as f64);
        }
    }

    /// Every fault in force (1), and every target and kind that has affected a call so far.
    fn set_faults(&self, faults: &crate::faults::Faults) {
        let labels = |t: crate::faults::FaultTarget, k: crate::faults::FaultKind| {
            vec![
                ("target", t.as_str().to_owned()),
                ("kind", k.as_str().to_owned()),
            ]
        };
        for fault in faults.list() {
            self.fault_active.set(labels(fault.target, fault.kind), 1.0);
        }
        for (target, kind, calls) in faults.injected() {
            self.faults_injected.set(labels(target, kind), calls as f64);
        }
    }

    fn set_process(&self, figures: &process::ProcessFigures) {
        if let Some(v) = figures.resident_bytes {
            self.process_resident_memory.set(vec![], v);
        }
        if let Some(v) = figures.cpu_seconds {
            self.process_cpu.set(vec![], v);
        }
        if let Some(v) = figures.open_fds {
            self.process_open_fds.set(vec![], v);
        }
        self.process_start_time.set(vec![], process::start_time());
    }
}
